/**
 * Layout templates ("{year}/{month}/{name}") → destination paths. Pure: the date fields come
 * from the item (capture date, or mtime as the scanner saw it), never from a clock.
 */
import { closest } from '../config/did-you-mean.ts';

export const LAYOUT_TOKENS = ['year', 'month', 'day', 'name', 'stem', 'ext', 'source', 'hash8', 'album'] as const;
export type LayoutToken = (typeof LAYOUT_TOKENS)[number];

export type LayoutParse =
  | { ok: true; segments: readonly string[] }
  | { ok: false; message: string; hint?: string };

const TOKEN = /\{([^{}]*)\}/g;

export function parseLayout(layout: string): LayoutParse {
  for (const match of layout.matchAll(TOKEN)) {
    const token = match[1] ?? '';
    if (!(LAYOUT_TOKENS as readonly string[]).includes(token)) {
      const guess = closest(token, LAYOUT_TOKENS);
      return {
        ok: false,
        message: `unknown layout token {${token}}`,
        hint: `${guess ? `did you mean {${guess}}? ` : ''}tokens: ${LAYOUT_TOKENS.map((t) => `{${t}}`).join(' ')}`,
      };
    }
  }
  if (layout.startsWith('/') || layout.includes('\\')) {
    return { ok: false, message: 'layout must be a relative path with / between folders', hint: 'e.g. {year}/{month}/{name}' };
  }
  const segments = layout.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    return { ok: false, message: 'layout has an empty, "." or ".." folder', hint: 'e.g. {year}/{month}/{name}' };
  }
  const last = segments[segments.length - 1] ?? '';
  if (!last.includes('{name}') && !last.includes('{ext}')) {
    return {
      ok: false,
      message: 'the file-name part of the layout drops the extension',
      hint: 'end the layout with {name}, or with something like {stem}_{hash8}.{ext}',
    };
  }
  return { ok: true, segments };
}

export interface LayoutValues {
  /** Local wall-clock date of capture (or of mtime), "YYYY-MM-DD…". */
  readonly date: string;
  /** The file name as it is at the source. */
  readonly name: string;
  readonly source: string;
  readonly sha256: string;
  readonly album?: string | undefined;
}

export function splitName(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot + 1) };
}

/** Renders a layout that parseLayout accepted. */
export function renderLayout(segments: readonly string[], v: LayoutValues): string {
  const { stem, ext } = splitName(v.name);
  const values: Record<LayoutToken, string> = {
    year: v.date.slice(0, 4),
    month: v.date.slice(5, 7),
    day: v.date.slice(8, 10),
    name: v.name,
    stem,
    ext,
    source: v.source,
    hash8: v.sha256.slice(0, 8),
    album: v.album ? sanitizeSegment(v.album) : 'no-album',
  };
  return segments
    .map((segment) => {
      // "{stem}.{ext}" for a file without an extension must not leave a trailing dot.
      const s = ext === '' ? segment.replace(/\.\{ext\}/g, '') : segment;
      return s.replace(TOKEN, (_m, token: string) => values[token as LayoutToken]);
    })
    .join('/');
}

/** Album titles are free text; as a folder name they lose the characters no remote accepts. */
function sanitizeSegment(text: string): string {
  const cleaned = text
    .replace(/[/\\:*?"<>|\u0000-\u001f\u007f]/g, '-')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return cleaned === '' ? 'untitled' : cleaned;
}

/**
 * The readable, stable name used when the layout's name is taken by different content:
 * IMG_0001.JPG → IMG_0001~a1b2c3d4.JPG (longer hash prefixes if even that is taken).
 */
export function withHashSuffix(destPath: string, sha256: string, hashLength = 8): string {
  const slash = destPath.lastIndexOf('/');
  const dir = destPath.slice(0, slash + 1);
  const { stem, ext } = splitName(destPath.slice(slash + 1));
  return `${dir}${stem}~${sha256.slice(0, hashLength)}${ext === '' ? '' : `.${ext}`}`;
}
