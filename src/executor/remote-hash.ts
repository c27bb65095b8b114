/** SHA-256 of a file as read back from a remote: the independent check when a remote reports no SHA-256. */
import { createHash } from 'node:crypto';
import type { CallOptions, Remote } from '../remotes/types.ts';

export async function hashRemoteFile(remote: Remote, path: string, options: CallOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await remote.read(path, options)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
