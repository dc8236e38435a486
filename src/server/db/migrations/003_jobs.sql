-- Background tasks (async exports, ...). This table is the task record for both job backends:
-- the local runner and BullMQ workers (in other processes on the same host) update it, so a
-- task's status survives restarts and Redis outages, and the API reads it from one place.
CREATE TABLE jobs (
  id            TEXT    PRIMARY KEY,            -- task id (UUID); also the BullMQ job id
  name          TEXT    NOT NULL,               -- job name: selects the payload schema and handler
  owner         TEXT    NOT NULL,               -- 'user:<id>' or 'key:<id>': who may see it
  payload       TEXT    NOT NULL,               -- JSON, validated against the job's schema
  backend       TEXT    NOT NULL CHECK (backend IN ('local', 'bullmq')),
  status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  progress_rows INTEGER NOT NULL DEFAULT 0,
  progress_pct  REAL,
  result        TEXT,                           -- JSON
  error         TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  claim         TEXT,                           -- token of the execution that holds the task
  heartbeat_at  INTEGER,                        -- ms UTC; a running task with an old heartbeat was abandoned
  created_at    INTEGER NOT NULL,               -- ms UTC
  started_at    INTEGER,
  finished_at   INTEGER
);

CREATE INDEX ix_jobs_owner ON jobs(owner, created_at);
CREATE INDEX ix_jobs_status ON jobs(status, heartbeat_at);
