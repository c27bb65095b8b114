/**
 * The launchd plist and the Task Scheduler XML: well-formed (fast-xml-parser's validator), and
 * read back they hold the exact command and the runs we meant.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { writeScheduleFiles } from '../../src/schedule/jobs.ts';
import { launchd } from '../../src/schedule/launchd.ts';
import { timesOfDay } from '../../src/schedule/when.ts';
import { windows, windowsArg } from '../../src/schedule/windows.ts';
import { tmpdir } from '../helpers/tmp.ts';
import { AWKWARD_DIR, fakeHost, jobsFor, SCHEDULES, when } from './fixtures.ts';

type Node = Record<string, unknown>;

/** A plist value from fast-xml-parser's ordered output (dict keys and values are siblings). */
function plistValue(node: Node): unknown {
  const [tag] = Object.keys(node).filter((k) => k !== ':@');
  const children = (node[tag!] as Node[]).filter((c) => !('#text' in c) || tag === 'string' || tag === 'integer');
  const text = (): string => String((children[0]?.['#text'] as string | number | undefined) ?? '');
  switch (tag) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < children.length; i += 2) out[String((children[i]!['key'] as Node[])[0]!['#text'])] = plistValue(children[i + 1]!);
      return out;
    }
    case 'array':
      return children.map(plistValue);
    case 'string':
      return text();
    case 'integer':
      return Number(text());
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`unexpected plist element ${tag}`);
  }
}

function readPlist(xml: string): Record<string, unknown> {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, trimValues: false, processEntities: true }).parse(xml) as Node[];
  const plist = doc.find((n) => 'plist' in n)!;
  return plistValue((plist['plist'] as Node[]).find((n) => 'dict' in n)!) as Record<string, unknown>;
}

/** How the Microsoft C runtime splits a command line (the rules CommandLineToArgvW documents). */
function splitWindows(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === '\\') {
        let n = 0;
        while (line[i] === '\\') (n++, i++);
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (ch === '"') quoted = !quoted;
      else if ((ch === ' ' || ch === '\t') && !quoted) break;
      else arg += ch;
    }
    args.push(arg);
  }
  return args;
}

describe('schedule: launchd', () => {
  it('writes a well-formed plist per job holding the exact argv, the state directory and the times', () => {
    const home = tmpdir();
    const { jobs } = jobsFor(home, { configDir: AWKWARD_DIR, apply: when('6h', '01:15') });
    const installation = launchd.render(jobs, fakeHost(home));
    expect(installation.files.map((f) => path.relative(home, f.path))).toEqual([
      'Library/LaunchAgents/io.github.photosync.apply.plist',
      'Library/LaunchAgents/io.github.photosync.verify.plist',
    ]);
    expect(installation.commands).toEqual(installation.files.map((f) => ['launchctl', 'load', '-w', f.path]));
    const [apply, verify] = installation.files.map((f) => readPlist(f.contents));
    expect(apply).toMatchObject({
      Label: 'io.github.photosync.apply',
      ProgramArguments: jobs[0]!.argv,
      EnvironmentVariables: { PHOTOSYNC_STATE_DIR: path.join(home, 'state dir') },
      ProcessType: 'Background',
      StartCalendarInterval: [
        { Hour: 1, Minute: 15 },
        { Hour: 7, Minute: 15 },
        { Hour: 13, Minute: 15 },
        { Hour: 19, Minute: 15 },
      ],
    });
    expect(verify).toMatchObject({ ProgramArguments: jobs[1]!.argv, StartCalendarInterval: [{ Weekday: 0, Hour: 4, Minute: 30 }] });
    expect((verify!['ProgramArguments'] as string[]).slice(-2)).toEqual(['--sample', '5%']);
  });

  it.each(SCHEDULES)('--every %s --at %s: one calendar entry per run time', (every, at) => {
    const home = tmpdir();
    const w = when(every, at);
    const plist = readPlist(launchd.render(jobsFor(home, { apply: w, verify: '' }).jobs, fakeHost(home)).files[0]!.contents);
    const entries = plist['StartCalendarInterval'] as Record<string, number>[];
    if (w.everyMinutes < 60) expect(entries).toEqual(timesOfDay(w).filter((t) => t.hour === 0).map((t) => ({ Minute: t.minute })));
    else if (w.everyMinutes === 7 * 24 * 60) expect(entries).toEqual([{ Weekday: 0, Hour: Math.floor(w.atMinutes / 60), Minute: w.atMinutes % 60 }]);
    else expect(entries).toEqual(timesOfDay(w).map((t) => ({ Hour: t.hour, Minute: t.minute })));
  });
});

