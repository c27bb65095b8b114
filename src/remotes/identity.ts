/**
 * What a remote is, independent of its name in the config: the state keys inventories by it, so
 * renaming a remote keeps what photosync knows about it, and two configs naming one place share
 * it. Computed without loading any SDK (a no-op run loads none).
 */
import type { RemoteConfig } from '../config/types.ts';

export function remoteIdentity(config: RemoteConfig): string {
  switch (config.type) {
    case 'local':
      return `local:${config.path}`;
    case 'webdav':
      return `webdav:${config.url}`;
    case 's3':
      return `s3:${config.endpoint ?? 'aws'}/${config.bucket}/${config.prefix}`;
    // A cloud remote's account is the one signed in under its name (its grant is stored by name),
    // so the name is part of what it is: two accounts with the same folder never share an inventory.
    case 'gdrive':
      return `gdrive:${config.name}:${config.clientId}:/${config.folder}`;
    case 'dropbox':
      return `dropbox:${config.name}:${config.clientId}:${config.path}`;
    case 'onedrive':
      return `onedrive:${config.name}:${config.clientId}:${config.tenant}:${config.path}`;
  }
}
