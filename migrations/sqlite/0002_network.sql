-- The network: contacts, their comfort and connection histories,
-- interactions, events, introductions and per-user settings.
-- Dates are 'YYYY-MM-DD' TEXT; lists are JSON arrays in TEXT.

CREATE TABLE user_settings (
    user_id               BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connection_policy     TEXT NOT NULL CHECK (connection_policy IN ('open', 'after_talking', 'when_i_would_refer')),
    familiarity_threshold INTEGER NOT NULL,
    comfort_threshold     INTEGER NOT NULL,
    default_cadence_days  INTEGER,
    updated_at            TEXT NOT NULL
);

CREATE TABLE events (
    id                 BLOB PRIMARY KEY NOT NULL,
    owner_id           BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    starts_on          TEXT NOT NULL,
    ends_on            TEXT,
    place              TEXT,
    notes              TEXT,
    passphrase         TEXT,
    slug               TEXT NOT NULL,
    card_drop_enabled  INTEGER NOT NULL DEFAULT 0,
    card_drop_opens_at  TEXT,
    card_drop_closes_at TEXT,
    version            INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX events_slug_key ON events (slug);
CREATE INDEX events_owner_idx ON events (owner_id, starts_on, id);

CREATE TABLE contacts (
    id                    BLOB PRIMARY KEY NOT NULL,
    owner_id              BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    emails                TEXT NOT NULL,
    phones                TEXT NOT NULL,
    company               TEXT,
    title                 TEXT,
    location              TEXT,
    urls                  TEXT NOT NULL,
    tags                  TEXT NOT NULL,
    notes                 TEXT,
    met_on                TEXT,
    met_event_id          BLOB REFERENCES events (id) ON DELETE SET NULL,
    met_place             TEXT,
    met_context           TEXT,
    introduced_by         BLOB REFERENCES contacts (id) ON DELETE SET NULL,
    cadence_days          INTEGER,
    archived              INTEGER NOT NULL DEFAULT 0,
    comfort               INTEGER CHECK (comfort BETWEEN 1 AND 5),
    connection_status     TEXT NOT NULL,
    connection_changed_at TEXT,
    last_interaction_on   TEXT,
    next_due_on           TEXT,
    familiarity           INTEGER NOT NULL DEFAULT 0,
    suggested_comfort     INTEGER NOT NULL DEFAULT 1,
    familiarity_as_of     TEXT,
    search_text           TEXT NOT NULL,
    sort_name             TEXT NOT NULL,
    version               INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX contacts_owner_name_idx ON contacts (owner_id, sort_name, id);
CREATE INDEX contacts_owner_due_idx ON contacts (owner_id, next_due_on);
CREATE INDEX contacts_owner_event_idx ON contacts (owner_id, met_event_id);

-- Lookup keys of a contact (lower-cased emails, normalised URLs), to find
-- the same person again (card drops, imports).
CREATE TABLE contact_keys (
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    PRIMARY KEY (owner_id, key, contact_id)
);
CREATE INDEX contact_keys_contact_idx ON contact_keys (contact_id);

CREATE TABLE contact_tags (
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (owner_id, tag, contact_id)
);
CREATE INDEX contact_tags_contact_idx ON contact_tags (contact_id);

CREATE TABLE comfort_ratings (
    id         BLOB PRIMARY KEY NOT NULL,
    owner_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    rating     INTEGER CHECK (rating BETWEEN 1 AND 5),
    reason     TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX comfort_ratings_contact_idx ON comfort_ratings (contact_id, created_at);

CREATE TABLE connection_changes (
    id          BLOB PRIMARY KEY NOT NULL,
    owner_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_id  BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX connection_changes_contact_idx ON connection_changes (contact_id, created_at);

CREATE TABLE interactions (
    id            BLOB PRIMARY KEY NOT NULL,
    owner_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    depth         TEXT NOT NULL CHECK (depth IN ('brief', 'conversation', 'in_depth')),
    initiated_by  TEXT NOT NULL CHECK (initiated_by IN ('me', 'them', 'mutual')),
    notes         TEXT,
    follow_up_on  TEXT,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX interactions_owner_idx ON interactions (owner_id, occurred_on, id);
CREATE INDEX interactions_follow_up_idx ON interactions (owner_id, follow_up_on);

CREATE TABLE interaction_contacts (
    interaction_id BLOB NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    contact_id     BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    owner_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (interaction_id, contact_id)
);
CREATE INDEX interaction_contacts_contact_idx ON interaction_contacts (contact_id);

CREATE TABLE introductions (
    id                BLOB PRIMARY KEY NOT NULL,
    owner_id          BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_a         BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    contact_b         BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    reason            TEXT NOT NULL,
    status            TEXT NOT NULL,
    outcome           TEXT,
    status_changed_at TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX introductions_owner_idx ON introductions (owner_id, created_at, id);
CREATE INDEX introductions_a_idx ON introductions (contact_a);
CREATE INDEX introductions_b_idx ON introductions (contact_b);
