// Small line icons drawn as inline SVG (the webview has no icon font, and
// emoji or rare glyphs depend on the fonts installed). They take the text colour.

const SVG = 'http://www.w3.org/2000/svg';

const SHAPES: Record<string, string[]> = {
  copy: ['M5 5h8v9H5z', 'M3 11V2h7'],
  image: ['M2 3h12v10H2z', 'M2 11l3.5-3.5 3 3 2-2L14 12', 'M10.5 6.2a.7.7 0 1 0 0 .1'],
  table: ['M2 3h12v10H2z', 'M2 6.5h12', 'M2 9.8h12', 'M6.5 3v10'],
  json: ['M6 3C4.5 3 4.5 4 4.5 5.5S4 8 3 8c1 0 1.5.8 1.5 2.5S4.5 13 6 13', 'M10 3c1.5 0 1.5 1 1.5 2.5S12 8 13 8c-1 0-1.5.8-1.5 2.5S11.5 13 10 13'],
  text: ['M3.5 2h6l3 3v9h-9z', 'M5.5 7.5h5', 'M5.5 10h5'],
  file: ['M3.5 2h6l3 3v9h-9z', 'M9.5 2v3h3'],
  chevronRight: ['M6 4l4 4-4 4'],
  chevronDown: ['M4 6l4 4 4-4'],
};

export function icon(name: keyof typeof SHAPES | string, label?: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'rd-icon');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  if (label) svg.setAttribute('aria-label', label);
  else svg.setAttribute('aria-hidden', 'true');
  for (const d of SHAPES[name] ?? SHAPES.file) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** The icon of an artifact by its preview kind. */
export function kindIcon(kind: string): SVGSVGElement {
  return icon(kind === 'image' ? 'image' : kind === 'csv' || kind === 'tsv' ? 'table' : kind === 'json' ? 'json' : kind === 'text' ? 'text' : 'file');
}
