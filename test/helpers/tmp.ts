/** Temporary folders and file trees for tests, removed when the test finishes. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir as osTmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

export function tmpdir(prefix = 'photosync-test-'): string {
  const dir = mkdtempSync(path.join(osTmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // Outside a test (in a beforeAll): the caller cleans up.
  }
  return dir;
}

export type Tree = Record<string, string | Buffer>;

/** Writes a tree of files ("a/b/c.jpg": contents) under `root` (a new temp dir by default). */
export function testdir(tree: Tree, root = tmpdir()): string {
  for (const [rel, contents] of Object.entries(tree)) {
    const file = path.join(root, ...rel.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
  return root;
}
