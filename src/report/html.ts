/**
 * A tagged template for HTML that escapes every interpolated value unless it is already Html:
 * a renderer cannot forget to escape a file name, because forgetting is the default that escapes.
 */
import { escapeHtml } from '../escape.ts';

export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false || part === true) return '';
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: readonly Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** Markup photosync wrote itself (the stylesheet), passed through unescaped. Never for library data. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
