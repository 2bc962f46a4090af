-- Templates put away from the library (Store::archive_template). One row per
-- template (its slug: every version), removed again by unarchiving. A view
-- preference of this database, like `setting`: not audited and not synced
-- (docs/ARCHITECTURE.md, "Archived templates"). An archived template is
-- hidden from the library list and starts no new release here; releases
-- already running from it, and runs another replica adds, are untouched.
CREATE TABLE template_archive (
    slug         TEXT PRIMARY KEY,
    archived_at  TEXT NOT NULL,
    archived_by  TEXT NOT NULL
) WITHOUT ROWID;

-- The home screen and "my items" ask for unfinished items across every
-- release: by owner (each spelling of a person found by a loose index scan
-- over the owners, then looked up) and the blocked ones. Partial indexes
-- keep them small: done and n/a items, most of a mature library, are not in
-- them. Measured in crates/signet-core/benches/home.rs.
CREATE INDEX item_state_unfinished_owner ON item_state (owner, status)
    WHERE status IN ('open', 'blocked');
CREATE INDEX item_state_blocked ON item_state (run_id)
    WHERE status = 'blocked';

-- Each run's items by status, kept by triggers on item_state, so that the
-- list of releases (and the home screen, on every visit) reads one row per
-- run instead of counting every item: 370 ms → a few on 1000 releases of
-- 500 items. A cache of item_state, never written by anything else.
CREATE TABLE run_progress (
    run_id          INTEGER PRIMARY KEY,
    open            INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    not_applicable  INTEGER NOT NULL DEFAULT 0,
    blocked         INTEGER NOT NULL DEFAULT 0
);

INSERT INTO run_progress (run_id, open, done, not_applicable, blocked)
SELECT run_id, SUM(status = 'open'), SUM(status = 'done'), SUM(status = 'not_applicable'), SUM(status = 'blocked')
FROM item_state GROUP BY run_id;

CREATE TRIGGER item_state_progress_insert AFTER INSERT ON item_state
BEGIN
    INSERT OR IGNORE INTO run_progress (run_id) VALUES (NEW.run_id);
    UPDATE run_progress SET
        open = open + (NEW.status = 'open'),
        done = done + (NEW.status = 'done'),
        not_applicable = not_applicable + (NEW.status = 'not_applicable'),
        blocked = blocked + (NEW.status = 'blocked')
    WHERE run_id = NEW.run_id;
END;

CREATE TRIGGER item_state_progress_delete AFTER DELETE ON item_state
BEGIN
    UPDATE run_progress SET
        open = open - (OLD.status = 'open'),
        done = done - (OLD.status = 'done'),
        not_applicable = not_applicable - (OLD.status = 'not_applicable'),
        blocked = blocked - (OLD.status = 'blocked')
    WHERE run_id = OLD.run_id;
END;

CREATE TRIGGER item_state_progress_update AFTER UPDATE OF status, run_id ON item_state
WHEN OLD.status IS NOT NEW.status OR OLD.run_id IS NOT NEW.run_id
BEGIN
    UPDATE run_progress SET
        open = open - (OLD.status = 'open'),
        done = done - (OLD.status = 'done'),
        not_applicable = not_applicable - (OLD.status = 'not_applicable'),
        blocked = blocked - (OLD.status = 'blocked')
    WHERE run_id = OLD.run_id;
    INSERT OR IGNORE INTO run_progress (run_id) VALUES (NEW.run_id);
    UPDATE run_progress SET
        open = open + (NEW.status = 'open'),
        done = done + (NEW.status = 'done'),
        not_applicable = not_applicable + (NEW.status = 'not_applicable'),
        blocked = blocked + (NEW.status = 'blocked')
    WHERE run_id = NEW.run_id;
END;
