-- Frontline store, schema version 1.
--
-- Every editable record type is append-only: a row is (key, version, recorded_at, retired, hash,
-- payload). An edit inserts version n+1; a retirement inserts a version with retired = 1 that
-- carries the retired payload. Rows are never updated or deleted (the triggers below refuse it).
-- "What did we know at time T" = for each key, the highest version with recorded_at <= T,
-- unless that version is retired. `hash` is the SHA-256 of the payload's content (without the
-- recording time): an import whose row hashes equal to the current version changes nothing.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    -- JSON: per-table inserted/unchanged/superseded plus the importer's skipped/rejected/unresolved.
    counts      TEXT NOT NULL
);

CREATE TABLE actors (
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    retired     INTEGER NOT NULL DEFAULT 0,
    hash        TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    payload     TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE observations (
    key            TEXT NOT NULL,
    version        INTEGER NOT NULL,
    recorded_at    TEXT NOT NULL,
    retired        INTEGER NOT NULL DEFAULT 0,
    hash           TEXT NOT NULL,
    import_id      INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    actor          TEXT NOT NULL,
    observed_first TEXT NOT NULL,
    observed_last  TEXT NOT NULL,
    payload        TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE places (
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    retired     INTEGER NOT NULL DEFAULT 0,
    hash        TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE areas (
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    retired     INTEGER NOT NULL DEFAULT 0,
    hash        TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

-- key = dataset || '/' || event_id. `duplicate_of` names the key of the event (from another
-- compilation) that already reports the same occurrence: kept and visible, not counted twice.
CREATE TABLE events (
    key          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    retired      INTEGER NOT NULL DEFAULT 0,
    hash         TEXT NOT NULL,
    import_id    INTEGER REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
    dataset      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    date_first   TEXT NOT NULL,
    date_last    TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    event_type   TEXT NOT NULL,
    -- ',a,b,' list of the mapped actor ids of both sides, for filtering.
    actors       TEXT NOT NULL,
    duplicate_of TEXT,
    payload      TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE INDEX events_date ON events (date_first, date_last);
CREATE INDEX observations_observed ON observations (observed_first);

CREATE TRIGGER imports_no_update BEFORE UPDATE ON imports BEGIN SELECT RAISE(ABORT, 'imports are append-only'); END;
CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports BEGIN SELECT RAISE(ABORT, 'imports are append-only'); END;
CREATE TRIGGER actors_no_update BEFORE UPDATE ON actors BEGIN SELECT RAISE(ABORT, 'actors are append-only'); END;
CREATE TRIGGER actors_no_delete BEFORE DELETE ON actors BEGIN SELECT RAISE(ABORT, 'actors are append-only'); END;
CREATE TRIGGER observations_no_update BEFORE UPDATE ON observations BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TRIGGER observations_no_delete BEFORE DELETE ON observations BEGIN SELECT RAISE(ABORT, 'observations are append-only'); END;
CREATE TRIGGER places_no_update BEFORE UPDATE ON places BEGIN SELECT RAISE(ABORT, 'places are append-only'); END;
CREATE TRIGGER places_no_delete BEFORE DELETE ON places BEGIN SELECT RAISE(ABORT, 'places are append-only'); END;
CREATE TRIGGER areas_no_update BEFORE UPDATE ON areas BEGIN SELECT RAISE(ABORT, 'areas are append-only'); END;
CREATE TRIGGER areas_no_delete BEFORE DELETE ON areas BEGIN SELECT RAISE(ABORT, 'areas are append-only'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
