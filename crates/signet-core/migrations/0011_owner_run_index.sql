-- "My items" counts an owner's unfinished items per run, then reads the
-- first runs' items in home order. With the owner index in (owner,
-- status) order, the count sorted every item the owner holds (8,000 in
-- the bench) by run; in (owner, run, status) order each spelling's items
-- come out grouped by run already, the index still answers the count
-- alone, and a run's items are one seek. Measured in benches/home.rs.
DROP INDEX item_state_unfinished_owner;
CREATE INDEX item_state_unfinished_owner_run ON item_state (owner, run_id, status)
    WHERE status IN ('open', 'blocked');
