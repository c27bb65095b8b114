/** Node file-system errors, classified for the executor. */
import { RemoteError } from '../errors.ts';

export function classifyFsError(remote: string, err: unknown, what: string): RemoteError {
  if (err instanceof RemoteError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const detail = `${what}: ${(err as Error).message}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new RemoteError(remote, 'no-space', `the disk of ${remote} is full (${what})`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new RemoteError(remote, 'unavailable', `no permission to write to ${remote} (${detail})`, { cause: err });
    case 'EBUSY':
    case 'EAGAIN':
    case 'EMFILE':
    case 'ENFILE':
    case 'ETIMEDOUT':
      return new RemoteError(remote, 'retryable', detail, { cause: err });
    case 'ENOENT':
      return new RemoteError(remote, 'not-found', detail, { cause: err });
    default:
      return new RemoteError(remote, 'fatal', detail, { cause: err });
  }
}
