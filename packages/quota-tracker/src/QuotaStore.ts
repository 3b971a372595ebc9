/**
 * The counter backend of the quota tracker.
 *
 * A store keeps numbers under string keys, each with an expiry, and offers one
 * atomic operation that matters: check every slot of an acquire against its
 * limit and add the weight to all of them, or to none. Three implementations
 * pass the same contract suite:
 *
 * - `layerMemory`: one process.
 * - `layerSqlite`: a file through `node:sqlite`, shared by the processes of one
 *   host and kept across restarts.
 * - `layerRedis`: Redis through `effect/persistence`'s `Redis` service, one
 *   round trip per acquire, exact across processes and hosts. `RedisStore.layer`
 *   from `@bing-effect/quota-tracker/redis` is this store with a connection of
 *   its own whose start-up has a deadline.
 * - `layerPostgres`: a PostgreSQL table through `effect/sql`'s `SqlClient`, one
 *   statement per acquire, exact across processes and hosts.
 *   `PostgresStore.layer` from `@bing-effect/quota-tracker/postgres` is this
 *   store with a connection pool of its own (`@effect/sql-pg`).
 *
 * A slot is either a `"counter"` (a count for one calendar period; the key
 * names the period, so each period starts at zero) or a `"bucket"` (a token
 * bucket of capacity `limit` refilled at `limit` per `interval`, stored as the
 * theoretical arrival time of the generic cell rate algorithm).
 *
 * `layerFailOpen` wraps any of them: when the store fails, it answers from
 * memory and replays those counts once the store is back.
 *
 * Every failure of the backend becomes a `QuotaError` with a `StoreUnavailable`
 * reason, never a defect; so does a key that holds something other than its
 * number (written by another program): the operation changes nothing and the
 * error names the key, never the value.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import { attach, SyncCountersId } from "./internal/capabilities.js"
import { describeCause as describe } from "./internal/errorDetail.js"
import { makeFailOpen as decorateFailOpen } from "./internal/failOpen.js"
import { MemoryCells } from "./internal/memoryStore.js"
import { millisOf } from "./internal/options.js"
import { make as makePostgresService, tableError } from "./internal/postgresStore.js"
import { makeService as makeRedisService } from "./internal/redisStore.js"
import { open as openSqlite, type SqliteCells } from "./internal/sqliteStore.js"
import * as QuotaError from "./QuotaError.js"

/**
 * One counter or bucket touched by a store operation.
 *
 * @since 0.1.0
 * @category models
 */
export type Slot =
  | {
    readonly kind: "counter"
    readonly key: string
    readonly limit: number
    /** Epoch ms after which the key may be forgotten (the tracker keeps a period's count for one more period). */
    readonly expiresAt: number
  }
  | {
    readonly kind: "bucket"
    readonly key: string
    /** Capacity, refilled at `limit` per `interval`. */
    readonly limit: number
    /** Refill interval in ms (1000 for a per-second limit). */
    readonly interval: number
  }

/**
 * The answer to `acquire`. `refused` is `-1` when the weight was added to every
 * slot, otherwise the index of the first slot that refused (and nothing was
 * added). `values` holds, per slot, the value after the acquire when admitted,
 * or the current value when refused (a count for counters, the theoretical
 * arrival time in epoch ms for buckets).
 *
 * @since 0.1.0
 * @category models
 */
export interface AcquireResult {
  readonly refused: number
  readonly values: ReadonlyArray<number>
}

/**
 * The operations of a counter store. Every `now` is epoch ms from the caller's
 * `Clock`, so the memory and SQLite stores follow `TestClock`; Redis expires
 * keys after `expiresAt - now` milliseconds of its own time. A refund is
 * `add(slots, -weight, now)`.
 *
 * The stores of this package may carry internal fast paths beside these
 * operations (the memory store's synchronous counters, the fail-open
 * decorator's mode); a store of your own needs only the fields below.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly name: QuotaError.StoreName
  /** Checks every slot and adds `weight` to all of them, or to none. */
  readonly acquire: (
    slots: ReadonlyArray<Slot>,
    weight: number,
    now: number
  ) => Effect.Effect<AcquireResult, QuotaError.QuotaError>
  /** The current value of each slot (0 when missing or expired). */
  readonly get: (slots: ReadonlyArray<Slot>, now: number) => Effect.Effect<ReadonlyArray<number>, QuotaError.QuotaError>
  /** Overwrites one slot's value (a count, or a bucket's arrival time). */
  readonly set: (slot: Slot, value: number, now: number) => Effect.Effect<void, QuotaError.QuotaError>
  /**
   * Adds `delta` to every slot without checking limits (negative to refund:
   * counters stop at 0, buckets at `now`). Returns the new values.
   */
  readonly add: (
    slots: ReadonlyArray<Slot>,
    delta: number,
    now: number
  ) => Effect.Effect<ReadonlyArray<number>, QuotaError.QuotaError>
}

