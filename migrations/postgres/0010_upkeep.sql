-- Background jobs (the daily familiarity upkeep) run on one server at a
-- time: the one holding the job's lease. Times are Unix seconds.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     uuid NOT NULL,
    expires_at bigint NOT NULL
);

-- The upkeep looks, owner by owner, for contacts computed before today.
CREATE INDEX contacts_owner_familiarity_as_of_idx ON contacts (owner_id, familiarity_as_of);
