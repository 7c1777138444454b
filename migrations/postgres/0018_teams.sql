-- Teams on a shared instance: their members with a role each, and the
-- single-use codes that let someone join. A team gives nobody access to a
-- member's network (sharing is chosen per contact, later, by its owner).
CREATE TABLE teams (
    id                     uuid PRIMARY KEY,
    name                   text NOT NULL,
    reach_requires_sharing boolean NOT NULL DEFAULT false,
    max_open_requests      integer NOT NULL CHECK (max_open_requests BETWEEN 1 AND 100),
    request_expiry_days    integer NOT NULL CHECK (request_expiry_days BETWEEN 1 AND 90),
    audit_retention_days   integer NOT NULL CHECK (audit_retention_days BETWEEN 30 AND 3650),
    -- A JSON array of lower-case domain names.
    email_domains          text NOT NULL DEFAULT '[]',
    version                bigint NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

CREATE TABLE team_members (
    team_id   uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);
-- One owner per team.
CREATE UNIQUE INDEX team_members_one_owner ON team_members (team_id) WHERE role = 'owner';

CREATE TABLE team_join_codes (
    id         uuid PRIMARY KEY,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    role       text NOT NULL CHECK (role IN ('member', 'guest')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX team_join_codes_hash_key ON team_join_codes (code_hash);
CREATE INDEX team_join_codes_team_idx ON team_join_codes (team_id);
