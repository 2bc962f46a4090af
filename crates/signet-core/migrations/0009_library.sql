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