/**
 * The counter store used by `QuotaTracker`.
 *
 * @since 0.1.0
 * @category services
 */
export class QuotaStore extends Context.Service<QuotaStore, Service>()("@bing-effect/quota-tracker/QuotaStore") {}

/**
 * An in-process store: fast, exact within one process, lost on exit.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const cells = new MemoryCells()
  const store = QuotaStore.of({
    name: "memory",
    acquire: (slots, weight, now) => Effect.sync(() => cells.acquire(slots, weight, now)),
    get: (slots, now) => Effect.sync(() => cells.get(slots, now)),
    set: (slot, value, now) => Effect.sync(() => cells.set(slot, value, now)),
    add: (slots, delta, now) => Effect.sync(() => cells.add(slots, delta, now))
  })
  // the tracker's hot path: check and count without an effect per call (internal, see capabilities.ts)
  return attach(store, SyncCountersId, {
    prepare: (slots) => cells.prepare(slots),
    acquire: (slots, weight, now) => cells.acquire(slots, weight, now)
  })
})

/**
 * The in-process store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<QuotaStore> = Layer.effect(QuotaStore, makeMemory)

/**
 * Options of the fail-open decorator.
 *
 * - `retryInterval`: after a failure, how long to answer from memory before
 *   trying the store again (default 1 second; milliseconds or any
 *   `Duration.Input`).
 *
 * @since 0.1.0
 * @category models
 */
export interface FailOpenOptions {
  readonly retryInterval?: Duration.Input | undefined
}

