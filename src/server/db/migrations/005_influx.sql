-- Store-and-forward to InfluxDB: how far each target has been sent. telemetry ids are
-- AUTOINCREMENT and a replaced reading gets a new id, so "every row with id > position" is the
-- complete set still to send. The row is updated in the same moment a batch is acknowledged.
CREATE TABLE influx_forwarder (
  target          TEXT    PRIMARY KEY,      -- url + bucket/database: a new target starts from the beginning
  position        INTEGER NOT NULL DEFAULT 0,
  forwarded_total INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,                  -- ms UTC
  last_error      TEXT,
  last_error_at   INTEGER,                  -- ms UTC
  updated_at      INTEGER NOT NULL          -- ms UTC
);
