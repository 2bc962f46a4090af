-- Every signing key a person has ever had, from when it is valid, and
-- whether it was revoked (compromised) from some date. `person.public_key`
-- stays the key they sign with now; this table keeps the older ones so
-- reports signed before a rotation keep verifying, and records
-- revocations so signatures made after a compromise do not.
CREATE TABLE person_key (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    -- minisign public key, base64 (as in person.public_key).
    public_key      TEXT NOT NULL,
    -- When it was first registered for this person (its person.key event).
    valid_from      TEXT NOT NULL,
    -- Signatures dated after this are invalid; NULL: not revoked.
    revoked_from    TEXT,
    revoked_reason  TEXT,
    -- When and by whom the revocation was recorded (its key.revoke event).
    revoked_at      TEXT,
    revoked_by      TEXT,
    UNIQUE (person_id, public_key),
    CHECK ((revoked_from IS NULL) = (revoked_reason IS NULL)),
    CHECK ((revoked_from IS NULL) = (revoked_at IS NULL)),
    CHECK ((revoked_from IS NULL) = (revoked_by IS NULL))
);

-- A key is never forgotten and a revocation never undone or moved: the
-- only change a row may see is being revoked once.
CREATE TRIGGER person_key_no_delete BEFORE DELETE ON person_key
BEGIN SELECT RAISE(ABORT, 'signing keys are never forgotten'); END;
CREATE TRIGGER person_key_revoke_only BEFORE UPDATE ON person_key
WHEN OLD.revoked_from IS NOT NULL
  OR NEW.person_id IS NOT OLD.person_id
  OR NEW.public_key IS NOT OLD.public_key
  OR NEW.valid_from IS NOT OLD.valid_from
BEGIN SELECT RAISE(ABORT, 'a signing key can only be revoked, once'); END;

-- Keys registered before this table existed, from the audit trail: valid
-- from their first registration (SQLite takes the bare `at` from the row
-- with the smallest id), as the replay of that trail says, and inserted in
-- the order they were registered (row ids are that order).
INSERT INTO person_key (person_id, public_key, valid_from)
SELECT person_id, public_key, at FROM (
    SELECT p.id AS person_id, e.new_value AS public_key, e.at AS at, MIN(e.id) AS first
    FROM event e JOIN person p ON p.handle = e.subject
    WHERE e.action = 'person.key' AND e.new_value IS NOT NULL
    GROUP BY p.id, e.new_value
) ORDER BY first;
