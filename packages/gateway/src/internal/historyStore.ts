/**
 * Where the gateway's history lives: usage samples per series (a tier's or a tenant's window),
 * the quota events, and the requests served per tier and period (for the spend of a tier the
 * tracker does not count). Memory is per process; SQLite and Redis are shared by every replica on
 * the same store, so that any replica shows the same picture:
 *
 * - a sample is keyed by its slot (`slot` is the start of its time slot, epoch ms): a write to a
 *   slot replaces what is there, so N replicas sampling the same slot leave one sample;
 * - each series keeps at most `maxSamples` samples, none older than the write's `keepFrom`;
 * - an event is recorded once per `dedupeMs` for the same identity (N replicas see the same
 *   switch), and at most `maxEvents` are kept, newest first;
 * - served counts are additive: each replica adds what it served since its last write.
 *
 * SQLite: three tables in the quota store's file (its own connection; WAL lets both work), a
 * sample's primary key being (scope, name, window, slot). Redis: over the quota store's
 * connection, a sorted set per series scored by slot (one Lua script replaces, trims and sets the
 * expiry), a capped list of events with an `SET NX PX` identity key, and a counter per served
 * period. Every key starts with the quota store's prefix. PostgreSQL: four tables
 * (`gateway_history_samples`, `_events`, `_seen`, `_served`) over the quota store's pool, every row
 * under a namespace of the quota table and the prefix; an event's identity row (`INSERT ... ON
 * CONFLICT DO UPDATE ... WHERE` older than `dedupeMs`) is the lock that records it once.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Redis from "effect/persistence/Redis"
import type * as Scope from "effect/Scope"
import type * as SqlClient from "effect/sql/SqlClient"
import type { DatabaseSync, StatementSync } from "node:sqlite"

/** One series: the window of a tier (`scope: "tier"`) or of a tenant. */
export interface SeriesKey {
  readonly scope: "tier" | "tenant"
  readonly name: string
  readonly window: string
  /** `fine` (every sample interval, the last hour) or `coarse` (the current and previous period). */
  readonly grain: "fine" | "coarse"
}

export interface SampleWrite {
  readonly series: SeriesKey
  readonly slot: number
  readonly at: number
  readonly used: number
  /** Samples of slots before this (epoch ms) are dropped. */
  readonly keepFrom: number
  readonly maxSamples: number
  /** How long the series may sit unwritten before a store forgets it (ms). */
  readonly ttlMs: number
}

/** An event as the history document shows it (fields of other kinds absent). */
export interface HistoryEvent {
  readonly atMs: number
  readonly kind: "threshold" | "switch" | "exhausted" | "fallback" | "recovered"
  readonly tier?: string
  readonly from?: string
  readonly to?: string
  readonly reason?: string
  readonly window?: string
  readonly threshold?: number
  readonly untilMs?: number
  readonly store?: string
  readonly message?: string
}

export interface ServedDelta {
  /** `<tier>|<day|month>|<periodStart>` */
  readonly key: string
  readonly delta: number
  readonly expiresAt: number
}

export interface Batch {
  readonly samples: ReadonlyArray<SampleWrite>
  readonly events: ReadonlyArray<{ readonly event: HistoryEvent; readonly identity: string }>
  readonly served: ReadonlyArray<ServedDelta>
  readonly now: number
}

export interface Query {
  readonly series: ReadonlyArray<{ readonly series: SeriesKey; readonly keepFrom: number }>
  readonly served: ReadonlyArray<string>
  readonly now: number
}

export interface Answer {
  /** Per series of the query: `[at, used]`, oldest first. */
  readonly samples: ReadonlyArray<ReadonlyArray<readonly [number, number]>>
  /** Newest first. */
  readonly events: ReadonlyArray<HistoryEvent>
  readonly served: ReadonlyArray<number>
}

/** The history store failed; `detail` never holds a URL or a credential. */
export class HistoryStoreError extends Data.TaggedError("HistoryStoreError")<{
  readonly store: HistoryStore["name"]
  readonly detail: string
}> {}

export interface HistoryStore {
  readonly name: "memory" | "sqlite" | "redis" | "postgres"
  readonly write: (batch: Batch) => Effect.Effect<void, HistoryStoreError>
  readonly read: (query: Query) => Effect.Effect<Answer, HistoryStoreError>
}

