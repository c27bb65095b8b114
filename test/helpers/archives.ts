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

export function zipArchive(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const flags = (entry.utf8Flag ?? typeof entry.name === 'string') ? 0x800 : 0;
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
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
