// MLflow's search grammar for runs and experiments, parsed by hand.
//
// MLflow itself runs filters through sqlparse and then validates the token tree.
// We parse the same language directly and word our errors like MLflow's, so a
// person (or a client) moving between MLflow and this backend sees the same
// answers. Where MLflow's behaviour is an accident of sqlparse rather than a
// decision, we do the evident intended thing; each such place says so below.
//
// The language: comparisons joined by AND (MLflow has no OR and no parentheses).
//   <identifier> <comparator> <value>
// identifier: [entity "."] key, where entity is metric(s), param(s)/parameter(s),
//   tag(s), attribute(s)/attr/run, dataset(s); a bare key is an attribute. A key
//   is a dotted run of words (tags.mlflow.user) or one "double-quoted" or
//   `backticked` segment (metrics.`f1 score`).
// value: number (metrics, numeric attributes), 'single' or "double" quoted
//   string, or a parenthesised list of quoted strings for IN / NOT IN.

// ---------------------------------------------------------------------------
// Public types

export type NumericComparator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListComparator = 'IN' | 'NOT IN';
export type Comparator = NumericComparator | StringComparator | ListComparator;

export type NumericRunAttribute = 'start_time' | 'end_time';
export type StringRunAttribute = 'run_id' | 'run_name' | 'status' | 'user_id' | 'artifact_uri';
export type RunAttribute = NumericRunAttribute | StringRunAttribute;
export type DatasetField = 'name' | 'digest' | 'context';

export interface MetricComparison {
  type: 'metric';
  key: string;
  comparator: NumericComparator;
  value: number;
}
export interface ParamComparison {
  type: 'param';
  key: string;
  comparator: StringComparator;
  value: string;
}
export interface TagComparison {
  type: 'tag';
  key: string;
  comparator: StringComparator;
  value: string;
}
/** Aliases are already resolved: `created` arrives as `start_time`. */
export interface NumericAttributeComparison {
  type: 'attribute';
  key: NumericRunAttribute;
  comparator: NumericComparator;
  value: number;
}
/** Aliases are already resolved: `"run name"` arrives as `run_name`. */
export interface StringAttributeComparison {
  type: 'attribute';
  key: StringRunAttribute;
  comparator: StringComparator;
  value: string;
}
export interface RunIdListComparison {
  type: 'attribute';
  key: 'run_id';
  comparator: ListComparator;
  value: string[];
}
export interface DatasetComparison {
  type: 'dataset';
  key: DatasetField;
  comparator: StringComparator;
  value: string;
}
export interface DatasetListComparison {
  type: 'dataset';
  key: DatasetField;
  comparator: ListComparator;
  value: string[];
}

export type RunComparison =
  | MetricComparison
  | ParamComparison
  | TagComparison
  | NumericAttributeComparison
  | StringAttributeComparison
  | RunIdListComparison
  | DatasetComparison
  | DatasetListComparison;

