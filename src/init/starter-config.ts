/**
 * The commented starter photosync.yaml that `photosync init` writes: the folders found on this
 * machine as sources, one local backup to edit, and every other kind of source and remote as a
 * commented example. An example is enabled by deleting the "# " in front of its lines; the
 * examples use exactly the keys config.schema.json accepts (a test enables them all).
 */
import path from 'node:path';
import type { Detected, FoundSource } from './detect.ts';

export interface StarterOptions {
  readonly detected: Detected;
  /** What the `$schema=` modeline points at. */
  readonly schemaRef: string;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly user: string;
}

export function starterConfig({ detected, schemaRef, home, platform, user }: StarterOptions): string {
  const p = (abs: string): string => yamlString(homeRelative(abs, home));
  const out: string[] = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '#',
    '# photosync config, written by "photosync init". Lines starting with "# " are explanations or',
    '# examples; delete the "# " in front of an example\'s lines to use it. Then check the file with',
    '# "photosync validate" and see what would be copied with "photosync plan".',
    'version: 1',
    '',
    '# Where photosync keeps what it knows (scan cache, what each backup holds, the run journal);',
    '# by default in your user state folder (see the README):',
    '# state: ~/.local/state/photosync/photosync.db',
    '',
    '# Where copies go inside each backup, and the rule reports check (3 copies, 2 kinds of media,',
    '# 1 away from home); these are the defaults:',
    '# layout: "{year}/{month}/{name}"',
    '# policy: { copies: 3, media: 2, offsite: 1 }',
    '',
    '# A scheduled check that the backups still hold what photosync put there, installed with the',
    '# backup job by "photosync schedule install":',
    '# verify: { every: 7d, sample: "5%" }',
    '',
    'sources:',
  ];

  const found = detected.sources.length > 0 ? detected.sources : [placeholderSource(home)];
  for (const s of found) out.push(...sourceLines(s, p, detected.sources.length > 0 ? `Found on this machine: ${s.note}.` : s.note));

  const names = new Set(found.map((s) => s.name));
  const examples: string[][] = [];
  if (detected.photosLibraries.length > 0) {
    examples.push([
      `Apple Photos keeps its library in ${detected.photosLibraries.map((l) => homeRelative(l, home)).join(', ')}, which is not read`,
      'in place. Export the originals (Photos > File > Export > Export Unmodified Originals) into a',
      'folder, and back that folder up:',
      '',
      'photos:',
      '  type: icloud-export',
      `  path: ${p(path.join(home, 'Pictures', 'Photos Export'))}`,
    ]);
  } else if (!names.has('photos')) {
    examples.push(['Photos exported from Apple Photos or downloaded from icloud.com:', '', 'photos:', '  type: icloud-export', `  path: ${p(path.join(home, 'Pictures', 'Photos Export'))}`]);
  }
  if (!found.some((s) => s.media === 'memory-card')) {
    const card = platform === 'darwin' ? '/Volumes/CARD/DCIM' : platform === 'win32' ? 'E:/DCIM' : `/media/${user}/CARD/DCIM`;
    examples.push(['A phone or camera card, while it is plugged in:', '', 'card:', '  type: local', `  path: ${yamlString(card)}`, '  media: memory-card']);
  }
  if (detected.takeoutParts.length > 0) {
    examples.push([
      `${detected.takeoutParts.length} Google Takeout archives are in ${homeRelative(path.dirname(detected.takeoutParts[0]!), home)} (takeout-…): move them`,
      'into a folder of their own, with nothing else in it, and point this source at it:',
      '',
      'takeout:',
      '  type: google-takeout',
      `  path: ${p(path.join(home, 'Takeout'))}`,
    ]);
  } else if (!names.has('takeout')) {
    examples.push(['A Google Photos Takeout export: a folder of takeout-*.zip or .tgz parts, or one archive:', '', 'takeout:', '  type: google-takeout', `  path: ${p(path.join(home, 'Takeout'))}`]);
  }
  for (const example of examples) out.push(...commented(example, '  '));

  const disk = platform === 'darwin' ? '/Volumes/Backup/photos' : platform === 'win32' ? 'E:/photos' : `/media/${user}/Backup/photos`;
  out.push(
    '',
    'remotes:',
    '  # A folder on an external disk: change the path to one on your backup disk.',
    '  usb:',
    '    type: local',
    `    path: ${yamlString(disk)}`,
    '    media: external-disk',
    ...REMOTE_EXAMPLES.flatMap((e) => commented(e, '  ')),
    '',
  );
  return out.join('\n');
}

