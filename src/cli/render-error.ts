/**
 * The one place an error becomes output and an exit code. A user's mistake gets its message and
 * a hint, never a stack trace; only a bug (an error photosync did not expect) shows one, with a
 * request to report it.
 */
import { ConfigError, InternalError, PhotosyncError, formatConfigIssue } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { asStateError } from '../state/store.ts';
import type { EventLog } from '../log/event-log.ts';
import { VERSION } from '../version.ts';
import type { Output } from './output.ts';

export function renderError(err: unknown, out: Output, stateFile: string | undefined, log?: EventLog): ExitCode {
  const error = toPhotosyncError(err, stateFile);
  log?.error('command.error', {
    code: error.code,
    message: error.message,
    hint: error.hint ?? null,
    exitCode: error.exitCode,
    ...(error instanceof ConfigError ? { issues: error.issues } : {}),
    ...(error instanceof InternalError && error.cause instanceof Error ? { stack: error.cause.stack } : {}),
  });
  const c = out.errColor;
  if (out.json && !out.resultPrinted) {
    out.result({
      error: {
        code: error.code,
        message: error.message,
        hint: error.hint ?? null,
        ...(error instanceof ConfigError ? { issues: error.issues } : {}),
      },
    });
  }
  const stderr = out.io.stderr;
  if (error instanceof ConfigError) {
    for (const issue of error.issues) stderr.write(`${formatConfigIssue(issue)}\n`);
    stderr.write(`${c.red('error')}[${error.code}]: ${error.message}; fix ${error.issues.length === 1 ? 'it' : 'them'} and run again\n`);
    return error.exitCode;
  }
  stderr.write(`${c.red('error')}[${error.code}]: ${error.message}\n`);
  if (error.hint) stderr.write(`${c.cyan('hint')}: ${error.hint}\n`);
  if (error instanceof InternalError) {
    const cause = error.cause instanceof Error ? error.cause : error;
    stderr.write(
      `This is a bug in photosync ${VERSION} (node ${process.version}, ${process.platform}). Please report it with the lines below:\n${cause.stack ?? String(cause)}\n`,
    );
  } else if (out.verbose && error.cause instanceof Error) {
    stderr.write(`${c.dim(`cause: ${error.cause.stack ?? error.cause.message}`)}\n`);
  }
  return error.exitCode;
}

function toPhotosyncError(err: unknown, stateFile: string | undefined): PhotosyncError {
  if (err instanceof PhotosyncError) return err;
  if (stateFile !== undefined) {
    const asState = asStateError(err, stateFile);
    if (asState instanceof PhotosyncError) return asState;
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return new InternalError('output pipe closed', { cause: err });
  return new InternalError(err instanceof Error ? err.message : String(err), { cause: err });
}

export { ExitCode };
