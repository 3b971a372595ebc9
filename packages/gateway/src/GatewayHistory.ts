/**
 * Reading the history that gateways write to a shared store, from outside any gateway: the usage
 * samples of each tier's windows and the quota events (thresholds crossed, tier switches with
 * their reason, exhaustion, store fallback and recovery). `bing-search quota --store <spec>` shows
 * it; a script of your own can too.
 *
 * It is a real read of what the gateways wrote, through the same table and key layout: the
 * `gateway_history_*` tables of a SQLite quota store's file or of a PostgreSQL quota store's
 * database (rows under the quota table and prefix), and the `<prefix>history:...` keys of a Redis
 * (or Redis Cluster) quota store, `prefix` being the quota store's (the gateway's `storePrefix`,
 * default `bing-gateway:quota:`). Reading never creates a table or a key.
 *
 * A `memory` store holds no shared history (each gateway keeps its own, in its process): the
 * reading says so with `shared: false`, it does not fail.
 *
 * @since 0.1.0
 */
import type { StoreSpec } from "@bing-effect/quota-tracker"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as HistoryStore from "./internal/historyStore.js"

/**
 * A quota event as the gateways recorded it (epoch ms; the fields of other kinds absent):
 * `threshold` (`tier`, `window`, `threshold`), `switch` (`from`, `to`, `reason`), `exhausted`
 * (`tier`, `window`, `reason` = who said so, `untilMs`), `fallback` and `recovered` (`store`).
 * Every kind has a `message` a person can read.
 *
 * @since 0.1.0
 * @category models
 */
export type Event = HistoryStore.HistoryEvent

/**
 * One window of one tier over time: `[epochMs, used]` pairs, oldest first (the coarse samples of
 * the current and previous period, then the fine ones, one per sample interval).
 *
 * @since 0.1.0
 * @category models
 */
export interface Series {
  readonly tier: string
  readonly window: string
  readonly samples: ReadonlyArray<readonly [number, number]>
}

/**
 * What a read found.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reading {
  /** The kind of store read: `memory`, `sqlite`, `redis`, `redis-cluster` or `postgres`. */
  readonly store: StoreSpec.StoreSpec["_tag"]
  /** Whether gateways on this kind of store keep their history there (false: memory). */
  readonly shared: boolean
  /** One per window asked for, in the order asked. */
  readonly samples: ReadonlyArray<Series>
  /** Newest first, at most `maxEvents`. */
  readonly events: ReadonlyArray<Event>
}

/**
 * The tiers and windows to read (a tiers file's names; the windows are those with a limit).
 *
 * @since 0.1.0
 * @category models
 */
export interface TierWindows {
  readonly name: string
  readonly windows: ReadonlyArray<string>
}

/**
 * The store could not be read (opened, or answered). `detail` never holds a URL or a credential.
 *
 * @since 0.1.0
 * @category errors
 */
export class HistoryReadError extends Data.TaggedError("HistoryReadError")<{
  readonly store: StoreSpec.StoreSpec["_tag"]
  readonly detail: string
}> {
  override get message(): string {
    return `the ${this.store} history could not be read: ${this.detail}`
  }
}

/**
 * An open reader: one connection (or file handle) for as many reads as the scope lasts, e.g. a
 * read a second while watching.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader {
  readonly store: StoreSpec.StoreSpec["_tag"]
  readonly shared: boolean
  readonly read: (options: { readonly tiers: ReadonlyArray<TierWindows> }) => Effect.Effect<Reading, HistoryReadError>
}

/**
 * How many events a read returns unless told: the gateway's default `history.maxEvents` (200).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxEvents = 200

/**
 * Whether a reading holds nothing: no sample in any series and no event.
 *
 * @since 0.1.0
 * @category guards
 */
export const isEmpty = (reading: Reading): boolean =>
  reading.events.length === 0 && reading.samples.every((s) => s.samples.length === 0)

