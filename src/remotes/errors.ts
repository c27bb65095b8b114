/**
 * Typed remote errors. Each remote classifies its service's failures into these (in its own
 * errors.ts), so the executor decides retry, back off, re-login or give up without knowing
 * anything about HTTP or SDKs.
 */
import { ExitCode } from '../exit-codes.ts';
import { PhotosyncError, type ErrorOptions } from '../errors.ts';

export type RemoteFailure =
  | 'not-found'
  | 'already-exists'
  | 'auth'
  | 'throttled'
  | 'retryable'
  | 'no-space'
  /** The remote as a whole cannot be used now (its folder or bucket is missing, access is denied). */
  | 'unavailable'
  | 'fatal';

export interface RemoteErrorOptions extends ErrorOptions {
  readonly status?: number | undefined;
  /** For throttling: how long the service asked us to wait. */
  readonly retryAfterMs?: number | undefined;
}

export class RemoteError extends PhotosyncError {
  readonly code: `E_${string}`;
  readonly exitCode: ExitCode;
  readonly remote: string;
  readonly failure: RemoteFailure;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(remote: string, failure: RemoteFailure, message: string, options: RemoteErrorOptions = {}) {
    super(message, options);
    this.remote = remote;
    this.failure = failure;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.code = `E_REMOTE_${failure.toUpperCase().replace('-', '_')}`;
    this.exitCode = failure === 'auth' ? ExitCode.Auth : ExitCode.Failure;
  }

  get retryable(): boolean {
    return this.failure === 'retryable' || this.failure === 'throttled';
  }
}

export class AlreadyExistsError extends RemoteError {
  constructor(remote: string, path: string, options: RemoteErrorOptions = {}) {
    super(remote, 'already-exists', `${path} already exists on ${remote}`, options);
  }
}

export class NotFoundError extends RemoteError {
  constructor(remote: string, path: string, options: RemoteErrorOptions = {}) {
    super(remote, 'not-found', `${path} is not on ${remote}`, options);
  }
}

/**
 * The plan's name holds other content the plan did not know of (a file that landed in a run
 * killed before it was journalled, or one another program put there). Nothing was written; a
 * fresh plan, which now knows the name is taken, picks another.
 */
export class NameTakenError extends RemoteError {
  constructor(remote: string, path: string) {
    super(remote, 'fatal', `${path} on ${remote} already holds other content; nothing was overwritten. Run "photosync plan" again to choose another name`);
  }
}

/** Content did not arrive as planned (the source changed, or the remote stored other bytes). */
export class IntegrityError extends RemoteError {
  constructor(remote: string, message: string, options: RemoteErrorOptions = {}) {
    super(remote, 'fatal', message, options);
  }
}

export function isRemoteError(err: unknown, failure?: RemoteFailure): err is RemoteError {
  return err instanceof RemoteError && (failure === undefined || err.failure === failure);
}
