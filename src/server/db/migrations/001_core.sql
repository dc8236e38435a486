-- Devices get an integer key: telemetry rows then carry 8 bytes instead of a repeated string, and
-- the (device, ts) index stays small, which measurably speeds up batch ingest.
CREATE TABLE devices (
  id            INTEGER PRIMARY KEY,
  device_id     TEXT    NOT NULL UNIQUE,
  first_seen_at INTEGER NOT NULL,           -- ms UTC, first reading received
  last_seen_at  INTEGER NOT NULL,           -- ms UTC, last reading received
  reading_count INTEGER NOT NULL DEFAULT 0  -- kept in step by the writer, in the same transaction
);

-- AUTOINCREMENT: ids are never reused, so "everything after id N" is a reliable change feed
-- (the InfluxDB forwarder depends on it; a replaced reading gets a new id).
CREATE TABLE telemetry (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  device_ref  INTEGER NOT NULL REFERENCES devices(id),
  ts          INTEGER NOT NULL,             -- ms UTC
  temperature REAL,
  pressure    REAL,
  status      TEXT,
  extra       TEXT,                         -- JSON object of other fields, or NULL
  received_at INTEGER NOT NULL              -- ms UTC
);

-- The seed's indexes: telemetry(device_id, ts) (unique: one reading per device and instant) and telemetry(ts).
CREATE UNIQUE INDEX ix_telemetry_device_ts ON telemetry(device_ref, ts);
CREATE INDEX ix_telemetry_ts ON telemetry(ts);
