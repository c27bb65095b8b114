/**
 * A download's body, failing the way the executor understands. Once a remote has answered a read
 * with success, whatever breaks the body afterwards (a reset, a connection gone silent past the
 * timeout, an answer cut off) is the connection's doing, and reading again is the fix: such
 * failures come out as a retryable RemoteError naming the remote and the file, not as the HTTP
 * library's own error, which the executor would take for a bug and not retry. An abort by the
 * caller stays an abort.
 */
import { PassThrough, type Readable } from 'node:stream';
import { RemoteError } from './errors.ts';

export function downloadBody(remote: string, path: string, source: Readable, signal?: AbortSignal): Readable {
  const out = new PassThrough();
  source.on('error', (err) => {
    if (signal?.aborted || err instanceof RemoteError) out.destroy(err);
    else out.destroy(new RemoteError(remote, 'retryable', `reading ${path} from ${remote} broke off: ${err.message}`, { cause: err }));
  });
  out.on('close', () => source.destroy());
  return source.pipe(out);
}
