#!/usr/bin/env node
/** The `photosync` executable: runs main() on the real process and sets the exit code. */
import { main } from './main.ts';

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // main() renders every error itself; reaching this is a bug in that rendering.
    process.stderr.write(`photosync: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
