import * as vscode from 'vscode';
import type { ModelVersionSummary } from '../../protocol/native';
import { formatAgo, formatMetricValue } from '../../protocol/displayFormat';
import { date } from './versionRowText';

type TensorSpec = NonNullable<ModelVersionSummary['signature']>['inputs'][number];

function shape(t: TensorSpec): string {
  return `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export function versionTooltip(modelName: string, v: ModelVersionSummary): vscode.MarkdownString {
  const lines = [`**${escape(modelName)}** version ${v.version}${v.aliases.length ? ` · ${v.aliases.map((a) => `@${escape(a)}`).join(' ')}` : ''}`, ''];
  lines.push(`\`models:/${modelName}/${v.version}\`  `);
  lines.push(`Format ${v.format}${v.servable ? ', servable' : ''}${v.stage !== 'None' ? ` · stage ${v.stage}` : ''}${v.status !== 'READY' ? ` · ${v.status}` : ''}  `);
  if (v.primaryPath) lines.push(`File ${escape(v.primaryPath)}${v.fileCount > 1 ? ` (+${v.fileCount - 1} files)` : ''}  `);
  if (v.sha256) lines.push(`sha256 \`${v.sha256.slice(0, 12)}…\`  `);
  if (v.run) {
    const metrics = Object.entries(v.run.metrics).sort(([a], [b]) => a.localeCompare(b));
    const shown = metrics.slice(0, 8).map(([k, x]) => `${escape(k)} ${formatMetricValue(x, 5)}`).join(', ');
    lines.push(`Source run ${escape(v.run.runName)} (${v.run.status.toLowerCase()})${shown ? `: ${shown}${metrics.length > 8 ? ', …' : ''}` : ''}  `);
  }
  if (v.gate) lines.push(`Promotion gate: ${Object.entries(v.gate.metrics).map(([k, x]) => `${escape(k)} ${formatMetricValue(x, 5)}`).join(', ') || escape(v.gate.when)}  `);
  for (const [alias, move] of Object.entries(v.aliasMoves ?? {})) lines.push(`@${escape(alias)} moved here from v${escape(move.from)} on ${date(move.at)}${move.by ? ` by ${escape(move.by)}` : ''}  `);
  lines.push(`Registered ${date(v.creationTimestamp)} (${formatAgo(v.creationTimestamp)})`, '');
  if (v.signature && (v.signature.inputs.length || v.signature.outputs.length)) {
    lines.push('| | name | type | shape |', '|---|---|---|---|');
    for (const t of v.signature.inputs) lines.push(`| in | ${escape(t.name)} | ${t.elementType} | ${shape(t)} |`);
    for (const t of v.signature.outputs) lines.push(`| out | ${escape(t.name)} | ${t.elementType} | ${shape(t)} |`);
  } else lines.push('_No signature recorded._');
  const md = new vscode.MarkdownString(lines.join('\n'));
  md.supportHtml = false;
  return md;
}
