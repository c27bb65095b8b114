/**
 * Real media files built in code: a baseline JPEG (a flat grey 8×8 image any viewer opens) with
 * an EXIF block holding the capture date, offset and GPS time the test asks for, and ISO-BMFF
 * (MOV/MP4/HEIC) containers with hand-built boxes. No binary fixture is committed.
 */

export interface ExifSpec {
  /** "2019:10:20 18:34:30" */
  readonly dateTimeOriginal?: string;
  /** "+02:00" */
  readonly offsetTimeOriginal?: string;
  readonly gpsDate?: string; // "2019:10:20"
  readonly gpsTime?: readonly [number, number, number];
  readonly make?: string;
  readonly model?: string;
}

export interface JpegSpec {
  readonly exif?: ExifSpec;
  /** Grey level 0-255 of the image (different levels give different pictures). */
  readonly grey?: number;
  /** A comment segment, to make otherwise equal files differ. */
  readonly comment?: string;
}

export function jpeg(spec: JpegSpec = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  if (spec.exif) parts.push(segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff(spec.exif)])));
  if (spec.comment !== undefined) parts.push(segment(0xfe, Buffer.from(spec.comment, 'utf8')));
  parts.push(greyImage(spec.grey ?? 128));
  return Buffer.concat(parts);
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(0xff, 0);
  head.writeUInt8(marker, 1);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * One 8×8 block of a flat grey, baseline Huffman coded with one-symbol tables: the DC
 * coefficient is 8·(grey − 128) with a quantiser of 1, all AC coefficients are zero.
 */
function greyImage(grey: number): Buffer {
  const dc = 8 * (Math.max(0, Math.min(255, Math.round(grey))) - 128);
  const category = dc === 0 ? 0 : Math.floor(Math.log2(Math.abs(dc))) + 1;
  const dqt = segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof = segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
  const oneSymbolTable = (cls: number, symbol: number): Buffer => {
    const counts = Buffer.alloc(16);
    counts[0] = 1; // one code of length 1: "0"
    return segment(0xc4, Buffer.concat([Buffer.from([cls]), counts, Buffer.from([symbol])]));
  };
  const sos = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  // Bits: DC code "0", the DC value in `category` bits (negative values as one's complement), AC EOB "0".
  let bits = '0';
  if (category > 0) {
    const value = dc > 0 ? dc : dc + (1 << category) - 1;
    bits += value.toString(2).padStart(category, '0');
  }
  bits += '0';
  while (bits.length % 8 !== 0) bits += '1';
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = parseInt(bits.slice(i, i + 8), 2);
    data.push(byte);
    if (byte === 0xff) data.push(0x00); // byte stuffing
  }
  return Buffer.concat([dqt, sof, oneSymbolTable(0x00, category), oneSymbolTable(0x10, 0x00), sos, Buffer.from(data), Buffer.from([0xff, 0xd9])]);
}

type Entry = { tag: number; type: 2 | 4 | 5; values: string | number | readonly number[] };

/** A little-endian TIFF structure: IFD0 → Exif IFD (+ GPS IFD). */
function tiff(exif: ExifSpec): Buffer {
  const ifd0: Entry[] = [];
  if (exif.make) ifd0.push({ tag: 0x010f, type: 2, values: exif.make });
  if (exif.model) ifd0.push({ tag: 0x0110, type: 2, values: exif.model });
  const exifIfd: Entry[] = [];
  if (exif.dateTimeOriginal) exifIfd.push({ tag: 0x9003, type: 2, values: exif.dateTimeOriginal });
  if (exif.offsetTimeOriginal) exifIfd.push({ tag: 0x9011, type: 2, values: exif.offsetTimeOriginal });
  const gpsIfd: Entry[] = [];
  if (exif.gpsTime) gpsIfd.push({ tag: 0x0007, type: 5, values: exif.gpsTime });
  if (exif.gpsDate) gpsIfd.push({ tag: 0x001d, type: 2, values: exif.gpsDate });

  // Layout: header(8) | IFD0 | Exif IFD | GPS IFD | data area. Pointers are filled in below.
  const ifdSize = (n: number): number => 2 + n * 12 + 4;
  const pointers = [{ tag: 0x8769, ifd: exifIfd }, ...(gpsIfd.length ? [{ tag: 0x8825, ifd: gpsIfd }] : [])];
  const ifd0Count = ifd0.length + pointers.length;
  const ifd0Offset = 8;
  const exifOffset = ifd0Offset + ifdSize(ifd0Count);
  const gpsOffset = exifOffset + ifdSize(exifIfd.length);
  let dataOffset = gpsOffset + (gpsIfd.length ? ifdSize(gpsIfd.length) : 0);
  const data: Buffer[] = [];

  const encode = (entries: Entry[], extra: { tag: number; offset: number }[]): Buffer => {
    const all = [
      ...entries.map((e) => ({ e, pointer: undefined as number | undefined })),
      ...extra.map((x) => ({ e: { tag: x.tag, type: 4 as const, values: x.offset }, pointer: x.offset })),
    ].sort((a, b) => a.e.tag - b.e.tag);
    const buf = Buffer.alloc(ifdSize(all.length));
    buf.writeUInt16LE(all.length, 0);
    all.forEach(({ e }, i) => {
      const at = 2 + i * 12;
      buf.writeUInt16LE(e.tag, at);
      buf.writeUInt16LE(e.type, at + 2);
      let payload: Buffer;
      let count: number;
      if (e.type === 2) {
        payload = Buffer.from(`${String(e.values)}\0`, 'latin1');
        count = payload.length;
      } else if (e.type === 4) {
        payload = Buffer.alloc(4);
        payload.writeUInt32LE(Number(e.values), 0);
        count = 1;
      } else {
        const nums = e.values as readonly number[];
        payload = Buffer.alloc(nums.length * 8);
        nums.forEach((n, k) => {
          const denominator = Number.isInteger(n) ? 1 : 100;
          payload.writeUInt32LE(Math.round(n * denominator), k * 8);
          payload.writeUInt32LE(denominator, k * 8 + 4);
        });
        count = nums.length;
      }
      buf.writeUInt32LE(count, at + 4);
      if (payload.length <= 4) payload.copy(buf, at + 8);
      else {
        buf.writeUInt32LE(dataOffset, at + 8);
        data.push(payload.length % 2 ? Buffer.concat([payload, Buffer.alloc(1)]) : payload);
        dataOffset += payload.length + (payload.length % 2);
      }
    });
    buf.writeUInt32LE(0, buf.length - 4);
    return buf;
  };

  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  const ifd0Buf = encode(ifd0, pointers.map((p) => ({ tag: p.tag, offset: p.ifd === exifIfd ? exifOffset : gpsOffset })));
  const exifBuf = encode(exifIfd, []);
  const gpsBuf = gpsIfd.length ? encode(gpsIfd, []) : Buffer.alloc(0);
  return Buffer.concat([header, ifd0Buf, exifBuf, gpsBuf, ...data]);
}

