/**
 * A quota store named by one string, as a command line or a configuration file gives it: `memory`,
 * `sqlite:<file>`, `redis://host:port` (`rediss://` for TLS), `redis-cluster://host:port,host:port` or
 * `postgres://host/database` (`postgresql://` too). `parse` checks the string, `layer` builds the store
 * it names, `describe` shows it without credentials. A Redis or PostgreSQL URL (which may hold a
 * password) stays `Redacted` from the moment it is parsed.
 *
 * @since 0.3.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { describeCause } from "./internal/errorDetail.js"
import { tableError as postgresTableError } from "./internal/postgresStore.js"
import * as QuotaError from "./QuotaError.js"
import * as QuotaStore from "./QuotaStore.js"
import * as RedisCluster from "./RedisCluster.js"

/**
 * Where the quota counts live: this process only (`memory`), the processes of one host sharing a
 * SQLite file, or any number of processes and hosts sharing a Redis or a PostgreSQL table.
 * PostgreSQL keys start with `prefix` too, in the table named by the URL's `table` parameter
 * (default `quota_counters`), which is not sent to the server.
 *
 * @since 0.3.0
 * @category models
 */
export type StoreSpec =
  | { readonly _tag: "memory" }
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "redis"; readonly url: Redacted.Redacted<string>; readonly prefix: string }
  | {
    readonly _tag: "postgres"
    readonly url: Redacted.Redacted<string>
    readonly table: string
    readonly prefix: string
  }
  | {
    readonly _tag: "redis-cluster"
    readonly rootNodes: ReadonlyArray<Redacted.Redacted<string>>
    readonly prefix: string
  }

