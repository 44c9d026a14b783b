import { PipelineError } from './pipelineTypes';

// Characters that never need quoting in a POSIX shell word.
const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** One shell word whatever the value holds: spaces, quotes, $(…), backticks. */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  // Inside single quotes nothing is special except the quote itself, which is closed, escaped, reopened.
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where a placeholder sits, as the shell reads the command around it:
 * - command: unquoted, at the top or inside `$(…)` (which starts quoting afresh);
 * - double / single: inside "…" / '…';
 * - comment: after an unquoted `#` that starts a word, up to the end of the line;
 * - heredoc: in a here-document's body, `quoted` when its delimiter was quoted (a literal body);
 * - unquotable: backticks, `$'…'` and `$((…))`, whose reading of backslashes and quotes
 *   differs between shells or cannot hold an arbitrary value;
 * - lost: after something this scanner does not follow closely enough to quote for
 *   (a `case` inside `$(…)`, whose pattern's `)` looks like the end of the substitution).
 */
type Frame =
  | { kind: 'command'; nested: boolean; depth: number; wordStart: boolean }
  | { kind: 'double' }
  | { kind: 'single' }
  | { kind: 'comment' }
  | { kind: 'heredoc'; quoted: boolean }
  | { kind: 'unquotable'; what: 'backticks' | "$'…'" | '$((…))'; depth: number };

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

/** A placeholder's value, or undefined when the `${…}` is the shell's own and stays as written. */
export type PlaceholderValue = (inner: string, whole: string) => string | undefined;

const PLACEHOLDER_AT = /\$\$\{|\$\{([^}]*)\}/y;
const WORD_BREAK = /[\s;&|()<>]/;

function refuse(whole: string, why: string): never {
  throw new PipelineError('bad-placeholder', `${whole} ${why}`);
}

/** The value written so the shell reads exactly it in this frame, or a refusal saying what to write instead. */
function quoteFor(frame: Frame, value: string, whole: string): string {
  switch (frame.kind) {
    case 'command':
      return shellQuote(value);
    case 'double':
      // Inside "…" only these four keep a meaning; a newline stays a literal newline.
      return value.replace(/[\\"$`]/g, '\\$&');
    case 'single':
      return value.replace(/'/g, `'\\''`);
    case 'comment':
      if (value.includes('\n')) refuse(whole, 'sits in a # comment, which a value with a newline would end: move it out of the comment');
      return shellQuote(value);
    case 'heredoc':
      return frame.quoted ? value : value.replace(/[\\$`]/g, '\\$&');
    case 'unquotable':
      if (SAFE_WORD.test(value)) return value;
      return refuse(whole, `sits inside ${frame.what}, where no quoting keeps an arbitrary value literal (got ${JSON.stringify(value)}): ${frame.what === 'backticks' ? 'use $(…) instead of backticks' : 'pass it outside, e.g. as an argument or a variable'}`);
  }
}

/**
 * Replaces the placeholders (`${…}` for which `valueOf` gives a value; `$${` is a
 * literal `${`) in a POSIX shell command, each quoted for the context the shell
 * reads it in, so the shell receives exactly the value. The command is scanned as
 * sh would: quotes, backslashes, `$(…)` nesting, comments and here-documents.
 * Everything other than the placeholders is copied as written, so a command whose
 * placeholders sit outside quotes resolves exactly as when every value was
 * single-quoted (the step cache's keys stay the same).
 */
export function substituteInShell(command: string, valueOf: PlaceholderValue): string {
  return new Scanner(command, valueOf).run(0, command.length, [{ kind: 'command', nested: false, depth: 0, wordStart: true }]);
}

class Scanner {
  private readonly pending: PendingHeredoc[] = [];
  private lost: string | undefined;

  constructor(
    private readonly src: string,
    private readonly valueOf: PlaceholderValue,
  ) {}

  /** The placeholder (or `$${`) starting at `at`, with its value when it is ours. */
  private placeholderAt(at: number): { length: number; whole: string; value: string | undefined } | undefined {
    PLACEHOLDER_AT.lastIndex = at;
    const m = PLACEHOLDER_AT.exec(this.src);
    if (!m) return undefined;
    if (m[1] === undefined) return { length: 3, whole: m[0], value: '${' };
    return { length: m[0].length, whole: m[0], value: this.valueOf(m[1], m[0]) };
  }

  /** Whether a placeholder of ours (not `$${`, not the shell's `${HOME}`) starts at `at`. */
  private oursAt(at: number): boolean {
    const p = this.placeholderAt(at);
    return p !== undefined && p.whole !== '$${' && p.value !== undefined;
  }

  /** How many characters to consume as one token of `length`, stopping before a placeholder or `$${`. */
  private span(at: number, length: number): number {
    for (let k = 1; k < length; k++) {
      PLACEHOLDER_AT.lastIndex = at + k;
      if (PLACEHOLDER_AT.test(this.src)) return k;
    }
    return length;
  }

  run(start: number, end: number, stack: Frame[]): string {
    const src = this.src;
    const out: string[] = [];
    let i = start;
    // A shell `${…}` that is not ours is copied as written (as it always was) but still read for quotes.
    let opaqueUntil = start;
    while (i < end) {
      const frame = stack[stack.length - 1];
      if (i >= opaqueUntil && src[i] === '$') {
        const p = this.placeholderAt(i);
        if (p && p.whole === '$${') {
          out.push('${');
          if (frame.kind === 'command') frame.wordStart = false;
          i += 3;
          continue;
        }
        if (p && p.value !== undefined) {
          if (this.lost) refuse(p.whole, `comes after ${this.lost}, which this scanner cannot follow to quote the value safely: move the placeholder before it or into a script`);
          out.push(quoteFor(frame, p.value, p.whole));
          if (frame.kind === 'command') frame.wordStart = false;
          i += p.length;
          continue;
        }
        if (p) opaqueUntil = i + p.length;
      }
      const consumed = this.step(stack, i, end);
      out.push(src.slice(i, i + consumed.length));
      if (consumed.heredocFrom !== undefined) {
        out.push(this.heredocBodies(consumed.heredocFrom, end));
        i = this.heredocEnd;
        continue;
      }
      i += consumed.length;
    }
    return out.join('');
  }

  private heredocEnd = 0;

  /** Reads the bodies of the pending here-documents that start at `from`, resolving placeholders in them. */
  private heredocBodies(from: number, end: number): string {
    const out: string[] = [];
    let at = from;
    for (const doc of this.pending.splice(0)) {
      const bodyStart = at;
      let delimiterLine: [number, number] | undefined;
      while (at < end) {
        const nl = this.src.indexOf('\n', at);
        const lineEnd = nl === -1 || nl > end ? end : nl;
        const line = this.src.slice(at, lineEnd);
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          delimiterLine = [at, lineEnd];
          break;
        }
        at = lineEnd < end ? lineEnd + 1 : end;
      }
      const bodyEnd = delimiterLine ? delimiterLine[0] : end;
      const body = this.run(bodyStart, bodyEnd, [{ kind: 'heredoc', quoted: doc.quoted }]);
      // A value must not make a line that ends the document early: the lines after it would run as commands.
      const template = this.src.slice(bodyStart, bodyEnd).split('\n');
      body.split('\n').forEach((line) => {
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter && !template.includes(line))
          throw new PipelineError('bad-placeholder', `a value in the here-document ending at ${doc.delimiter} would make a line "${doc.delimiter}" and end it early: pass that value another way`);
      });
      out.push(body);
      if (delimiterLine) {
        out.push(this.src.slice(delimiterLine[0], delimiterLine[1]));
        at = delimiterLine[1];
      }
    }
    this.heredocEnd = at;
    return out.join('');
  }

  /** Applies the shell's reading of the character(s) at `i` to the frame stack; returns how many it took. */
  private step(stack: Frame[], i: number, end: number): { length: number; heredocFrom?: number } {
    const src = this.src;
    const frame = stack[stack.length - 1];
    const c = src[i];
    const next = src[i + 1];
    const backslash = (): { length: number } => {
      if (this.oursAt(i + 1)) {
        const p = this.placeholderAt(i + 1)!;
        refuse(p.whole, 'follows a backslash, which would escape the first character of its quoted value: remove the backslash (write $${ for a literal ${)');
      }
      return { length: this.span(i, 2) };
    };
    switch (frame.kind) {
      case 'single':
        if (c === "'") stack.pop();
        return { length: 1 };
      case 'comment':
        if (c === '\n') {
          stack.pop();
          return this.step(stack, i, end);
        }
        return { length: 1 };
      case 'heredoc':
        if (frame.quoted) return { length: 1 };
        if (c === '\\') return backslash();
        return this.substitution(stack, i) ?? { length: 1 };
      case 'double':
        if (c === '"') {
          stack.pop();
          return { length: 1 };
        }
        if (c === '\\') return backslash();
        return this.substitution(stack, i) ?? { length: 1 };
      case 'unquotable':
        if (frame.what === "$'…'") {
          if (c === '\\') {
            // dash has no $'…' and ends the quote at this ', bash does not: the two read what follows differently.
            if (next === "'") this.lost ??= "an escaped quote inside $'…'";
            return backslash();
          }
          if (c === "'") stack.pop();
          return { length: 1 };
        }
        if (frame.what === 'backticks') {
          if (c === '\\') return backslash();
          if (c === '`') stack.pop();
          return { length: 1 };
        }
        // $((…)): parentheses nest; quotes and substitutions inside are followed like the command's.
        if (c === '(') frame.depth++;
        else if (c === ')') {
          if (frame.depth > 0) frame.depth--;
          else {
            stack.pop();
            return { length: next === ')' ? this.span(i, 2) : 1 };
          }
        } else if (c === '"') stack.push({ kind: 'double' });
        else if (c === "'") stack.push({ kind: 'single' });
        else if (c === '\\') return backslash();
        else return this.substitution(stack, i) ?? { length: 1 };
        return { length: 1 };
      case 'command':
        return this.commandStep(stack, frame, i, end);
    }
  }

  /** `$((`, `$(` and backticks, which open a frame wherever the shell expands. */
  private substitution(stack: Frame[], i: number): { length: number } | undefined {
    const src = this.src;
    if (src[i] === '`') {
      stack.push({ kind: 'unquotable', what: 'backticks', depth: 0 });
      return { length: 1 };
    }
    if (src[i] !== '$') return undefined;
    if (src.startsWith('$((', i) && this.span(i, 3) === 3) {
      stack.push({ kind: 'unquotable', what: '$((…))', depth: 0 });
      return { length: 3 };
    }
    if (src[i + 1] === '(') {
      stack.push({ kind: 'command', nested: true, depth: 0, wordStart: true });
      return { length: 2 };
    }
    // $$ is the shell's pid: taken whole so that a following ' or ( is not read as $' or $(.
    if (src[i + 1] === '$') return { length: this.span(i, 2) };
    return undefined;
  }

  private commandStep(stack: Frame[], frame: Extract<Frame, { kind: 'command' }>, i: number, end: number): { length: number; heredocFrom?: number } {
    const src = this.src;
    const c = src[i];
    const atWordStart = frame.wordStart;
    frame.wordStart = WORD_BREAK.test(c);
    if (c === '\n' && this.pending.length) {
      frame.wordStart = true;
      return { length: 1, heredocFrom: i + 1 };
    }
    if (WORD_BREAK.test(c)) {
      // bash's (( … )) is arithmetic, where `<<` is a shift, not a here-document.
      if (c === '(' && atWordStart && src[i + 1] === '(') {
        stack.push({ kind: 'unquotable', what: '$((…))', depth: 0 });
        return { length: 2 };
      }
      if (c === '(' && frame.nested) frame.depth++;
      if (c === ')' && frame.nested) {
        if (frame.depth > 0) frame.depth--;
        else stack.pop();
      }
      if (c === '<' && src.startsWith('<<<', i)) return { length: 3 };
      if (c === '<' && src.startsWith('<<', i)) return this.heredocOperator(i, end);
      return { length: 1 };
    }
    if (atWordStart && c === '#') {
      stack.push({ kind: 'comment' });
      return { length: 1 };
    }
    if (atWordStart && frame.nested && /^case[\s;]/.test(src.slice(i, i + 5))) this.lost ??= 'a case statement inside $(…)';
    if (c === "'") stack.push({ kind: 'single' });
    else if (c === '"') stack.push({ kind: 'double' });
    else if (c === '\\') return this.backslashInCommand(i);
    else if (c === '$' && src[i + 1] === "'" && this.span(i, 2) === 2) {
      stack.push({ kind: 'unquotable', what: "$'…'", depth: 0 });
      return { length: 2 };
    } else return this.substitution(stack, i) ?? { length: 1 };
    return { length: 1 };
  }

  private backslashInCommand(i: number): { length: number } {
    if (this.oursAt(i + 1)) refuse(this.placeholderAt(i + 1)!.whole, 'follows a backslash, which would escape the first character of its quoted value: remove the backslash (write $${ for a literal ${)');
    return { length: this.span(i, 2) };
  }

  /** `<<WORD` or `<<-WORD`: remembers the document, whose body starts after the line's newline. */
  private heredocOperator(i: number, end: number): { length: number } {
    const src = this.src;
    let at = i + 2;
    const stripTabs = src[at] === '-';
    if (stripTabs) at++;
    while (at < end && (src[at] === ' ' || src[at] === '\t')) at++;
    let delimiter = '';
    let quoted = false;
    const wordStart = at;
    while (at < end && !WORD_BREAK.test(src[at])) {
      const q = src[at];
      if (q === "'" || q === '"') {
        const close = src.indexOf(q, at + 1);
        const stop = close === -1 || close >= end ? end : close;
        delimiter += src.slice(at + 1, stop);
        quoted = true;
        at = Math.min(stop + 1, end);
      } else if (q === '\\') {
        delimiter += src[at + 1] ?? '';
        quoted = true;
        at += 2;
      } else {
        delimiter += q;
        at++;
      }
    }
    if (/\$\{/.test(src.slice(wordStart, at))) throw new PipelineError('bad-placeholder', `a here-document's delimiter (${src.slice(wordStart, at)}) may not hold a placeholder: write it out`);
    if (delimiter) this.pending.push({ delimiter, quoted, stripTabs });
    return { length: Math.max(1, Math.min(at, end) - i) };
  }
}