export type RunOrderBy =
  | { type: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { type: 'attribute'; key: RunAttribute; ascending: boolean };

export type ExperimentNumericAttribute = 'creation_time' | 'last_update_time';

export type ExperimentComparison =
  | { type: 'attribute'; key: 'name'; comparator: StringComparator; value: string }
  | { type: 'attribute'; key: ExperimentNumericAttribute; comparator: NumericComparator; value: number }
  | { type: 'tag'; key: string; comparator: StringComparator; value: string };

export type ExperimentOrderKey = 'name' | 'experiment_id' | ExperimentNumericAttribute;
export interface ExperimentOrderBy {
  type: 'attribute';
  key: ExperimentOrderKey;
  ascending: boolean;
}

/**
 * A filter or order_by that cannot be used. `position` is the 0-based offset
 * in the input where the problem was found and `token` the text there, so an
 * editor can underline it; the message already says both in words.
 */
export class SearchFilterError extends Error {
  /** MLflow's error code for this family of mistakes (HTTP 400). */
  readonly errorCode = 'INVALID_PARAMETER_VALUE' as const;
  constructor(
    message: string,
    readonly position?: number,
    readonly token?: string,
  ) {
    super(message);
    this.name = 'SearchFilterError';
  }
}

// ---------------------------------------------------------------------------
// Tokenizer

interface Segment {
  text: string;
  quote: '' | '"' | '`';
}

type Token =
  | { kind: 'ident'; segments: Segment[]; pos: number; end: number }
  | { kind: 'number'; value: number; pos: number; end: number }
  | { kind: 'string'; value: string; pos: number; end: number }
  | { kind: 'op'; text: string; pos: number; end: number }
  | { kind: 'lparen' | 'rparen' | 'comma' | 'eof'; pos: number; end: number };

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPERATOR = /[<>=!~]+/y;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

function startsNumber(src: string, i: number): boolean {
  const c = src[i];
  const d = (k: number): boolean => /[0-9]/.test(src[k] ?? '');
  if (d(i)) return true;
  if (c === '.') return d(i + 1);
  if (c === '-' || c === '+') return d(i + 1) || (src[i + 1] === '.' && d(i + 2));
  return false;
}

function at(pos: number): string {
  return `(at character ${pos + 1})`;
}

/**
 * Reads a quoted run starting at src[start] (the opening quote). Doubling the
 * quote escapes it, as in SQL; a backslash escapes a quote or a backslash
 * inside ' and " strings. MLflow keeps such escapes verbatim in the value (a
 * sqlparse artefact that makes quotes unsearchable); we decode them.
 */
function readQuoted(src: string, start: number): { text: string; end: number } {
  const q = src[start];
  let text = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === q) {
      if (src[i + 1] === q) {
        text += q;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    if (c === '\\' && q !== '`' && (src[i + 1] === q || src[i + 1] === '\\')) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    text += c;
    i += 1;
  }
  throw new SearchFilterError(
    `Invalid clause(s) in filter string: unterminated quoted string ${src.slice(start)} ${at(start)}`,
    start,
    src.slice(start),
  );
}

function readSegment(src: string, i: number): { seg: Segment; end: number } {
  const c = src[i];
  if (c === '"' || c === '`') {
    const { text, end } = readQuoted(src, i);
    return { seg: { text, quote: c }, end };
  }
  let end = i;
  while (isWordChar(src[end])) end++;
  return { seg: { text: src.slice(i, end), quote: '' }, end };
}

/** An identifier is segments joined by '.', with no spaces around the dots. */
function readIdent(src: string, start: number): Token {
  const segments: Segment[] = [];
  let i = start;
  for (;;) {
    const { seg, end } = readSegment(src, i);
    segments.push(seg);
    i = end;
    if (src[i] !== '.') break;
    const next = src[i + 1];
    if (!(isWordChar(next) || next === '"' || next === '`')) {
      throw new SearchFilterError(
        `Invalid identifier '${src.slice(start, i + 1)}' ${at(i)}: expected a key after '.'`,
        i,
        src.slice(start, i + 1),
      );
    }
    i += 1;
  }
  return { kind: 'ident', segments, pos: start, end: i };
}

function readNumber(src: string, start: number): Token {
  NUMBER.lastIndex = start;
  const m = NUMBER.exec(src);
  const text = m ? m[0] : '';
  const end = start + text.length;
  if (isWordChar(src[end]) || src[end] === '.') {
    let stop = end;
    while (isWordChar(src[stop]) || src[stop] === '.') stop++;
    const bad = src.slice(start, stop);
    throw new SearchFilterError(`Invalid number '${bad}' ${at(start)}`, start, bad);
  }
  return { kind: 'number', value: Number(text), pos: start, end };
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const tok = readToken(src, i, c, tokens[tokens.length - 1]);
    tokens.push(tok);
    i = tok.end;
  }
  tokens.push({ kind: 'eof', pos: src.length, end: src.length });
  return tokens;
}

function readToken(src: string, i: number, c: string, prev: Token | undefined): Token {
  if (c === "'") {
    const { text, end } = readQuoted(src, i);
    return { kind: 'string', value: text, pos: i, end };
  }
  if (startsNumber(src, i)) return readNumber(src, i);
  if (c === '"' || c === '`' || isWordChar(c)) return readIdent(src, i);
  if (c === '(') return { kind: 'lparen', pos: i, end: i + 1 };
  if (c === ')') return { kind: 'rparen', pos: i, end: i + 1 };
  if (c === ',') return { kind: 'comma', pos: i, end: i + 1 };
  OPERATOR.lastIndex = i;
  const op = OPERATOR.exec(src);
  if (op) return { kind: 'op', text: op[0], pos: i, end: i + op[0].length };
  // A special character glued to an identifier is almost always part of a key.
  const hint = prev?.kind === 'ident' && prev.end === i && c !== ';'
    ? `; a key containing '${c}' must be quoted, e.g. params.\`learning-rate\` or params."learning-rate"`
    : '';
  throw new SearchFilterError(`Invalid clause(s) in filter string: unexpected character '${c}'${hint} ${at(i)}`, i, c);
}