export interface Limits {
  readonly maxEvents: number
  readonly dedupeMs: number
}

const seriesId = (s: SeriesKey): string => `${s.scope}|${s.name}|${s.window}|${s.grain}`

// --- memory -----------------------------------------------------------------------------------------

export const makeMemory = (limits: Limits): HistoryStore => {
  const series = new Map<string, Map<number, readonly [number, number]>>()
  const events: Array<HistoryEvent> = [] // newest first
  const seen = new Map<string, number>()
  const served = new Map<string, { value: number; expiresAt: number }>()
  return {
    name: "memory",
    write: (batch) =>
      Effect.sync(() => {
        for (const w of batch.samples) {
          const id = seriesId(w.series)
          let slots = series.get(id)
          if (slots === undefined) series.set(id, slots = new Map())
          slots.set(w.slot, [w.at, w.used])
          const kept = [...slots.keys()].filter((slot) => slot >= w.keepFrom).sort((a, b) => a - b)
            .slice(-w.maxSamples)
          if (kept.length !== slots.size) {
            const next = new Map<number, readonly [number, number]>()
            for (const slot of kept) next.set(slot, slots.get(slot)!)
            series.set(id, next)
          }
        }
        for (const { event, identity } of batch.events) {
          const last = seen.get(identity)
          if (last !== undefined && batch.now - last < limits.dedupeMs) continue
          seen.set(identity, batch.now)
          events.unshift(event)
          if (events.length > limits.maxEvents) events.length = limits.maxEvents
        }
        for (const [identity, at] of seen) if (batch.now - at >= limits.dedupeMs) seen.delete(identity)
        for (const d of batch.served) {
          const cell = served.get(d.key)
          served.set(d.key, { value: (cell?.value ?? 0) + d.delta, expiresAt: d.expiresAt })
        }
        for (const [k, cell] of served) if (cell.expiresAt <= batch.now) served.delete(k)
      }),
    read: (query) =>
      Effect.sync(() => ({
        samples: query.series.map(({ keepFrom, series: s }) =>
          [...(series.get(seriesId(s)) ?? new Map<number, readonly [number, number]>()).entries()]
            .filter(([slot]) => slot >= keepFrom)
            .sort((a, b) => a[0] - b[0])
            .map(([, sample]) => sample)
        ),
        events: [...events],
        served: query.served.map((k) => served.get(k)?.value ?? 0)
      }))
  }
}

// --- SQLite -----------------------------------------------------------------------------------------

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** The tables of the SQLite history, beside the quota store's in its file. */
const sqliteTables = ["gateway_history_samples", "gateway_history_events", "gateway_history_served"] as const

class SqliteHistory {
  private readonly upsertSample: StatementSync
  private readonly dropOld: StatementSync
  private readonly trim: StatementSync
  private readonly selectSamples: StatementSync
  private readonly seenRecently: StatementSync
  private readonly insertEvent: StatementSync
  private readonly trimEvents: StatementSync
  private readonly selectEvents: StatementSync
  private readonly addServed: StatementSync
  private readonly expireServed: StatementSync
  private readonly selectServed: StatementSync

