/**
 * photosync and rclone configured for the same WebDAV share (Apache) and the same S3 bucket
 * (s3rver), each tool in its own folder or prefix, so both write to the same server in the same run.
 */
import path from 'node:path';
import type { ApacheServer } from '../../test/helpers/servers/apache.ts';
import type { S3rverHandle } from '../../test/helpers/servers/s3rver.ts';
import { S3RVER_KEYS } from '../servers.ts';
import { photosyncSetup, rcloneObscure, rcloneSetup, TRANSFERS, type PhotosyncSetup, type RcloneSetup } from '../tools.ts';

export interface RemotePair {
  readonly photosync: PhotosyncSetup;
  readonly rclone: RcloneSetup;
  /** rclone's destination, as its command line names it. */
  readonly rcloneDst: string;
  /** Flags rclone needs for this kind of remote, after `copy SRC DST`. */
  readonly rcloneFlags: readonly string[];
  readonly transfers: number;
}

/** photosync and rclone set up to write under `folder` of the share (`<folder>-photosync`, `<folder>-rclone`). */
export function webdavPair(dir: string, apache: ApacheServer, lib: string, folder: string): RemotePair {
  const photosync = photosyncSetup(
    path.join(dir, 'photosync'),
    { type: 'local', path: lib },
    ['type: webdav', `url: ${JSON.stringify(`${apache.url}/${folder}-photosync`)}`, `username: ${apache.username}`, 'password_env: NAS_PASSWORD', `transfers: ${TRANSFERS.webdav}`],
    { NAS_PASSWORD: apache.password },
  );
  const rclone = rcloneSetup(path.join(dir, 'rclone'), {
    dav: { type: 'webdav', url: apache.url, vendor: 'other', user: apache.username, pass: rcloneObscure(apache.password) },
  });
  return { photosync, rclone, rcloneDst: `dav:${folder}-rclone`, rcloneFlags: [], transfers: TRANSFERS.webdav };
}

/**
 * rclone's S3 flags for s3rver (keys from the environment, as photosync takes them). --fast-list:
 * s3rver 3.7.1 answers a listing with delimiter=/ without its CommonPrefixes, so rclone's
 * folder-by-folder listing finds an empty bucket and uploads everything again on every run;
 * --fast-list lists the prefix in one recursive listing, which s3rver answers correctly.
 */
function rcloneS3Flags(server: S3rverHandle): string[] {
  return ['--s3-provider', 'Other', '--s3-endpoint', server.endpoint, '--s3-force-path-style', '--s3-env-auth', '--fast-list'];
}

export function s3Pair(dir: string, server: S3rverHandle, lib: string, prefix: string): RemotePair {
  const photosync = photosyncSetup(
    path.join(dir, 'photosync'),
    { type: 'local', path: lib },
    ['type: s3', `bucket: ${server.bucket}`, `prefix: ${prefix}/photosync/`, `endpoint: ${server.endpoint}`, 'forcePathStyle: true', `transfers: ${TRANSFERS.s3}`],
    { ...S3RVER_KEYS },
  );
  const rclone = rcloneSetup(path.join(dir, 'rclone'), {}, { ...S3RVER_KEYS });
  return { photosync, rclone, rcloneDst: `:s3:${server.bucket}/${prefix}/rclone`, rcloneFlags: rcloneS3Flags(server), transfers: TRANSFERS.s3 };
}

/** rclone copy SRC DST with the pair's transfers and flags. */
export function rcloneCopyArgs(pair: RemotePair, lib: string): string[] {
  return ['copy', lib, pair.rcloneDst, '--transfers', String(pair.transfers), ...pair.rcloneFlags];
}