/** Every other kind of remote, with the keys the schema accepts (secrets never go here). */
const REMOTE_EXAMPLES: readonly (readonly string[])[] = [
  [
    'A NAS or Nextcloud over WebDAV. The password goes in the OS keychain ("photosync auth set nas")',
    'or in the environment variable named by password_env, never in this file.',
    '',
    'nas:',
    '  type: webdav',
    '  url: https://nas.local:5006/photos',
    '  username: ann',
    '  password_env: NAS_PASSWORD',
    '  verify: readback',
  ],
  [
    'Amazon S3 or an S3-compatible store (Backblaze B2, Wasabi, MinIO: also set endpoint). Credentials',
    'come from the AWS chain (environment, ~/.aws, profile), never from this file.',
    '',
    's3:',
    '  type: s3',
    '  bucket: family-photos-backup',
    '  prefix: photos/',
    '  region: eu-central-1',
    '  storageClass: STANDARD_IA',
  ],
  [
    'Google Drive, with your own OAuth client (Desktop app); sign in with "photosync auth login gdrive".',
    '',
    'gdrive:',
    '  type: gdrive',
    '  folder: Backups/Photos',
    '  client_id: 1234567890-example.apps.googleusercontent.com',
  ],
  ['Dropbox, with your app key; sign in with "photosync auth login dropbox".', '', 'dropbox:', '  type: dropbox', '  path: /Photos', '  client_id: your-app-key'],
  [
    'OneDrive, with your app (client) id; sign in with "photosync auth login onedrive".',
    '',
    'onedrive:',
    '  type: onedrive',
    '  path: /Photos',
    '  client_id: 00000000-0000-0000-0000-000000000000',
    '  drive_type: personal',
  ],
];

function sourceLines(s: FoundSource, p: (abs: string) => string, comment: string): string[] {
  return [
    `  # ${comment}`,
    `  ${s.name}:`,
    `    type: ${s.type}`,
    `    path: ${p(s.path)}`,
    ...(s.media === 'internal-disk' ? [] : [`    media: ${s.media}`]),
    ...(s.exclude.length > 0 ? [`    exclude: [${s.exclude.map(yamlString).join(', ')}]`] : []),
  ];
}

function placeholderSource(home: string): FoundSource {
  return { name: 'pictures', type: 'local', path: path.join(home, 'Pictures'), media: 'internal-disk', exclude: [], note: 'No photo folder was found on this machine: change this path to the folder of your photos.' };
}

/** Lines as a commented block at `indent`: "# " goes after the indentation, so deleting it restores the YAML. */
function commented(lines: readonly string[], indent: string): string[] {
  return ['', ...lines.map((l) => (l === '' ? `${indent}#` : `${indent}# ${l}`))];
}

function homeRelative(abs: string, home: string): string {
  const rel = path.relative(home, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return abs;
  return `~/${rel.split(path.sep).join('/')}`;
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted. */
export function yamlString(text: string): string {
  const literal = text.replace(/\$\{/g, '$${');
  if (/^[A-Za-z0-9_~/.][A-Za-z0-9_~/.@+=-]*$/.test(literal) && !/^(true|false|null|yes|no|on|off|~)$/i.test(literal)) return literal;
  return JSON.stringify(literal);
}
