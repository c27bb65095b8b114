/** pino-roll ships no types; this is the part of its API photosync uses (pino-roll 4). */
declare module 'pino-roll' {
  import type { EventEmitter } from 'node:events';

  export interface RollOptions {
    readonly file: string;
    readonly size?: string | number;
    readonly frequency?: 'daily' | 'hourly' | number;
    readonly dateFormat?: string;
    readonly extension?: string;
    readonly limit?: { readonly count: number; readonly removeOtherLogFiles?: boolean };
    readonly mkdir?: boolean;
    readonly sync?: boolean;
  }

  /** A sonic-boom stream writing to the current file. */
  export interface RollStream extends EventEmitter {
    readonly file: string;
    write(data: string): boolean;
    end(): void;
  }

  export default function pinoRoll(options: RollOptions): Promise<RollStream>;
}
