/**
 * Reads files inside Takeout archives in place, never extracting to disk: a zip member through
 * its central directory (random access), a tar.gz member by streaming the archive to it.
 */
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';

export function openArchiveMember(archive: string, member: string): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const fail = (err: unknown): void => {
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  if (/\.zip$/i.test(archive)) openZipMember(archive, member, out).catch(fail);
  else openTarMember(archive, member, out).catch(fail);
  return out;
}

function openZipMember(archive: string, member: string, out: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(archive, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err) return reject(err);
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== member) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          pipeline(stream, out).then(resolve, reject);
        });
      });
      zip.on('end', () => {
        if (!found) reject(new Error(`${member} is not in ${archive}`));
      });
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function openTarMember(archive: string, member: string, out: PassThrough): Promise<void> {
  const extract = tar.extract();
  let found = false;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      if (header.name !== member || found) {
        stream.on('end', next);
        stream.resume();
        return;
      }
      found = true;
      pipeline(stream, out).then(() => {
        resolve();
        extract.destroy();
      }, reject);
    });
    extract.on('finish', () => (found ? resolve() : reject(new Error(`${member} is not in ${archive}`))));
    extract.on('error', reject);
  });
  pipeline(createReadStream(archive), createGunzip(), extract).catch(() => {
    // Ending early (the member was found) destroys the pipeline on purpose.
  });
  await done;
}
