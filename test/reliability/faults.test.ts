/**
 * Faults on the wire: photosync backs up to a real Apache WebDAV share and a real s3rver through
 * a proxy that answers a share of all requests with 429 (Retry-After), 500 or 503, resets
 * connections in the middle of a request or response, stalls, or truncates answers. The apply
 * must finish with every photo on both remotes, byte for byte. PHOTOSYNC_FAULT_FILES and
 * PHOTOSYNC_FAULT_RATE set the size (CI runs 200 files at 20%; PHOTOSYNC_FAULT_FILES=1000 is the
 * figure in docs/reliability.md); the figures go to
 * test-results/reliability-faults.json (see docs/reliability.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { faultProxiesForBlock } from '../helpers/fault-proxy.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { startApache } from '../helpers/servers/apache.ts';
import { S3RVER_KEYS, startS3rver, type S3rverHandle } from '../helpers/servers/s3rver.ts';
import { useServer } from '../helpers/servers/use-server.ts';
import { testdir } from '../helpers/tmp.ts';

const FILES = Number(process.env['PHOTOSYNC_FAULT_FILES'] ?? 200);
const RATE = Number(process.env['PHOTOSYNC_FAULT_RATE'] ?? 0.2);

describe('reliability: faults on the wire', { tags: ['slow'] }, () => {
  const apache = useServer('Apache', () => startApache(), true);
  const s3 = useServer('s3rver', () => startS3rver(), false);
  const startProxy = faultProxiesForBlock();

  it(`backs up ${FILES} photos to WebDAV and S3 with ${RATE * 100}% of requests faulted`, { timeout: 60 * 60_000 }, async () => {
    const dav = await startProxy({ target: apache().url.replace(/\/dav$/, ''), rate: RATE, stallMs: 200, seed: 1 });
    const s3Proxy = await startProxy({ target: s3().endpoint, rate: RATE, stallMs: 200, seed: 2 });

    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < FILES; i++) {
      const size = i % 50 === 0 ? 300_000 : 2_000 + (i % 7) * 1_000;
      tree[`photos/DCIM/${100 + (i % 5)}APPLE/IMG_${String(i).padStart(4, '0')}.JPG`] = Buffer.concat([
        jpeg({ exif: { dateTimeOriginal: `20${15 + (i % 8)}:0${1 + (i % 9)}:1${i % 10} 10:00:00` }, comment: `photo ${i}` }),
        Buffer.alloc(size, i % 251),
      ]);
    }
    const share = `faults-${process.pid}`;
    const dir = testdir({
      ...tree,
      'photosync.yaml': `version: 1
state: ./state/photosync.db
sources:
  phone: {type: local, path: ./photos}
remotes:
  nas:
    type: webdav
    url: ${dav.url}/dav/${share}
    username: ${apache().username}
    password_env: NAS_PASSWORD
    verify: size
    timeout: 20s
  offsite:
    type: s3
    bucket: ${s3().bucket}
    prefix: faults/
    endpoint: ${s3Proxy.url}
    forcePathStyle: true
    timeout: 20s
`,
    });
    const env = { NAS_PASSWORD: apache().password, ...S3RVER_KEYS };
    const started = Date.now();
    const result = await runCli(['apply', '--json'], { cwd: dir, env });
    const seconds = (Date.now() - started) / 1000;
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/reliability-faults.log', `${result.stderr}\n${result.stdout}`);
    // The failed items first: their messages say which fault got through.
    const summary = JSON.parse(result.stdout || '{}') as { found?: number; failed?: unknown[] };
    expect(summary.failed).toEqual([]);
    expect(result.stderr.split('\n').filter((l) => /error\[/.test(l))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/Warning/); // nothing for cron to mail on a run that went well

    // Every photo, byte for byte, on both servers (read from the servers' own storage and API,
    // not through the proxy).
    const sources = new Set(treeHashes(path.join(dir, 'photos')).values());
    const onDav = [...treeHashes(path.join(apache().root, share)).entries()].filter(([p]) => !p.includes('.photosync'));
    expect(new Set(onDav.map(([, h]) => h))).toEqual(sources);
    expect(onDav).toHaveLength(sources.size);
    const onS3 = await s3Contents(s3(), 'faults/');
    expect(new Set(onS3.values())).toEqual(sources);
    expect(onS3.size).toBe(sources.size);

    // And a second run has nothing left to do.
    dav.setRate(0);
    s3Proxy.setRate(0);
    expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env })).code).toBe(0);

    const figures = {
      files: FILES,
      remotes: 2,
      faultRate: RATE,
      requests: { webdav: dav.requests, s3: s3Proxy.requests },
      injected: { webdav: dav.injected, s3: s3Proxy.injected },
      // Uploads whose answer was lost after the server stored them: found there by content on retry.
      foundAfterLostResponse: summary.found,
      seconds: Math.round(seconds),
      photosLost: 0,
      filesWithWrongBytes: 0,
    };
    writeFileSync('test-results/reliability-faults.json', `${JSON.stringify(figures, null, 2)}\n`);
  });
});

async function s3Contents(server: S3rverHandle, prefix: string): Promise<Map<string, string>> {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_KEYS.AWS_SECRET_ACCESS_KEY },
  });
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.includes('.photosync/')) continue;
      const body = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: object.Key }));
      out.set(object.Key, createHash('sha256').update(Buffer.from(await body.Body!.transformToByteArray())).digest('hex'));
    }
    token = page.NextContinuationToken;
  } while (token);
  client.destroy();
  return out;
}
