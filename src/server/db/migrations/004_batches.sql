-- Oil batch tracking: a batch follows produced oil through custody stages
-- produced -> separated -> stored -> transported -> delivered. The public id is text (B-2024-0001
-- or the operator's own ticket-style id); events reference it directly so the seed's index
-- oil_events(batch_id, ts) reads as written.
CREATE TABLE oil_batches (
  id            INTEGER PRIMARY KEY,
  batch_id      TEXT    NOT NULL UNIQUE,
  well_id       TEXT    NOT NULL,             -- the producing well/pad; same id as its telemetry device_id, if any
  current_stage TEXT    NOT NULL CHECK (current_stage IN ('produced', 'separated', 'stored', 'transported', 'delivered')),
  status        TEXT    NOT NULL CHECK (status IN ('active', 'on_hold', 'completed', 'rejected')),
  stage_since   INTEGER NOT NULL,             -- ms UTC when the current stage was entered (events may not predate it)
  version       INTEGER NOT NULL DEFAULT 1,   -- +1 with every event: the optimistic-concurrency check
  created_at    INTEGER NOT NULL,             -- ms UTC (the produced time the creator gave, else the insert time)
  updated_at    INTEGER NOT NULL,             -- ms UTC of the last event
  created_by    TEXT    NOT NULL,
  note          TEXT
);

-- One row per thing that happened to a batch. Measurements ride on any event kind; the derived
-- CTL / GSV / NSV are stored as computed at write time, so the custody record never changes
-- under a later change of formula.
CREATE TABLE oil_events (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id         TEXT    NOT NULL REFERENCES oil_batches(batch_id) ON DELETE CASCADE,
  ts               INTEGER NOT NULL,          -- ms UTC when it happened in the field
  recorded_at      INTEGER NOT NULL,          -- ms UTC when the station stored it
  kind             TEXT    NOT NULL CHECK (kind IN ('created', 'transition', 'measurement', 'note', 'status')),
  stage            TEXT    NOT NULL,          -- the stage the batch is in after this event
  from_stage       TEXT,                      -- transitions: the stage left
  status           TEXT    NOT NULL,          -- the status after this event
  from_status      TEXT,                      -- status events: the status left
  location         TEXT,                      -- pad, separator, tank, or terminal/refinery
  carrier          TEXT CHECK (carrier IS NULL OR carrier IN ('pipeline', 'truck')),
  ticket           TEXT,                      -- run ticket / bill of lading (transported)
  gross_volume_bbl REAL,                      -- gross observed volume at temperature_f
  temperature_f    REAL,
  api_gravity      REAL,                      -- observed API gravity corrected to 60 F
  bsw_pct          REAL,
  ctl              REAL,
  gsv_bbl          REAL,
  nsv_bbl          REAL,
  override         INTEGER NOT NULL DEFAULT 0, -- 1: an admin skipped or reversed a stage
  reason           TEXT,
  note             TEXT,
  actor            TEXT    NOT NULL
);

-- The seed's indexes.
CREATE INDEX ix_oil_batches_stage_status ON oil_batches(current_stage, status);
CREATE INDEX ix_oil_batches_created ON oil_batches(created_at);
CREATE INDEX ix_oil_events_batch_ts ON oil_events(batch_id, ts);
-- Not in the seed: "all batches of this well" is the other common question.
CREATE INDEX ix_oil_batches_well ON oil_batches(well_id, created_at);
