-- Modbus devices the station polls itself (src/server/field/modbus). The connection, poll settings
-- and register map are one JSON document validated by src/shared/field-modbus.ts before it is
-- written, so the map is read back whole and a new tag attribute needs no migration.
CREATE TABLE field_modbus_devices (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  device_id   TEXT    NOT NULL UNIQUE,       -- the telemetry device its polls become readings of
  enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  config      TEXT    NOT NULL,              -- JSON: transport, unit_id, interval_s, ..., tags
  created_at  INTEGER NOT NULL,              -- ms UTC
  updated_at  INTEGER NOT NULL,
  created_by  TEXT
);
