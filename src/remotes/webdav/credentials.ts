/**
 * The WebDAV password: from the environment variable named by `password_env`, else from the OS
 * keychain under the remote's name; never from the config. Finding none is not an error yet (the
 * share may allow anonymous access): the hint built here is what a 401 will tell the user.
 */
import type { WebdavRemoteConfig } from '../../config/types.ts';
import type { RemoteContext } from '../registry.ts';

export interface Credentials {
  readonly password: string | null;
  /** Where the password came from, for `photosync auth status`; null when none was found. */
  readonly source: string | null;
  /** What a 401 tells the user: where the password came from, and how to set it. */
  readonly authHint: string;
}

export async function resolveCredentials(config: WebdavRemoteConfig, context: RemoteContext): Promise<Credentials> {
  const name = config.name;
  const authSet = `run "photosync auth set ${name}" to store the password in the OS keychain`;
  const envAdvice = `or name an environment variable holding it with password_env on remote "${name}"`;
  if (config.username === null) {
    return { password: null, source: null, authHint: `the server asks for a login: set username on remote "${name}", then ${authSet} ${envAdvice}` };
  }
  const envName = config.passwordEnv;
  const fromEnv = envName === null ? undefined : context.env[envName];
  if (envName !== null && fromEnv !== undefined && fromEnv !== '') {
    return {
      password: fromEnv,
      source: `the environment variable ${envName}`,
      authHint: `the password is the value of the environment variable ${envName} (password_env); check it and the username "${config.username}", or remove password_env and ${authSet}`,
    };
  }
  let keychainProblem = '';
  try {
    const stored = await context.secrets('keychain').get(name);
    if (stored !== null) {
      return {
        password: stored,
        source: 'the OS keychain',
        authHint: `the password comes from the OS keychain; ${authSet.replace('store', 'replace')}, ${envAdvice}`,
      };
    }
  } catch (err) {
    keychainProblem = ` (the keychain could not be read: ${err instanceof Error ? err.message : String(err)})`;
  }
  const missing = envName === null ? 'no password_env is set' : `the environment variable ${envName} is not set`;
  return {
    password: null,
    source: null,
    authHint: `no password was found for remote "${name}": ${missing} and the OS keychain has none${keychainProblem}; ${
      envName === null ? `${authSet}, ${envAdvice}` : `set ${envName}, or ${authSet}`
    }`,
  };
}
