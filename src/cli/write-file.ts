/**
 * Files the CLI writes for the user (a saved plan, a report): written whole or not at all. The
 * text goes to a temporary name beside the target, is flushed to disk, then renamed over it, so a
 * reader (or `photosync apply`) never sees half a file, even after a crash.
 */
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputError, errorMessage } from '../errors.ts';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new InputError(`cannot write ${file}: ${errorMessage(err)}`, { hint: 'check that the folder exists and is writable', cause: err });
  }
}
