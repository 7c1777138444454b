-- A transaction that changes many of a user's contacts (the daily
-- familiarity refresh recomputes every one of them) moved the user's data
-- version once per row: thousands of updates of one row in one transaction,
-- which PostgreSQL makes quadratic (each finds the live version at the end
-- of a growing chain) — minutes for a 10k-contact account. The version now
-- moves once per transaction and user: the first change bumps it and notes
-- that in a transaction-local setting; the rest of the transaction commits
-- atomically with that bump, so a reader can never pair the old version
-- with the new data.
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner uuid;
    marker text;
BEGIN
    IF TG_TABLE_NAME = 'user_settings' THEN
        owner := NEW.user_id;
    ELSIF TG_OP = 'DELETE' THEN
        owner := OLD.owner_id;
    ELSE
        owner := NEW.owner_id;
    END IF;
    marker := 'rapport.version_bumped_' || replace(owner::text, '-', '');
    IF current_setting(marker, true) IS NOT DISTINCT FROM txid_current()::text THEN
        RETURN NULL;
    END IF;
    INSERT INTO data_versions (owner_id, version) VALUES (owner, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = data_versions.version + 1;
    PERFORM set_config(marker, txid_current()::text, true);
    RETURN NULL;
END;
$$;
