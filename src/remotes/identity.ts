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
    case 'gdrive':
      return `gdrive:${config.clientId}:/${config.folder}`;
    case 'dropbox':
      return `dropbox:${config.clientId}:${config.path}`;
    case 'onedrive':
      return `onedrive:${config.clientId}:${config.tenant}:${config.path}`;
  }
}