function isWord(tok: Token, word: string): boolean {
  return (
    tok.kind === 'ident' &&
    tok.segments.length === 1 &&
    tok.segments[0].quote === '' &&
    tok.segments[0].text.toUpperCase() === word
  );
}

const RESERVED = ['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL'];
function isReserved(tok: Token): boolean {
  return RESERVED.some((w) => isWord(tok, w));
}

// ---------------------------------------------------------------------------
// Syntax: clauses before any entity-specific checking

type RawValue =
  | { kind: 'number'; value: number; raw: string; pos: number }
  | { kind: 'string'; value: string; raw: string; pos: number }
  /** An unquoted or backticked word where a value belongs, e.g. `= cnn`. */
  | { kind: 'bare'; raw: string; pos: number }
  | { kind: 'list'; items: RawValue[]; raw: string; pos: number };

interface RawClause {
  ident: Extract<Token, { kind: 'ident' }>;
  identRaw: string;
  comparator: string;
  comparatorPos: number;
  value: RawValue;
}

const COMPARATOR_HINT = '=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN';

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  raw(tok: Token): string {
    return tok.kind === 'eof' ? 'end of filter' : this.src.slice(tok.pos, tok.end);
  }

  peek(): Token {
    return this.tokens[this.i];
  }

  next(): Token {
    const tok = this.tokens[this.i];
    if (tok.kind !== 'eof') this.i++;
    return tok;
  }

  fail(message: string, tok: Token): never {
    throw new SearchFilterError(`${message} ${at(tok.pos)}`, tok.pos, this.raw(tok));
  }

  parseFilter(): RawClause[] {
    const clauses: RawClause[] = [this.parseClause()];
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'eof') return clauses;
      if (isWord(tok, 'AND')) {
        this.next();
        if (this.peek().kind === 'eof') {
          this.fail("Invalid clause(s) in filter string: the filter ends with 'AND'; expected a comparison after it", tok);
        }
        clauses.push(this.parseClause());
        continue;
      }
      if (isWord(tok, 'OR')) this.failOr(tok);
      this.fail(
        `Invalid clause(s) in filter string: '${this.raw(tok)}'; expected AND or the end of the filter`,
        tok,
      );
    }
  }

  failOr(tok: Token): never {
    this.fail(
      `Invalid clause(s) in filter string: '${this.raw(tok)}'. MLflow search filters have no OR: ` +
        'join comparisons with AND (all must hold); for alternatives run separate searches, ' +
        'or use IN with a list of run ids or dataset names',
      tok,
    );
  }

  parseClause(): RawClause {
    const tok = this.next();
    if (isWord(tok, 'OR')) this.failOr(tok);
    if (tok.kind === 'lparen') {
      this.fail('Invalid clause(s) in filter string: parentheses cannot group comparisons in MLflow filters', tok);
    }
    if (tok.kind !== 'ident' || isReserved(tok)) {
      this.fail(
        `Invalid clause(s) in filter string: expected a key such as metrics.<name>, params.<name>, ` +
          `tags.<name> or an attribute, found '${this.raw(tok)}'`,
        tok,
      );
    }
    const { comparator, pos } = this.parseComparator(tok);
    const value = this.parseValue(comparator);
    return { ident: tok, identRaw: this.raw(tok), comparator, comparatorPos: pos, value };
  }

  parseComparator(ident: Token): { comparator: string; pos: number } {
    const tok = this.next();
    if (tok.kind === 'op') return { comparator: tok.text, pos: tok.pos };
    for (const w of ['LIKE', 'ILIKE', 'IN']) {
      if (isWord(tok, w)) return { comparator: w, pos: tok.pos };
    }
    if (isWord(tok, 'NOT')) {
      const after = this.next();
      if (isWord(after, 'IN')) return { comparator: 'NOT IN', pos: tok.pos };
      if (isWord(after, 'LIKE') || isWord(after, 'ILIKE')) {
        this.fail(`Invalid comparator 'NOT ${this.raw(after).toUpperCase()}': MLflow filters have no negated LIKE`, tok);
      }
      this.fail(`Invalid comparator 'NOT ${this.raw(after)}': only NOT IN is supported`, tok);
    }
    if (isWord(tok, 'IS')) {
      this.fail(
        "Invalid comparator 'IS': MLflow run search has no IS NULL / IS NOT NULL; " +
          'a comparison on a metric, param or tag only matches runs that have that key',
        tok,
      );
    }
    this.fail(
      `Invalid clause(s) in filter string: expected a comparator (${COMPARATOR_HINT}) after ` +
        `'${this.raw(ident)}', found '${this.raw(tok)}'`,
      tok,
    );
  }

  parseValue(comparator: string): RawValue {
    const tok = this.next();
    if (tok.kind === 'lparen') return this.parseList(tok);
    const v = this.scalar(tok);
    if (!v) this.fail(`Invalid clause(s) in filter string: expected a value after '${comparator}', found '${this.raw(tok)}'`, tok);
    return v;
  }

  scalar(tok: Token): RawValue | undefined {
    const raw = this.raw(tok);
    if (tok.kind === 'number') return { kind: 'number', value: tok.value, raw, pos: tok.pos };
    if (tok.kind === 'string') return { kind: 'string', value: tok.value, raw, pos: tok.pos };
    if (tok.kind !== 'ident' || isReserved(tok)) return undefined;
    // A lone "double-quoted" word is a string value, as in MLflow (sqlparse
    // sees an identifier there and MLflow strips its quotes).
    if (tok.segments.length === 1 && tok.segments[0].quote === '"') {
      return { kind: 'string', value: tok.segments[0].text, raw, pos: tok.pos };
    }
    return { kind: 'bare', raw, pos: tok.pos };
  }

  parseList(open: Token): RawValue {
    const items: RawValue[] = [];
    let tok = this.next();
    while (tok.kind !== 'rparen') {
      const item = this.scalar(tok);
      if (!item) this.failList(open, tok);
      items.push(item);
      tok = this.next();
      if (tok.kind === 'comma') {
        tok = this.next();
        if (tok.kind === 'rparen') this.failList(open, tok);
      } else if (tok.kind !== 'rparen') {
        this.failList(open, tok);
      }
    }
    return { kind: 'list', items, raw: this.src.slice(open.pos, tok.end), pos: open.pos };
  }

  failList(open: Token, tok: Token): never {
    const shown = tok.kind === 'eof' ? this.src.slice(open.pos) : this.src.slice(open.pos, tok.end);
    this.fail(
      'While parsing a list in the query, expected a non-empty list of string values, ' +
        `but got ill-formed list: ${shown}`,
      tok,
    );
  }

  /** order_by: <identifier> [ASC|DESC] */
  parseOrderBy(clause: string): { ident: Extract<Token, { kind: 'ident' }>; identRaw: string; ascending: boolean } {
    const couldNot = `Invalid order_by clause '${clause}'. Could not be parsed.`;
    const ident = this.next();
    if (ident.kind !== 'ident' || isReserved(ident)) this.fail(couldNot, ident);
    let ascending = true;
    const dir = this.next();
    if (dir.kind !== 'eof') {
      if (isWord(dir, 'ASC')) ascending = true;
      else if (isWord(dir, 'DESC')) ascending = false;
      else if (dir.kind === 'ident') this.fail(`Invalid ordering key in order_by clause '${clause}'; expected ASC or DESC.`, dir);
      else this.fail(couldNot, dir);
      const rest = this.next();
      if (rest.kind !== 'eof') this.fail(couldNot, rest);
    }
    return { ident, identRaw: this.raw(ident), ascending };
  }
}

