-- What the source file says about an item beyond "done": a table's Status
-- cell can start it blocked or n/a (the cell is the reason), an Owner cell
-- gives it an owner and an Evidence cell links. A new run starts the item
-- so, attributed to the file, with an audit event per value (as for a
-- ticked box). `initially_checked` stays: it is `initial_status = 'done'`.
ALTER TABLE item ADD COLUMN initial_status TEXT NOT NULL DEFAULT 'open'
    CHECK (initial_status IN ('open', 'done', 'not_applicable', 'blocked'));
ALTER TABLE item ADD COLUMN initial_reason TEXT;
ALTER TABLE item ADD COLUMN initial_owner TEXT;
-- JSON array of link targets.
ALTER TABLE item ADD COLUMN initial_evidence TEXT NOT NULL DEFAULT '[]';
UPDATE item SET initial_status = 'done' WHERE initially_checked;

-- Roles a checklist's sign-off block names (JSON array). `template.metadata`
-- now holds a JSON array of {name, value} in document order; older rows keep
-- a JSON object, read the same way.
ALTER TABLE template ADD COLUMN approver_roles TEXT NOT NULL DEFAULT '[]';
