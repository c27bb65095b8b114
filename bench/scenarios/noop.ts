/**
 * No-op runs: a library both tools have already backed up, run again with nothing changed. For
 * the servers, every request each run sends is counted from the server's own log.
 */
import path from 'node:path';
import type { ApacheServer } from '../../test/helpers/servers/apache.ts';
import type { S3rverHandle } from '../../test/helpers/servers/s3rver.ts';
import type { BenchContext, Scenario } from '../context.ts';
import type { Sizes } from '../profiles.ts';
import { interleave, runOnce, type Contender, type Run } from '../measure.ts';
import { seconds, type Row } from '../results.ts';
import { countByKind, requestLog } from '../servers.ts';
import { checkApplied, photosync, rclone, TRANSFERS } from '../tools.ts';
import { rcloneCopyArgs, s3Pair, webdavPair, type RemotePair } from './remotes.ts';

const noUploads = (run: Run): void => checkApplied(run, { uploaded: 0 });

export const noopLocal: Scenario = {
  id: 'noop-local',
  rows: ['noop-local'],
  async run(ctx) {
    const n = ctx.sizes.noopFiles;
    const lib = await ctx.libraries.backedUpLocal(n);
    const [ps, rc] = await interleave(
      ctx.sizes.noopReps,
      [
        { label: 'photosync apply (no-op)', command: () => photosync(lib.photosync, ['apply']), check: noUploads },
        { label: 'rclone copy (no-op)', command: () => rclone(lib.rclone, ['copy', lib.lib, lib.rcloneDst, '--transfers', String(TRANSFERS.local)]) },
      ],
      ctx.logDir,
    );
    const p = seconds(ps!);
    const r = seconds(rc!);
    const ratio = p.median / r.median;
    return [
      {
        id: 'noop-local',
        title: `no-op run over ${n.toLocaleString('en')} files, local target`,
        target: "≤ 1 s wall and ≤ 0.5× rclone's no-op `copy`",
        photosync: p,
        baseline: r,
        ratio,
        ratioMeaning: 'photosync time ÷ rclone time',
        met: p.median <= 1 && ratio <= 0.5,
        metrics: { photosyncFilesPerSecond: n / p.median },
        notes: ['photosync lists the source and compares size, mtime and inode with its scan cache; rclone lists both trees and compares size and modtime'],
      },
    ];
  },
};

/** Uploads the library once with each tool (untimed), then times no-op runs and counts what each sent. */
async function remoteNoop(ctx: BenchContext, server: ApacheServer | S3rverHandle, pair: RemotePair, lib: string, files: number) {
  ctx.log(`uploading ${files} files once with each tool (setup, untimed)`);
  checkApplied(await runOnce(photosync(pair.photosync, ['apply']), ctx.logDir), { uploaded: files });
  await runOnce(rclone(pair.rclone, rcloneCopyArgs(pair, lib)), ctx.logDir);

  const requests: Record<'photosync' | 'rclone', string[][]> = { photosync: [], rclone: [] };
  let mark = 0;
  const counted = (tool: 'photosync' | 'rclone', contender: Omit<Contender, 'prepare' | 'check'> & { check?: (run: Run) => void }): Contender => ({
    ...contender,
    prepare: async () => {
      mark = (await requestLog(server)).length;
    },
    check: async (run) => {
      contender.check?.(run);
      requests[tool].push((await requestLog(server)).slice(mark));
    },
  });
  const [ps, rc] = await interleave(
    ctx.sizes.noopReps,
    [
      counted('photosync', { label: 'photosync apply (no-op)', command: () => photosync(pair.photosync, ['apply']), check: noUploads }),
      counted('rclone', { label: 'rclone copy (no-op)', command: () => rclone(pair.rclone, rcloneCopyArgs(pair, lib)) }),
    ],
    ctx.logDir,
  );
  const most = (runs: string[][]): string[] => runs.reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
  return { photosync: seconds(ps!), rclone: seconds(rc!), photosyncRequests: most(requests.photosync), rcloneRequests: most(requests.rclone) };
}

function requestRow(id: string, title: string, files: number, m: Awaited<ReturnType<typeof remoteNoop>>, note: string): Row {
  const describe = (kinds: readonly string[]): string =>
    Object.entries(countByKind(kinds))
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ') || 'none';
  return {
    id,
    title,
    target: 'zero requests to the remote',
    photosync: m.photosync,
    baseline: m.rclone,
    ratio: m.photosyncRequests.length,
    ratioMeaning: 'requests photosync sent per no-op run (most over the runs)',
    ratioText: `${m.photosyncRequests.length} vs ${m.rcloneRequests.length.toLocaleString('en')} requests`,
    met: m.photosyncRequests.length === 0,
    metrics: { files, photosyncRequests: m.photosyncRequests.length, rcloneRequests: m.rcloneRequests.length },
    notes: [`photosync sent: ${describe(m.photosyncRequests)}`, `rclone sent: ${describe(m.rcloneRequests)}`, note],
  };
}

/** A no-op scenario against one of the servers: upload once with each tool, then count what no-op runs send. */
function remoteNoopScenario<S extends ApacheServer | S3rverHandle>(spec: {
  readonly id: string;
  readonly files: (sizes: Sizes) => number;
  readonly server: (ctx: BenchContext) => Promise<S>;
  readonly pair: (dir: string, server: S, lib: string) => RemotePair;
  /** "S3 (s3rver)", "WebDAV (Apache)" */
  readonly where: string;
  readonly counted: string;
}): Scenario {
  return {
    id: spec.id,
    rows: [spec.id],
    async run(ctx) {
      const n = spec.files(ctx.sizes);
      const server = await spec.server(ctx);
      const lib = ctx.libraries.small(n);
      const m = await remoteNoop(ctx, server, spec.pair(path.join(ctx.work, spec.id), server, lib), lib, n);
      return [requestRow(spec.id, `no-op run against ${spec.where} after an upload of ${n.toLocaleString('en')} files`, n, m, spec.counted)];
    },
  };
}

export const noopS3 = remoteNoopScenario({
  id: 'noop-s3',
  files: (sizes) => sizes.s3NoopFiles,
  server: (ctx) => ctx.servers.s3rver(),
  pair: (dir, server, lib) => s3Pair(dir, server, lib, 'noop'),
  where: 'S3 (s3rver)',
  counted: "counted from s3rver's request log (every request that reached it)",
});

export const noopWebdav = remoteNoopScenario({
  id: 'noop-webdav',
  files: (sizes) => sizes.webdavNoopFiles,
  server: (ctx) => ctx.servers.webdav(),
  pair: (dir, server, lib) => webdavPair(dir, server, lib, 'noop'),
  where: 'WebDAV (Apache)',
  counted: "counted from Apache's access log",
});