function parseRaw(filter: string): RawClause[] {
  if (filter.trim() === '') return [];
  return new Parser(filter, tokenize(filter)).parseFilter();
}

// ---------------------------------------------------------------------------
// Identifiers: entity type and key

type RunEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

// MLflow matches entity names case-sensitively; so do we.
const RUN_ENTITIES = new Map<string, RunEntity>([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['parameter', 'param'],
  ['parameters', 'param'],
  ['param', 'param'],
  ['params', 'param'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['run', 'attribute'],
  ['dataset', 'dataset'],
  ['datasets', 'dataset'],
]);

/** What the user may write after `attributes.` (or bare) in a filter, and what it means. */
const RUN_FILTER_ATTRIBUTES = new Map<string, RunAttribute>([
  ['run_id', 'run_id'],
  ['run_name', 'run_name'],
  ['status', 'status'],
  ['user_id', 'user_id'],
  ['artifact_uri', 'artifact_uri'],
  ['start_time', 'start_time'],
  ['end_time', 'end_time'],
  ['created', 'start_time'],
  ['Created', 'start_time'],
  ['run name', 'run_name'],
  ['Run name', 'run_name'],
  ['Run Name', 'run_name'],
]);

/** MLflow accepts the `created` aliases in order_by but not the "run name" ones. */
const RUN_ORDER_ATTRIBUTES = new Map<string, RunAttribute>(
  [...RUN_FILTER_ATTRIBUTES].filter(([k]) => !/^run name$/i.test(k)),
);

const DATASET_FIELDS = new Set<DatasetField>(['name', 'digest', 'context']);

const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly StringComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly ListComparator[] = ['IN', 'NOT IN'];

interface SplitIdent {
  entity: string | undefined;
  key: string;
}

/** `metrics.a.b` -> entity metrics, key a.b; `status` -> no entity. */
function splitIdent(ident: Extract<Token, { kind: 'ident' }>): SplitIdent {
  const [first, ...rest] = ident.segments;
  if (rest.length === 0) return { entity: undefined, key: first.text };
  return { entity: first.text, key: rest.map((s) => s.text).join('.') };
}

function quoteList(values: Iterable<string>): string {
  return [...values].map((v) => `'${v}'`).join(', ');
}

function fail(message: string, pos: number, token: string): never {
  throw new SearchFilterError(`${message} ${at(pos)}`, pos, token);
}

interface ResolvedRunIdent {
  type: RunEntity;
  key: string;
}

function resolveRunIdent(
  ident: Extract<Token, { kind: 'ident' }>,
  raw: string,
  attributes: Map<string, RunAttribute>,
): ResolvedRunIdent {
  const { entity, key } = splitIdent(ident);
  const type = entity === undefined ? 'attribute' : RUN_ENTITIES.get(entity);
  if (type === undefined) {
    fail(
      `Invalid entity type '${entity}' in '${raw}'. Valid values are ` +
        "['metric', 'parameter', 'tag', 'attribute', 'dataset'] or their aliases " +
        '(metrics, param, params, parameters, tags, attributes, attr, run, datasets)',
      ident.pos,
      raw,
    );
  }
  if (type === 'attribute') {
    const canonical = attributes.get(key);
    if (canonical === undefined) {
      fail(
        `Invalid attribute key '${key}' specified. Valid keys are ${quoteList([...attributes.keys()].sort())}`,
        ident.pos,
        raw,
      );
    }
    return { type, key: canonical };
  }
  if (type === 'dataset' && !DATASET_FIELDS.has(key as DatasetField)) {
    fail(
      `Invalid dataset key '${key}' specified. Valid keys are ${quoteList(DATASET_FIELDS)}`,
      ident.pos,
      raw,
    );
  }
  return { type, key };
}

// ---------------------------------------------------------------------------
// Values

const ENTITY_WORD: Record<RunEntity, string> = {
  metric: 'metric',
  param: 'param',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
};

function checkComparator<C extends Comparator>(
  allowed: readonly C[],
  clause: RawClause,
  what: string,
): C {
  const c = clause.comparator.toUpperCase();
  const found = allowed.find((a) => a === c);
  if (found === undefined) {
    fail(
      `Invalid comparator '${clause.comparator}' for ${what}: not one of ${quoteList(allowed)}`,
      clause.comparatorPos,
      clause.comparator,
    );
  }
  return found;
}

function numericValue(clause: RawClause, what: string): number {
  const v = clause.value;
  if (v.kind !== 'number') {
    fail(`Expected numeric value type for ${what}. Found ${v.raw}`, v.pos, v.raw);
  }
  return v.value;
}

function stringValue(clause: RawClause, what: string): string {
  const v = clause.value;
  if (v.kind === 'string') return v.value;
  if (v.kind === 'bare') {
    fail(
      `Parameter value is either not quoted or unidentified quote types used for string value ${v.raw}. ` +
        'Use either single or double quotes.',
      v.pos,
      v.raw,
    );
  }
  if (v.kind === 'list') {
    fail(
      `Comparator '${clause.comparator}' takes a single value, not a list ${v.raw}; use IN (...) for a list`,
      v.pos,
      v.raw,
    );
  }
  fail(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${v.raw}`, v.pos, v.raw);
}

function listValue(clause: RawClause): string[] {
  const v = clause.value;
  if (v.kind !== 'list') {
    fail(
      `Expected a parenthesised list of quoted strings after ${clause.comparator.toUpperCase()}, ` +
        `e.g. ('a', 'b'). Got value ${v.raw}`,
      v.pos,
      v.raw,
    );
  }
  if (v.items.length === 0) {
    fail(
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
      v.pos,
      v.raw,
    );
  }
  return v.items.map((item) => {
    if (item.kind !== 'string') {
      fail(
        'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
          `but got different type in list: ${v.raw}`,
        item.pos,
        item.raw,
      );
    }
    return item.value;
  });
}

function isListComparator(clause: RawClause): boolean {
  return LIST_COMPARATORS.some((c) => c === clause.comparator.toUpperCase());
}

// ---------------------------------------------------------------------------
// Runs

function toRunComparison(clause: RawClause): RunComparison {
  const { type, key } = resolveRunIdent(clause.ident, clause.identRaw, RUN_FILTER_ATTRIBUTES);
  const what = `${ENTITY_WORD[type]} '${key}'`;
  switch (type) {
    case 'metric':
      return {
        type,
        key,
        comparator: checkComparator(NUMERIC_COMPARATORS, clause, what),
        value: numericValue(clause, 'metric'),
      };
    case 'param':
    case 'tag':
      return {
        type,
        key,
        comparator: checkComparator(STRING_COMPARATORS, clause, what),
        value: stringValue(clause, type === 'param' ? 'parameter' : 'tag'),
      };
    case 'dataset':
      return toDatasetComparison(clause, key as DatasetField, what);
    case 'attribute':
      return toAttributeComparison(clause, key as RunAttribute, what);
  }
}

function toDatasetComparison(clause: RawClause, key: DatasetField, what: string): RunComparison {
  if (isListComparator(clause)) {
    return { type: 'dataset', key, comparator: checkComparator(LIST_COMPARATORS, clause, what), value: listValue(clause) };
  }
  return {
    type: 'dataset',
    key,
    comparator: checkComparator(STRING_COMPARATORS, clause, what),
    value: stringValue(clause, 'dataset attributes'),
  };
}

function toAttributeComparison(clause: RawClause, key: RunAttribute, what: string): RunComparison {
  if (key === 'start_time' || key === 'end_time') {
    return {
      type: 'attribute',
      key,
      comparator: checkComparator(NUMERIC_COMPARATORS, clause, what),
      value: numericValue(clause, `numeric attribute: ${key}`),
    };
  }
  if (isListComparator(clause)) {
    if (key !== 'run_id') {
      fail(
        `Only the 'run_id' attribute supports comparison with a list of quoted string values; ` +
          `'${key}' does not support ${clause.comparator.toUpperCase()}`,
        clause.comparatorPos,
        clause.comparator,
      );
    }
    return { type: 'attribute', key, comparator: checkComparator(LIST_COMPARATORS, clause, what), value: listValue(clause) };
  }
  return {
    type: 'attribute',
    key,
    comparator: checkComparator(STRING_COMPARATORS, clause, what),
    value: stringValue(clause, 'attributes'),
  };
}

/**
 * Parses a run search filter (`SearchRuns.filter`). An empty or blank filter
 * matches everything and yields no comparisons.
 */
export function parseSearchFilter(filter: string | undefined | null): RunComparison[] {
  if (!filter) return [];
  return parseRaw(filter).map(toRunComparison);
}

function parseOrderByIdent(clause: string): ReturnType<Parser['parseOrderBy']> {
  if (clause.trim() === '') {
    throw new SearchFilterError(`Invalid order_by clause '${clause}'. Could not be parsed.`, 0, clause);
  }
  return new Parser(clause, tokenize(clause)).parseOrderBy(clause);
}

/** Parses one `order_by` entry of a run search, e.g. `metrics.acc DESC`. */
export function parseOrderBy(clause: string): RunOrderBy {
  const { ident, identRaw, ascending } = parseOrderByIdent(clause);
  const { type, key } = resolveRunIdent(ident, identRaw, RUN_ORDER_ATTRIBUTES);
  if (type === 'dataset') {
    fail(
      `Invalid order_by entity '${identRaw}' in '${clause}': runs can be ordered by metrics, params, tags and attributes`,
      ident.pos,
      identRaw,
    );
  }
  if (type === 'attribute') return { type, key: key as RunAttribute, ascending };
  return { type, key, ascending };
}

/**
 * Each metric, param or tag in `order_by` is one more table in the search's
 * join, and SQLite joins at most 64 (the runs table is one of them).
 */
export const MAX_ORDER_BY_FIELDS = 63;

/**
 * Parses a whole `order_by` list. Like MLflow, the same field twice is an
 * error (aliases count: `created` and `start_time` are the same field).
 */
export function parseOrderByList(clauses: readonly string[] | undefined): RunOrderBy[] {
  if (clauses && clauses.length > MAX_ORDER_BY_FIELDS) {
    throw new SearchFilterError(`\`order_by\` lists ${clauses.length} fields; at most ${MAX_ORDER_BY_FIELDS} can be used. Order by fewer fields.`);
  }
  const parsed = (clauses ?? []).map(parseOrderBy);
  const seen = new Set<string>();
  for (const o of parsed) {
    const id = `${o.type}\u0000${o.key}`;
    if (seen.has(id)) {
      throw new SearchFilterError(`\`order_by\` contains duplicate fields: [${quoteList(clauses ?? [])}]`);
    }
    seen.add(id);
  }
  return parsed;
}

