/**
 * A quota store named by one string, as a command line or a configuration file gives it: `memory`,
 * `sqlite:<file>`, `redis://host:port` (`rediss://` for TLS) or `redis-cluster://host:port,host:port`. `parse` checks the string, `layer`
 * builds the store it names, `describe` shows it without credentials. The Redis URL (which may hold
 * a password) stays `Redacted` from the moment it is parsed.
 *
 * @since 0.3.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as QuotaError from "./QuotaError.js"
import * as QuotaStore from "./QuotaStore.js"

/**
 * Where the quota counts live: this process only (`memory`), the processes of one host sharing a
 * SQLite file, or any number of processes and hosts sharing a Redis.
 *
 * @since 0.3.0
 * @category models
 */
export type StoreSpec =
  | { readonly _tag: "memory" }
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "redis"; readonly url: Redacted.Redacted<string>; readonly prefix: string }
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

/** `redis://user:secret@host` -> `redis://***@host`. */
const redactUrl = (url: string): string => url.replace(/\/\/[^/@]*@/, "//***@")

/**
 * Parses `memory` (also the empty string), `sqlite:<file>`, or `redis://...` / `rediss://...`, whose
 * keys start with `prefix`. The spec may come `Redacted` (from a secret store or an environment
 * variable): a Redis URL may carry a password.
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
      }: use memory, sqlite:<file>, redis://host:port or redis-cluster://host:port,host:port`
    })
  )
}

/**
 * A store spec for messages and status output: `memory`, `sqlite:<file>`, or the Redis URL with
 * `***@` in place of its credentials.
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
    : redactUrl(Redacted.value(spec.url))

// the seed nodes back in one spec: redis-cluster://***@h1:p1,h2:p2
const describeCluster = (rootNodes: ReadonlyArray<Redacted.Redacted<string>>): string => {
  const urls = rootNodes.map((u) => redactUrl(Redacted.value(u)))
  const scheme = urls[0]?.startsWith("rediss://") === true ? "rediss" : "redis"
  const auth = urls[0]?.includes("***@") === true ? "***@" : ""
  return `${scheme}-cluster://${auth}${urls.map((u) => u.replace(/^rediss?:\/\/(\*\*\*@)?/, "")).join(",")}`
}

/**
 * The store a spec names: `QuotaStore.layerMemory`, `QuotaStore.layerSqlite`, `RedisStore.layer`
 * (the tracker's own bounded connection), or `QuotaStore.layerRedis` over `RedisCluster.layer`.
 *
 * **Gotchas**
 * - `redis` (an optional peer) is loaded only when a Redis spec is built, so a program that never
 *   uses Redis neither needs it installed nor pays for loading it.
 * - A Redis that refuses, or accepts and never answers, fails the layer with
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
          Effect.promise(() => import("./redis.js")),
          ({ RedisStore }) => RedisStore.layer({ url: spec.url, prefix: spec.prefix })
        )
      )
    case "redis-cluster":
      return Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("./redis.js")),
          ({ RedisCluster }) =>
            QuotaStore.layerRedis({ prefix: spec.prefix }).pipe(
              Layer.provide(RedisCluster.layer({ rootNodes: spec.rootNodes }))
            )
        )
      )
  }
}
