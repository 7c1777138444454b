-- Introduction requests in a team: who asked, why, about which shared
-- contacts of which teammates, and each teammate's answer.
CREATE TABLE intro_requests (
    id              uuid PRIMARY KEY,
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    requester_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    -- What the search showed the requester (profile results only).
    person_name     text,
    person_company  text,
    person_title    text,
    accepted_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    introduction_id uuid REFERENCES introductions (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    answered_at     timestamptz
);
CREATE INDEX intro_requests_requester_idx ON intro_requests (requester_id, created_at, id);
CREATE INDEX intro_requests_team_idx ON intro_requests (team_id);
CREATE INDEX intro_requests_introduction_idx ON intro_requests (introduction_id);

-- Each teammate asked, with the contact of theirs the request is about.
CREATE TABLE intro_request_targets (
    request_id     uuid NOT NULL REFERENCES intro_requests (id) ON DELETE CASCADE,
    contact_id     uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    owner_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'closed')),
    decline_reason text,
    answered_at    timestamptz,
    PRIMARY KEY (request_id, contact_id)
);
CREATE INDEX intro_request_targets_owner_idx ON intro_request_targets (owner_id, status);
CREATE INDEX intro_request_targets_contact_idx ON intro_request_targets (contact_id);
