-- Sharing with a team, chosen by the owner of each relationship, and the
-- team index: what teammates may find, kept by the same transaction that
-- changes a contact or its sharing. Keys and whole words are stored as
-- keyed hashes (HMAC with the instance secret below); names, companies and
-- titles, and their word prefixes, only for contacts shared at `profile`.

-- My default, rules by tag and blocklist for one team.
CREATE TABLE team_sharing (
    team_id         BLOB NOT NULL,
    user_id         BLOB NOT NULL,
    default_level   TEXT NOT NULL CHECK (default_level IN ('hidden', 'signal', 'profile')),
    -- JSON: [{"tag": "…", "level": "…"}], ["…"], ["…"].
    rules           TEXT NOT NULL,
    blocked_people  TEXT NOT NULL,
    blocked_domains TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (team_id, user_id) REFERENCES team_members (team_id, user_id) ON DELETE CASCADE
);

-- My choice for one contact, overriding my rules and default.
CREATE TABLE team_contact_shares (
    team_id    BLOB NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('hidden', 'signal', 'profile')),
    PRIMARY KEY (team_id, contact_id),
    FOREIGN KEY (team_id, user_id) REFERENCES team_members (team_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_contact_shares_contact_idx ON team_contact_shares (contact_id);
CREATE INDEX team_contact_shares_member_idx ON team_contact_shares (team_id, user_id);

-- One row per contact a team may find (level signal or profile).
CREATE TABLE team_index (
    team_id    BLOB NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    owner_id   BLOB NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('signal', 'profile')),
    -- An opaque, unguessable name for the row, to ask for an introduction.
    handle     TEXT NOT NULL,
    name       TEXT,
    company    TEXT,
    title      TEXT,
    PRIMARY KEY (team_id, contact_id),
    FOREIGN KEY (team_id, owner_id) REFERENCES team_members (team_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_index_owner_idx ON team_index (owner_id, contact_id);
CREATE INDEX team_index_member_idx ON team_index (team_id, owner_id);
CREATE UNIQUE INDEX team_index_handle_key ON team_index (team_id, handle);

-- Keyed hashes of a row's matching keys (email, profile URL: `key`), of
-- each whole word of its name and company (`word`) and of name and company
-- together (`person`, to tell the same person known by several teammates).
CREATE TABLE team_index_terms (
    team_id    BLOB NOT NULL,
    term       BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('key', 'word', 'person')),
    PRIMARY KEY (team_id, term, contact_id),
    FOREIGN KEY (team_id, contact_id) REFERENCES team_index (team_id, contact_id) ON DELETE CASCADE
);
CREATE INDEX team_index_terms_row_idx ON team_index_terms (team_id, contact_id);

-- Word prefixes of profile rows: `n:` name words, `c:` company words,
-- accents and case folded.
CREATE TABLE team_index_words (
    team_id    BLOB NOT NULL,
    word       TEXT NOT NULL,
    contact_id BLOB NOT NULL,
    PRIMARY KEY (team_id, word, contact_id),
    FOREIGN KEY (team_id, contact_id) REFERENCES team_index (team_id, contact_id) ON DELETE CASCADE
);
CREATE INDEX team_index_words_row_idx ON team_index_words (team_id, contact_id);

-- Secrets of the instance, made on first use (the team index's hash key).
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);
