/**
 * The machine's raw read + SHA-256 throughput with all cores, the yardstick for photosync's first
 * scan: one worker thread per core, files dealt out round-robin, each read with 1 MiB synchronous
 * reads and hashed with node's SHA-256 (OpenSSL). Timed inside, from the first read to the last
 * digest, with every worker already loaded, so start-up is not counted against the yardstick.
 *
 *   node --import tsx bench/raw-hash.ts FOLDER   → {"files":…,"bytes":…,"seconds":…,"threads":…}
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The workers' code, plain JavaScript run with `eval`: a worker started from this TypeScript file
 * would need the tsx loader, which node 20 does not pass on to worker threads.
 */
const WORKER = `
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
parentPort.once('message', () => {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let bytes = 0;
  for (const file of workerData) {
    const hash = createHash('sha256');
    const fd = openSync(file, 'r');
    try {
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
        hash.update(buffer.subarray(0, n));
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
    hash.digest();
  }
  parentPort.postMessage(bytes);
});
// Loaded and ready: the clock starts when every worker is, and says go.
parentPort.postMessage('ready');
`;

const root = process.argv[2];
if (!root) throw new Error('usage: raw-hash.ts FOLDER');
const files = readdirSync(root, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath, e.name));
const threads = availableParallelism();
const shares = Array.from({ length: threads }, (_, t) => files.filter((_, i) => i % threads === t));
const workers = await Promise.all(
  shares.map(
    (share) =>
      new Promise<Worker>((resolve, reject) => {
        const worker = new Worker(WORKER, { eval: true, workerData: share });
        worker.once('message', () => resolve(worker));
        worker.once('error', reject);
      }),
  ),
);
const started = process.hrtime.bigint();
const bytes = await Promise.all(
  workers.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        worker.once('message', (n: number) => {
          void worker.terminate();
          resolve(n);
        });
        worker.once('error', reject);
        worker.postMessage('go');
      }),
  ),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ files: files.length, bytes: bytes.reduce((a, b) => a + b, 0), seconds, threads }));
