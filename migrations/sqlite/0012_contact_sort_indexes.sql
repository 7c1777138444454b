-- The contact list's sorts other than by name, each served by an index, so
-- that a page is read in order instead of sorting all of the owner's
-- contacts (the expressions are the list's own, literals included).
CREATE INDEX contacts_owner_comfort_sort_idx ON contacts (owner_id, (COALESCE(comfort, 0)), id);
CREATE INDEX contacts_owner_familiarity_sort_idx ON contacts (owner_id, familiarity, id);
CREATE INDEX contacts_owner_last_sort_idx
    ON contacts (owner_id, (COALESCE(last_interaction_on, '0001-01-01')), id);
CREATE INDEX contacts_owner_due_sort_idx
    ON contacts (owner_id, (COALESCE(next_due_on, '9999-12-31')), id);
