-- Display preferences of each signed-in user (units): an engineer reads psi while the station stores kPa.
-- NULL means "the station's default" (the admin's Settings), so changing that default still reaches everyone who never chose.
CREATE TABLE user_preferences (
  user_id          INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  temperature_unit TEXT,
  pressure_unit    TEXT,
  updated_at       INTEGER NOT NULL   -- ms UTC
) WITHOUT ROWID;
