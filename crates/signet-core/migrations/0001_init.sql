-- Signet schema, version 1. See docs/ARCHITECTURE.md for what each table holds.

CREATE TABLE person (
    id          INTEGER PRIMARY KEY,
    handle      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT,
    public_key  TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE template (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    title         TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    raw_markdown  TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}',
    description   TEXT NOT NULL DEFAULT '',
    imported_at   TEXT NOT NULL,
    UNIQUE (slug, version)
);

CREATE TABLE section (
    id           INTEGER PRIMARY KEY,
    template_id  INTEGER NOT NULL REFERENCES template(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES section(id),
    position     INTEGER NOT NULL,
    depth        INTEGER NOT NULL,
    number       TEXT NOT NULL,
    key          TEXT NOT NULL,
    title        TEXT NOT NULL,
    plain        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    line         INTEGER NOT NULL,
    UNIQUE (template_id, key)
);

CREATE TABLE item (
    id                 INTEGER PRIMARY KEY,
    template_id        INTEGER NOT NULL REFERENCES template(id) ON DELETE CASCADE,
    section_id         INTEGER NOT NULL REFERENCES section(id),
    parent_id          INTEGER REFERENCES item(id),
    position           INTEGER NOT NULL,
    depth              INTEGER NOT NULL,
    number             TEXT NOT NULL,
    key                TEXT NOT NULL,
    title              TEXT NOT NULL,
    plain              TEXT NOT NULL,
    detail             TEXT NOT NULL DEFAULT '',
    fields             TEXT NOT NULL DEFAULT '[]',
    initially_checked  INTEGER NOT NULL DEFAULT 0,
    line               INTEGER NOT NULL,
    UNIQUE (template_id, key),
    UNIQUE (template_id, number)
);

CREATE TABLE release (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    due_date    TEXT,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'signed_off', 'reopened')),
    created_at  TEXT NOT NULL
);

CREATE TABLE run (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES release(id),
    template_id  INTEGER NOT NULL REFERENCES template(id),
    position     INTEGER NOT NULL,
    fresh        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (release_id, template_id)
);

CREATE TABLE item_state (
    run_id      INTEGER NOT NULL REFERENCES run(id),
    item_id     INTEGER NOT NULL REFERENCES item(id),
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'not_applicable', 'blocked')),
    owner       TEXT,
    notes       TEXT NOT NULL DEFAULT '',
    reason      TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (run_id, item_id)
) WITHOUT ROWID;

CREATE TABLE evidence (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL,
    item_id   INTEGER NOT NULL,
    target    TEXT NOT NULL,
    label     TEXT,
    added_at  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    FOREIGN KEY (run_id, item_id) REFERENCES item_state(run_id, item_id)
);
CREATE INDEX evidence_state ON evidence(run_id, item_id);

-- Append-only audit log; each row's hash covers the previous row's hash.
CREATE TABLE event (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    release_id  INTEGER,
    run_id      INTEGER,
    item_id     INTEGER,
    subject     TEXT NOT NULL,
    field       TEXT,
    old_value   TEXT,
    new_value   TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX event_item ON event(run_id, item_id);

CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
