-- Team sync (docs/SYNC.md): the signed operations every replica exchanges,
-- and the devices that sign them.

-- A device publishes operations under its own git ref. `is_self` marks this
-- database's own device (at most one). `owner` is the person it acts for;
-- its `public_key` (minisign) signs every batch it publishes. `claim` is the
-- device.json it publishes: all of that, signed by the owner's key.
CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    owner_key   TEXT NOT NULL,
    claim       TEXT NOT NULL,
    is_self     INTEGER NOT NULL DEFAULT 0,
    joined_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX device_one_self ON device (is_self) WHERE is_self = 1;

-- Every operation this replica holds, its own and those that came in.
-- `body` is the operation's canonical JSON (its id is the SHA-256 of it).
-- `release`, `template`, `item_key` name what it changes, for the fold of
-- one item; `seen` is the JSON map device → last seq the author had.
-- `batch` is the first seq of the published batch that holds it (NULL: not
-- published yet; only this device's own operations start unpublished).
CREATE TABLE op (
    id        TEXT PRIMARY KEY,
    device    TEXT NOT NULL REFERENCES device(id),
    seq       INTEGER NOT NULL,
    lamport   INTEGER NOT NULL,
    author    TEXT NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    release   TEXT,
    template  TEXT,
    item_key  TEXT,
    seen      TEXT NOT NULL,
    body      TEXT NOT NULL,
    batch     INTEGER,
    UNIQUE (device, seq)
) WITHOUT ROWID;
CREATE INDEX op_item ON op (release, template, item_key);
CREATE INDEX op_order ON op (lamport, device, seq);

-- Operations are facts: only the batch they were published in is set, once.
CREATE TRIGGER op_no_delete BEFORE DELETE ON op
BEGIN SELECT RAISE(ABORT, 'operations are append-only'); END;
CREATE TRIGGER op_publish_only BEFORE UPDATE ON op
WHEN OLD.batch IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.body IS NOT OLD.body
     OR NEW.device IS NOT OLD.device OR NEW.seq IS NOT OLD.seq
BEGIN SELECT RAISE(ABORT, 'operations are append-only'); END;

-- Each device's published batches as this replica accepted them: a remote
-- that later shows different bytes for one of them rewrote history.
CREATE TABLE batch (
    device     TEXT NOT NULL REFERENCES device(id),
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    blob       TEXT NOT NULL,
    PRIMARY KEY (device, first_seq)
) WITHOUT ROWID;

-- Two concurrent edits of one item field: the loser is kept here until an
-- edit that saw both settles it. Rebuilt with the item's fold.
CREATE TABLE conflict (
    release   TEXT NOT NULL,
    template  TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    field     TEXT NOT NULL,
    kept      TEXT NOT NULL,
    lost      TEXT NOT NULL,
    PRIMARY KEY (release, template, item_key, field)
) WITHOUT ROWID;