/**
 * Wraps a store so that it fails open: while the store answers, every
 * operation goes to it; when an operation fails with `StoreUnavailable`, this
 * one and the following are answered from memory cells that start from the
 * last counts the store answered (so limits still hold within the process),
 * and the weight admitted or refunded meanwhile is kept per counter. At the
 * first operation `retryInterval` after the last failure, those counts are
 * added to the store; once it has taken them all, the store is used again.
 * Other processes do not see the counts made in memory until then.
 *
 * A `QuotaTracker` over this store reports the changes as `StoreFallback` and
 * `StoreRecovered` events and in `status.storeMode`. Other failures (such as
 * `InvalidOptions`) pass through. Fails with `InvalidOptions` when
 * `retryInterval` is not a finite, non-negative duration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFailOpen = (
  store: Service,
  options: FailOpenOptions = {}
): Effect.Effect<Service, QuotaError.QuotaError> =>
  Effect.suspend(() => {
    const interval = options.retryInterval === undefined ? 1000 : millisOf(options.retryInterval, "retryInterval")
    return typeof interval === "string"
      ? Effect.fail(QuotaError.invalidOptions(interval))
      : Effect.succeed(decorateFailOpen(store, interval))
  })

/**
 * Wraps the `QuotaStore` of the context with `makeFailOpen`: provide the store
 * to this layer, and this layer to the tracker.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { QuotaStore, QuotaTracker, TierCatalog } from "@bing-effect/quota-tracker"
 * import { RedisStore } from "@bing-effect/quota-tracker/redis"
 *
 * const Store = QuotaStore.layerFailOpen({ retryInterval: "1 second" }).pipe(
 *   Layer.provide(RedisStore.layer({ url: "redis://127.0.0.1:6379" }))
 * )
 * const Quota = QuotaTracker.layer({ tiers: [TierCatalog.tier("S15", { key: Redacted.make("s15-key") })] }).pipe(
 *   Layer.provide(Store)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFailOpen = (
  options: FailOpenOptions = {}
): Layer.Layer<QuotaStore, QuotaError.QuotaError, QuotaStore> =>
  Layer.effect(
    QuotaStore,
    Effect.gen(function*() {
      return yield* makeFailOpen(yield* QuotaStore, options)
    })
  )

/**
 * Options of the SQLite store.
 *
 * - `filename`: the database file (created when missing), or `":memory:"`.
 * - `busyTimeout`: how long, in ms, to wait for another process's write lock
 *   before failing with `StoreUnavailable` (default 5000).
 * - `synchronous`: SQLite's `synchronous` pragma (default `"NORMAL"`, which in
 *   WAL mode survives a process crash; `"FULL"` also survives power loss).
 * - `table`: the table name (default `"quota_counters"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  readonly filename: string
  readonly busyTimeout?: number | undefined
  readonly synchronous?: "OFF" | "NORMAL" | "FULL" | undefined
  readonly table?: string | undefined
}

const run = <A>(body: () => A): Effect.Effect<A, QuotaError.QuotaError> =>
  Effect.try({ try: body, catch: (cause) => QuotaError.storeUnavailable("sqlite", describe(cause)) })

const sqliteService = (cells: SqliteCells): Service => {
  return QuotaStore.of({
    name: "sqlite",
    acquire: (slots, weight, now) => run(() => cells.acquire(slots, weight, now)),
    get: (slots, now) => run(() => cells.get(slots, now)),
    set: (slot, value, now) => run(() => cells.set(slot, value, now)),
    add: (slots, delta, now) => run(() => cells.add(slots, delta, now))
  })
}

/**
 * A store in a SQLite file through `node:sqlite` (Node 22.13+, no native
 * build). Safe across processes on one host (each operation is a
 * `BEGIN IMMEDIATE` transaction in WAL mode) and kept across restarts. The
 * database is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSqlite = (options: SqliteOptions): Effect.Effect<Service, QuotaError.QuotaError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () =>
        openSqlite({
          filename: options.filename,
          busyTimeout: options.busyTimeout ?? 5000,
          synchronous: options.synchronous ?? "NORMAL",
          table: options.table ?? "quota_counters"
        }),
      catch: (cause) => QuotaError.storeUnavailable("sqlite", `cannot open ${options.filename}: ${describe(cause)}`)
    }),
    (cells) => Effect.sync(() => cells.db.close())
  ).pipe(Effect.map(sqliteService))

/**
 * The SQLite store as a layer.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { QuotaStore, QuotaTracker, TierCatalog } from "@bing-effect/quota-tracker"
 *
 * const Live = QuotaTracker.layer({ tiers: [TierCatalog.tier("S15", { key: Redacted.make("s15-key") })] }).pipe(
 *   Layer.provide(QuotaStore.layerSqlite({ filename: "quota.sqlite" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: SqliteOptions): Layer.Layer<QuotaStore, QuotaError.QuotaError> =>
  Layer.effect(QuotaStore, makeSqlite(options))

/**
 * Options of the Redis store.
 *
 * - `prefix`: prepended to every key (default `"bing-quota:"`). Keys look like
 *   `bing-quota:{S15}:day:1732233600000`; the braces keep a tier's keys in one
 *   Redis Cluster hash slot.
 * - `timeout`: how long, in ms, an operation may take before it fails with
 *   `StoreUnavailable` (default 2000; `0` for no bound). node-redis queues
 *   commands while it reconnects, so without a bound an acquire could wait
 *   indefinitely.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisOptions {
  readonly prefix?: string | undefined
  readonly timeout?: number | undefined
}

/**
 * The key prefix used by the Redis store when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRedisPrefix = "bing-quota:"

/**
 * A store in Redis through the `Redis` service of `effect/persistence`
 * (provide it with `RedisStore.layerConnection({ url })` from
 * `@bing-effect/quota-tracker/redis`). An acquire is one `EVALSHA` of one Lua
 * script over all the slots, which checks every slot before it writes any;
 * keys expire when their slot's `expiresAt` passes.
 *
 * **Gotchas**
 *
 * `NodeRedis.layer` from `@effect/platform-node` connects without a deadline:
 * against a Redis that accepts connections and never answers, its build (and
 * an `Effect.timeout` around it) never returns. Provide a connection with a
 * bounded start-up, such as `RedisStore.layerConnection`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRedis = (options: RedisOptions = {}): Effect.Effect<Service, never, Redis.Redis> =>
  Effect.map(Redis.Redis, (redis) =>
    QuotaStore.of(makeRedisService(redis, {
      prefix: options.prefix ?? defaultRedisPrefix,
      timeout: options.timeout ?? 2000
    })))

/**
 * The Redis store as a layer; requires `Redis` from `effect/persistence`.
 * `RedisStore.layer({ url, prefix })` from `@bing-effect/quota-tracker/redis`
 * is this layer with a bounded connection provided.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaStore } from "@bing-effect/quota-tracker"
 * import { RedisStore } from "@bing-effect/quota-tracker/redis"
 *
 * const Store = QuotaStore.layerRedis({ prefix: "myapp:quota:" }).pipe(
 *   Layer.provide(RedisStore.layerConnection({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRedis = (options: RedisOptions = {}): Layer.Layer<QuotaStore, never, Redis.Redis> =>
  Layer.effect(QuotaStore, makeRedis(options))

/**
 * Options of the PostgreSQL store.
 *
 * - `table`: the table, `name` or `schema.name` (default `"quota_counters"`),
 *   created when missing together with its functions `<name>_acquire_v1`
 *   and `<name>_acquire_batch_v1`.
 * - `prefix`: prepended to every key (default `""`): stores with different
 *   prefixes keep separate counts in one table.
 * - `timeout`: how long, in ms, an operation may take before it fails with
 *   `StoreUnavailable` (default 2000; `0` for no bound). A frozen server or a
 *   lost connection would otherwise keep an acquire waiting.
 * - `startup`: `"connect"` (default) creates the table while the layer is
 *   built, so the build fails with `StoreUnavailable` when PostgreSQL does not
 *   answer; `"background"` builds at once and creates it on the first
 *   operation (for a tracker over `layerFailOpen` that must start while the
 *   database is down).
 *
 * @since 0.4.0
 * @category models
 */
