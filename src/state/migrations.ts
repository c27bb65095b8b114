/**
 * The state schema, as an append-only list of migrations. `PRAGMA user_version` records how many
 * have run; a database from a newer photosync (more migrations than this list) is refused.
 * Never edit a shipped migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the core pipeline */ `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  -- What each source file looked like when it was last hashed. A file whose size, mtime and
  -- inode are unchanged is not read again.
  CREATE TABLE scan_cache (
    origin          TEXT PRIMARY KEY,
    size            INTEGER NOT NULL,
    mtime_ms        REAL NOT NULL,
    ino             REAL NOT NULL, -- may exceed 2^53 on some file systems; compared, never computed with
    sha256          TEXT NOT NULL,
    capture_local   TEXT,
    capture_offset  TEXT,
    capture_source  TEXT,
    magic           TEXT,
    -- What a source type learned from the file (a Takeout sidecar's title and dates), as JSON.
    meta            TEXT,
    scanned_at      INTEGER NOT NULL
  ) STRICT;

  -- One row per remote, keyed by what it is (type + place), not by its name in the config,
  -- so renaming a remote keeps its inventory and two configs naming one place share it.
  CREATE TABLE remotes (
    id          INTEGER PRIMARY KEY,
    identity    TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    listed_at   INTEGER,
    list_cursor TEXT
  ) STRICT;

  -- What each remote holds. path_key (NFC, lower case) finds name clashes on remotes that fold
  -- case or Unicode form.
  CREATE TABLE inventory (
    remote_id   INTEGER NOT NULL REFERENCES remotes(id),
    path        TEXT NOT NULL,
    path_key    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT,
    hashes      TEXT,
    origin      TEXT NOT NULL CHECK (origin IN ('uploaded', 'found', 'listed')),
    run_id      INTEGER,
    written_at  INTEGER NOT NULL,
    PRIMARY KEY (remote_id, path)
  ) STRICT;
  CREATE INDEX inventory_by_key ON inventory (remote_id, path_key);
  CREATE INDEX inventory_by_sha ON inventory (sha256);

  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    status       TEXT NOT NULL,
    serial       INTEGER NOT NULL,
    plan_sha256  TEXT,
    config_hash  TEXT,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    summary      TEXT
  ) STRICT;

  -- One row per finished plan action, written in the same transaction as the inventory row it
  -- produced: an interrupted apply loses nothing it finished.
  CREATE TABLE journal (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    action_id  INTEGER NOT NULL,
    remote_id  INTEGER NOT NULL REFERENCES remotes(id),
    path       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('uploaded', 'found', 'failed')),
    error      TEXT,
    at         INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX journal_by_run ON journal (run_id);

  CREATE TABLE lock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL,
    run_id       INTEGER,
    acquired_at  INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  ) STRICT;
  `,
  /* 2: resumable uploads */ `
  -- The session of an unfinished large upload (a Drive session URI, an S3 multipart id and its
  -- parts, a Dropbox session and offset…), saved by the remote as it goes, so an upload cut off
  -- by a crash continues where it stopped instead of starting over.
  CREATE TABLE upload_sessions (
    remote_id   INTEGER NOT NULL REFERENCES remotes(id),
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    session     TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (remote_id, path, sha256)
  ) STRICT;
  `,
  /* 3: restore by date, and verify in rotation */ `
  -- The capture date (local wall clock) of what an upload stored, so restore can pick by date
  -- even for photos long gone from every source.
  ALTER TABLE inventory ADD COLUMN captured TEXT;
  -- When verify last read the file back and found its bytes right; verify picks the oldest first.
  ALTER TABLE inventory ADD COLUMN verified_at INTEGER;
  `,
  /* 4: planning reads a remote's inventory in one pass */ `
  -- Every plan reads each remote's whole inventory (path and SHA-256) and its files of unknown
  -- content. Through the other indexes that is a table lookup per row, in upload order, or a
  -- scan of every row for the few without a SHA-256: on 100,000 files about 0.4 s of each run
  -- with anything new. This index answers both from itself, in order.
  CREATE INDEX inventory_contents ON inventory (remote_id, sha256, path);
  `,
  /* 5: plans look only at folders that changed */ `
  -- Folders of a source whose every file a plan found backed up on every remote that wants it,
  -- with the listing (names, sizes, mtimes, inodes) they had then. While a folder lists the same
  -- and the config and photosync are the same, the next plan leaves it out: a run with a few new photos does
  -- work for the new photos, not for the whole library.
  CREATE TABLE settled_folders (
    source       TEXT NOT NULL,
    folder       TEXT NOT NULL, -- "/"-separated path inside the source; '' is its top
    listing      TEXT NOT NULL, -- SHA-256 of the folder's listing
    -- The config hash and photosync version it was settled under: a new version may judge
    -- "backed up" otherwise (new companion rules, a fixed bug), so it looks at everything again.
    basis        TEXT NOT NULL,
    notes        TEXT,          -- the plan notes of its files, as JSON, so a plan still shows them
    PRIMARY KEY (source, folder)
  ) STRICT;

  -- "Backed up everywhere" stays true while inventories only grow. Whatever takes a file out of
  -- one (a refresh or verify finding it gone, verify finding other bytes) forgets every
  -- settled folder, whichever code path did it, and counts the loss: a plan that read the
  -- inventories before a loss (a verify running beside it) must not settle folders after it.
  CREATE TABLE inventory_losses (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    count  INTEGER NOT NULL
  ) STRICT;
  INSERT INTO inventory_losses (id, count) VALUES (1, 0);
  CREATE TRIGGER settled_folders_lost_file AFTER DELETE ON inventory
  BEGIN
    DELETE FROM settled_folders;
    UPDATE inventory_losses SET count = count + 1;
  END;
  CREATE TRIGGER settled_folders_changed_file AFTER UPDATE OF sha256, path, remote_id ON inventory
    WHEN old.sha256 IS NOT NULL AND (new.sha256 IS NOT old.sha256 OR new.path IS NOT old.path OR new.remote_id IS NOT old.remote_id)
  BEGIN
    DELETE FROM settled_folders;
    UPDATE inventory_losses SET count = count + 1;
  END;

  -- Every query of the inventory names its remote; inventory_contents (remote_id, sha256, path)
  -- answers the ones by content. The index on sha256 alone only cost a B-tree insert per upload.
  DROP INDEX inventory_by_sha;
  `,
];