// ---------------------------------------------------------------------------------------------
// ISO base media (QuickTime MOV, MP4, HEIC)

export function box(type: string, ...children: Buffer[]): Buffer {
  const payload = Buffer.concat(children);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length + 8, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

export interface MovieSpec {
  /** mvhd creation_time as a UTC instant ("2019-11-14T22:49:24Z"); 0 writes an unset time. */
  readonly created?: string | 0;
  /** com.apple.quicktime.creationdate, e.g. "2019-10-20T18:34:30+0200". */
  readonly appleCreationDate?: string;
  /** Brand in ftyp: "qt  " for MOV, "isom" for MP4. */
  readonly brand?: string;
  /** Put moov after a media data box of this many bytes (as non-"fast start" files do). */
  readonly mdatBytes?: number;
  readonly mdatFirst?: boolean;
}

export function movie(spec: MovieSpec = {}): Buffer {
  const ftyp = box('ftyp', Buffer.from(`${(spec.brand ?? 'qt  ').padEnd(4)}\0\0\0\0${spec.brand ?? 'qt  '}`, 'latin1'));
  const seconds = spec.created === undefined || spec.created === 0 ? 0 : Date.parse(spec.created) / 1000 + 2_082_844_800;
  const mvhdPayload = Buffer.alloc(100);
  mvhdPayload.writeUInt32BE(0, 0); // version 0, flags
  mvhdPayload.writeUInt32BE(seconds, 4); // creation_time
  mvhdPayload.writeUInt32BE(seconds, 8); // modification_time
  mvhdPayload.writeUInt32BE(600, 12); // timescale
  const children = [box('mvhd', mvhdPayload)];
  if (spec.appleCreationDate) {
    const key = Buffer.from('com.apple.quicktime.creationdate', 'utf8');
    const keyEntry = Buffer.alloc(8);
    keyEntry.writeUInt32BE(key.length + 8, 0);
    keyEntry.write('mdta', 4, 'latin1');
    const keysHeader = Buffer.alloc(8);
    keysHeader.writeUInt32BE(1, 4); // version/flags 0, entry_count 1
    const hdlr = box('hdlr', Buffer.alloc(8), Buffer.from('mdta', 'latin1'), Buffer.alloc(13));
    const dataHeader = Buffer.alloc(8);
    dataHeader.writeUInt32BE(1, 0); // type: UTF-8
    const item = Buffer.alloc(4);
    item.writeUInt32BE(1, 0);
    const itemBox = box(String.fromCharCode(0, 0, 0, 1), box('data', dataHeader, Buffer.from(spec.appleCreationDate, 'utf8')));
    children.push(box('meta', hdlr, box('keys', keysHeader, keyEntry, key), box('ilst', itemBox)));
  }
  const moov = box('moov', ...children);
  const mdat = box('mdat', Buffer.alloc(spec.mdatBytes ?? 16, 7));
  return spec.mdatFirst ? Buffer.concat([ftyp, mdat, moov]) : Buffer.concat([ftyp, moov, mdat]);
}
