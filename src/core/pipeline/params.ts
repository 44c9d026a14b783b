import { PipelineError, type ParamValue, type PipelineFile } from './pipelineTypes';

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

// Characters that never need quoting in a POSIX shell word.
const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** One shell word whatever the value holds: spaces, quotes, $(…), backticks. */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  // Inside single quotes nothing is special except the quote itself, which is closed, escaped, reopened.
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;

/**
 * Replaces `${params.x}` and `${env.X}` in a step's command with shell-quoted
 * values; `$${` stands for a literal `${`. Other `${…}` (e.g. `${HOME}`) are the
 * shell's and stay as written. Placeholders belong outside quotes in the command:
 * the value arrives quoted already.
 */
export function interpolate(command: string, params: Record<string, ParamValue>, env: Record<string, string | undefined>): string {
  return command.replace(PLACEHOLDER, (whole, inner: string | undefined) => {
    if (inner === undefined) return '${';
    const ref = inner.trim();
    if (ref.startsWith('params.')) {
      const name = ref.slice('params.'.length);
      if (!Object.hasOwn(params, name)) {
        const known = Object.keys(params);
        throw new PipelineError('unknown-param', `\${params.${name}} names no param${known.length ? ` (params: ${known.join(', ')})` : ' (this pipeline declares none)'}`);
      }
      return shellQuote(String(params[name]));
    }
    if (ref.startsWith('env.')) {
      const name = ref.slice('env.'.length);
      const v = env[name];
      // Unset is refused rather than expanded to nothing: a silently empty argument is a wrong run.
      if (v === undefined) throw new PipelineError('unknown-env', `\${env.${name}}: environment variable ${name} is not set`);
      return shellQuote(v);
    }
    if (ref === 'params' || ref === 'env') throw new PipelineError('bad-placeholder', `${whole} needs a name: \${${ref}.NAME}`);
    return whole;
  });
}
