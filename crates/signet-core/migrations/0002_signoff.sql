-- Sign-off: frozen report revisions and the approvers' signatures over them.

-- A frozen snapshot of a release's report. `payload` is the canonical JSON
-- every signature covers; `digest` is its SHA-256.
CREATE TABLE report_revision (
    id               INTEGER PRIMARY KEY,
    release_id       INTEGER NOT NULL REFERENCES release(id),
    revision         INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    digest           TEXT NOT NULL,
    frozen_at        TEXT NOT NULL,
    frozen_by        TEXT NOT NULL,
    override_reason  TEXT,
    UNIQUE (release_id, revision)
);

-- One approver's minisign signature over one revision. Name and key are
-- copied as they were when signing: later renames or new keys do not
-- change what was signed.
CREATE TABLE signoff (
    id           INTEGER PRIMARY KEY,
    revision_id  INTEGER NOT NULL REFERENCES report_revision(id),
    person_id    INTEGER NOT NULL REFERENCES person(id),
    handle       TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    signature    TEXT NOT NULL,
    UNIQUE (revision_id, person_id)
);

CREATE TRIGGER report_revision_no_update BEFORE UPDATE ON report_revision
BEGIN SELECT RAISE(ABORT, 'report revisions are immutable'); END;
CREATE TRIGGER report_revision_no_delete BEFORE DELETE ON report_revision
BEGIN SELECT RAISE(ABORT, 'report revisions are immutable'); END;
CREATE TRIGGER signoff_no_update BEFORE UPDATE ON signoff
BEGIN SELECT RAISE(ABORT, 'sign-offs are immutable'); END;
CREATE TRIGGER signoff_no_delete BEFORE DELETE ON signoff
BEGIN SELECT RAISE(ABORT, 'sign-offs are immutable'); END;