/**
 * A store spec that names no usable store. `detail` says what is wrong and shows a URL without its
 * credentials; the caller names the setting (`--store`, `store`).
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidStoreSpec extends Data.TaggedError("InvalidStoreSpec")<{
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/** `redis://user:secret@host` -> `redis://***@host`; a `password=` parameter too. */
const redactUrl = (url: string): string =>
  url.replace(/\/\/[^/@]*@/, "//***@").replace(/([?&]password=)[^&#]*/gi, "$1***")

/**
 * Parses `memory` (also the empty string), `sqlite:<file>`, `redis://...` / `rediss://...`, or
 * `postgres://...` / `postgresql://...` (with an optional `table` parameter), whose keys start with
 * `prefix`. The spec may come `Redacted` (from a secret store or an environment variable): a URL
 * may carry a password.
 *
 * @example
 * ```ts
 * import { StoreSpec } from "@bing-effect/quota-tracker"
 * import { Result } from "effect"
 *
 * const spec = StoreSpec.parse("redis://:secret@127.0.0.1:6379", { prefix: "myapp:quota:" })
 * if (Result.isSuccess(spec)) console.log(StoreSpec.describe(spec.success)) // redis://***@127.0.0.1:6379
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const parse = (
  spec: string | Redacted.Redacted<string>,
  options: { readonly prefix: string }
): Result.Result<StoreSpec, InvalidStoreSpec> => {
  const s = (Redacted.isRedacted(spec) ? Redacted.value(spec) : spec).trim()
  if (s === "" || s === "memory") return Result.succeed({ _tag: "memory" })
  if (s.startsWith("sqlite:")) {
    const filename = s.slice("sqlite:".length)
    if (filename === "") {
      return Result.fail(new InvalidStoreSpec({ detail: "sqlite: needs a file name, e.g. sqlite:quota.db" }))
    }
    return Result.succeed({ _tag: "sqlite", filename })
  }
  if (s.startsWith("redis://") || s.startsWith("rediss://")) {
    if (!URL.canParse(s)) {
      return Result.fail(new InvalidStoreSpec({ detail: `${redactUrl(s)} is not a valid Redis URL` }))
    }
    return Result.succeed({ _tag: "redis", url: Redacted.make(s), prefix: options.prefix })
  }
  if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
    if (!URL.canParse(s)) {
      return Result.fail(new InvalidStoreSpec({ detail: `${redactUrl(s)} is not a valid PostgreSQL URL` }))
    }
    const url = new URL(s)
    const table = url.searchParams.get("table") ?? QuotaStore.defaultPostgresTable
    const invalid = postgresTableError(table)
    if (invalid !== undefined) return Result.fail(new InvalidStoreSpec({ detail: `${redactUrl(s)}: ${invalid}` }))
    url.searchParams.delete("table")
    return Result.succeed({ _tag: "postgres", url: Redacted.make(url.toString()), table, prefix: options.prefix })
  }
  // redis-cluster://[user:password@]host:port,host:port (rediss-cluster:// for TLS): seed nodes
  const cluster = /^(rediss?)-cluster:\/\/(.*)$/.exec(s)
  if (cluster !== null) {
    const scheme = cluster[1]!
    const at = cluster[2]!.lastIndexOf("@")
    const auth = at < 0 ? "" : cluster[2]!.slice(0, at + 1)
    const hosts = (at < 0 ? cluster[2]! : cluster[2]!.slice(at + 1)).split(",").map((h) => h.trim())
    const rootNodes = hosts.map((h) => `${scheme}://${auth}${h}`)
    if (hosts.some((h) => h === "" || !URL.canParse(`${scheme}://${h}`) || new URL(`${scheme}://${h}`).port === "")) {
      return Result.fail(
        new InvalidStoreSpec({
          detail: `${redactUrl(s)} is not a valid Redis Cluster spec: use redis-cluster://host:port,host:port`
        })
      )
    }
    return Result.succeed({
      _tag: "redis-cluster",
      rootNodes: rootNodes.map((u) => Redacted.make(u)),
      prefix: options.prefix
    })
  }
  return Result.fail(
    new InvalidStoreSpec({
      detail: `unknown store ${
        JSON.stringify(redactUrl(s))
      }: use memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database`
    })
  )
}

/**
 * A store spec for messages and status output: `memory`, `sqlite:<file>`, or the Redis or
 * PostgreSQL URL with `***@` in place of its credentials (and the table, when not the default).
 *
 * @since 0.3.0
 * @category models
 */
export const describe = (spec: StoreSpec): string =>
  spec._tag === "memory"
    ? "memory"
    : spec._tag === "sqlite"
    ? `sqlite:${spec.filename}`
    : spec._tag === "redis-cluster"
    ? describeCluster(spec.rootNodes)
    : spec._tag === "redis" || spec.table === QuotaStore.defaultPostgresTable
    ? redactUrl(Redacted.value(spec.url))
    : redactUrl(withTable(Redacted.value(spec.url), spec.table))

const withTable = (url: string, table: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set("table", table)
  return parsed.toString()
}

// the seed nodes back in one spec: redis-cluster://***@h1:p1,h2:p2
const describeCluster = (rootNodes: ReadonlyArray<Redacted.Redacted<string>>): string => {
  const urls = rootNodes.map((u) => redactUrl(Redacted.value(u)))
  const scheme = urls[0]?.startsWith("rediss://") === true ? "rediss" : "redis"
  const auth = urls[0]?.includes("***@") === true ? "***@" : ""
  return `${scheme}-cluster://${auth}${urls.map((u) => u.replace(/^rediss?:\/\/(\*\*\*@)?/, "")).join(",")}`
}

/**
 * The store a spec names: `QuotaStore.layerMemory`, `QuotaStore.layerSqlite`, `RedisStore.layer`
 * (the tracker's own bounded connection), `QuotaStore.layerRedis` over `RedisCluster.layer`, or
 * `PostgresStore.layer` (the tracker's own bounded connections).
 *
 * **Gotchas**
 * - `redis` and `@effect/sql-pg` (optional peers) are loaded only when a spec of theirs is built,
 *   so a program that never uses them neither needs them installed nor pays for loading them.
 * - A server that refuses, or accepts and never answers, fails the layer with
 *   `QuotaError`/`StoreUnavailable` within the connection's timeout; the build stays interruptible.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (spec: StoreSpec): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> => {
  switch (spec._tag) {
    case "memory":
      return QuotaStore.layerMemory
    case "sqlite":
      return QuotaStore.layerSqlite({ filename: spec.filename })
    case "redis":
      return Layer.unwrap(
        Effect.map(
          Effect.tryPromise({
            try: () => import("./redis.js"),
            catch: (cause) =>
              QuotaError.storeUnavailable(
                "redis",
                `cannot load the redis package (install redis 5 or 6 to use a Redis store): ${describeCause(cause)}`
              )
          }),
          ({ RedisStore }) => RedisStore.layer({ url: spec.url, prefix: spec.prefix })
        )
      )
    case "postgres":
      return Layer.unwrap(
        Effect.map(
          Effect.tryPromise({
            try: () => import("./postgres.js"),
            catch: (cause) =>
              QuotaError.storeUnavailable(
                "postgres",
                `cannot load @effect/sql-pg (install it to use a PostgreSQL store): ${String(cause)}`
              )
          }),
          ({ PostgresStore }) => PostgresStore.layer({ url: spec.url, table: spec.table, prefix: spec.prefix })
        )
      )
    case "redis-cluster":
      // RedisCluster loads `redis` itself when the layer is built
      return QuotaStore.layerRedis({ prefix: spec.prefix }).pipe(
        Layer.provide(RedisCluster.layer({ rootNodes: spec.rootNodes }))
      )
  }
}
