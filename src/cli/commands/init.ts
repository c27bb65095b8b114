/**
 * photosync init [--force]: writes a commented starter config (--config FILE, else
 * $PHOTOSYNC_CONFIG, else ./photosync.yaml, as every command reads it) with the photo folders found on this machine, and never replaces an existing
 * file unless told to.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SCHEMA_URL } from '../../config/schema.ts';
import { errorMessage, InputError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { detectPhotoFolders } from '../../init/detect.ts';
import { starterConfig } from '../../init/starter-config.ts';
import type { CommandContext } from '../context.ts';
import { writeFileAtomic } from '../write-file.ts';

export async function initCommand(ctx: CommandContext, options: { readonly force?: boolean | undefined }): Promise<ExitCode> {
  const file = ctx.configFile;
  if (existsSync(file) && !options.force) {
    throw new InputError(`${file} already exists; photosync init does not replace it`, {
      hint: 'pass --force to replace it, or --config OTHER.yaml to write another file',
    });
  }
  const home = homedir();
  const detected = detectPhotoFolders({ home });
  const text = starterConfig({ detected, schemaRef: schemaRef(), home, platform: process.platform, user: userName(ctx.io.env, home) });
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create the folder of ${file}: ${errorMessage(err)}`, { hint: 'write the config somewhere else with --config FILE', cause: err });
  }
  await writeFileAtomic(file, text);
  ctx.log.info('init.written', { file, sources: detected.sources.map((s) => s.path) });

  if (ctx.out.json) {
    ctx.out.result({ file, sources: detected.sources.map((s) => ({ name: s.name, type: s.type, path: s.path })), photosLibraries: detected.photosLibraries });
    return ExitCode.Ok;
  }
  ctx.out.line(`wrote ${file}`);
  if (detected.sources.length === 0) ctx.out.line('  no photo folders found: edit the source path in it');
  for (const s of detected.sources) ctx.out.line(`  source ${s.name}: ${s.path} (${s.note})`);
  for (const lib of detected.photosLibraries) ctx.out.line(`  ${lib} is an Apple Photos library: the file explains how to back up an export of it`);
  ctx.out.line('Next: set the backup disk\'s path under "remotes", then run "photosync validate" and "photosync plan".');
  return ExitCode.Ok;
}

/** The schema photosync validates with, as editors find it: a path, or a file URL when it has spaces. */
function schemaRef(): string {
  const file = fileURLToPath(SCHEMA_URL);
  return /\s/.test(file) || process.platform === 'win32' ? pathToFileURL(file).href : file;
}

function userName(env: NodeJS.ProcessEnv, home: string): string {
  try {
    return env['USER'] ?? env['USERNAME'] ?? userInfo().username;
  } catch {
    return path.basename(home);
  }
}
