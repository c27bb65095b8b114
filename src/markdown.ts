/**
 * GitHub-flavoured markdown for pull-request comments. Names from the library go in code spans
 * (nothing inside one is markup, so `<script>` or `**` show as typed); a `|` is escaped even there,
 * because GFM splits table rows on it before it sees code spans. The only HTML is details/summary.
 */
import { escapeHtml } from './escape.ts';

/** Control characters (a newline in a file name) would break a table row; they show as U+FFFD. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
}

/**
 * A name as an inline code span, safe in a table cell. GFM's row splitter reads "\\" as an escaped
 * backslash, so a pipe after an odd run of backslashes gets one more backslash: the table holds,
 * at the price of one extra backslash shown in such a (very unlikely) name.
 */
export function code(text: string): string {
  const body = printable(text).replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes.length % 2 === 1 ? '\\' : ''}\\|`);
  const longestTicks = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestTicks + 1);
  // A span that starts or ends with a backtick or a space needs a space of padding (CommonMark strips one).
  const pad = /^[` ]|[` ]$/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Plain words with markdown's punctuation escaped, safe in a table cell. */
export function text(words: string): string {
  return printable(words).replace(/[\\`*_[\]{}<>|#~&!]/g, (c) => `\\${c}`);
}

export type Align = 'left' | 'right';

export function table(head: readonly (string | [string, Align])[], rows: readonly (readonly string[])[]): string {
  const columns = head.map((h): [string, Align] => (typeof h === 'string' ? [h, 'left'] : h));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(columns.map(([h]) => h)), line(columns.map(([, a]) => (a === 'right' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** A collapsed block; the summary is plain text (GitHub does not render markdown there). */
export function details(summary: string, body: string): string {
  return `<details>\n<summary>${escapeHtml(printable(summary))}</summary>\n\n${body}\n\n</details>`;
}
