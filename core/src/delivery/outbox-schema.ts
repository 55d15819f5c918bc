import type Database from 'better-sqlite3';
import { HookmuxError } from '../errors/hookmux-error.js';

/** Bumped with every change to the tables below; `migrateOutbox` walks older files forward. */
export const outboxSchemaVersion = 3;

const schemaV1 = `
CREATE TABLE deliveries (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id          TEXT    NOT NULL,
  event_name        TEXT    NOT NULL,
  route             TEXT    NOT NULL,
  sink              TEXT    NOT NULL,
  robot_key         TEXT,
  message           TEXT    NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'retrying', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  last_error_code   TEXT,
  last_error_detail TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  digest_id         TEXT,
  UNIQUE (event_id, sink)
);
CREATE INDEX deliveries_by_status_sink ON deliveries (status, sink, id);
CREATE INDEX deliveries_by_status_updated ON deliveries (status, updated_at);

-- Every request made to a robot (a digest is one), kept for a day: the rate limiter is rebuilt
-- from it on start. sent_at alone would miss attempts the robot answered with an error but still
-- counted, and would count a digest of 12 rows as 12 sends.
CREATE TABLE send_log (
  id        INTEGER PRIMARY KEY,
  robot_key TEXT    NOT NULL,
  at        INTEGER NOT NULL
);
CREATE INDEX send_log_by_robot ON send_log (robot_key, at);
`;

// One dispatching process per outbox file: the holder renews its lease; another process that
// opens the file for dispatching waits for it to lapse (see the Dispatcher's lease).
const schemaV2 = `
CREATE TABLE dispatcher_lease (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  owner      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

// The outbox keeps the event and its targets, not a rendered string: the dispatcher renders when
// it sends. Rows queued by an older hookmux keep their rendered `message` and go out as stored,
// so `message` becomes nullable (a table rebuild: SQLite cannot drop NOT NULL in place).
// Also: the once-only memory of signed requests (replay protection across restarts), and a row
// the health check writes to prove the file is writable.
const schemaV3 = `
CREATE TABLE events (
  id         TEXT    PRIMARY KEY,
  body       TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE deliveries_v3 (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id          TEXT    NOT NULL,
  event_name        TEXT    NOT NULL,
  route             TEXT    NOT NULL,
  route_dir         TEXT,
  batch_ms          INTEGER,
  sink              TEXT    NOT NULL,
  robot_key         TEXT,
  message           TEXT,
  status            TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'retrying', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  last_error_code   TEXT,
  last_error_detail TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  digest_id         TEXT,
  UNIQUE (event_id, sink)
);
INSERT INTO deliveries_v3 (id, event_id, event_name, route, sink, robot_key, message, status, attempts,
    next_attempt_at, last_error_code, last_error_detail, created_at, updated_at, sent_at, digest_id)
  SELECT id, event_id, event_name, route, sink, robot_key, message, status, attempts,
    next_attempt_at, last_error_code, last_error_detail, created_at, updated_at, sent_at, digest_id
  FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v3 RENAME TO deliveries;
CREATE INDEX deliveries_by_status_sink ON deliveries (status, sink, id);
CREATE INDEX deliveries_by_status_updated ON deliveries (status, updated_at);
CREATE INDEX deliveries_unsent ON deliveries (sink, id) WHERE status IN ('pending', 'retrying');

CREATE TABLE once_keys (
  key        TEXT    PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX once_keys_by_expiry ON once_keys (expires_at);

CREATE TABLE storage_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
`;

/**
 * Creates the tables in a new file, walks an older file forward, or refuses a newer one. A new
 * file gets `auto_vacuum = INCREMENTAL`, so that purges can give space back; an older file is
 * switched over with one VACUUM during its migration.
 */
export function migrateOutbox(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === outboxSchemaVersion) return;
  if (version > outboxSchemaVersion) {
    throw new HookmuxError(
      'HM_ERR_DELIVERY_STORE_OPEN',
      `outbox schema version ${version} is newer than this hookmux understands (${outboxSchemaVersion})`,
      {
        at: path,
        hint: 'upgrade hookmux, or point storage.path at another file',
      },
    );
  }
  // Only takes effect before the first table exists (a new file); VACUUM below converts old ones.
  if (version === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.transaction(() => {
    if (version < 1) db.exec(schemaV1);
    if (version < 2) db.exec(schemaV2);
    if (version < 3) db.exec(schemaV3);
    db.pragma(`user_version = ${outboxSchemaVersion}`);
  }).immediate();
  if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 2) {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
}
