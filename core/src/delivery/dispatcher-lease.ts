import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type Database from 'better-sqlite3';

/** How long a lease lasts without renewal; the holder renews it every third of that. */
export const dispatcherLeaseMs = 15_000;

/**
 * Who dispatches from one SQLite outbox. Two dispatchers on one file would each keep their own
 * rate limiter (together sending twice the robot's limit), and the second one's start-up would
 * take the first one's in-flight rows for crash leftovers and send them again. So one process
 * holds a lease row and renews it; another (a second `serve`, or `serve` beside `worker`) stands
 * by and takes over when the lease lapses, or at once when the holder's process is gone from this
 * host (a SIGKILLed server restarted at once need not wait for its own old lease).
 */
export class DispatcherLease {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly db: Database.Database,
    private readonly leaseMs = dispatcherLeaseMs,
  ) {}

  /** Takes or renews the lease; false while another live dispatcher holds it. */
  tryAcquire(now: number): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare(`SELECT owner, expires_at FROM dispatcher_lease WHERE id = 1`).get() as
          { owner: string; expires_at: number } | undefined;
        const free =
          row === undefined || row.owner === this.owner || row.expires_at <= now || !isOwnerAlive(row.owner);
        if (!free) return false;
        this.db
          .prepare(
            `INSERT INTO dispatcher_lease (id, owner, expires_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
          )
          .run(this.owner, now + this.leaseMs);
        return true;
      })
      .immediate();
  }

  release(): void {
    this.db.prepare(`DELETE FROM dispatcher_lease WHERE id = 1 AND owner = ?`).run(this.owner);
  }

  /** Who holds it now, for the log (host and pid, no secret in it). */
  holder(): string | undefined {
    const row = this.db.prepare(`SELECT owner FROM dispatcher_lease WHERE id = 1`).get() as
      { owner: string } | undefined;
    return row?.owner;
  }
}

/** An owner on this host whose process is gone has released its lease, whatever the row says. */
function isOwnerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || pid === undefined) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
