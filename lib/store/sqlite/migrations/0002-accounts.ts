/**
 * Migration 2: people and their server-side sessions (issue 10, accounts and
 * roles). A session row is keyed by the sha256 of its cookie's token.
 */
export const accountsSchema: string[] = [
  `CREATE TABLE IF NOT EXISTS users (
     id            INTEGER PRIMARY KEY AUTOINCREMENT,
     name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
     role          TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
     password_hash TEXT    NOT NULL,
     disabled      INTEGER NOT NULL DEFAULT 0,
     source        TEXT    NOT NULL DEFAULT 'cli',
     created_at    INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS sessions (
     id           TEXT    PRIMARY KEY,
     user_id      INTEGER NOT NULL REFERENCES users(id),
     created_at   INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL,
     revoked_at   INTEGER,
     client       TEXT,
     user_agent   TEXT
   )`,
  "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id)",
];
