-- Choices made on this database by the person using it, one row per name.
-- Today one: 'acting_person', the handle of the person the desktop app acts
-- as (set by its first-run "Who are you?" card). Kept in the database, not
-- in a config file, because the handle names a person of this database: a
-- config dir shared by several databases would point at people who are not
-- there. Not audited: it decides which handle later events name, and is no
-- change to a release, a checklist or a person. The CLI ignores it (its
-- --actor, SIGNET_ACTOR and $USER stay what scripts rely on).
CREATE TABLE setting (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL,
    set_at  TEXT NOT NULL
) WITHOUT ROWID;
