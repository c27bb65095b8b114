/** SHA-256 of a file as read back from a remote: the independent check when a remote reports no SHA-256. */
import { createHash } from 'node:crypto';
import { RemoteError } from './errors.ts';
import type { CallOptions, Remote } from './types.ts';

/**
 * `size` is what the remote says the file holds. A read that ends short of it was cut off on the
 * way (a proxy or a dropped connection can end a chunked answer cleanly): that is a failed read,
 * worth another try, not a file with other content.
 */
export async function hashRemoteFile(remote: Remote, path: string, size: number, options: CallOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  let read = 0;
  for await (const chunk of await remote.read(path, options)) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
  }
  if (read !== size) {
    throw new RemoteError(remote.name, 'retryable', `reading ${path} from ${remote.name} gave ${read} bytes, but it holds ${size}`);
  }
  return hash.digest('hex');
}