// ---------------------------------------------------------------------------
// Experiments

// MLflow's experiment search accepts only these entity prefixes (not
// `attributes`, `attr` or `experiment`); we keep that so filters stay portable.
const EXPERIMENT_ENTITIES = new Map<string, 'attribute' | 'tag'>([
  ['attribute', 'attribute'],
  ['tag', 'tag'],
  ['tags', 'tag'],
]);
const EXPERIMENT_FILTER_ATTRIBUTES = new Set(['name', 'creation_time', 'last_update_time']);
const EXPERIMENT_ORDER_ATTRIBUTES = new Set<ExperimentOrderKey>(['name', 'experiment_id', 'creation_time', 'last_update_time']);

function resolveExperimentIdent(
  ident: Extract<Token, { kind: 'ident' }>,
  raw: string,
  attributes: ReadonlySet<string>,
): { type: 'attribute' | 'tag'; key: string } {
  const { entity, key } = splitIdent(ident);
  const type = entity === undefined ? 'attribute' : EXPERIMENT_ENTITIES.get(entity);
  if (type === undefined) {
    fail(
      `Invalid entity type '${entity}' in '${raw}'. Valid entity types are ('attribute', 'tag', 'tags')`,
      ident.pos,
      raw,
    );
  }
  if (type === 'attribute' && !attributes.has(key)) {
    fail(
      `Invalid attribute key '${key}' specified. Valid keys are ${quoteList([...attributes].sort())}`,
      ident.pos,
      raw,
    );
  }
  return { type, key };
}

