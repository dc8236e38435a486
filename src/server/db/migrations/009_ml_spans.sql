-- Spans of a device's history that people have judged. kind 'normal' (admins): the station stops
-- flagging inside the span and adapts the device's threshold and guard limits to what the span
-- showed (the *_peak columns, measured when the span was marked), without retraining the forest.
-- kind 'label' (engineers and admins): a training label for `npm run train -- --from-db`
-- (0 normal, 1..8 the 3W event types, or a site's own positive codes). Keyed by the device id text,
-- like ml_rule_limits, so the spans outlive nothing and need no devices row join to be read.
CREATE TABLE ml_spans (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id     TEXT    NOT NULL,
  ts_from       INTEGER NOT NULL,             -- ms UTC, inclusive
  ts_to         INTEGER NOT NULL,             -- ms UTC, inclusive
  kind          TEXT    NOT NULL CHECK (kind IN ('normal', 'label')),
  label         INTEGER NOT NULL CHECK (label >= 0),
  note          TEXT,
  forest_peak   REAL,                         -- highest forest score inside the span when marked
  distance_peak REAL,                         -- highest guard distance inside the span when marked
  step_peak     REAL,                         -- highest guard step inside the span when marked
  created_at    INTEGER NOT NULL,             -- ms UTC
  created_by    TEXT,
  CHECK (ts_from <= ts_to),
  CHECK (kind = 'label' OR label = 0)
);
CREATE INDEX ix_ml_spans_device ON ml_spans(device_id, kind, ts_from);
