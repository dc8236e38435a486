-- Signing out, a password reset and disabling a user end tokens that were already issued.
-- token_version is copied into each user token (claim "tv"); bumping it ends every token of the user.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

-- Single tokens ended by signing out, by their "jti"; kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
  jti        TEXT    PRIMARY KEY,
  expires_at INTEGER NOT NULL   -- ms UTC
) WITHOUT ROWID;
