/**
 * photosync's exit codes. They are a public interface (scripts and schedulers branch on them):
 * documented in the README and never renumbered.
 */
export const ExitCode = {
  /** Success; for `plan --detailed-exitcode`: success and nothing to do. */
  Ok: 0,
  /** An error: invalid config, failed items, missing or corrupt copies found by verify. */
  Failure: 1,
  /** `plan --detailed-exitcode` only: success, and the plan has changes to apply. */
  Changes: 2,
  /** The saved plan no longer matches the state or the config: run `photosync plan` again. */
  StalePlan: 3,
  /** Another photosync apply holds the lock on this state. */
  Locked: 4,
  /** A remote needs `photosync auth login` (or its credentials are missing). */
  Auth: 5,
  /** The run stopped at --max-duration or --max-transfer; what was done is journalled. */
  LimitReached: 6,
  /** Bad command-line usage. */
  Usage: 64,
  /** A bug in photosync. */
  Internal: 70,
  /** Stopped by SIGINT/SIGTERM; what was done is journalled. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
