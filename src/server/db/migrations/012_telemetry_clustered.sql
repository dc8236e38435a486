-- Telemetry clustered by (device, ts): a WITHOUT ROWID table whose primary key is the series key, so
-- one device's readings lie together on consecutive pages (as InfluxDB keeps a series together) and
-- "a day of one device" or "the latest 100" is one range scan of the table itself, not an index
-- walk plus a random page read per row.
--
-- The public id stays: a unique, never-reused integer handed out in insertion order (the change
-- feed of the InfluxDB forwarder and the tombstones' after_id depend on that). AUTOINCREMENT does
-- not exist for WITHOUT ROWID tables, so the writer keeps the counter in telemetry_sequence, in the
-- same transaction as the rows it numbers.
--
-- Existing rows are not copied here (that would be one transaction as long as the table): the old
-- table is renamed to telemetry_legacy and src/server/db/telemetry-layout.ts moves its rows over in
-- batches on start, each batch deleted from the old table in the transaction that inserts it, so a
-- kill at any moment loses nothing and the next start carries on. Its indexes are dropped here:
-- the copy reads it in rowid order and nothing else reads it.
CREATE TABLE telemetry_sequence (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL                      -- the highest telemetry id ever handed out
);
INSERT INTO telemetry_sequence (id, seq) VALUES (1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'telemetry'), 0));

DROP INDEX ix_telemetry_device_ts;
DROP INDEX ix_telemetry_ts;
ALTER TABLE telemetry RENAME TO telemetry_legacy;

CREATE TABLE telemetry (
  device_ref  INTEGER NOT NULL REFERENCES devices(id),
  ts          INTEGER NOT NULL,             -- ms UTC
  id          INTEGER,                      -- public id: given by the writer, else by the trigger below
  temperature REAL,
  pressure    REAL,
  status      TEXT,
  extra       TEXT,                         -- JSON object of other fields, or NULL
  received_at INTEGER NOT NULL,             -- ms UTC
  PRIMARY KEY (device_ref, ts)              -- one reading per device and instant, stored in this order
) WITHOUT ROWID;

-- GET/DELETE /api/telemetry/{id} and the forwarder's "ids above my position".
CREATE UNIQUE INDEX ix_telemetry_id ON telemetry(id);
-- Time ranges over all devices, in the API's (ts, id) order; the entries also carry device_ref.
CREATE INDEX ix_telemetry_ts ON telemetry(ts, id);

-- Writers that do not give an id (scripts, the sqlite3 CLI, tools written for the rowid table) get
-- the next one, as AUTOINCREMENT gave them. The station's writer always gives one, so for it the
-- WHEN is false and the trigger does nothing.
CREATE TRIGGER tr_telemetry_id AFTER INSERT ON telemetry WHEN NEW.id IS NULL
BEGIN
  UPDATE telemetry
     SET id = MAX(COALESCE((SELECT MAX(id) FROM telemetry), 0), (SELECT seq FROM telemetry_sequence WHERE id = 1)) + 1
   WHERE device_ref = NEW.device_ref AND ts = NEW.ts;
END;
