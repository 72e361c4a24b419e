-- Server side of the store: API tokens, the audit log of writes, and evidence files.
-- Numbered 200 so that it never collides with the core store's migrations (001..199).

-- API tokens. Only the SHA-256 of the secret is kept: a leaked database does not leak tokens.
CREATE TABLE IF NOT EXISTS api_token (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,       -- hex SHA-256 of the secret
    prefix      TEXT NOT NULL,              -- the first characters of the secret, to recognise it
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    label       TEXT NOT NULL,              -- who holds it (e.g. an analyst's name)
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- Every write through the API: who, when, what, and the version it replaced.
CREATE TABLE IF NOT EXISTS audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    token_id    INTEGER REFERENCES api_token(id),
    who         TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,              -- create, correct, retire, attach, ...
    target_kind TEXT NOT NULL,              -- observation, area, evidence, token
    target_key  TEXT NOT NULL,
    version     INTEGER,                    -- the version written
    previous    TEXT,                       -- JSON of the version replaced, if any
    detail      TEXT                        -- JSON of what was written
);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target_kind, target_key);

-- Evidence files, content-addressed: the same bytes are stored once whatever their name.
CREATE TABLE IF NOT EXISTS evidence_file (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- Which observation a file supports. Append-only like the rest of the store.
CREATE TABLE IF NOT EXISTS evidence_link (
    id              INTEGER PRIMARY KEY,
    observation_key TEXT NOT NULL,
    sha256          TEXT NOT NULL REFERENCES evidence_file(sha256),
    name            TEXT NOT NULL,
    added_at        TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    UNIQUE (observation_key, sha256)
);
CREATE INDEX IF NOT EXISTS evidence_link_observation ON evidence_link (observation_key);
