-- What a source file says about an item beyond "done" (which
-- `item.initially_checked` records): a table's Status cell can start it
-- blocked or n/a (the cell is the reason), an Owner cell gives it an owner,
-- an Evidence cell links. A new run starts the item so, attributed to the
-- file, with an audit event per value, as for a ticked box.
-- A table of its own, with rows only for such items: storing a plain list
-- costs what it did, and one CREATE costs a new database less than four
-- ALTERs (each reloads the schema).
-- The CHECK is spelled with OR, not IN: SQLite codes a constant IN list in
-- a CHECK as an ephemeral index built for every inserted row.
CREATE TABLE source_state (
    item_id   INTEGER PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
    status    TEXT CHECK (status IS NULL OR status = 'blocked' OR status = 'not_applicable'),
    reason    TEXT,
    owner     TEXT,
    evidence  TEXT          -- JSON array of link targets
);

-- Roles a checklist's sign-off block names (JSON array). `template.metadata`
-- now holds a JSON array of {name, value} in document order; older rows keep
-- a JSON object, read the same way.
ALTER TABLE template ADD COLUMN approver_roles TEXT NOT NULL DEFAULT '[]';
