-- A person's calendar feed: the SHA-256 of the secret in its address (the
-- secret itself is shown once and never stored). At most one per person:
-- creating it again rotates the secret, and the old address stops working.
CREATE TABLE calendar_feeds (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_secret_key ON calendar_feeds (secret_hash);
