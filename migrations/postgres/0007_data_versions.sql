-- A counter per user that moves with every change to their contacts or
-- settings, kept by triggers so that no write can forget it. Answers built
-- from that data (the network view, contact lists) are cached and tagged
-- (ETag) by it.
CREATE TABLE data_versions (
    owner_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version  bigint NOT NULL
);

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner uuid;
BEGIN
    IF TG_TABLE_NAME = 'user_settings' THEN
        owner := NEW.user_id;
    ELSIF TG_OP = 'DELETE' THEN
        owner := OLD.owner_id;
    ELSE
        owner := NEW.owner_id;
    END IF;
    INSERT INTO data_versions (owner_id, version) VALUES (owner, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = data_versions.version + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contacts_data_version AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION bump_data_version();

CREATE TRIGGER settings_data_version AFTER INSERT OR UPDATE ON user_settings
    FOR EACH ROW EXECUTE FUNCTION bump_data_version();
