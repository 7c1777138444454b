-- Teams on a shared instance: their members with a role each, and the
-- single-use codes that let someone join. A team gives nobody access to a
-- member's network (sharing is chosen per contact, later, by its owner).
CREATE TABLE teams (
    id                     BLOB PRIMARY KEY NOT NULL,
    name                   TEXT NOT NULL,
    reach_requires_sharing INTEGER NOT NULL DEFAULT 0 CHECK (reach_requires_sharing IN (0, 1)),
    max_open_requests      INTEGER NOT NULL CHECK (max_open_requests BETWEEN 1 AND 100),
    request_expiry_days    INTEGER NOT NULL CHECK (request_expiry_days BETWEEN 1 AND 90),
    audit_retention_days   INTEGER NOT NULL CHECK (audit_retention_days BETWEEN 30 AND 3650),
    -- A JSON array of lower-case domain names.
    email_domains          TEXT NOT NULL DEFAULT '[]',
    version                INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id   BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);
-- One owner per team.
CREATE UNIQUE INDEX team_members_one_owner ON team_members (team_id) WHERE role = 'owner';

CREATE TABLE team_join_codes (
    id         BLOB PRIMARY KEY NOT NULL,
    team_id    BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('member', 'guest')),
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    BLOB REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX team_join_codes_hash_key ON team_join_codes (code_hash);
CREATE INDEX team_join_codes_team_idx ON team_join_codes (team_id);
