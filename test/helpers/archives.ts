/**
 * Takeout-style archives built in code: a minimal zip writer (stored entries, names as raw bytes
 * so a test can write CP437 or UTF-8 with or without general-purpose bit 11) and .tgz parts packed
 * with tar-stream.
 */
import { gzipSync, crc32 } from 'node:zlib';
import tar from 'tar-stream';

export interface ZipEntrySpec {
  /** A string is written as UTF-8 with bit 11 set; a Buffer is written as is, bit 11 per `utf8Flag`. */
  readonly name: string | Buffer;
  readonly data: Buffer | string;
  readonly utf8Flag?: boolean;
}

const DOS_TIME = (12 << 11) | (0 << 5); // 12:00:00
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1; // 2024-01-01

/** Little-endian fields of [bytes, value], in order. */
function fields(values: readonly (readonly [2 | 4, number])[]): Buffer {
  const out = Buffer.alloc(values.reduce((n, [size]) => n + size, 0));
  let at = 0;
  for (const [size, value] of values) at = size === 2 ? out.writeUInt16LE(value, at) : out.writeUInt32LE(value, at);
  return out;
}

export function zipArchive(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const flags = (entry.utf8Flag ?? typeof entry.name === 'string') ? 0x800 : 0;
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    // version needed, flags, method (stored), time, date, crc, sizes, name length, extra length
    const common = [[2, 20], [2, flags], [2, 0], [2, DOS_TIME], [2, DOS_DATE], [4, crc32(data)], [4, data.length], [4, data.length], [2, name.length], [2, 0]] as const;
    const local = fields([[4, 0x04034b50], ...common]);
    locals.push(local, name, data);
    // + comment length, disk, internal and external attributes, offset of the local header
    centrals.push(fields([[4, 0x02014b50], [2, 20], ...common, [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]), name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = fields([[4, 0x06054b50], [2, 0], [2, 0], [2, entries.length], [2, entries.length], [4, directory.length], [4, offset], [2, 0]]);
  return Buffer.concat([...locals, directory, end]);
}

export interface TarEntrySpec {
  readonly name: string;
  readonly data: Buffer | string;
}

export async function tgzArchive(entries: readonly TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: entry.name, size: data.length, mtime: new Date('2024-01-01T12:00:00Z') }, data, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}

/** A Takeout asset sidecar's text, as Google writes it (Polish `formatted` and all). */
export function assetJson(title: string, takenSeconds: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      title,
      description: '',
      imageViews: '0',
      creationTime: { timestamp: String(takenSeconds + 86_400), formatted: 'irrelevant' },
      photoTakenTime: { timestamp: String(takenSeconds), formatted: '1 sty 2020, 00:00:00 UTC' },
      geoData: { latitude: 0, longitude: 0, altitude: 0, latitudeSpan: 0, longitudeSpan: 0 },
      url: 'https://photos.google.com/photo/AF1Qip',
      ...extra,
    },
    null,
    2,
  );
}

export function albumJson(title: string): string {
  return JSON.stringify({ title, description: '', access: 'protected', date: { timestamp: '0', formatted: '' } }, null, 2);
}
