-- The PostgreSQL tree announces account changes to listening servers here
-- (NOTIFY). SQLite has no such channel and needs none: a server asks the
-- database on every request, which costs microseconds on SQLite. Kept so
-- both trees stay numbered alike.
SELECT 1;
