/** WebDAV remotes on the test servers, each in a fresh folder of the share, and what landed on the server's disk. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import type { WebdavRemoteConfig } from '../../src/config/types.ts';
import { WebdavRemote } from '../../src/remotes/webdav/index.ts';

export interface DavServer {
  readonly url: string;
  readonly root: string;
  readonly username: string;
  readonly password: string;
}

let folders = 0;

export function webdavConfig(url: string, over: Partial<WebdavRemoteConfig> = {}): WebdavRemoteConfig {
  return {
    name: 'nas',
    type: 'webdav',
    url,
    username: 'photo',
    passwordEnv: null,
    verify: 'readback',
    timeoutMs: 300_000,
    layout: '{name}',
    media: 'nas',
    offsite: false,
    transfers: 4,
    quotaBytes: null,
    include: null,
    exclude: [],
    ...over,
  };
}

export interface RemoteOn {
  readonly remote: WebdavRemote;
  /** The share folder this remote writes to, on the server's disk. */
  readonly disk: string;
  readonly folder: string;
  readonly url: string;
}

/** A remote in a new, not yet existing folder of the share (or in `folder`, to reuse one across runs). */
export function remoteOn(
  server: DavServer,
  options: { folder?: string; verify?: WebdavRemoteConfig['verify']; password?: string | null; mayCreateRoot?: boolean } = {},
): RemoteOn {
  const folder = options.folder ?? `run-${process.pid}-${++folders}`;
  const url = `${server.url}/${folder}`;
  const remote = new WebdavRemote(webdavConfig(url, { verify: options.verify ?? 'readback' }), {
    mayCreateRoot: options.mayCreateRoot ?? true,
    password: options.password === undefined ? server.password : options.password,
    authHint: 'test hint',
  });
  try {
    onTestFinished(() => remote.close());
  } catch {
    // Made outside a test (a contract factory is called inside one, so this is rare): the caller closes it.
  }
  return { remote, disk: path.join(server.root, folder), folder, url };
}

/** Every file under `dir` on disk, hidden ones included, as relative paths. */
export function filesOnDisk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(d, name)).isDirectory()) walk(path.join(d, name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Servers finish tidying up an aborted request a moment after the client gave up on it. */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
