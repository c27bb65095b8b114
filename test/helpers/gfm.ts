/**
 * Just enough of GitHub's table parsing to check what a reader would see: rows split on pipes the
 * way cmark-gfm does (a backslash before ASCII punctuation escapes it, so "\|" is not a cell
 * border), then "\|" unescaped, then a code span's fences and padding removed.
 */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const body = row.trim().replace(/^\|/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const next = body[i + 1];
    if (c === '\\' && next !== undefined && /[!-/:-@[-`{-~]/.test(next)) {
      cell += c + next;
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell.trim() !== '') cells.push(cell.trim());
  return cells.map((x) => x.replace(/\\\|/g, '|'));
}

/** The text a code span shows: "`` a`b ``" → "a`b". */
export function codeSpanText(cell: string): string {
  const m = /^(`+)(.*)\1$/s.exec(cell);
  if (!m) throw new Error(`not a code span: ${cell}`);
  const body = m[2]!;
  return body.length >= 2 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '' ? body.slice(1, -1) : body;
}
