-- The IANA time zone a user's days follow ("today", due dates, the daily
-- upkeep); NULL until set (then UTC). The web app sets the browser's zone
-- at the first sign-in.
ALTER TABLE users ADD COLUMN time_zone TEXT;
