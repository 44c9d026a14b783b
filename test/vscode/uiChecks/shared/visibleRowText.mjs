// What of a tree row's text is on screen: a word is seen when it ends before
// the content edge of every element that clips it, and, where such an element
// overflows into an ellipsis, before the room the "…" takes.

/**
 * Each rendered row of `pane`, top to bottom, as { label, description, text,
 * seen }: `text` is all of its words, `seen` the words wholly on screen (in order).
 */
export function visibleRowTexts(pane) {
  return pane.locator('.monaco-list-row').evaluateAll((els) => {
    const canvas = document.createElement('canvas').getContext('2d');
    /** The x up to which text inside `from` (up to `row`) shows. */
    const visibleRight = (from, row) => {
      let limit = Infinity;
      for (let el = from; el && el !== row.parentElement; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.overflowX === 'visible') continue;
        const right = el.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
        let edge = right;
        if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth) {
          canvas.font = style.font;
          edge = right - canvas.measureText('…').width;
        }
        limit = Math.min(limit, edge);
      }
      return limit;
    };
    // The list positions its rows: their order in the document need not be the order on screen.
    const onScreen = [...els].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    return onScreen.map((el) => {
      const words = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const right = visibleRight(node.parentElement, el);
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          words.push({ word: m[0], visible: range.getBoundingClientRect().right <= right + 0.5 });
        }
      }
      return {
        label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
        text: words.map((w) => w.word).join(' '),
        seen: words.filter((w) => w.visible).map((w) => w.word).join(' '),
      };
    });
  });
}
