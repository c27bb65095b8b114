/**
 * Zip parts read in place. The central directory is read once per archive and kept (with the file
 * open) while members are being read, so each member costs one seek, whatever the order asked;
 * an index unused for IDLE_MS is closed.
 *
 * Entry names: UTF-8 when general-purpose bit 11 is set or an Info-ZIP Unicode Path field (0x7075)
 * is present; otherwise CP437 as the format says, except that bytes which are valid UTF-8 and not
 * plain ASCII are taken as UTF-8 (many zip writers store UTF-8 without setting the flag, and CP437
 * text is almost never valid multi-byte UTF-8).
 */
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import yauzl from 'yauzl';
import type { ArchiveMember } from './types.ts';

const IDLE_MS = 10_000;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeZipName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0 || entry.extraFields.some((f) => f.id === 0x7075);
  if (!flagged && raw.some((b) => b >= 0x80)) {
    try {
      return strictUtf8.decode(raw);
    } catch {
      // Not UTF-8: CP437, as the format says.
    }
  }
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

interface ZipIndex {
  readonly zip: yauzl.ZipFile;
  readonly entries: Map<string, yauzl.Entry>;
  readonly members: ArchiveMember[];
  timer?: NodeJS.Timeout;
}

const open = new Map<string, Promise<ZipIndex>>();

function loadIndex(archive: string): Promise<ZipIndex> {
  const cached = open.get(archive);
  if (cached) return cached;
  const loading = new Promise<ZipIndex>((resolve, reject) => {
    yauzl.open(archive, { lazyEntries: true, autoClose: false, decodeStrings: false }, (err, zip) => {
      if (err) return reject(err);
      const index: ZipIndex = { zip, entries: new Map(), members: [] };
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = decodeZipName(entry);
        if (!name.endsWith('/') && !index.entries.has(name)) {
          index.entries.set(name, entry);
          index.members.push({ name, size: entry.uncompressedSize, mtimeMs: entry.getLastModDate().getTime() });
        }
        zip.readEntry();
      });
      zip.once('end', () => resolve(index));
      zip.once('error', (e: Error) => {
        zip.close();
        reject(e);
      });
      zip.readEntry();
    });
  });
  open.set(archive, loading);
  loading.then(touch, () => open.delete(archive));
  return loading;

  function touch(index: ZipIndex): void {
    if (index.timer) clearTimeout(index.timer);
    index.timer = setTimeout(() => {
      open.delete(archive);
      index.zip.close();
    }, IDLE_MS);
    index.timer.unref();
  }
}

async function withIndex<T>(archive: string, use: (index: ZipIndex) => Promise<T>): Promise<T> {
  const index = await loadIndex(archive);
  if (index.timer) index.timer.refresh();
  return use(index);
}

export function listZip(archive: string): Promise<ArchiveMember[]> {
  return withIndex(archive, async (index) => index.members);
}

export function openZipMember(archive: string, member: string): Promise<Readable> {
  return withIndex(archive, (index) => {
    const entry = index.entries.get(member);
    if (!entry) return Promise.reject(new Error(`${member} is not in ${archive}`));
    return index.zip.openReadStreamPromise(entry);
  });
}

/** Closes every open index now (tests; a CLI run ends without waiting for the idle timers). */
export function closeZipIndexes(): void {
  for (const [archive, loading] of open) {
    open.delete(archive);
    loading.then((index) => {
      if (index.timer) clearTimeout(index.timer);
      index.zip.close();
    }, () => {});
  }
}
