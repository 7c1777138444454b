-- A team's audit log: about one member's share (`subject_id`), or about
-- the team as a whole (no subject: read by its owner and admins). Entries
-- are appended by the transaction of what they record and kept for the
-- team's `audit_retention_days`.
CREATE TABLE team_audit (
    id          uuid PRIMARY KEY,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    subject_id  uuid REFERENCES users (id) ON DELETE CASCADE,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    kind        text NOT NULL,
    -- A JSON array of the subject's contact ids.
    contact_ids text NOT NULL,
    detail      text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX team_audit_subject_idx ON team_audit (team_id, subject_id, created_at);
CREATE INDEX team_audit_age_idx ON team_audit (team_id, created_at);
