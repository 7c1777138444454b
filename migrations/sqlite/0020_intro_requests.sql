-- Introduction requests in a team: who asked, why, about which shared
-- contacts of which teammates, and each teammate's answer.
CREATE TABLE intro_requests (
    id              BLOB PRIMARY KEY NOT NULL,
    team_id         BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    requester_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
    -- What the search showed the requester (profile results only).
    person_name     TEXT,
    person_company  TEXT,
    person_title    TEXT,
    accepted_by     BLOB REFERENCES users (id) ON DELETE SET NULL,
    introduction_id BLOB REFERENCES introductions (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    answered_at     TEXT
);
CREATE INDEX intro_requests_requester_idx ON intro_requests (requester_id, created_at, id);
CREATE INDEX intro_requests_team_idx ON intro_requests (team_id);
CREATE INDEX intro_requests_introduction_idx ON intro_requests (introduction_id);

-- Each teammate asked, with the contact of theirs the request is about.
CREATE TABLE intro_request_targets (
    request_id     BLOB NOT NULL REFERENCES intro_requests (id) ON DELETE CASCADE,
    contact_id     BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    owner_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'closed')),
    decline_reason TEXT,
    answered_at    TEXT,
    PRIMARY KEY (request_id, contact_id)
);
CREATE INDEX intro_request_targets_owner_idx ON intro_request_targets (owner_id, status);
CREATE INDEX intro_request_targets_contact_idx ON intro_request_targets (contact_id);
