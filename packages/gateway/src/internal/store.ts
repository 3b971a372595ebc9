/**
 * The stores of the configuration, shared by the tier chain and every tenant: the quota store
 * (memory, SQLite, Redis or a Redis Cluster, `StoreSpec`; node-redis is loaded only for a Redis store), wrapped by
 * `QuotaStore.layerFailOpen` when the configuration says `storeFailure: "open"`, and next to it
 * the history store of the same spec: the same SQLite file (a table of its own), the same Redis
 * connection and prefix, the same PostgreSQL pool (tables of its own). A quota store of the
 * caller's own comes with a memory history.
 */
import { QuotaError, QuotaStore, StoreSpec } from "@bing-effect/quota-tracker"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import type * as GatewayConfig from "../GatewayConfig.js"
import * as HistoryStore from "./historyStore.js"

/** The store layer of a configuration (or the caller's own store), fail-open when configured. */
export const layer = (
  config: Pick<GatewayConfig.GatewayConfig, "store" | "storeFailure">,
  custom?: Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> | undefined
): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> => {
  const store = custom ?? StoreSpec.layer(config.store)
  return config.storeFailure === "open" ? QuotaStore.layerFailOpen().pipe(Layer.provide(store)) : store
}

export interface Stores {
  readonly quota: Context.Context<QuotaStore.QuotaStore>
  readonly history: HistoryStore.HistoryStore
}

/** Both stores in the current scope; the Redis connection is opened once, for both. */
export const make = (
  config: Pick<GatewayConfig.GatewayConfig, "store" | "storeFailure">,
  custom: Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> | undefined,
  limits: HistoryStore.Limits
): Effect.Effect<Stores, QuotaError.QuotaError | HistoryStore.HistoryStoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const spec = config.store
    if (custom !== undefined || spec._tag === "memory") {
      return { quota: yield* Layer.build(layer(config, custom)), history: HistoryStore.makeMemory(limits) }
    }
    if (spec._tag === "postgres") {
      const { PostgresStore } = yield* Effect.tryPromise({
        try: () => import("@bing-effect/quota-tracker/postgres"),
        catch: (cause) =>
          QuotaError.storeUnavailable(
            "postgres",
            `cannot load @effect/sql-pg (install it to use a PostgreSQL store): ${String(cause)}`
          )
      })
      const sql = yield* PostgresStore.makeConnection({ url: spec.url })
      const base = QuotaStore.layerPostgres({ table: spec.table, prefix: spec.prefix }).pipe(
        Layer.provide(Layer.succeed(SqlClient.SqlClient, sql))
      )
      const quota = yield* Layer.build(
        config.storeFailure === "open" ? QuotaStore.layerFailOpen().pipe(Layer.provide(base)) : base
      )
      const history = yield* HistoryStore.makePostgres(sql, { ...limits, table: spec.table, prefix: spec.prefix })
      return { quota, history }
    }
    if (spec._tag === "sqlite") {
      const quota = yield* Layer.build(layer(config))
      return { quota, history: yield* HistoryStore.makeSqlite({ ...limits, filename: spec.filename }) }
    }
    const { RedisCluster, RedisStore } = yield* Effect.promise(() => import("@bing-effect/quota-tracker/redis"))
    const redis = yield* (spec._tag === "redis-cluster"
      ? RedisCluster.make({ rootNodes: spec.rootNodes })
      : RedisStore.makeConnection({ url: spec.url }))
    const base = QuotaStore.layerRedis({ prefix: spec.prefix }).pipe(Layer.provide(Layer.succeed(Redis.Redis, redis)))
    const quota = yield* Layer.build(
      config.storeFailure === "open" ? QuotaStore.layerFailOpen().pipe(Layer.provide(base)) : base
    )
    return { quota, history: HistoryStore.makeRedis(redis, { ...limits, prefix: spec.prefix }) }
  })