function toExperimentComparison(clause: RawClause): ExperimentComparison {
  const { type, key } = resolveExperimentIdent(clause.ident, clause.identRaw, EXPERIMENT_FILTER_ATTRIBUTES);
  const what = `${type} '${key}'`;
  if (type === 'tag') {
    return { type, key, comparator: checkComparator(STRING_COMPARATORS, clause, what), value: stringValue(clause, 'tag') };
  }
  if (key === 'creation_time' || key === 'last_update_time') {
    return {
      type,
      key,
      comparator: checkComparator(NUMERIC_COMPARATORS, clause, what),
      value: numericValue(clause, `numeric attribute: ${key}`),
    };
  }
  return {
    type,
    key: 'name',
    comparator: checkComparator(STRING_COMPARATORS, clause, what),
    value: stringValue(clause, 'attributes'),
  };
}

/** Parses an experiment search filter (`SearchExperiments.filter`). */
export function parseExperimentFilter(filter: string | undefined | null): ExperimentComparison[] {
  if (!filter) return [];
  return parseRaw(filter).map(toExperimentComparison);
}

/** Parses one `order_by` entry of an experiment search, e.g. `name ASC`. */
export function parseExperimentOrderBy(clause: string): ExperimentOrderBy {
  const { ident, identRaw, ascending } = parseOrderByIdent(clause);
  const { type, key } = resolveExperimentIdent(ident, identRaw, EXPERIMENT_ORDER_ATTRIBUTES);
  if (type !== 'attribute') {
    fail(`Invalid order_by entity: ${type} in '${clause}'; experiments can be ordered by attributes only`, ident.pos, identRaw);
  }
  return { type, key: key as ExperimentOrderKey, ascending };
}

