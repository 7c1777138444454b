-- PostgreSQL's tree removes a deleted contact's search words with one
-- trigger per statement instead of a reference checked per inserted word.
-- SQLite checks a reference with one lookup in an index it has cached: its
-- words keep theirs (and its ON DELETE CASCADE). Kept so both trees stay
-- numbered alike.
SELECT 1;
