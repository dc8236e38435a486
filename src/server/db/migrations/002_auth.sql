CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,             -- scrypt$N$r$p$salt$hash (base64)
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- Only the SHA-256 of a key is stored; the prefix lets people tell keys apart in lists.
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  prefix       TEXT    NOT NULL,
  key_hash     TEXT    NOT NULL UNIQUE,
  role         TEXT    NOT NULL CHECK (role IN ('admin', 'user', 'device')),
  devices      TEXT,                          -- JSON array of device ids or globs; NULL = any device
  created_by   INTEGER REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  ts      INTEGER NOT NULL,
  actor   TEXT,                               -- user name, key prefix, or NULL for anonymous
  action  TEXT    NOT NULL,                   -- e.g. auth.login, auth.login_failed, key.create
  target  TEXT,
  ip      TEXT,
  detail  TEXT                                -- JSON, never secrets
);
CREATE INDEX ix_audit_ts ON audit_log(ts);
CREATE INDEX ix_audit_action_ts ON audit_log(action, ts);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
