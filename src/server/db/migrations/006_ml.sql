-- Rule-scorer limits and alarm timing, per device; device_id '*' holds the defaults for every device
-- without its own row. Keyed by the device id text (not devices.id) so an admin can set limits
-- before a device has sent its first reading.
CREATE TABLE ml_rule_limits (
  device_id            TEXT    PRIMARY KEY,
  temperature_min      REAL,
  temperature_max      REAL,
  pressure_min         REAL,
  pressure_max         REAL,
  temperature_rate_max REAL,                -- largest normal |change| per minute
  pressure_rate_max    REAL,
  alarm_open_after_s   INTEGER,             -- NULL: use the default row / built-in default
  alarm_clear_after_s  INTEGER,
  updated_at           INTEGER NOT NULL,    -- ms UTC
  updated_by           TEXT
);

-- The running hysteresis state of each device, so alarms survive a restart without replaying history.
CREATE TABLE ml_alarm_state (
  device_ref  INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  phase       TEXT    NOT NULL CHECK (phase IN ('normal', 'pending', 'active', 'clearing')),
  since_ts    INTEGER,                      -- ms UTC when the current phase started
  started_ts  INTEGER,                      -- ms UTC of the first high reading of the current run
  peak        REAL    NOT NULL DEFAULT 0,
  last_ts     INTEGER NOT NULL,             -- ms UTC of the last reading scored
  alarm_id    INTEGER                       -- the open alarm while active/clearing
);

CREATE TABLE alarms (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  device_ref      INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  started_ts      INTEGER NOT NULL,         -- ms UTC of the first anomalous reading
  opened_ts       INTEGER NOT NULL,         -- ms UTC when the open delay was reached
  cleared_ts      INTEGER,                  -- ms UTC; NULL while open
  peak_score      REAL    NOT NULL,
  model           TEXT    NOT NULL CHECK (model IN ('rf', 'rule')),
  reason          TEXT,
  acknowledged_at INTEGER,                  -- ms UTC
  acknowledged_by TEXT,
  note            TEXT
);
CREATE INDEX ix_alarms_device_opened ON alarms(device_ref, opened_ts);
CREATE INDEX ix_alarms_opened ON alarms(opened_ts);
