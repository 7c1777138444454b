-- A counter per user that moves with every change to their contacts or
-- settings, kept by triggers so that no write can forget it. Answers built
-- from that data (the network view, contact lists) are cached and tagged
-- (ETag) by it.
CREATE TABLE data_versions (
    owner_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version  INTEGER NOT NULL
);

CREATE TRIGGER contacts_insert_version AFTER INSERT ON contacts BEGIN
    INSERT INTO data_versions (owner_id, version) VALUES (NEW.owner_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER contacts_update_version AFTER UPDATE ON contacts BEGIN
    INSERT INTO data_versions (owner_id, version) VALUES (NEW.owner_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER contacts_delete_version AFTER DELETE ON contacts BEGIN
    INSERT INTO data_versions (owner_id, version) VALUES (OLD.owner_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER settings_insert_version AFTER INSERT ON user_settings BEGIN
    INSERT INTO data_versions (owner_id, version) VALUES (NEW.user_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER settings_update_version AFTER UPDATE ON user_settings BEGIN
    INSERT INTO data_versions (owner_id, version) VALUES (NEW.user_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET version = version + 1;
END;
