/**
 * The PostgreSQL store with a connection pool of its own (`@effect/sql-pg`), from
 * `@bing-effect/quota-tracker/postgres` (the core entry never loads the driver).
 *
 * Every connection attempt (TCP, TLS, start-up and authentication) is bounded by `connectTimeout`,
 * and every operation of the store by its `timeout`: a server that accepts connections and never
 * answers fails the layer's build, or an acquire, with `StoreUnavailable` within that bound. Errors
 * name the server without credentials.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { QuotaTracker } from "@bing-effect/quota-tracker"
 * import { PostgresStore } from "@bing-effect/quota-tracker/postgres"
 *
 * const Quota = QuotaTracker.layer({ tiers: [] }).pipe(
 *   Layer.provide(PostgresStore.layer({ url: Redacted.make("postgres://app:secret@db:5432/app"), table: "myapp_quota" }))
 * )
 * ```
 *
 * @since 0.4.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import { describeSqlError } from "./internal/postgresStore.js"
import * as QuotaError from "./QuotaError.js"
import * as QuotaStore from "./QuotaStore.js"

/**
 * Options of the PostgreSQL connection pool.
 *
 * - `url`: `postgres://[user[:password]@]host[:port]/database[?sslmode=require]` (or
 *   `postgresql://`); a `Redacted` URL keeps a password out of logs.
 * - `connectTimeout`: how long, in ms, one connection attempt may take (default: the store's
 *   `timeout`, 2000).
 * - `maxConnections`: the pool's size (default 10). The acquires of one tier share one call at a
 *   time (group commit), so a tier uses one connection at a time; a few connections serve many tiers.
 * - `applicationName`: shown in `pg_stat_activity` (default `"bing-effect/quota-tracker"`).
 *
 * @since 0.4.0
 * @category models
 */
export interface ConnectionOptions {
  readonly url: string | Redacted.Redacted<string>
  readonly connectTimeout?: number | undefined
  readonly maxConnections?: number | undefined
  readonly applicationName?: string | undefined
}

/**
 * Options of `layer`: the pool's and the store's (`table`, `timeout`, `startup`).
 *
 * @since 0.4.0
 * @category models
 */
export interface Options extends ConnectionOptions, QuotaStore.PostgresOptions {}

const DEFAULT_TIMEOUT = 2000

/** `postgres://user:secret@db:5432/app` -> `postgres://db:5432/app`, for messages. */
const whereOf = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ""
    parsed.password = ""
    parsed.search = ""
    return parsed.toString()
  } catch {
    return "postgres (an invalid URL)"
  }
}

/**
 * The `SqlClient` of `effect/sql` over a pool of `@effect/sql-pg` connections whose every attempt
 * has a deadline, closed with the scope. Connections are opened on demand, the first one while this
 * is built (unless `startup: "background"`), which fails with `StoreUnavailable` naming the server
 * (without credentials) when it cannot be used.
 *
 * @since 0.4.0
 * @category constructors
 */
export const makeConnection = (
  options: ConnectionOptions & {
    readonly timeout?: number | undefined
    readonly startup?: "connect" | "background" | undefined
  }
): Effect.Effect<SqlClient.SqlClient, QuotaError.QuotaError, Scope.Scope> =>
  Effect.suspend(() => {
    const url = Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url)
    const timeout = options.timeout !== undefined && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT
    const connectTimeout = options.connectTimeout ?? timeout
    const maxConnections = options.maxConnections ?? 10
    if (!(connectTimeout > 0) || !Number.isFinite(connectTimeout)) {
      return Effect.fail(
        QuotaError.invalidOptions(`connectTimeout must be a positive number of ms, got ${String(connectTimeout)}`)
      )
    }
    if (!Number.isInteger(maxConnections) || maxConnections < 1) {
      return Effect.fail(
        QuotaError.invalidOptions(`maxConnections must be a positive integer, got ${String(maxConnections)}`)
      )
    }
    const cannotConnect = (detail: string) =>
      QuotaError.storeUnavailable("postgres", `cannot connect to ${whereOf(Redacted.value(url))}: ${detail}`)
    return PgClient.make({
      url,
      connectTimeout,
      maxConnections,
      applicationName: options.applicationName ?? "bing-effect/quota-tracker"
    }).pipe(
      // the pool connects on demand: the first connection is opened here (bounded by the pool's
      // connectTimeout), so that a server that cannot be used fails the build with its address
      Effect.tap((sql) =>
        options.startup === "background" ? Effect.void : sql.unsafe("SELECT 1").pipe(
          Effect.timeoutOrElse({
            duration: connectTimeout + timeout,
            orElse: () => Effect.fail(cannotConnect(`no answer within ${connectTimeout + timeout} ms`))
          })
        )
      ),
      Effect.mapError((error) => QuotaError.isQuotaError(error) ? error : cannotConnect(describeSqlError(error))),
      Effect.provide(Reactivity.layer)
    )
  })

/**
 * The bounded pool as a `SqlClient` layer, for `QuotaStore.layerPostgres` or anything else that
 * needs `effect/sql`'s `SqlClient`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaStore } from "@bing-effect/quota-tracker"
 * import { PostgresStore } from "@bing-effect/quota-tracker/postgres"
 *
 * const Store = QuotaStore.layerPostgres({ table: "myapp_quota", timeout: 500 }).pipe(
 *   Layer.provide(PostgresStore.layerConnection({ url: "postgres://postgres@127.0.0.1:5432/test", maxConnections: 4 }))
 * )
 * ```
 *
 * @since 0.4.0
 * @category layers
 */
export const layerConnection = (
  options: ConnectionOptions & {
    readonly timeout?: number | undefined
    readonly startup?: "connect" | "background" | undefined
  }
): Layer.Layer<SqlClient.SqlClient, QuotaError.QuotaError> => Layer.effect(SqlClient.SqlClient, makeConnection(options))

/**
 * The PostgreSQL quota store over its own pool: `QuotaStore.layerPostgres(options)` with
 * `layerConnection(options)` provided. Fails with `StoreUnavailable` when PostgreSQL does not
 * answer within `timeout` (unless `startup: "background"`).
 *
 * @since 0.4.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> =>
  QuotaStore.layerPostgres(options).pipe(Layer.provide(layerConnection(options)))
