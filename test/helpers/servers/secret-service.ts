/**
 * A real Secret Service for keychain tests: gnome-keyring-daemon, unlocked, on a private session
 * bus started by dbus-run-session (nothing touches the developer's own keyring). Under CI a
 * missing or failing daemon fails the suite; elsewhere the suite skips with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startSecretService(): Promise<SecretService> {
  const script =
    'echo "ADDRESS=$DBUS_SESSION_BUS_ADDRESS"; ' +
    'printf photosync-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3; ' +
    'echo READY; exec sleep 3600';
  // A home of its own: the keyring files land there, never in the user's keyring.
  const home = mkdtempSync(path.join(tmpdir(), 'photosync-keyring-'));
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'bash', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { PATH: process.env['PATH'], HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_RUNTIME_DIR: home },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let found = '';
    const timer = setTimeout(() => reject(new Error(`Secret Service did not start in time: ${stderr}`)), 15_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run dbus-run-session (install dbus and gnome-keyring): ${err.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-run-session exited (${code}) before the keyring was ready: ${stderr}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      found ||= /ADDRESS=(\S+)/.exec(out)?.[1] ?? '';
      if (found && out.includes('READY')) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return {
    address,
    stop: async () => {
      child.removeAllListeners('exit');
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Starts it, or explains why not: under CI that is a failure, elsewhere a skip. */
export async function trySecretService(): Promise<{ service: SecretService | null; reason: string }> {
  try {
    return { service: await startSecretService(), reason: '' };
  } catch (err) {
    if (process.env['CI']) throw err;
    return { service: null, reason: (err as Error).message };
  }
}
