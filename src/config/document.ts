/**
 * A parsed YAML config that still knows where every value came from, so each problem can be
 * reported as file:line:col. The `yaml` library keeps node ranges; a LineCounter turns offsets
 * into line and column.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { ConfigIssue } from '../errors.ts';

export type DocPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface ConfigDocument {
  readonly file: string;
  /** The plain value (maps → objects, sequences → arrays), or undefined when the YAML is broken. */
  readonly value: unknown;
  /** YAML syntax problems; when present, `value` is not trustworthy. */
  readonly syntaxIssues: readonly ConfigIssue[];
  /** Where the value (or, with `at: 'key'`, the key) at `path` starts; the nearest existing ancestor when absent. */
  locate(path: DocPath, at?: 'key' | 'value'): Position;
}

/** Aliases can expand exponentially ("billion laughs"); a config never needs many. */
const MAX_ALIAS_COUNT = 100;

export function parseConfigDocument(file: string, text: string): ConfigDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };

  const syntaxIssues: ConfigIssue[] = doc.errors.map((e) => {
    const { line, col } = toPosition(e.pos[0]);
    return { file, line, col, path: '', message: firstLine(e.message), hint: yamlHint(e.code) };
  });

  let value: unknown;
  if (syntaxIssues.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      syntaxIssues.push({
        file,
        line: 1,
        col: 1,
        path: '',
        message: err instanceof Error ? firstLine(err.message) : String(err),
        hint: 'simplify the YAML: photosync configs need no deeply nested aliases',
      });
    }
  }

  function locate(path: DocPath, at: 'key' | 'value' = 'value'): Position {
    let node: unknown = doc.contents;
    let best: Position = { line: 1, col: 1 };
    const rangeOf = (n: unknown): Position | undefined => {
      const range = (n as Node | null | undefined)?.range;
      return range ? toPosition(range[0]) : undefined;
    };
    best = rangeOf(node) ?? best;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return best;
        if (last && at === 'key') return rangeOf(pair.key) ?? best;
        node = pair.value;
        best = rangeOf(node) ?? rangeOf(pair.key) ?? best;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        best = rangeOf(node) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }

  return { file, value, syntaxIssues, locate };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a map; remove or rename the duplicate';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the colon after each key';
    default:
      return 'fix the YAML syntax at this place';
  }
}
