/**
 * Configs live in git; secrets must not. Any key that names a secret, and any URL carrying a
 * password, is refused with a pointer to where the secret belongs for that kind of remote.
 */
import type { DocPath } from './document.ts';

export interface SecretProblem {
  readonly path: DocPath;
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly hint: string;
}

const SECRET_KEY =
  /^(?:[a-z0-9]+_)?(?:password|passwd|secret|secret_key|secret_access_key|token|access_token|refresh_token|session_token|api_key|apikey|private_key)$/i;

export function findInlineSecrets(value: unknown): SecretProblem[] {
  const problems: SecretProblem[] = [];
  walk(value, [], problems);
  return problems;
}

/** The value without the keys reported as secrets, so the schema does not report them a second time. */
export function withoutSecretKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !SECRET_KEY.test(k))
      .map(([k, v]) => [k, withoutSecretKeys(v)]),
  );
}

function walk(value: unknown, path: DocPath, problems: SecretProblem[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, i], problems));
    return;
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) {
      problems.push({
        path,
        at: 'value',
        message: 'this URL contains a password',
        hint: `remove the user:password@ part; ${whereSecretsGo(path)}`,
      });
    }
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const here = [...path, key];
    if (SECRET_KEY.test(key)) {
      problems.push({
        path: here,
        at: 'key',
        message: `"${key}" looks like a secret, and secrets never go in the config file`,
        hint: whereSecretsGo(here),
      });
      continue;
    }
    walk(v, here, problems);
  }
}

function whereSecretsGo(path: DocPath): string {
  if (path[0] === 'remotes' && typeof path[1] === 'string') {
    const remote = path[1];
    return (
      `store it in the OS keychain with "photosync auth set ${remote}", or put it in an environment ` +
      `variable and name that variable with password_env (S3 keys come from the standard AWS ` +
      `credential chain; OAuth tokens from "photosync auth login ${remote}")`
    );
  }
  return 'keep secrets in the OS keychain or in environment variables, never in the config file';
}
