/** photosync validate: 0 when the config is valid, 1 (with every problem listed) when not. */
import { ExitCode } from '../../exit-codes.ts';
import { plural } from '../../report/format.ts';
import type { CommandContext } from '../context.ts';

export async function validateCommand(ctx: CommandContext): Promise<ExitCode> {
  const config = ctx.loadConfig();
  if (ctx.out.json) {
    ctx.out.result({
      valid: true,
      file: config.file,
      sources: config.sources.map((s) => s.name),
      remotes: config.remotes.map((r) => r.name),
    });
  } else {
    ctx.out.line(`${config.file}: valid (${plural(config.sources.length, 'source')}, ${plural(config.remotes.length, 'remote')})`);
  }
  return ExitCode.Ok;
}

