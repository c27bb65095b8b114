/**
 * What a Takeout JSON file is, told by its content (its name is localized or truncated):
 * `photoTakenTime` present → a photo's sidecar; else a `title` and no `url` → an album's metadata;
 * else neither (print-subscriptions.json, `{}`). The result is what the scan cache keeps, so a
 * sidecar is not read again on a no-op run: small and JSON-serialisable.
 */

export type TakeoutJson =
  | {
      readonly role: 'asset';
      readonly title: string;
      /** photoTakenTime as ms since the epoch (UTC); null when "0" or unreadable. */
      readonly takenMs: number | null;
    }
  | { readonly role: 'album'; readonly title: string }
  | { readonly role: 'other' };

const OTHER: TakeoutJson = { role: 'other' };

export function readTakeoutJson(text: string): TakeoutJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return OTHER;
  }
  if (!isObject(doc)) return OTHER;
  // Older exports wrap album metadata as {"albumData": {...}}.
  if (isObject(doc['albumData'])) doc = doc['albumData'];
  if (!isObject(doc)) return OTHER;
  const title = typeof doc['title'] === 'string' ? doc['title'].normalize('NFC') : '';
  const taken = doc['photoTakenTime'];
  if (isObject(taken) && taken['timestamp'] !== undefined) {
    return { role: 'asset', title, takenMs: epochMs(taken['timestamp']) };
  }
  if (title !== '' && doc['url'] === undefined) return { role: 'album', title };
  return OTHER;
}

/** A cached value back as a TakeoutJson (the cache may hold what an older version stored). */
export function asTakeoutJson(meta: unknown): TakeoutJson | null {
  if (!isObject(meta)) return null;
  if (meta['role'] === 'asset' && typeof meta['title'] === 'string') {
    const takenMs = typeof meta['takenMs'] === 'number' ? meta['takenMs'] : null;
    return { role: 'asset', title: meta['title'], takenMs };
  }
  if (meta['role'] === 'album' && typeof meta['title'] === 'string') return { role: 'album', title: meta['title'] };
  if (meta['role'] === 'other') return OTHER;
  return null;
}

/** Seconds as a string (Google writes "1589636892") or number; 0 means unknown. */
function epochMs(value: unknown): number | null {
  const seconds = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(seconds) && seconds !== 0 ? seconds * 1000 : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