// ---------------------------------------------------------------------------
// Model registry (SearchRegisteredModels, SearchModelVersions)
//
// MLflow's registry search takes attributes (bare or `attribute(s).`/`attr.`)
// and `tags.<key>`. Registered models: name (= != LIKE ILIKE). Model versions:
// name and source_path (= != LIKE ILIKE), run_id (= != IN NOT IN),
// version_number (numeric). Tags: = != LIKE ILIKE.

export type RegistryEntity = 'registered_model' | 'model_version';

export type RegistryComparison =
  | { type: 'attribute'; key: 'name' | 'source_path' | 'run_id'; comparator: StringComparator; value: string }
  | { type: 'attribute'; key: 'run_id'; comparator: ListComparator; value: string[] }
  | { type: 'attribute'; key: 'version_number'; comparator: NumericComparator; value: number }
  | { type: 'tag'; key: string; comparator: StringComparator; value: string };

export type RegistryOrderKey = 'name' | 'creation_timestamp' | 'last_updated_timestamp' | 'version_number';
export interface RegistryOrderBy {
  key: RegistryOrderKey;
  ascending: boolean;
}

const REGISTRY_ENTITIES = new Map<string, 'attribute' | 'tag'>([
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['tag', 'tag'],
  ['tags', 'tag'],
]);

