/** What every command gets: its output, and the config and session, loaded on demand. */
import { configFileFrom, loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { silentLog, type EventLog } from '../log/event-log.ts';
import { Session } from '../pipeline/session.ts';
import { Output, type Io, type OutputOptions } from './output.ts';

export interface CommonOptions extends Partial<OutputOptions> {
  readonly config?: string | undefined;
  readonly logFile?: string | undefined;
}

export class CommandContext {
  readonly io: Io;
  readonly out: Output;
  private readonly configFlag: string | undefined;
  private config: Config | undefined;
  /** Known once the config is loaded; lets errors from SQLite name the state file. */
  stateFile: string | undefined;
  /** Where the command records what it did (--log-file); main() opens and closes it. */
  log: EventLog = silentLog;

  constructor(io: Io, options: CommonOptions) {
    this.io = io;
    this.out = new Output(io, { json: options.json ?? false, quiet: options.quiet ?? false, verbose: options.verbose ?? false });
    this.configFlag = options.config;
  }

  get configFile(): string {
    return configFileFrom(this.configFlag, this.io.env, this.io.cwd);
  }

  loadConfig(): Config {
    if (!this.config) {
      this.config = loadConfig(this.configFile, this.io.env);
      this.stateFile = this.config.statePath;
    }
    return this.config;
  }

  async openSession(): Promise<Session> {
    return Session.open(this.loadConfig(), this.io.env);
  }
}
