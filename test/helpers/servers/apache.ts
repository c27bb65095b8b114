/**
 * A real Apache httpd with mod_dav_fs on 127.0.0.1, for the WebDAV remote's tests: its own
 * config, pid file, lock and runtime dirs, logs, htpasswd and DAV root, all in one temp dir.
 * DavDepthInfinity stays at its default (Off), as on a stock install, so clients must fall back
 * to Depth 1. Apache refuses to serve as root without User/Group, so when the tests run as root
 * its children run as www-data (or nobody) and the folders they write to are handed to that user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

export const APACHE_BINARY = '/usr/sbin/apache2';
export const APACHE_MODULES = '/usr/lib/apache2/modules';

export interface ApacheServer {
  /** Base URL of the DAV share, e.g. http://127.0.0.1:40123/dav */
  readonly url: string;
  /** Where the share's files are on disk (to check what landed, and what was left behind). */
  readonly root: string;
  readonly username: string;
  readonly password: string;
  /**
   * Requests Apache logged, oldest first. Apache writes a request's line after sending its
   * response, so the client can be ahead of the log: this sends a marker request of its own and
   * waits until the log has it (and then a moment more), and leaves the markers out.
   */
  requests(): Promise<ApacheRequest[]>;
  stop(): Promise<void>;
}

export interface ApacheRequest {
  readonly method: string;
  /** The request target as sent (still percent-encoded). */
  readonly target: string;
  readonly status: number;
  readonly depth: string;
  /** How many requests came before this one on the same (kept-alive) connection. */
  readonly keepAlive: number;
}

const MODULES = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['alias_module', 'mod_alias.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
  ['dav_lock_module', 'mod_dav_lock.so'],
] as const;

export async function startApache(options: { username?: string; password?: string } = {}): Promise<ApacheServer> {
  if (!existsSync(APACHE_BINARY)) throw new Error(`${APACHE_BINARY} is not installed (Debian package apache2)`);
  const username = options.username ?? 'photo';
  const password = options.password ?? 'secret pass';
  const base = mkdtempSync(path.join(reachableTmpdir(), 'photosync-apache-'));
  try {
    // Ports are picked before Apache binds them; another process may win the race, so try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(base, await freePort(), username, password);
      } catch (err) {
        if (attempt >= 3 || !/Address already in use|could not bind/i.test(String(err))) throw err;
      }
    }
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
}

async function launch(base: string, port: number, username: string, password: string): Promise<ApacheServer> {
  const dirs = { dav: path.join(base, 'dav'), lock: path.join(base, 'lock'), run: path.join(base, 'run'), logs: path.join(base, 'logs') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
  if (runAs) {
    // mkdtemp makes a 0700 folder: the children must be able to reach the share and the lock db.
    chmodSync(base, 0o755);
    for (const dir of [dirs.dav, dirs.lock]) chownSync(dir, runAs.uid, runAs.gid);
  }
  const htpasswd = path.join(base, 'htpasswd');
  // {SHA} entries are what `htpasswd -s` writes; mod_authn_file reads them without any helper.
  writeFileSync(htpasswd, `${username}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`);
  const accessLog = path.join(dirs.logs, 'access.log');
  const errorLog = path.join(dirs.logs, 'error.log');
  const conf = path.join(base, 'httpd.conf');
  writeFileSync(
    conf,
    [
      `ServerRoot "${base}"`,
      `ServerName 127.0.0.1`,
      `Listen 127.0.0.1:${port}`,
      `PidFile "${path.join(dirs.run, 'httpd.pid')}"`,
      `DefaultRuntimeDir "${dirs.run}"`,
      `Mutex file:${dirs.run} default`,
      `ErrorLog "${errorLog}"`,
      `LogLevel warn`,
      ...MODULES.map(([name, file]) => `LoadModule ${name} "${path.join(APACHE_MODULES, file)}"`),
      ...(runAs ? [`User ${runAs.user}`, `Group ${runAs.group}`] : []),
      `StartServers 1`,
      `ServerLimit 2`,
      `ThreadsPerChild 16`,
      `MaxRequestWorkers 32`,
      `KeepAlive On`,
      `LogFormat "%m\\t%>s\\t%{Depth}i\\t%k\\t%r" dav`,
      `CustomLog "${accessLog}" dav`,
      `DocumentRoot "${dirs.dav}"`,
      `DavLockDB "${path.join(dirs.lock, 'DavLock')}"`,
      `Alias /dav "${dirs.dav}"`,
      `<Directory "${dirs.dav}">`,
      `  Dav On`,
      `  AuthType Basic`,
      `  AuthName "photosync test"`,
      `  AuthBasicProvider file`,
      `  AuthUserFile "${htpasswd}"`,
      `  Require valid-user`,
      `</Directory>`,
      '',
    ].join('\n'),
  );

  const child = spawn(APACHE_BINARY, ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitForPort(port, exited, 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
    throw new Error(`Apache did not start: ${(err as Error).message}\n${output}${log}`.trim());
  }

  return {
    url: `http://127.0.0.1:${port}/dav`,
    root: dirs.dav,
    username,
    password,
    requests: () => loggedUpTo(port, accessLog),
    stop: () => stop(child, exited, base),
  };
}

const MARKER = '/photosync-test-log-marker/';
let markers = 0;

async function loggedUpTo(port: number, accessLog: string): Promise<ApacheRequest[]> {
  const marker = `${MARKER}${process.pid}-${++markers}`;
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: marker, method: 'HEAD', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  const read = () => (existsSync(accessLog) ? readFileSync(accessLog, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!read().includes(marker)) {
    if (Date.now() > deadline) throw new Error(`Apache did not log ${marker}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // Lines of requests answered before the marker was sent may, rarely, be written just after it.
  await new Promise((r) => setTimeout(r, 50));
  return parseLog(read()).filter((r) => !r.target.startsWith(MARKER));
}

function parseLog(text: string): ApacheRequest[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [method = '', status = '', depth = '', keepAlive = '', requestLine = ''] = line.split('\t');
      return { method, status: Number(status), depth, keepAlive: Number(keepAlive), target: requestLine.split(' ')[1] ?? '' };
    });
}

async function stop(child: ChildProcess, exited: Promise<number | null>, base: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // SIGTERM stops httpd and its children at once (SIGWINCH would wait for open connections).
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
  }
  rmSync(base, { recursive: true, force: true });
}

/** Apache's children (www-data, when we are root) must be able to walk down to the share: a TMPDIR under /root would not do. */
function reachableTmpdir(): string {
  const dir = tmpdir();
  if (process.getuid?.() !== 0) return dir;
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return '/tmp';
    if (path.dirname(d) === d) return dir;
  }
}

function unprivilegedUser(): { user: string; group: string; uid: number; gid: number } {
  for (const [user, group] of [
    ['www-data', 'www-data'],
    ['nobody', 'nogroup'],
  ] as const) {
    const uid = idOf('-u', user);
    const gid = idOf('-g', user);
    if (uid !== null && gid !== null) return { user, group, uid, gid };
  }
  throw new Error('running as root, and neither www-data nor nobody exists for Apache to switch to');
}

function idOf(flag: '-u' | '-g', user: string): number | null {
  const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

async function waitForPort(port: number, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error('httpd exited during start-up');
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
