/**
 * The SQLite counter store, through `node:sqlite` (no native build).
 *
 * Every operation is one `BEGIN IMMEDIATE` transaction: the write lock is taken
 * before the counters are read, so processes sharing the file never admit more
 * than the limit. WAL mode lets readers proceed during a write; `busy_timeout`
 * makes a process wait for the lock instead of failing at once.
 *
 * @internal
 */
import type { DatabaseSync, StatementSync } from "node:sqlite"
import type { AcquireResult, Slot } from "../QuotaStore.js"
import { addedValue, type Cell, currentValue, expiryOf, fits, nextValue } from "./slotMath.js"

/** A row holding something other than the slot's number; the message names the key, never the value. */
export class PoisonedKey extends Error {
  constructor(slot: Slot) {
    super(
      `the key ${slot.key} holds something other than ${
        slot.kind === "bucket" ? "a bucket's arrival time" : "a count"
      } (nothing was changed; delete the row or overwrite it with setUsage)`
    )
  }
}

export interface SqliteOptions {
  readonly filename: string
  readonly busyTimeout: number
  readonly synchronous: "OFF" | "NORMAL" | "FULL"
  readonly table: string
}

export class SqliteCells {
  private readonly select: StatementSync
  private readonly upsert: StatementSync
  private readonly remove: StatementSync
  private readonly expire: StatementSync
  private writes = 0

  constructor(readonly db: DatabaseSync, table: string) {
    const t = `"${table.replaceAll("\"", "\"\"")}"`
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, value REAL NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`
    )
    this.select = db.prepare(`SELECT value, expires_at AS expiresAt FROM ${t} WHERE key = ?`)
    this.upsert = db.prepare(
      `INSERT INTO ${t} (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`
    )
    this.remove = db.prepare(`DELETE FROM ${t} WHERE key = ?`)
    this.expire = db.prepare(`DELETE FROM ${t} WHERE expires_at <= ?`)
  }

  // Another program may have written the row: SQLite keeps text in a REAL column. A value that is
  // not the slot's number fails the operation (before anything is written) rather than becoming NaN.
  private cell(slot: Slot): Cell | undefined {
    const cell = this.select.get(slot.key) as { value: unknown; expiresAt: unknown } | undefined
    if (cell === undefined) return undefined
    const { expiresAt, value } = cell
    if (
      typeof value !== "number" || !Number.isFinite(value) || (slot.kind === "counter" && !Number.isInteger(value)) ||
      typeof expiresAt !== "number" || !Number.isFinite(expiresAt)
    ) {
      throw new PoisonedKey(slot)
    }
    return cell as Cell
  }

  private transaction<A>(body: () => A): A {
    this.db.exec("BEGIN IMMEDIATE")
    try {
      const result = body()
      this.db.exec("COMMIT")
      return result
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK")
      throw error
    }
  }

  private write(slot: Slot, value: number, now: number): void {
    const expiresAt = expiryOf(slot, value)
    if (expiresAt <= now) this.remove.run(slot.key)
    else this.upsert.run(slot.key, value, expiresAt)
    if (++this.writes % 4096 === 0) this.expire.run(now)
  }

  acquire(slots: ReadonlyArray<Slot>, weight: number, now: number): AcquireResult {
    return this.transaction(() => {
      const n = slots.length
      const current: Array<number> = []
      const values: Array<number> = []
      let refused = -1
      for (let i = 0; i < n; i++) {
        const slot = slots[i]!
        current[i] = currentValue(this.cell(slot), now)
        const next = nextValue(slot, current[i]!, weight, now)
        if (refused < 0 && !fits(slot, next, weight, now)) refused = i
        values[i] = next
      }
      if (refused >= 0) return { refused, values: current }
      for (let i = 0; i < n; i++) this.write(slots[i]!, values[i]!, now)
      return { refused: -1, values }
    })
  }

  get(slots: ReadonlyArray<Slot>, now: number): Array<number> {
    return slots.map((slot) => currentValue(this.cell(slot), now))
  }

  set(slot: Slot, value: number, now: number): void {
    this.transaction(() => this.write(slot, value, now))
  }

  add(slots: ReadonlyArray<Slot>, delta: number, now: number): Array<number> {
    return this.transaction(() =>
      slots.map((slot) => {
        const value = addedValue(slot, currentValue(this.cell(slot), now), delta, now)
        this.write(slot, value, now)
        return value
      })
    )
  }
}

export const open = async (options: SqliteOptions): Promise<SqliteCells> => {
  // loaded on first use: only this store needs it, and Node 22 warns when it is loaded
  const sqlite = await import("node:sqlite")
  const db = new sqlite.DatabaseSync(options.filename, { timeout: options.busyTimeout })
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout))}`)
    db.exec("PRAGMA journal_mode = WAL")
    db.exec(`PRAGMA synchronous = ${options.synchronous}`)
    return new SqliteCells(db, options.table)
  } catch (error) {
    db.close()
    throw error
  }
}
