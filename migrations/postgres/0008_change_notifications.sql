-- Every change to an account, its sessions or the version of its data is
-- announced, as it commits, on the `rapport_changes` channel with the
-- account's id. Servers listen there to know when what they learnt about a
-- signed-in caller has gone stale, whichever process made the change (see
-- crates/storage/src/changes.rs). PostgreSQL sends identical announcements
-- of one transaction once.
CREATE FUNCTION announce_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := to_jsonb(OLD);
    ELSE
        changed := to_jsonb(NEW);
    END IF;
    PERFORM pg_notify('rapport_changes',
        COALESCE(changed ->> 'user_id', changed ->> 'owner_id', changed ->> 'id'));
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_announced AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION announce_account_change();

CREATE TRIGGER sessions_announced AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION announce_account_change();

CREATE TRIGGER data_versions_announced AFTER INSERT OR UPDATE ON data_versions
    FOR EACH ROW EXECUTE FUNCTION announce_account_change();
