import { PipelineError, type ParamValue, type PipelineFile } from './pipelineTypes';
import { substituteInShell } from './shellTemplate';

/**
 * The pipeline's param defaults with overrides applied. Overrides come as the
 * CLI's `--set k=v` strings or as a tasks.json object; each takes the type of its
 * default, so `--set lr=abc` is refused before any step runs rather than failing
 * inside the training script.
 */
export function resolveParams(pipeline: Pick<PipelineFile, 'params'>, overrides: readonly string[] | Record<string, ParamValue> = []): Record<string, ParamValue> {
  const defaults = pipeline.params ?? {};
  const resolved: Record<string, ParamValue> = { ...defaults };
  const pairs: Array<[string, ParamValue]> = Array.isArray(overrides)
    ? overrides.map((o) => {
        const eq = o.indexOf('=');
        if (eq <= 0) throw new PipelineError('bad-override', `--set takes NAME=VALUE, got "${o}"`);
        return [o.slice(0, eq), o.slice(eq + 1)];
      })
    : Object.entries(overrides as Record<string, ParamValue>);
  for (const [name, raw] of pairs) {
    if (!Object.hasOwn(defaults, name)) {
      const known = Object.keys(defaults);
      throw new PipelineError('unknown-param', `unknown param "${name}": ${known.length ? `this pipeline's params are ${known.join(', ')}` : 'this pipeline declares no params'}`);
    }
    resolved[name] = coerce(name, defaults[name], raw);
  }
  return resolved;
}

function coerce(name: string, def: ParamValue, raw: ParamValue): ParamValue {
  if (typeof def === 'string') return String(raw);
  if (typeof def === 'number') {
    if (typeof raw === 'number') return raw;
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw new PipelineError('bad-override', `param "${name}" is a number (default ${def}), got "${String(raw)}"`);
    return n;
  }
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).toLowerCase();
  if (s === 'true' || s === 'false') return s === 'true';
  throw new PipelineError('bad-override', `param "${name}" is true or false (default ${def}), got "${String(raw)}"`);
}

export { shellQuote } from './shellTemplate';

/**
 * Replaces `${params.x}` and `${env.X}` in a step's command with their values,
 * each quoted for where it sits as the shell reads the command: outside quotes
 * single-quoted (`'it'\''s'`, left bare when it needs no quoting); inside "…"
 * with `\`, `"`, `$` and backticks escaped; inside '…' with `'` written `'\''`;
 * inside `$(…)` afresh, as a command of its own; in a here-document's body
 * literally (quoted delimiter) or with `\`, `$` and backticks escaped. Where no
 * quoting keeps any value literal (backticks, `$'…'`, `$((…))`) only a value of
 * letters, digits and `@%+=:,./-_` is taken, and a placeholder after a backslash,
 * a newline into a comment or a value that would end its here-document are refused.
 * `$${` stands for a literal `${`; other `${…}` (e.g. `${HOME}`) are the shell's
 * and stay as written.
 */
export function interpolate(command: string, params: Record<string, ParamValue>, env: Record<string, string | undefined>): string {
  return substituteInShell(command, (inner, whole) => {
    const ref = inner.trim();
    if (ref.startsWith('params.')) {
      const name = ref.slice('params.'.length);
      if (!Object.hasOwn(params, name)) {
        const known = Object.keys(params);
        throw new PipelineError('unknown-param', `\${params.${name}} names no param${known.length ? ` (params: ${known.join(', ')})` : ' (this pipeline declares none)'}`);
      }
      return String(params[name]);
    }
    if (ref.startsWith('env.')) {
      const name = ref.slice('env.'.length);
      const v = env[name];
      // Unset is refused rather than expanded to nothing: a silently empty argument is a wrong run.
      if (v === undefined) throw new PipelineError('unknown-env', `\${env.${name}}: environment variable ${name} is not set`);
      return v;
    }
    if (ref === 'params' || ref === 'env') throw new PipelineError('bad-placeholder', `${whole} needs a name: \${${ref}.NAME}`);
    return undefined;
  });
}
