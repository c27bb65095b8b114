/**
 * Everything photosync prints goes through here: results to stdout (or JSON with --json),
 * messages and errors to stderr, colour only on a terminal and never with NO_COLOR.
 */
import pc from 'picocolors';

export interface Io {
  readonly stdin?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface OutputOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

export type Colors = ReturnType<typeof pc.createColors>;

export class Output {
  readonly io: Io;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** Colours for what goes to stdout (on only when stdout is a terminal: `plan > file` stays plain). */
  readonly color: Colors;
  /** Colours for stderr: messages, warnings, progress. */
  readonly errColor: Colors;
  /** Progress bars only on an interactive terminal; cron and pipes get periodic plain lines. */
  readonly interactive: boolean;

  constructor(io: Io, options: OutputOptions) {
    this.io = io;
    this.json = options.json;
    this.quiet = options.quiet;
    this.verbose = options.verbose;
    this.interactive = io.stderr.isTTY === true && !options.json && !options.quiet;
    const allowed = !('NO_COLOR' in io.env) && io.env['TERM'] !== 'dumb';
    this.color = pc.createColors(allowed && io.stdout.isTTY === true);
    this.errColor = pc.createColors(allowed && io.stderr.isTTY === true);
  }

  /** A line of the command's human result (stdout). Suppressed by --quiet and --json. */
  line(text = ''): void {
    if (!this.quiet && !this.json) this.io.stdout.write(`${text}\n`);
  }

  /** Detail shown with --verbose only. */
  detail(text: string): void {
    if (this.verbose && !this.json) this.io.stderr.write(`${text}\n`);
  }

  /** A progress or status message (stderr), suppressed by --quiet. */
  note(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }

  /** Something the user should know that did not stop the command (stderr), suppressed by --quiet. */
  warn(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${this.errColor.yellow('warning:')} ${text}\n`);
  }

  /** Whether a command already printed its JSON result (an error then adds no second document). */
  resultPrinted = false;

  /** The machine-readable result of a --json command. */
  result(value: unknown): void {
    this.resultPrinted = true;
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
