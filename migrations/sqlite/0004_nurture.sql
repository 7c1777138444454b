-- Indexes for the nurture queue: contacts by connection status and the
-- time it changed (asks without an answer), and introductions by status
-- and the time it changed (introductions waiting).
CREATE INDEX contacts_owner_connection_idx ON contacts (owner_id, connection_status, connection_changed_at);
CREATE INDEX introductions_owner_status_idx ON introductions (owner_id, status, status_changed_at);
