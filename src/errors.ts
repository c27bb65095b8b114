/**
 * Every error a user can see is a PhotosyncError: a stable code, a message written for people,
 * a hint naming the fix, and the exit code the CLI ends with. Only `cli/` turns these into
 * output and exit codes; everything else throws them.
 */
import { ExitCode } from './exit-codes.ts';

export interface ErrorOptions {
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

export abstract class PhotosyncError extends Error {
  abstract readonly code: `E_${string}`;
  abstract readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** One problem in a config file, located as precisely as the YAML allows. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path inside the document, e.g. `remotes.nas.path`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}: ${path}${issue.message}${issue.hint ? `\n    hint: ${issue.hint}` : ''}`;
}

export class ConfigError extends PhotosyncError {
  readonly code = 'E_CONFIG';
  readonly exitCode = ExitCode.Failure;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: ErrorOptions = {}) {
    const first = issues[0];
    const summary =
      issues.length === 1 && first
        ? `the config has a problem`
        : `the config has ${issues.length} problems`;
    super(summary, options);
    this.issues = issues;
  }
}

/** Bad command-line usage: an unknown flag, a malformed size or duration. */
export class UsageError extends PhotosyncError {
  readonly code = 'E_USAGE';
  readonly exitCode = ExitCode.Usage;
}

/** A file the user named (config, plan) cannot be read or is not what it claims to be. */
export class InputError extends PhotosyncError {
  readonly code = 'E_INPUT';
  readonly exitCode = ExitCode.Failure;
}

export class StalePlanError extends PhotosyncError {
  readonly code = 'E_STALE_PLAN';
  readonly exitCode = ExitCode.StalePlan;
}

export class LockError extends PhotosyncError {
  readonly code = 'E_LOCKED';
  readonly exitCode = ExitCode.Locked;
}

/** The state database is unreadable, foreign, or from a newer photosync. */
export class StateError extends PhotosyncError {
  readonly code = 'E_STATE';
  readonly exitCode = ExitCode.Failure;
}

/** Some plan actions failed; the others were carried out and journalled. */
export class ApplyFailedError extends PhotosyncError {
  readonly code = 'E_APPLY_FAILED';
  readonly exitCode = ExitCode.Failure;
}

/** The system's scheduler (crontab, systemctl, launchctl, schtasks) refused or is missing. */
export class ScheduleError extends PhotosyncError {
  readonly code = 'E_SCHEDULE';
  readonly exitCode = ExitCode.Failure;
}

export class AuthError extends PhotosyncError {
  readonly code = 'E_AUTH';
  readonly exitCode = ExitCode.Auth;
}

/** Something that should not happen: a bug in photosync. The CLI asks the user to report it. */
export class InternalError extends PhotosyncError {
  readonly code = 'E_INTERNAL';
  readonly exitCode = ExitCode.Internal;
}

/**
 * A source file whose bytes are no longer what the scan saw (and the plan promised). Raised
 * while its upload streams, before the last bytes go out; the item is planned again next run.
 */
export class SourceChangedError extends Error {
  constructor(what: string, detail: string) {
    super(`${what} changed since it was scanned (${detail}); it will be planned again on the next run`);
    this.name = 'SourceChangedError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The plan needs more space than a remote has (see --allow-partial). */
export class NoSpaceError extends PhotosyncError {
  readonly code = 'E_NO_SPACE';
  readonly exitCode = ExitCode.Failure;
}
