/** photosync init's starter config: what it finds, and that it (and every example in it) is valid. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { detectPhotoFolders } from '../../src/init/detect.ts';
import { starterConfig, yamlString } from '../../src/init/starter-config.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

/** Deletes the "# " in front of every commented example line, as the file tells the user to. */
function enableEveryExample(text: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^(\s*)# (\s*[A-Za-z0-9_.]+:(?: .*)?)$/, '$1$2')))
    .join('\n');
}

function machine(tree: Record<string, string>): { home: string; mounts: string } {
  const home = testdir(tree);
  const mounts = tmpdir();
  return { home, mounts };
}

function write(dir: string, text: string): string {
  const file = path.join(dir, 'photosync.yaml');
  writeFileSync(file, text);
  return file;
}

describe('init: starter config', () => {
  it('finds Pictures, a home DCIM, a mounted card and one Takeout archive, and steers around a Photos library', () => {
    const { home, mounts } = machine({
      'Pictures/holiday/IMG_1.JPG': 'x',
      'Pictures/Photos Library.photoslibrary/database/Photos.sqlite': 'x',
      'DCIM/100APPLE/IMG_2.JPG': 'x',
      'Downloads/takeout-20240101T000000Z-001.zip': 'x',
      'Downloads/other.zip': 'x',
    });
    mkdirSync(path.join(mounts, 'ann', 'NIKON D750', 'DCIM'), { recursive: true });
    mkdirSync(path.join(mounts, 'ann', 'Backup'), { recursive: true });
    const detected = detectPhotoFolders({ home, mountRoots: [mounts] });
    expect(detected.sources.map((s) => [s.name, s.type, s.path, s.media])).toEqual([
      ['pictures', 'local', path.join(home, 'Pictures'), 'internal-disk'],
      ['dcim', 'local', path.join(home, 'DCIM'), 'internal-disk'],
      ['card-NIKON-D750', 'local', path.join(mounts, 'ann', 'NIKON D750', 'DCIM'), 'memory-card'],
      ['takeout', 'google-takeout', path.join(home, 'Downloads', 'takeout-20240101T000000Z-001.zip'), 'internal-disk'],
    ]);
    expect(detected.sources[0]!.exclude).toEqual(['*.photoslibrary/**']);
    expect(detected.photosLibraries).toEqual([path.join(home, 'Pictures', 'Photos Library.photoslibrary')]);

    const text = starterConfig({ detected, schemaRef: '/opt/photosync/config.schema.json', home, platform: 'linux', user: 'ann' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=/opt/photosync/config.schema.json');
    const config = loadConfig(write(tmpdir(), text), {});
    expect(config.sources.map((s) => s.name)).toEqual(['pictures', 'dcim', 'card-NIKON-D750', 'takeout']);
    expect(config.remotes.map((r) => r.name)).toEqual(['usb']);
    expect(text).toContain('#   type: icloud-export');
  });

  it('is still valid with every commented example enabled: each kind of source and remote, with keys the schema accepts', () => {
    const { home } = machine({ 'Downloads/takeout-1.zip': 'x', 'Downloads/takeout-2.zip': 'x' });
    const detected = detectPhotoFolders({ home, mountRoots: [] });
    expect(detected.sources).toEqual([]);
    expect(detected.takeoutParts).toHaveLength(2);
    const text = starterConfig({ detected, schemaRef: '../config.schema.json', home, platform: 'linux', user: 'ann' });
    expect(text).toContain('No photo folder was found on this machine');
    expect(text).toContain('2 Google Takeout archives are in ~/Downloads');

    const all = enableEveryExample(text);
    expect(all).not.toBe(text);
    const config = loadConfig(write(tmpdir(), all), {});
    expect(config.sources.map((s) => [s.name, s.type])).toEqual([
      ['pictures', 'local'],
      ['photos', 'icloud-export'],
      ['card', 'local'],
      ['takeout', 'google-takeout'],
    ]);
    expect(config.remotes.map((r) => r.type)).toEqual(['local', 'webdav', 's3', 'gdrive', 'dropbox', 'onedrive']);
    expect(config.verify).toMatchObject({ sample: '5%' });
    expect(config.statePath).toBe(path.join(process.env['HOME'] ?? '', '.local/state/photosync/photosync.db'));
  });

  it.each(['darwin', 'win32'] as const)('suggests the backup disk where %s mounts it, and stays valid', (platform) => {
    const { home } = machine({});
    const text = starterConfig({ detected: detectPhotoFolders({ home, mountRoots: [] }), schemaRef: 'x', home, platform, user: 'ann' });
    expect(text).toContain(platform === 'darwin' ? 'path: /Volumes/Backup/photos' : 'path: "E:/photos"');
    expect(() => loadConfig(write(tmpdir(), enableEveryExample(text)), {})).not.toThrow();
  });

  it.each(['~/Pictures', '/media/ann/NIKON D750/DCIM', 'yes', 'a: b', '#x', '*.photoslibrary/**', 'C:\\Photos', '${HOME}/x', '"quoted"'])('writes %j as a YAML string that reads back the same', (s) => {
    const back = parse(`k: ${yamlString(s)}`) as { k: string };
    expect(back.k.replace('$${', '${')).toBe(s);
  });
});
