-- The item table's two UNIQUE constraints become unique indexes of their
-- own (the same columns, the same uniqueness): SQLite cannot drop the index
-- behind a table constraint, and the first import into an empty item table
-- drops these two and builds them once after its bulk insert — a sort of
-- the keys instead of a seek into a growing B-tree for every row, the
-- largest single cost of a 100k-item import (issue 12 §4). The table is
-- rebuilt the way SQLite documents for such changes (foreign keys are off
-- while migrations run; the migration checks them before it commits).
-- The index definitions are repeated in store/templates.rs (ITEM_INDEXES);
-- a test holds them equal.
CREATE TABLE item_rebuilt (
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
    line               INTEGER NOT NULL
);
INSERT INTO item_rebuilt (id, template_id, section_id, parent_id, position, depth, number, key,
                          title, plain, detail, fields, initially_checked, line)
SELECT id, template_id, section_id, parent_id, position, depth, number, key,
       title, plain, detail, fields, initially_checked, line
FROM item;
DROP TABLE item;
ALTER TABLE item_rebuilt RENAME TO item;
CREATE UNIQUE INDEX item_key ON item (template_id, key);
CREATE UNIQUE INDEX item_number ON item (template_id, number);
