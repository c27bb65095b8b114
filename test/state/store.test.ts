import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LockError, StateError } from '../../src/errors.ts';
import { State } from '../../src/state/index.ts';
import { tmpdir } from '../helpers/tmp.ts';

describe('state: store', () => {
  it('creates a WAL database with a lineage and serial 0, and keeps the lineage across opens', () => {
    const file = path.join(tmpdir(), 'deep', 'er', 'photosync.db');
    const state = State.open(file);
    const basis = state.basis();
    expect(basis.serial).toBe(0);
    expect(basis.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.bumpSerial()).toBe(1);
    state.close();
    const again = State.open(file);
    expect(again.basis()).toEqual({ lineage: basis.lineage, serial: 1 });
    again.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses a file that is not a database, or another program’s database, with a way out', () => {
    const dir = tmpdir();
    const garbage = path.join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not sqlite at all, just some bytes '.repeat(100));
    expect(() => State.open(garbage)).toThrow(StateError);
    expect(() => State.open(garbage)).toThrow(/damaged or not a database/);

    const foreign = path.join(dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE customers (id INTEGER)');
    db.close();
    try {
      State.open(foreign);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).message).toContain('not photosync');
      expect((err as StateError).hint).toContain('photosync state rebuild');
    }
  });

  it('refuses a database from a newer photosync', () => {
    const file = path.join(tmpdir(), 'newer.db');
    State.open(file).close();
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => State.open(file)).toThrow(/newer photosync/);
  });

  it('lets one apply hold the lock, and takes over a lock whose process is dead', () => {
    const file = path.join(tmpdir(), 'lock.db');
    const a = State.open(file);
    const b = State.open(file);
    const lock = a.lock();
    expect(lock.tookOverFrom).toBeNull();

    // Another live process holds it: pretend the holder is this test runner's parent, alive.
    const db = new Database(file);
    db.prepare('UPDATE lock SET pid = ? WHERE id = 1').run(process.ppid);
    expect(() => b.lock()).toThrow(LockError);

    // The holder died (a pid that exited): the lock is taken over, and that is reported.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    db.prepare('UPDATE lock SET pid = ? WHERE id = 1').run(dead);
    const taken = b.lock();
    expect(taken.tookOverFrom?.pid).toBe(dead);
    taken.release();

    // A lock from another machine is taken over only once its heartbeat is old.
    db.prepare(`INSERT INTO lock (id, pid, host, acquired_at, heartbeat_at) VALUES (1, 1, 'elsewhere', ?, ?)`).run(Date.now(), Date.now());
    expect(() => b.lock()).toThrow(/pid 1 on elsewhere/);
    db.prepare('UPDATE lock SET heartbeat_at = ? WHERE id = 1').run(Date.now() - 120_000);
    const late = b.lock();
    expect(late.tookOverFrom?.host).toBe('elsewhere');
    late.release();
    db.close();
    a.close();
    b.close();
  });
});
