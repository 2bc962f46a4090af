-- Run upgrades that paired an item with a new one of another stable key
-- (moved or reworded: crates/signet-core/src/matching.rs). The new item
-- continues the old one: its history, and on a synced database the fold of
-- its operations, take in what was recorded under the keys it continues.
-- Named as operations name items: release by name, template by slug.
CREATE TABLE item_alias (
    release   TEXT NOT NULL,
    template  TEXT NOT NULL,
    new_key   TEXT NOT NULL,
    old_key   TEXT NOT NULL,
    PRIMARY KEY (release, template, new_key, old_key)
) WITHOUT ROWID;
CREATE INDEX item_alias_old ON item_alias (release, template, old_key);

-- A pairing is a fact of the upgrade that made it (and of its audit event).
CREATE TRIGGER item_alias_no_delete BEFORE DELETE ON item_alias
BEGIN SELECT RAISE(ABORT, 'item aliases are append-only'); END;
CREATE TRIGGER item_alias_no_update BEFORE UPDATE ON item_alias
BEGIN SELECT RAISE(ABORT, 'item aliases are append-only'); END;