export interface PostgresOptions {
  readonly table?: string | undefined
  readonly prefix?: string | undefined
  readonly timeout?: number | undefined
  readonly startup?: "connect" | "background" | undefined
}

/**
 * The table used by the PostgreSQL store when none is given.
 *
 * @since 0.4.0
 * @category constants
 */
export const defaultPostgresTable = "quota_counters"

/**
 * A store in a PostgreSQL table through the `SqlClient` of `effect/sql`
 * (provide it with `PostgresStore.layerConnection({ url })` from
 * `@bing-effect/quota-tracker/postgres`, or any PostgreSQL `SqlClient` of
 * your own). An acquire is one statement calling one PL/pgSQL function, which
 * row-locks every slot in one key order, checks them all and writes all or
 * none: exact across any number of processes at READ COMMITTED. Acquires of
 * one tier arriving while its call is in flight share the next call (one
 * commit for the batch, each checked after the ones before it). Rows of ended
 * periods are deleted in the background. The table and the function are
 * created when missing (`IF NOT EXISTS`, safe for processes starting
 * together).
 *
 * Fails with `InvalidOptions` for a table name that is not `name` or
 * `schema.name`, and with `StoreUnavailable` when the table cannot be created.
 *
 * @since 0.4.0
 * @category constructors
 */
export const makePostgres = (
  options: PostgresOptions = {}
): Effect.Effect<Service, QuotaError.QuotaError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const table = options.table ?? defaultPostgresTable
    const timeout = options.timeout ?? 2000
    const startup = options.startup ?? "connect"
    const invalid = tableError(table) ??
      (!(timeout >= 0) || !Number.isFinite(timeout)
        ? `timeout must be a non-negative number of ms, got ${String(timeout)}`
        : startup !== "connect" && startup !== "background"
        ? `startup must be "connect" or "background"`
        : undefined)
    if (invalid !== undefined) return yield* Effect.fail(QuotaError.invalidOptions(invalid))
    const sql = yield* SqlClient.SqlClient
    return QuotaStore.of(yield* makePostgresService(sql, { table, prefix: options.prefix ?? "", timeout, startup }))
  })

/**
 * The PostgreSQL store as a layer; requires a PostgreSQL `SqlClient`.
 * `PostgresStore.layer({ url, table })` from
 * `@bing-effect/quota-tracker/postgres` is this layer with a bounded
 * connection pool provided.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaStore } from "@bing-effect/quota-tracker"
 * import { PostgresStore } from "@bing-effect/quota-tracker/postgres"
 *
 * const Store = QuotaStore.layerPostgres({ table: "myapp_quota", timeout: 500 }).pipe(
 *   Layer.provide(PostgresStore.layerConnection({ url: "postgres://postgres@127.0.0.1:5432/test" }))
 * )
 * ```
 *
 * @since 0.4.0
 * @category layers
 */
export const layerPostgres = (
  options: PostgresOptions = {}
): Layer.Layer<QuotaStore, QuotaError.QuotaError, SqlClient.SqlClient> =>
  Layer.effect(QuotaStore, makePostgres(options))