describe('schedule: windows', () => {
  it('writes well-formed UTF-16 task XML whose command line splits back into the exact argv', async () => {
    const home = tmpdir();
    const { jobs } = jobsFor(home, { configDir: 'C:\\Users\\Ann\\My Photos\\it\'s "100%"\\', apply: when('6h', '01:15') });
    const installation = windows.render(jobs, fakeHost(home, { LOCALAPPDATA: path.join(home, 'AppData', 'Local'), USERDOMAIN: 'PC', USERNAME: 'ann' }));
    expect(installation.commands).toEqual([
      ['schtasks', '/Create', '/XML', installation.files[0]!.path, '/TN', 'photosync', '/F'],
      ['schtasks', '/Create', '/XML', installation.files[1]!.path, '/TN', 'photosync-verify', '/F'],
    ]);
    // The job's PHOTOSYNC_STATE_DIR cannot be given to a task: said, not dropped silently.
    expect(installation.warnings.join('\n')).toContain('PHOTOSYNC_STATE_DIR');
    await writeScheduleFiles(installation.files);
    const bytes = readFileSync(installation.files[0]!.path);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const xml = bytes.subarray(2).toString('utf16le');
    expect(XMLValidator.validate(xml)).toBe(true);
    const task = (new XMLParser({ parseTagValue: false, ignoreAttributes: false }).parse(xml) as { Task: Record<string, Node> }).Task;
    const exec = (task['Actions']!['Exec'] as Record<string, string>)!;
    expect([exec['Command'], ...splitWindows(exec['Arguments']!)]).toEqual(jobs[0]!.argv);
    expect(task['Principals']).toMatchObject({ Principal: { UserId: 'PC\\ann', LogonType: 'InteractiveToken' } });
    expect(task['Triggers']).toMatchObject({
      CalendarTrigger: { StartBoundary: '2000-01-02T01:15:00', Repetition: { Interval: 'PT6H', Duration: 'P1D' }, ScheduleByDay: { DaysInterval: '1' } },
    });
    expect(task['Settings']).toMatchObject({ MultipleInstancesPolicy: 'IgnoreNew', StartWhenAvailable: 'true', ExecutionTimeLimit: 'PT0S' });

    const verify = readFileSync(installation.files[1]!.path).subarray(2).toString('utf16le');
    const verifyTask = (new XMLParser({ parseTagValue: false }).parse(verify) as { Task: Record<string, Node> }).Task;
    // 2000-01-02 was a Sunday: the weekly run starts on the right day.
    expect(new Date('2000-01-02T00:00:00Z').getUTCDay()).toBe(0);
    expect(verifyTask['Triggers']).toMatchObject({ CalendarTrigger: { StartBoundary: '2000-01-02T04:30:00', ScheduleByWeek: { WeeksInterval: '1', DaysOfWeek: { Sunday: '' } } } });
    expect(splitWindows((verifyTask['Actions']!['Exec'] as Record<string, string>)['Arguments']!).slice(-2)).toEqual(['--sample', '5%']);
  });

  it.each([['plain'], ['with space'], ['quote"inside'], ['trailing\\'], ['trailing space\\'], ['a\\\\"b'], [''], ['C:\\Program Files\\nodejs\\']])('quotes %j as CommandLineToArgvW reads it', (arg) => {
    expect(splitWindows(`x ${windowsArg(arg)} y`)).toEqual(['x', arg, 'y']);
  });
});
