/** photosync init on the built CLI, in a fresh HOME: writes a config that validates, and never overwrites one unasked. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { testdir } from '../helpers/tmp.ts';

const SCHEMA = fileURLToPath(new URL('../../config.schema.json', import.meta.url));

describe('init', { tags: ['slow'] }, () => {
  it('writes a starter config with the DCIM folder it finds, which validates; --force is needed to replace it', async () => {
    const home = testdir({ 'DCIM/100APPLE/IMG_0001.JPG': 'x', 'work/.keep': '' });
    const cwd = path.join(home, 'work');
    const first = await runCli(['init'], { cwd, env: { HOME: home } });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${path.join(cwd, 'photosync.yaml')}`);
    expect(first.stdout).toContain(`source dcim: ${path.join(home, 'DCIM')}`);
    const text = readFileSync(path.join(cwd, 'photosync.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
    expect(text).toMatch(/^ {2}dcim:\n {4}type: local\n {4}path: ~\/DCIM$/m);

    const valid = await runCli(['validate', '--json'], { cwd, env: { HOME: home } });
    expect(valid.code).toBe(0);
    // A card mounted on the machine running the tests would be found too.
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, sources: expect.arrayContaining(['dcim']), remotes: ['usb'] });

    writeFileSync(path.join(cwd, 'photosync.yaml'), '# mine\n');
    const again = await runCli(['init'], { cwd, env: { HOME: home } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; photosync init does not replace it');
    expect(again.stderr).toContain('hint: pass --force');
    expect(readFileSync(path.join(cwd, 'photosync.yaml'), 'utf8')).toBe('# mine\n');

    const forced = await runCli(['init', '--force', '--json'], { cwd, env: { HOME: home } });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ file: path.join(cwd, 'photosync.yaml'), sources: expect.arrayContaining([{ name: 'dcim', type: 'local', path: path.join(home, 'DCIM') }]) });
    expect(readFileSync(path.join(cwd, 'photosync.yaml'), 'utf8')).toBe(text);
  });

  it('writes where --config says, creating its folder', async () => {
    const home = testdir({ 'Pictures/a.jpg': 'x' });
    const run = await runCli(['init', '--config', 'conf/photos.yaml'], { cwd: home, env: { HOME: home } });
    expect(run.code).toBe(0);
    expect((await runCli(['validate', '--config', 'conf/photos.yaml'], { cwd: home, env: { HOME: home } })).stdout).toMatch(/: valid \(\d+ sources?, 1 remote\)/);
  });
});