const readerOf = (
  tag: StoreSpec.StoreSpec["_tag"],
  store: HistoryStore.HistoryStore | undefined
): Reader => ({
  store: tag,
  shared: store !== undefined,
  read: ({ tiers }) => {
    const series = tiers.flatMap((t) =>
      t.windows.flatMap((window) =>
        (["coarse", "fine"] as const).map((grain) => ({
          series: { scope: "tier" as const, name: t.name, window, grain },
          // the writers keep each series bounded (count and age): every sample there is wanted
          keepFrom: 0
        }))
      )
    )
    const answer = store === undefined
      ? Effect.succeed(undefined)
      : Effect.map(store.read({ series, served: [], now: Date.now() }), (a) => a as HistoryStore.Answer | undefined)
    return answer.pipe(
      Effect.mapError((e) => new HistoryReadError({ store: tag, detail: e.detail })),
      Effect.map((a): Reading => {
        const samples: Array<Series> = []
        let i = 0
        for (const t of tiers) {
          for (const window of t.windows) {
            const coarse = a?.samples[i++] ?? []
            const fine = a?.samples[i++] ?? []
            const first = fine[0]?.[0] ?? Number.POSITIVE_INFINITY
            samples.push({
              tier: t.name,
              window,
              samples: [...coarse.filter(([at]) => at < first), ...fine].map(([at, used]) => [at, used] as const)
            })
          }
        }
        return { store: tag, shared: store !== undefined, samples, events: a?.events ?? [] }
      })
    )
  }
})

/**
 * Opens a reader of the history kept in `store` (the spec the gateways were given), for the
 * scope. A SQLite file that does not exist, or a file or database that holds no history, reads
 * as empty; a Redis or PostgreSQL that does not answer is a `HistoryReadError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  store: StoreSpec.StoreSpec,
  options: { readonly maxEvents?: number | undefined } = {}
): Effect.Effect<Reader, HistoryReadError, Scope.Scope> =>
  Effect.gen(function*() {
    const maxEvents = Math.max(1, Math.floor(options.maxEvents ?? defaultMaxEvents))
    const limits = { maxEvents, dedupeMs: 0 }
    const fail = (detail: string) => new HistoryReadError({ store: store._tag, detail })
    switch (store._tag) {
      case "memory":
        return readerOf(store._tag, undefined)
      case "postgres": {
        const { PostgresStore } = yield* Effect.tryPromise({
          try: () => import("@bing-effect/quota-tracker/postgres"),
          catch: () => fail("cannot load @effect/sql-pg (install it to read a PostgreSQL store)")
        })
        const sql = yield* PostgresStore.makeConnection({ url: store.url, maxConnections: 1 }).pipe(
          // the quota error's message names the server: only its kind goes out
          Effect.mapError((e) => fail(`the store did not answer (${e.reason._tag})`))
        )
        const history = yield* HistoryStore.makePostgres(sql, {
          ...limits,
          table: store.table,
          prefix: store.prefix,
          existing: true
        }).pipe(Effect.mapError((e) => fail(e.detail)))
        return readerOf("postgres", history)
      }
      case "sqlite": {
        const sqlite = yield* HistoryStore.makeSqlite({ ...limits, filename: store.filename, existing: true }).pipe(
          Effect.mapError((e) => fail(e.detail))
        )
        return readerOf("sqlite", sqlite)
      }
      case "redis":
      case "redis-cluster": {
        const { RedisCluster, RedisStore } = yield* Effect.promise(() => import("@bing-effect/quota-tracker/redis"))
        const redis = yield* (store._tag === "redis-cluster"
          ? RedisCluster.make({ rootNodes: store.rootNodes })
          : RedisStore.makeConnection({ url: store.url })).pipe(
            // the quota error's message may quote the server's address: only its kind goes out
            Effect.mapError((e) => fail(`the store did not answer (${e.reason._tag})`))
          )
        return readerOf(store._tag, HistoryStore.makeRedis(redis, { ...limits, prefix: store.prefix }))
      }
    }
  })

/**
 * One read of the history in `store` for these tiers' windows (see {@link make}).
 *
 * @example
 * ```ts
 * import { GatewayHistory } from "@bing-effect/gateway"
 * import { StoreSpec } from "@bing-effect/quota-tracker"
 * import { Effect, Result } from "effect"
 *
 * const spec = StoreSpec.parse("sqlite:quota.db", { prefix: "bing-gateway:quota:" })
 * if (Result.isSuccess(spec)) {
 *   const program = GatewayHistory.read(spec.success, {
 *     tiers: [{ name: "S15", windows: ["second", "day"] }, { name: "S16", windows: ["day"] }]
 *   }).pipe(
 *     Effect.tap((reading) => Effect.log(reading.events.filter((e) => e.kind === "switch")))
 *   )
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = (
  store: StoreSpec.StoreSpec,
  options: { readonly tiers: ReadonlyArray<TierWindows>; readonly maxEvents?: number | undefined }
): Effect.Effect<Reading, HistoryReadError> =>
  Effect.scoped(Effect.flatMap(make(store, options), (reader) => reader.read(options)))
