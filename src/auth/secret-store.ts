/**
 * Where secrets live: the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux) through @napi-rs/keyring, under service "photosync" and the remote's name;
 * or, on a headless machine without one, a 0600 file in the state directory that the user chose
 * explicitly (`token_store: file`). Only this module touches the keychain.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AsyncEntry } from '@napi-rs/keyring';
import { AuthError } from '../errors.ts';

export const KEYCHAIN_SERVICE = 'photosync';

export interface SecretStore {
  readonly kind: 'keychain' | 'file' | 'memory';
  /** Where it is, for messages ("the OS keychain", "/home/ann/.local/state/photosync/secrets.json"). */
  readonly description: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was removed. */
  delete(account: string): Promise<boolean>;
}

export function noKeychainError(account: string, cause: unknown): AuthError {
  return new AuthError(`no OS keychain is available here (${cause instanceof Error ? cause.message : String(cause)})`, {
    hint:
      `on a headless machine, either put the secret in an environment variable (password_env: NAME for WebDAV), ` +
      `or set "token_store: file" on remote "${account}" to keep it in a 0600 file in the state directory`,
    cause,
  });
}

export function keychainStore(service = KEYCHAIN_SERVICE): SecretStore {
  // On Linux, insist on the Secret Service: the library's fallback, the kernel keyring, forgets
  // everything at logout or reboot, and a backup run from cron must find its tokens next week.
  const entry = (account: string): AsyncEntry => new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  const guard = async <T>(account: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw noKeychainError(account, err);
    }
  };
  return {
    kind: 'keychain',
    description: 'the OS keychain',
    get: (account) => guard(account, () => entry(account).getPassword()),
    set: (account, secret) => guard(account, () => entry(account).setPassword(secret)),
    delete: (account) => guard(account, () => entry(account).deleteCredential()),
  };
}

/** A JSON file of account → secret, readable by its owner only, replaced atomically on each change. */
export function fileStore(file: string): SecretStore {
  const read = (): Record<string, string> => {
    if (!existsSync(file)) return {};
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new AuthError(`${file} can be read by other users`, { hint: `run: chmod 600 ${file}` });
    }
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (err) {
      throw new AuthError(`${file} is not valid JSON (${(err as Error).message})`, {
        hint: 'it holds only photosync sign-ins and passwords: fix it, or delete it and sign in again ("photosync auth login NAME" / "photosync auth set NAME")',
        cause: err,
      });
    }
  };
  const write = (all: Record<string, string>): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  };
  return {
    kind: 'file',
    description: file,
    get: async (account) => read()[account] ?? null,
    set: async (account, secret) => write({ ...read(), [account]: secret }),
    delete: async (account) => {
      const all = read();
      if (!(account in all)) return false;
      delete all[account];
      write(all);
      return true;
    },
  };
}

/** The store a remote's config names: the OS keychain, or the 0600 file beside the state database. */
export function secretStoreFor(kind: 'keychain' | 'file', statePath: string): SecretStore {
  return kind === 'keychain' ? keychainStore() : fileStore(path.join(path.dirname(statePath), 'secrets.json'));
}

export function memoryStore(initial: Record<string, string> = {}): SecretStore {
  const all = new Map(Object.entries(initial));
  return {
    kind: 'memory',
    description: 'memory',
    get: async (account) => all.get(account) ?? null,
    set: async (account, secret) => void all.set(account, secret),
    delete: async (account) => all.delete(account),
  };
}