  constructor(readonly db: DatabaseSync, private readonly limits: Limits) {
    db.exec(`CREATE TABLE IF NOT EXISTS gateway_history_samples (
      scope TEXT NOT NULL, name TEXT NOT NULL, win TEXT NOT NULL, grain TEXT NOT NULL, slot INTEGER NOT NULL,
      at INTEGER NOT NULL, used REAL NOT NULL, PRIMARY KEY (scope, name, win, grain, slot)) WITHOUT ROWID`)
    db.exec(`CREATE TABLE IF NOT EXISTS gateway_history_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, identity TEXT NOT NULL, body TEXT NOT NULL)`)
    db.exec(`CREATE INDEX IF NOT EXISTS gateway_history_events_identity ON gateway_history_events (identity, at)`)
    db.exec(`CREATE TABLE IF NOT EXISTS gateway_history_served (
      key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`)
    const where = "scope = ? AND name = ? AND win = ? AND grain = ?"
    this.upsertSample = db.prepare(
      `INSERT INTO gateway_history_samples (scope, name, win, grain, slot, at, used) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, name, win, grain, slot) DO UPDATE SET at = excluded.at, used = excluded.used`
    )
    this.dropOld = db.prepare(`DELETE FROM gateway_history_samples WHERE ${where} AND slot < ?`)
    this.trim = db.prepare(
      `DELETE FROM gateway_history_samples WHERE ${where} AND slot <= (
         SELECT slot FROM gateway_history_samples WHERE ${where} ORDER BY slot DESC LIMIT 1 OFFSET ?)`
    )
    this.selectSamples = db.prepare(
      `SELECT at, used FROM gateway_history_samples WHERE ${where} AND slot >= ? ORDER BY slot`
    )
    this.seenRecently = db.prepare(`SELECT 1 AS seen FROM gateway_history_events WHERE identity = ? AND at > ? LIMIT 1`)
    this.insertEvent = db.prepare(`INSERT INTO gateway_history_events (at, identity, body) VALUES (?, ?, ?)`)
    this.trimEvents = db.prepare(
      `DELETE FROM gateway_history_events WHERE id <= (SELECT id FROM gateway_history_events ORDER BY id DESC LIMIT 1 OFFSET ?)`
    )
    this.selectEvents = db.prepare(`SELECT body FROM gateway_history_events ORDER BY id DESC LIMIT ?`)
    this.addServed = db.prepare(
      `INSERT INTO gateway_history_served (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = value + excluded.value, expires_at = excluded.expires_at`
    )
    this.expireServed = db.prepare(`DELETE FROM gateway_history_served WHERE expires_at <= ?`)
    this.selectServed = db.prepare(`SELECT value FROM gateway_history_served WHERE key = ? AND expires_at > ?`)
  }

  write(batch: Batch): void {
    this.db.exec("BEGIN IMMEDIATE")
    try {
      for (const w of batch.samples) {
        const k = [w.series.scope, w.series.name, w.series.window, w.series.grain] as const
        this.upsertSample.run(...k, w.slot, w.at, w.used)
        this.dropOld.run(...k, w.keepFrom)
        this.trim.run(...k, ...k, w.maxSamples)
      }
      for (const { event, identity } of batch.events) {
        if (this.seenRecently.get(identity, batch.now - this.limits.dedupeMs) !== undefined) continue
        // the row's time is the write's, so that the identity window is the same on every replica
        this.insertEvent.run(batch.now, identity, JSON.stringify(event))
      }
      if (batch.events.length > 0) this.trimEvents.run(this.limits.maxEvents)
      for (const d of batch.served) this.addServed.run(d.key, d.delta, d.expiresAt)
      this.expireServed.run(batch.now)
      this.db.exec("COMMIT")
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK")
      throw error
    }
  }

  read(query: Query): Answer {
    return {
      samples: query.series.map(({ keepFrom, series: s }) =>
        (this.selectSamples.all(s.scope, s.name, s.window, s.grain, keepFrom) as Array<{ at: number; used: number }>)
          .map((row) => [Number(row.at), Number(row.used)] as const)
      ),
      events: (this.selectEvents.all(this.limits.maxEvents) as Array<{ body: string }>).flatMap((row) => {
        try {
          return [JSON.parse(row.body) as HistoryEvent]
        } catch {
          return []
        }
      }),
      served: query.served.map((k) =>
        Number((this.selectServed.get(k, query.now) as { value: number } | undefined)?.value ?? 0)
      )
    }
  }
}

/** What a read of a store without any history answers: no samples, no events, nothing served. */
const nothing = (query: Query): Answer => ({
  samples: query.series.map(() => []),
  events: [],
  served: query.served.map(() => 0)
})

/**
 * The SQLite history in `filename`. `existing: true` (a reader such as `GatewayHistory`) neither
 * creates the file nor the tables: a file no gateway has written history to reads as empty, and
 * is left as it was.
 */
