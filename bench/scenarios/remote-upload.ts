/**
 * First uploads to a real server: photosync apply and rclone copy of the same library to the same
 * Apache WebDAV share or s3rver bucket, each repetition into a new folder/prefix (and, for
 * photosync, a fresh state), interleaved.
 */
import path from 'node:path';
import type { BenchContext, Scenario } from '../context.ts';
import { interleave, median } from '../measure.ts';
import { derived, MB, type Row } from '../results.ts';
import { checkApplied, photosync, rclone } from '../tools.ts';
import { rcloneCopyArgs, s3Pair, webdavPair, type RemotePair } from './remotes.ts';

interface Upload {
  readonly id: string;
  readonly title: string;
  readonly target: string;
  readonly lib: string;
  readonly files: number;
  readonly bytes: number;
  /** files/s or MB/s */
  readonly unit: 'files/s' | 'MB/s';
  readonly factor: number;
  readonly pair: (dir: string, folder: string) => Promise<RemotePair>;
  readonly notes: readonly string[];
}

async function upload(ctx: BenchContext, u: Upload): Promise<Row> {
  // A new folder (or prefix) and a new photosync state each time, a repeated crashed run included.
  let made = 0;
  const current = new Map<string, RemotePair>();
  const fresh = async (tool: string): Promise<void> => {
    const key = `${tool}-${++made}`;
    current.set(tool, await u.pair(path.join(ctx.work, u.id, key), `${u.id}-${key}`));
  };
  const [ps, rc] = await interleave(
    ctx.sizes.reps,
    [
      {
        label: 'photosync apply',
        prepare: () => fresh('photosync'),
        command: () => photosync(current.get('photosync')!.photosync, ['apply']),
        check: (run) => checkApplied(run, { uploaded: u.files }),
      },
      {
        label: 'rclone copy',
        prepare: () => fresh('rclone'),
        command: () => {
          const pair = current.get('rclone')!;
          return rclone(pair.rclone, [...rcloneCopyArgs(pair, u.lib)]);
        },
      },
    ],
    ctx.logDir,
  );
  const rate = (s: number): number => (u.unit === 'files/s' ? u.files / s : u.bytes / MB / s);
  const transfers = current.get('rclone')?.transfers;
  const p = derived(ps!, u.unit, rate, `photosync apply (transfers ${transfers})`);
  const r = derived(rc!, u.unit, rate, `rclone copy --transfers ${transfers}`);
  const ratio = p.median / r.median;
  return {
    id: u.id,
    title: u.title,
    target: u.target,
    photosync: p,
    baseline: r,
    ratio,
    ratioMeaning: `photosync ${u.unit} ÷ rclone ${u.unit}`,
    met: ratio >= u.factor,
    metrics: { files: u.files, bytes: u.bytes, photosyncSeconds: median(p.seconds), rcloneSeconds: median(r.seconds) },
    notes: [...u.notes],
  };
}

const WEBDAV_NOTE = 'photosync verifies every WebDAV upload by reading it back (verify: readback, its default); rclone does not read back';

export const remoteUpload: Scenario = {
  id: 'remote-upload',
  rows: ['webdav-small', 'webdav-big', 's3-big'],
  async run(ctx) {
    const { webdavSmallFiles: small, remoteBigFiles: big, bigMib, smallKib } = ctx.sizes;
    const apache = await ctx.servers.webdav();
    const s3 = await ctx.servers.s3rver();
    const smallLib = ctx.libraries.small(small);
    const bigLib = ctx.libraries.big(big);
    const bigBytes = big * bigMib * 1024 * 1024;
    const webdav = (lib: string) => async (dir: string, folder: string) => webdavPair(dir, apache, lib, folder);
    const rows: Row[] = [];
    rows.push(
      await upload(ctx, {
        id: 'webdav-small',
        title: `${small.toLocaleString('en')} small files (~${smallKib} KiB) → Apache WebDAV`,
        target: "≥ 10× rclone's files/second",
        lib: smallLib,
        files: small,
        bytes: 0,
        unit: 'files/s',
        factor: 10,
        pair: webdav(smallLib),
        notes: [WEBDAV_NOTE],
      }),
    );
    // The large photos go to both servers the same way: only the server, and what is said about it, differ.
    const bigUpload = { target: "≥ 1.2× rclone's throughput", lib: bigLib, files: big, bytes: bigBytes, unit: 'MB/s', factor: 1.2 } as const;
    rows.push(await upload(ctx, { ...bigUpload, id: 'webdav-big', title: `${big.toLocaleString('en')} × ${bigMib} MiB → Apache WebDAV`, pair: webdav(bigLib), notes: [WEBDAV_NOTE] }));
    rows.push(
      await upload(ctx, {
        ...bigUpload,
        id: 's3-big',
        title: `${big.toLocaleString('en')} × ${bigMib} MiB → s3rver`,
        pair: async (dir, folder) => s3Pair(dir, s3, bigLib, folder),
        notes: ['s3rver runs inside the benchmark process (idle while a tool runs) with conditional writes and SHA-256 checksum checks, as AWS has them'],
      }),
    );
    return rows;
  },
};
