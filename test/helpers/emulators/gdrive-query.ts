/**
 * The two small languages of the Drive v3 API that the emulator must understand exactly: the
 * files.list `q` search query (only the terms photosync uses, anything else is refused the way
 * Drive refuses an invalid query) and the `fields` partial-response selector.
 */

export class QueryError extends Error {}

/** What a search term can see of a file. */
export interface Searchable {
  readonly name: string;
  readonly mimeType: string;
  readonly parents: readonly string[];
  readonly trashed: boolean;
}

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: '=' | '!=' }
  | { kind: 'paren'; value: '(' | ')' };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      // Drive escapes a quote as \' and a backslash as \\ inside string literals.
      let value = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new QueryError(`unterminated string in q: ${q}`);
        const d = q[i]!;
        if (d === '\\') {
          const next = q[i + 1];
          if (next !== "'" && next !== '\\') throw new QueryError(`invalid escape \\${next ?? ''} in q: ${q}`);
          value += next;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      out.push({ kind: 'str', value });
    } else if (c === '(' || c === ')') {
      out.push({ kind: 'paren', value: c });
      i++;
    } else if (c === '=') {
      out.push({ kind: 'op', value: '=' });
      i++;
    } else if (c === '!' && q[i + 1] === '=') {
      out.push({ kind: 'op', value: '!=' });
      i += 2;
    } else if (/[A-Za-z]/.test(c)) {
      let word = '';
      while (i < q.length && /[A-Za-z]/.test(q[i]!)) word += q[i++];
      out.push({ kind: 'word', value: word });
    } else {
      throw new QueryError(`unexpected ${JSON.stringify(c)} in q: ${q}`);
    }
  }
  return out;
}

type Predicate = (f: Searchable) => boolean;

/** Parses a q expression: terms joined by and/or, with not and parentheses. */
export function parseQuery(q: string, resolveId: (id: string) => string): Predicate {
  const tokens = tokenize(q);
  let pos = 0;
  const peekWord = (w: string): boolean => tokens[pos]?.kind === 'word' && tokens[pos]!.value === w;
  const expect = <K extends Token['kind']>(kind: K): Extract<Token, { kind: K }> => {
    const t = tokens[pos++];
    if (!t || t.kind !== kind) throw new QueryError(`expected ${kind} at token ${pos} of q: ${q}`);
    return t as Extract<Token, { kind: K }>;
  };

  const term = (): Predicate => {
    const t = tokens[pos];
    if (!t) throw new QueryError(`q ends early: ${q}`);
    if (t.kind === 'paren' && t.value === '(') {
      pos++;
      const inner = or();
      const close = expect('paren');
      if (close.value !== ')') throw new QueryError(`expected ) in q: ${q}`);
      return inner;
    }
    if (peekWord('not')) {
      pos++;
      const inner = term();
      return (f) => !inner(f);
    }
    if (t.kind === 'str') {
      // '<id>' in parents
      pos++;
      const id = resolveId(t.value);
      if (!peekWord('in')) throw new QueryError(`only "'<id>' in parents" may start with a string: ${q}`);
      pos++;
      const field = expect('word').value;
      if (field !== 'parents') throw new QueryError(`the emulator supports "in parents" only: ${q}`);
      return (f) => f.parents.includes(id);
    }
    const field = expect('word').value;
    const op = expect('op').value;
    if (field === 'trashed') {
      const value = expect('word').value;
      if (value !== 'true' && value !== 'false') throw new QueryError(`trashed compares with true or false: ${q}`);
      const want = value === 'true';
      return op === '=' ? (f) => f.trashed === want : (f) => f.trashed !== want;
    }
    if (field === 'name' || field === 'mimeType') {
      const value = expect('str').value;
      return op === '=' ? (f) => f[field] === value : (f) => f[field] !== value;
    }
    throw new QueryError(`the emulator does not support the search term ${field}: ${q}`);
  };
  /** Operands joined by one keyword, left to right. */
  const joined = (word: 'and' | 'or', operand: () => Predicate, combine: (l: boolean, r: () => boolean) => boolean) => (): Predicate => {
    let left = operand();
    while (peekWord(word)) {
      pos++;
      const l = left;
      const r = operand();
      left = (f) => combine(l(f), () => r(f));
    }
    return left;
  };
  const and = joined('and', term, (l, r) => l && r());
  const or: () => Predicate = joined('or', and, (l, r) => l || r());
  const predicate = or();
  if (pos !== tokens.length) throw new QueryError(`unexpected trailing tokens in q: ${q}`);
  return predicate;
}

/** A parsed `fields` selector: field name → sub-selection (null: the whole value). */
export type Selection = Map<string, Selection | null>;

export function parseFields(fields: string): Selection {
  let pos = 0;
  const list = (): Selection => {
    const out: Selection = new Map();
    for (;;) {
      let name = '';
      while (pos < fields.length && /[A-Za-z0-9_*/]/.test(fields[pos]!)) name += fields[pos++];
      if (name === '') throw new QueryError(`invalid field selection at ${pos}: ${fields}`);
      // a/b is shorthand for a(b)
      const [head, ...rest] = name.split('/');
      let sub: Selection | null = null;
      if (fields[pos] === '(') {
        pos++;
        sub = list();
        if (fields[pos] !== ')') throw new QueryError(`unbalanced parentheses in fields: ${fields}`);
        pos++;
      }
      for (const part of rest.reverse()) sub = new Map([[part, sub]]);
      out.set(head!, sub);
      while (fields[pos] === ' ') pos++;
      if (fields[pos] !== ',') return out;
      pos++;
      while (fields[pos] === ' ') pos++;
    }
  };
  const selection = list();
  if (pos !== fields.length) throw new QueryError(`invalid field selection: ${fields}`);
  return selection;
}

/**
 * The part of `value` a selection asks for. `known` names the fields each object may have (by the
 * selection key that leads to it), so a typo is refused the way Drive refuses it.
 */
export function applySelection(value: unknown, selection: Selection | null, known: (key: string) => readonly string[] | null, key = ''): unknown {
  if (selection === null || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applySelection(v, selection, known, key));
  const allowed = known(key);
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selection) {
    if (name === '*') {
      for (const [k, v] of Object.entries(src)) out[k] = v;
      continue;
    }
    if (allowed && !allowed.includes(name)) throw new QueryError(`Invalid field selection ${name}`);
    if (name in src) out[name] = applySelection(src[name], sub, known, name);
  }
  return out;
}