export const makeSqlite = (
  options: Limits & { readonly filename: string; readonly existing?: boolean | undefined }
): Effect.Effect<HistoryStore, HistoryStoreError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const sqlite = await import("node:sqlite")
        if (options.existing === true) {
          const { existsSync } = await import("node:fs")
          if (!existsSync(options.filename)) return undefined
        }
        const db = new sqlite.DatabaseSync(options.filename, { timeout: 5000 })
        try {
          db.exec("PRAGMA busy_timeout = 5000")
          if (options.existing === true) {
            const found = db.prepare(
              "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?)"
            ).get(...sqliteTables) as { n: number }
            if (Number(found.n) < sqliteTables.length) {
              db.close()
              return undefined
            }
          } else db.exec("PRAGMA journal_mode = WAL")
          return new SqliteHistory(db, options)
        } catch (error) {
          db.close()
          throw error
        }
      },
      catch: (cause) =>
        new HistoryStoreError({ store: "sqlite", detail: `cannot open the history: ${describe(cause)}` })
    }),
    (history) => Effect.sync(() => history?.db.close())
  ).pipe(Effect.map((history): HistoryStore => {
    const run = <A>(body: () => A) =>
      Effect.try({ try: body, catch: (cause) => new HistoryStoreError({ store: "sqlite", detail: describe(cause) }) })
    if (history === undefined) {
      return {
        name: "sqlite",
        write: () => Effect.fail(new HistoryStoreError({ store: "sqlite", detail: "opened to read only" })),
        read: (query) => Effect.succeed(nothing(query))
      }
    }
    return {
      name: "sqlite",
      write: (batch) => run(() => history.write(batch)),
      read: (query) => run(() => history.read(query))
    }
  }))

// --- Redis ------------------------------------------------------------------------------------------

// KEYS[1] the series; ARGV: slot, member, keepFrom, maxSamples, ttlMs. Replaces the slot's sample,
// drops what is older than keepFrom and beyond maxSamples, and refreshes the expiry.
const sampleScript = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[4])
if n > max then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return n`

// KEYS[1] the event list, KEYS[2] the identity key; ARGV: body, dedupeMs, maxEvents, ttlMs.
const eventScript = `
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[2], 'NX') then
  redis.call('LPUSH', KEYS[1], ARGV[1])
  redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 1
