-- Marks the file as Signet's ('SGNT'), so a --db that points at another
-- application's SQLite database is refused before anything is written, and
-- gives each database an identity that tail anchors (docs/RELIABILITY.md)
-- are kept under.
PRAGMA application_id = 1397182036;

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
