/**
 * Answers cut short on the wire, between photosync and a real Apache WebDAV share or s3rver: a
 * proxy passes the status and half of the first chunk of each body, then ends the answer. A
 * chunked body then ends cleanly but early; a body with a Content-Length never ends at all, on a
 * connection that stays open. Either way the call must fail as retryable (so the executor tries
 * again) within the remote's timeout, never hang and never pass a short file off as whole.
 */
import { describe, expect, it } from 'vitest';
import { hashRemoteFile } from '../../src/remotes/remote-hash.ts';
import { RemoteError } from '../../src/remotes/errors.ts';
import type { Remote } from '../../src/remotes/types.ts';
import { WebdavRemote } from '../../src/remotes/webdav/index.ts';
import { bodyFrom, readAll } from '../contract/remote-contract.ts';
import { faultProxiesForBlock } from '../helpers/fault-proxy.ts';
import { s3Config, s3Remote } from '../helpers/s3.ts';
import { startApache } from '../helpers/servers/apache.ts';
import { startS3rver } from '../helpers/servers/s3rver.ts';
import { useServer } from '../helpers/servers/use-server.ts';
import { remoteOn, webdavConfig } from '../helpers/webdav.ts';

const PHOTO = Buffer.alloc(200_000, 7);
const TIMEOUT_MS = 1500;

async function failureOf(call: () => Promise<unknown>): Promise<string> {
  const err = await call().then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteError);
  return (err as RemoteError).failure;
}

async function listAll(remote: Remote): Promise<string[]> {
  const out: string[] = [];
  for await (const e of remote.list()) out.push(e.path);
  return out;
}

describe('answers cut short on the wire', { tags: ['slow'] }, () => {
  const apache = useServer('Apache', () => startApache(), true);
  const s3 = useServer('s3rver', () => startS3rver(), false);
  const startProxy = faultProxiesForBlock();
  const truncating = (target: string) => startProxy({ target, rate: 1, faults: ['truncate'] });

  it('WebDAV: a cut listing, stat or download is a retryable failure, and works again once the line is good', async () => {
    const direct = remoteOn(apache(), { verify: 'size' });
    await direct.remote.create('2024/a.jpg', bodyFrom(PHOTO, direct.remote).body);
    const proxy = await truncating(new URL(apache().url).origin);
    const url = `${proxy.url}${new URL(direct.url).pathname}`;
    const remote = new WebdavRemote(webdavConfig(url, { timeoutMs: TIMEOUT_MS }), { mayCreateRoot: false, password: apache().password, authHint: 'test' });
    try {
      expect(await failureOf(() => remote.stat('2024/a.jpg'))).toBe('retryable');
      expect(await failureOf(() => listAll(remote))).toBe('retryable');
      expect(await failureOf(() => readAll(remote, '2024/a.jpg'))).toBe('retryable');
      expect(await failureOf(() => hashRemoteFile(remote, '2024/a.jpg', PHOTO.length))).toBe('retryable');
      proxy.setRate(0);
      expect(await readAll(remote, '2024/a.jpg')).toEqual(PHOTO);
    } finally {
      await remote.close();
    }
  });

  it('S3: a cut listing or download is a retryable failure within the timeout, not a hang', async () => {
    const config = s3Config(s3());
    const direct = s3Remote(config);
    await direct.create('2024/a.jpg', bodyFrom(PHOTO, direct).body);
    const proxy = await truncating(s3().endpoint);
    const remote = s3Remote({ ...config, endpoint: proxy.url, timeoutMs: TIMEOUT_MS });
    try {
      expect(await failureOf(() => listAll(remote))).toBe('retryable');
      expect(await failureOf(() => readAll(remote, '2024/a.jpg'))).toBe('retryable');
      proxy.setRate(0);
      expect(await readAll(remote, '2024/a.jpg')).toEqual(PHOTO);
    } finally {
      await Promise.all([remote.close(), direct.close()]);
    }
  });
});
