-- PostgreSQL's tree makes an import's plan and per-row report bytes: they
-- are kept packed (gzip-compressed JSON). SQLite keeps a BLOB in a column
-- declared TEXT as it is, so its columns stay. Kept so both trees stay
-- numbered alike.
SELECT 1;
