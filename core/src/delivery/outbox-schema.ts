import type Database from 'better-sqlite3';
import { HookmuxError } from '../errors/hookmux-error.js';

/** Bumped with every change to the tables below; `migrateOutbox` walks older files forward. */
export const outboxSchemaVersion = 2;

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
// opens the file for dispatching waits for it to lapse (see dispatcher-lease.ts).
const schemaV2 = `
CREATE TABLE dispatcher_lease (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  owner      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/** Creates the tables in a new file, walks an older file forward, or refuses a newer one. */
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
  db.transaction(() => {
    if (version < 1) db.exec(schemaV1);
    if (version < 2) db.exec(schemaV2);
    db.pragma(`user_version = ${outboxSchemaVersion}`);
  }).immediate();
}