const REGISTRY_FILTER_ATTRIBUTES: Record<RegistryEntity, ReadonlySet<string>> = {
  registered_model: new Set(['name']),
  model_version: new Set(['name', 'run_id', 'source_path', 'version_number']),
};

/** Order keys and their aliases (`timestamp` is MLflow's old name for last_updated_timestamp). */
const REGISTRY_ORDER_ATTRIBUTES: Record<RegistryEntity, ReadonlyMap<string, RegistryOrderKey>> = {
  registered_model: new Map<string, RegistryOrderKey>([
    ['name', 'name'],
    ['creation_timestamp', 'creation_timestamp'],
    ['last_updated_timestamp', 'last_updated_timestamp'],
    ['timestamp', 'last_updated_timestamp'],
  ]),
  model_version: new Map<string, RegistryOrderKey>([
    ['name', 'name'],
    ['version_number', 'version_number'],
    ['creation_timestamp', 'creation_timestamp'],
    ['last_updated_timestamp', 'last_updated_timestamp'],
    ['timestamp', 'last_updated_timestamp'],
  ]),
};

function resolveRegistryIdent(
  ident: Extract<Token, { kind: 'ident' }>,
  raw: string,
  attributes: Iterable<string>,
): { type: 'attribute' | 'tag'; key: string } {
  const { entity, key } = splitIdent(ident);
  const type = entity === undefined ? 'attribute' : REGISTRY_ENTITIES.get(entity);
  if (type === undefined) {
    fail(`Invalid entity type '${entity}' in '${raw}'. Valid entity types are ('attribute', 'tag', 'tags')`, ident.pos, raw);
  }
  const valid = [...attributes];
  if (type === 'attribute' && !valid.includes(key)) {
    fail(`Invalid attribute key '${key}' specified. Valid keys are ${quoteList(valid.sort())}`, ident.pos, raw);
  }
  return { type, key };
}

function toRegistryComparison(clause: RawClause, entity: RegistryEntity): RegistryComparison {
  const { type, key } = resolveRegistryIdent(clause.ident, clause.identRaw, REGISTRY_FILTER_ATTRIBUTES[entity]);
  const what = `${type} '${key}'`;
  if (type === 'tag') {
    return { type, key, comparator: checkComparator(STRING_COMPARATORS, clause, what), value: stringValue(clause, 'tag') };
  }
  if (key === 'version_number') {
    return { type, key, comparator: checkComparator(NUMERIC_COMPARATORS, clause, what), value: numericValue(clause, `numeric attribute: ${key}`) };
  }
  if (key === 'run_id' && isListComparator(clause)) {
    return { type, key, comparator: checkComparator(LIST_COMPARATORS, clause, what), value: listValue(clause) };
  }
  if (key === 'run_id') {
    // MLflow compares run ids exactly: no LIKE.
    return { type, key, comparator: checkComparator(['=', '!='] as const, clause, what), value: stringValue(clause, 'attributes') };
  }
  return { type, key: key as 'name' | 'source_path', comparator: checkComparator(STRING_COMPARATORS, clause, what), value: stringValue(clause, 'attributes') };
}

/** Parses a SearchRegisteredModels / SearchModelVersions filter. */
export function parseRegistryFilter(filter: string | undefined | null, entity: RegistryEntity): RegistryComparison[] {
  if (!filter) return [];
  return parseRaw(filter).map((c) => toRegistryComparison(c, entity));
}

/** Parses one registry `order_by` entry, e.g. `last_updated_timestamp DESC`. */
export function parseRegistryOrderBy(clause: string, entity: RegistryEntity): RegistryOrderBy {
  const { ident, identRaw, ascending } = parseOrderByIdent(clause);
  const keys = REGISTRY_ORDER_ATTRIBUTES[entity];
  const { type, key } = resolveRegistryIdent(ident, identRaw, keys.keys());
  if (type !== 'attribute') {
    fail(`Invalid order_by entity: ${type} in '${clause}'; ${entity === 'registered_model' ? 'registered models' : 'model versions'} can be ordered by attributes only`, ident.pos, identRaw);
  }
  return { key: keys.get(key) as RegistryOrderKey, ascending };
}