end
return 0`

const EVENTS_TTL = 62 * 86_400_000

export const makeRedis = (
  redis: Redis.Redis["Service"],
  options: Limits & { readonly prefix: string }
): HistoryStore => {
  // one hash tag per tier (as the quota store's keys), one for the events: Redis Cluster safe
  const seriesKey = (s: SeriesKey) => `${options.prefix}history:${s.scope}:{${s.name}}:${s.window}:${s.grain}`
  const eventsKey = `${options.prefix}{history}:events`
  const identityKey = (identity: string) => `${options.prefix}{history}:event:${identity}`
  const servedKey = (key: string) => `${options.prefix}history:served:{${key.split("|")[0]}}:${key}`
  const fail = (cause: unknown) =>
    // a RedisError's cause may quote the server's address: only its kind goes out
    new HistoryStoreError({
      store: "redis",
      detail: `the Redis history did not answer (${cause instanceof Error ? cause.name : "error"})`
    })
  return {
    name: "redis",
    write: (batch) =>
      Effect.all([
        Effect.forEach(batch.samples, (w) =>
          redis.send(
            "EVAL",
            sampleScript,
            "1",
            seriesKey(w.series),
            String(w.slot),
            `${w.slot}:${w.at}:${w.used}`,
            String(w.keepFrom),
            String(w.maxSamples),
            String(Math.max(1, Math.ceil(w.ttlMs)))
          ), { concurrency: "unbounded", discard: true }),
        Effect.forEach(batch.events, ({ event, identity }) =>
          redis.send(
            "EVAL",
            eventScript,
            "2",
            eventsKey,
            identityKey(identity),
            JSON.stringify(event),
            String(options.dedupeMs),
            String(options.maxEvents),
            String(EVENTS_TTL)
          ), { discard: true }),
        Effect.forEach(batch.served, (d) =>
          Effect.andThen(
            redis.send("INCRBY", servedKey(d.key), String(d.delta)),
            redis.send("PEXPIREAT", servedKey(d.key), String(Math.ceil(d.expiresAt)))
          ), { concurrency: "unbounded", discard: true })
      ], { concurrency: "unbounded", discard: true }).pipe(Effect.mapError(fail)),
    read: (query) =>
      Effect.all({
        samples: Effect.forEach(query.series, ({ keepFrom, series }) =>
          Effect.map(
            redis.send<Array<string>>("ZRANGEBYSCORE", seriesKey(series), String(keepFrom), "+inf"),
            (members) =>
              members.flatMap((member) => {
                const [, at, used] = String(member).split(":").map(Number)
                return Number.isFinite(at) && Number.isFinite(used) ? [[at!, used!] as const] : []
              })
          ), { concurrency: "unbounded" }),
        events: Effect.map(
          redis.send<Array<string>>("LRANGE", eventsKey, "0", String(options.maxEvents - 1)),
          (bodies) =>
            bodies.flatMap((body) => {
              try {
                return [JSON.parse(String(body)) as HistoryEvent]
              } catch {
                return []
              }
            })
        ),
        served: Effect.forEach(query.served, (k) =>
          Effect.map(redis.send<string | null>("GET", servedKey(k)), (value) => {
            const n = Number(value ?? 0)
            return Number.isFinite(n) ? n : 0
          }), { concurrency: "unbounded" })
      }, { concurrency: "unbounded" }).pipe(Effect.mapError(fail))
  }
}

// --- PostgreSQL -------------------------------------------------------------------------------------

const pg = {
  samples: "gateway_history_samples",
  events: "gateway_history_events",
  seen: "gateway_history_seen",
  served: "gateway_history_served"
} as const

const pgSchema = [
  `CREATE TABLE IF NOT EXISTS ${pg.samples} (ns text NOT NULL, scope text NOT NULL, name text NOT NULL,
    win text NOT NULL, grain text NOT NULL, slot bigint NOT NULL, at bigint NOT NULL, used double precision NOT NULL,
    PRIMARY KEY (ns, scope, name, win, grain, slot))`,
  `CREATE TABLE IF NOT EXISTS ${pg.events} (id bigserial PRIMARY KEY, ns text NOT NULL, at bigint NOT NULL,
    body text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS ${pg.events}_ns ON ${pg.events} (ns, id)`,
  `CREATE TABLE IF NOT EXISTS ${pg.seen} (ns text NOT NULL, identity text NOT NULL, at bigint NOT NULL,
    PRIMARY KEY (ns, identity))`,
  `CREATE TABLE IF NOT EXISTS ${pg.served} (ns text NOT NULL, key text NOT NULL, value bigint NOT NULL,
    expires_at bigint NOT NULL, PRIMARY KEY (ns, key))`
]

const series = "ns = $1 AND scope = $2 AND name = $3 AND win = $4 AND grain = $5"

/**
 * The PostgreSQL history over `sql` (the quota store's pool), its rows under the namespace
 * `<table>|<prefix>`. `existing: true` (a reader) creates no table: a database without them reads
 * as empty.
 */
export const makePostgres = (
  sql: SqlClient.SqlClient,
  options: Limits & { readonly table: string; readonly prefix: string; readonly existing?: boolean | undefined }
): Effect.Effect<HistoryStore, HistoryStoreError> =>
  Effect.gen(function*() {
    const ns = `${options.table}|${options.prefix}`
    // a SqlError may quote the server's address or a statement: only its kind goes out
    const fail = (cause: unknown) =>
      new HistoryStoreError({
        store: "postgres",
        detail: `the PostgreSQL history did not answer (${cause instanceof Error ? cause.name : "error"})`
      })
    const q = (text: string, params: ReadonlyArray<unknown> = []) =>
      sql.unsafe<Record<string, unknown>>(text, params as Array<unknown>)
    if (options.existing === true) {
      const found = yield* q(
        `SELECT COUNT(*) AS n FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NOT NULL`,
        [Object.values(pg)]
      ).pipe(Effect.mapError(fail))
      if (Number(found[0]?.["n"] ?? 0) < Object.values(pg).length) {
        return {
          name: "postgres",
          write: () => Effect.fail(new HistoryStoreError({ store: "postgres", detail: "opened to read only" })),
          read: (query) => Effect.succeed(nothing(query))
        }
      }
    } else {
      // replicas starting at once: CREATE ... IF NOT EXISTS races in the catalogue without the lock
      yield* sql.withTransaction(Effect.gen(function*() {
        yield* q(`SELECT pg_advisory_xact_lock(hashtext('@bing-effect/gateway/history'))`)
        for (const statement of pgSchema) yield* q(statement)
      })).pipe(Effect.mapError(fail))
    }
    const write = (batch: Batch) =>
      Effect.gen(function*() {
        // every series in two statements (not two per series): a write is a handful of round trips
        if (batch.samples.length > 0) {
          const column = <A>(f: (w: SampleWrite) => A) => batch.samples.map(f)
          const keys = [
            column((w) => w.series.scope),
            column((w) => w.series.name),
            column((w) => w.series.window),
            column((w) => w.series.grain)
          ]
          yield* q(
            `INSERT INTO ${pg.samples} (ns, scope, name, win, grain, slot, at, used)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
               $8::float8[])
             ON CONFLICT (ns, scope, name, win, grain, slot) DO UPDATE SET at = excluded.at, used = excluded.used`,
            [ns, ...keys, column((w) => w.slot), column((w) => Math.round(w.at)), column((w) => w.used)]
          )
          yield* q(
            `WITH p AS (
               SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
                 AS p(scope, name, win, grain, keep_from, max_samples)
             ), ranked AS (
               SELECT s.scope, s.name, s.win, s.grain, s.slot, p.keep_from, p.max_samples,
                 row_number() OVER (PARTITION BY s.scope, s.name, s.win, s.grain ORDER BY s.slot DESC) AS rn
               FROM ${pg.samples} s JOIN p USING (scope, name, win, grain) WHERE s.ns = $1
             )
             DELETE FROM ${pg.samples} s USING ranked r
             WHERE s.ns = $1 AND s.scope = r.scope AND s.name = r.name AND s.win = r.win AND s.grain = r.grain
               AND s.slot = r.slot AND (r.slot < r.keep_from OR r.rn > r.max_samples)`,
            [ns, ...keys, column((w) => Math.floor(w.keepFrom)), column((w) => w.maxSamples)]
          )
        }
        for (const { event, identity } of batch.events) {
          const fresh = yield* q(
            `INSERT INTO ${pg.seen} AS s (ns, identity, at) VALUES ($1, $2, $3)
             ON CONFLICT (ns, identity) DO UPDATE SET at = excluded.at WHERE s.at <= $4 RETURNING 1 AS fresh`,
            [ns, identity, batch.now, batch.now - options.dedupeMs]
          )
          if (fresh.length > 0) {
            yield* q(`INSERT INTO ${pg.events} (ns, at, body) VALUES ($1, $2, $3)`, [
              ns,
              batch.now,
              JSON.stringify(event)
            ])
          }
        }
        if (batch.events.length > 0) {
          yield* q(
            `DELETE FROM ${pg.events} WHERE ns = $1 AND id <= (
               SELECT id FROM ${pg.events} WHERE ns = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
            [ns, options.maxEvents]
          )
          yield* q(`DELETE FROM ${pg.seen} WHERE ns = $1 AND at <= $2`, [ns, batch.now - options.dedupeMs])
        }
        for (const d of batch.served) {
          yield* q(
            `INSERT INTO ${pg.served} AS s (ns, key, value, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (ns, key) DO UPDATE SET value = s.value + excluded.value, expires_at = excluded.expires_at`,
            [ns, d.key, d.delta, Math.ceil(d.expiresAt)]
          )
        }
        yield* q(`DELETE FROM ${pg.served} WHERE ns = $1 AND expires_at <= $2`, [ns, batch.now])
      })
    return {
      name: "postgres",
      write: (batch) => sql.withTransaction(write(batch)).pipe(Effect.mapError(fail)),
      read: (query) =>
        Effect.all({
          samples: Effect.forEach(query.series, ({ keepFrom, series: s }) =>
            Effect.map(
              q(`SELECT at, used FROM ${pg.samples} WHERE ${series} AND slot >= $6 ORDER BY slot`, [
                ns,
                s.scope,
                s.name,
                s.window,
                s.grain,
                Math.floor(keepFrom)
              ]),
              (rows) => rows.map((row) => [Number(row["at"]), Number(row["used"])] as const)
            )),
          events: Effect.map(
            q(`SELECT body FROM ${pg.events} WHERE ns = $1 ORDER BY id DESC LIMIT $2`, [ns, options.maxEvents]),
            (rows) =>
              rows.flatMap((row) => {
                try {
                  return [JSON.parse(String(row["body"])) as HistoryEvent]
                } catch {
                  return []
                }
              })
          ),
          served: Effect.forEach(query.served, (k) =>
            Effect.map(
              q(`SELECT value FROM ${pg.served} WHERE ns = $1 AND key = $2 AND expires_at > $3`, [ns, k, query.now]),
              (rows) => {
                const n = Number(rows[0]?.["value"] ?? 0)
                return Number.isFinite(n) ? n : 0
              }
            ))
        }).pipe(Effect.mapError(fail))
    }
  })
