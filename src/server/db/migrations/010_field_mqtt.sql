-- MQTT and Sparkplug B (src/server/field/mqtt). One row: the configuration an admin saved through
-- /api/field/mqtt (JSON, validated by src/shared/field-mqtt.ts on read and write); until then the
-- MQTT_* environment variables apply.
CREATE TABLE mqtt_config (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  config     TEXT    NOT NULL,
  updated_at INTEGER NOT NULL               -- ms UTC
);

-- The last birth certificate of each Sparkplug edge node (device = '') and device: metric names,
-- aliases, types and values. Kept so that data by alias which the broker queued while the station
-- was down can be decoded after a restart, before the node is asked to rebirth.
CREATE TABLE sparkplug_births (
  group_id  TEXT    NOT NULL,
  node_id   TEXT    NOT NULL,
  device    TEXT    NOT NULL DEFAULT '',
  bd_seq    INTEGER,
  metrics   TEXT    NOT NULL,               -- JSON [{name, alias, type, value, ts}]
  born_at   INTEGER NOT NULL,               -- ms UTC
  died_at   INTEGER,                        -- ms UTC of the last NDEATH/DDEATH (or will)
  PRIMARY KEY (group_id, node_id, device)
) WITHOUT ROWID;
