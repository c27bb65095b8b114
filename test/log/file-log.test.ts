/** --log-file's writer: JSON lines, secrets scrubbed at any depth, the series named and pruned. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scrubText } from '../../src/log/event-log.ts';
import { LOG_KEEP_FILES, openFileLog } from '../../src/log/file-log.ts';
import { describeSeries, seriesFiles } from '../../src/log/series.ts';
import { tmpdir } from '../helpers/tmp.ts';

const SECRETS = ['hunter2', 's3cr3t-t0ken-value', 'eyJhbGciOiJIUzI1NiJ9.payload.sig', 'AKIA-canary-key', 'pw-in-query'];

function lines(dir: string): Record<string, unknown>[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  return files.flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

describe('file log', () => {
  it('writes one JSON object per event, with level, time, event and the facts', async () => {
    const dir = tmpdir();
    const log = await openFileLog(path.join(dir, 'logs', 'apply.log'), { command: 'apply' });
    log.info('command.start', { argv: ['apply'] });
    log.warn('apply.result', { uploaded: 3, failed: [{ remote: 'usb', error: 'ENOSPC' }] });
    log.error('command.error', { code: 'E_APPLY_FAILED' });
    await log.close();
    const files = readdirSync(path.join(dir, 'logs'));
    expect(files).toEqual([`apply.${new Date().toLocaleDateString('sv')}.1.log`]);
    const events = lines(path.join(dir, 'logs'));
    expect(events.map((e) => [e['level'], e['event'], e['command']])).toEqual([
      ['info', 'command.start', 'apply'],
      ['warn', 'apply.result', 'apply'],
      ['error', 'command.error', 'apply'],
    ]);
    expect(events[1]).toMatchObject({ uploaded: 3, failed: [{ remote: 'usb', error: 'ENOSPC' }] });
    expect(Number.isNaN(Date.parse(String(events[0]!['time'])))).toBe(false);
  });

  it('never writes a password, token or credential, whatever shape it comes in', async () => {
    const dir = tmpdir();
    const log = await openFileLog(path.join(dir, 'x.log'));
    log.error('remote.failed', {
      password: 'hunter2',
      remote: { name: 'nas', password: 'hunter2', token: 's3cr3t-t0ken-value', nested: { deeper: { client_secret: 'hunter2' } } },
      headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig' },
      Authorization: 'Basic aHVudGVyMjpodW50ZXIy',
      message: 'PUT https://ann:hunter2@nas.local/dav/x.jpg failed; sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      url: 'https://api.example.com/upload?access_token=s3cr3t-t0ken-value&name=a.jpg&password=pw-in-query',
      aws: { secretAccessKey: 'AKIA-canary-key', accessKeyId: 'AKIDPUBLIC' },
      error: Object.assign(new Error('connect to https://ann:hunter2@nas.local failed'), { code: 'ECONNREFUSED' }),
    });
    await log.close();
    const text = readFileSync(path.join(dir, readdirSync(dir)[0]!), 'utf8');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('aHVudGVyMjpodW50ZXIy');
    // What is not secret survives, so the line is still useful.
    const [event] = lines(dir);
    expect(event).toMatchObject({
      remote: { name: 'nas', password: '[redacted]' },
      url: 'https://api.example.com/upload?access_token=[redacted]&name=a.jpg&password=[redacted]',
      aws: { accessKeyId: 'AKIDPUBLIC' },
      error: { code: 'ECONNREFUSED', message: 'connect to https://[redacted]@nas.local failed' },
    });
    expect(String(event!['message'])).toContain('PUT https://[redacted]@nas.local/dav/x.jpg failed');
  });

  it('leaves ordinary text alone', () => {
    expect(scrubText('uploaded 2022/05/IMG_0001.JPG to usb (token bucket at 4 MiB/s)')).toBe('uploaded 2022/05/IMG_0001.JPG to usb (token bucket at 4 MiB/s)');
    expect(scrubText('see https://nas.local/dav/photos')).toBe('see https://nas.local/dav/photos');
  });

  it(`keeps the ${LOG_KEEP_FILES} newest files of its series and no one else's`, async () => {
    const dir = tmpdir();
    const old = ['2024-01-01.1', '2024-01-02.1', '2024-01-02.2', '2024-01-03.1', '2024-01-04.1', '2024-01-05.1', '2024-01-06.1', '2024-01-07.1', '2024-01-08.1'];
    for (const o of old) writeFileSync(path.join(dir, `apply.${o}.log`), '{}\n');
    writeFileSync(path.join(dir, 'verify.2023-01-01.1.log'), '{}\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const log = await openFileLog(path.join(dir, 'apply.log'));
    log.info('command.start');
    await log.close();
    const left = readdirSync(dir).sort();
    const series = seriesFiles(path.join(dir, 'apply.log'), left);
    expect(series).toHaveLength(LOG_KEEP_FILES);
    expect(series.slice(0, -1)).toEqual(old.slice(-(LOG_KEEP_FILES - 1)).map((o) => `apply.${o}.log`));
    // pino-roll numbers on from any numbered file created today (here: the fakes above).
    expect(series.at(-1)).toMatch(new RegExp(`^apply\\.${new Date().toLocaleDateString('sv')}\\.\\d+\\.log$`));
    expect(left).toContain('verify.2023-01-01.1.log');
    expect(left).toContain('notes.txt');
  });

  it('says where the files are', () => {
    expect(describeSeries('/s/logs/apply.log')).toBe(path.join('/s/logs', 'apply.<date>.<n>.log'));
  });

  it('refuses a folder it cannot write, as a user error', async () => {
    const dir = tmpdir();
    writeFileSync(path.join(dir, 'file'), '');
    await expect(openFileLog(path.join(dir, 'file', 'apply.log'))).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
