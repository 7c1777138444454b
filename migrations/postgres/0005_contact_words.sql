-- Word prefixes for contact search: every word of a contact's name,
-- company, title, emails and notes (lower-cased), searched by index range.
-- COLLATE "C" orders by bytes, so a prefix is one index range.
CREATE TABLE contact_words (
    owner_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    word       text COLLATE "C" NOT NULL,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, word, contact_id)
);
CREATE INDEX contact_words_contact_idx ON contact_words (contact_id);
