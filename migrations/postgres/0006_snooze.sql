-- "Not now, remind me later": the keep-in-touch date is at least this day.
ALTER TABLE contacts ADD COLUMN snoozed_until date;
