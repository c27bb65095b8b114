/**
 * `--log-file FILE`: one JSON object per line (pino), in files rotated by pino-roll: a new file
 * each day and whenever one passes 10 MB (named as series.ts says); the 7 newest are kept.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import pinoRoll from 'pino-roll';
import { InputError } from '../errors.ts';
import { scrub, type EventLog, type LogFields } from './event-log.ts';
import { LOG_DATE_FORMAT, seriesFiles } from './series.ts';

export const LOG_KEEP_FILES = 7;
export const LOG_MAX_SIZE = '10m';

export async function openFileLog(file: string, base: LogFields = {}): Promise<EventLog> {
  if (/[<>"|?*\0]/.test(file)) {
    throw new InputError(`--log-file ${file}: a log file name cannot contain < > " | ? or *`);
  }
  let stream: Awaited<ReturnType<typeof pinoRoll>>;
  try {
    stream = await pinoRoll({
      file,
      frequency: 'daily',
      dateFormat: LOG_DATE_FORMAT,
      size: LOG_MAX_SIZE,
      limit: { count: LOG_KEEP_FILES, removeOtherLogFiles: true },
      mkdir: true,
    });
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', resolve);
      stream.once('error', reject);
    });
  } catch (err) {
    throw new InputError(`cannot write the log file ${file}: ${(err as Error).message}`, {
      hint: 'choose a folder you can write to with --log-file',
      cause: err,
    });
  }
  // pino-roll prunes old files only when it rolls within a run; a run lasting minutes rarely
  // does, so each start prunes the series too.
  await pruneSeries(file, LOG_KEEP_FILES);

  const logger = pino(
    {
      base: { pid: process.pid, ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: scrub() below already blanks these, whatever their depth.
      redact: { paths: ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
    },
    stream,
  );
  const emit = (level: 'info' | 'warn' | 'error') => (event: string, fields: LogFields = {}) => {
    logger[level]({ event, ...(scrub(fields) as LogFields) });
  };
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    close: () =>
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      }),
  };
}

/** Removes all but the `keep` newest files of the series. */
async function pruneSeries(file: string, keep: number): Promise<void> {
  const dir = path.dirname(file);
  const series = seriesFiles(file, await readdir(dir));
  for (const old of series.slice(0, Math.max(0, series.length - keep))) await rm(path.join(dir, old), { force: true });
}
