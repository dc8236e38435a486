-- Deletes for the InfluxDB mirror: an outbox written in the same transaction as the DELETE of the
-- reading (only while a mirror is configured), so a delete survives outages and restarts.
-- after_id is the highest telemetry id handed out at that moment: readings up to it happened
-- before the delete and reach InfluxDB first; readings above it (a re-ingest of the same device
-- and instant among them) only after the delete was applied. AUTOINCREMENT: ids are never reused
-- after pruning, so "id above the target's tombstone_position" is exactly what is left to apply.
CREATE TABLE influx_tombstones (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id  TEXT    NOT NULL,
  ts         INTEGER NOT NULL,              -- ms UTC: the deleted point's time
  after_id   INTEGER NOT NULL,              -- telemetry sqlite_sequence at delete time
  created_at INTEGER NOT NULL               -- ms UTC
);

-- Per target, like position: the highest tombstone id applied there.
ALTER TABLE influx_forwarder ADD COLUMN tombstone_position INTEGER NOT NULL DEFAULT 0;
