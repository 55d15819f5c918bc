import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { SqliteStorage } from '../../core/src/delivery/sqlite-storage.js';
import { storageContract } from './storage-contract.js';

let dir = '';

storageContract({
  name: 'sqlite',
  newSite: () => {
    dir = mkdtempSync(join(tmpdir(), 'hookmux-contract-'));
    return Promise.resolve();
  },
  open: (logger) => Promise.resolve(new SqliteStorage({ path: join(dir, 'outbox.db'), logger })),
  storedEventIds: (storage) => {
    const rows = (storage as SqliteStorage).database.prepare('SELECT id FROM events').all() as {
      id: string;
    }[];
    return Promise.resolve(rows.map((r) => r.id));
  },
  storeAsPlainJson: (eventId, json) => {
    const db = new Database(join(dir, 'outbox.db'));
    db.prepare('UPDATE events SET body = ? WHERE id = ?').run(json, eventId);
    db.close();
    return Promise.resolve();
  },
  cleanup: () => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});
