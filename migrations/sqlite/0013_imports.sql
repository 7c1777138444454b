-- Imports: a file brought in is previewed first (nothing written to the
-- network), then committed in one transaction, and can be undone. The
-- preview's plan, its per-row report and what an undo needs are kept as
-- JSON documents written and read by the server only.
CREATE TABLE imports (
    id           BLOB PRIMARY KEY NOT NULL,
    owner_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('previewed', 'committed', 'undone')),
    format       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    plan         TEXT NOT NULL,
    row_report   TEXT NOT NULL,
    undo         TEXT,
    created_at   TEXT NOT NULL,
    committed_at TEXT,
    undone_at    TEXT
);
CREATE INDEX imports_owner_idx ON imports (owner_id, created_at, id);

-- An interaction brought in by an import carries the key of what it came
-- from (a LinkedIn conversation's day, a Rapport export's interaction), so
-- that importing the same or a newer file again adds only what is new.
ALTER TABLE interactions ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX interactions_import_key_idx ON interactions (owner_id, import_key)
    WHERE import_key IS NOT NULL;
