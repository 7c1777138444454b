-- An import's plan and per-row report are kept packed (gzip-compressed
-- JSON, written and read by the server only): a 50,000-message preview's
-- documents are 25 MB as text, about 2 MB packed. Documents kept before
-- stay readable as they are (plain JSON). They do not compress again:
-- PostgreSQL stores them without trying.
ALTER TABLE imports
    ALTER COLUMN plan TYPE bytea USING convert_to(plan, 'UTF8'),
    ALTER COLUMN row_report TYPE bytea USING convert_to(row_report, 'UTF8');
ALTER TABLE imports
    ALTER COLUMN plan SET STORAGE EXTERNAL,
    ALTER COLUMN row_report SET STORAGE EXTERNAL;
