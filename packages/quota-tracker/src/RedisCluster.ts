/**
 * Effect's `Redis` service over a Redis Cluster (node-redis `createCluster`), from
 * `@bing-effect/quota-tracker` (and, as before, `@bing-effect/quota-tracker/redis`):
 * `QuotaStore.layerRedis` works on it unchanged, one command per acquire, each routed to the
 * master of its tier's hash slot (every key of one tier carries the `{tier}` hash tag).
 *
 * **When to use**: a tracker shared by processes or hosts whose Redis is a cluster (ElastiCache,
 * MemoryDB, Azure Cache, a self-run one). For one Redis node, `RedisStore` from `/redis`.
 *
 * **Details**
 *
 * - `redis` (5 or 6) is an optional peer, loaded when a layer is built, not when the package is
 *   imported: the package root never loads it. Without it installed, the layer fails with
 *   `QuotaError`/`StoreUnavailable` saying so.
 * - Commands route by their first key (an `EVALSHA` by its first `KEYS` entry); `MOVED` and `ASK`
 *   are followed and the slot map refreshed by node-redis.
 * - `SCRIPT LOAD` goes to every master. A master that has never seen a script (a replica promoted
 *   by a failover, a slot moved by a resharding) answers `NOSCRIPT`: the command is sent once more
 *   as `EVAL`, which runs it and caches it there.
 * - Start-up has a deadline (`connectTimeout`), and so has every store call (the store's
 *   `timeout`). A node that stops answering without closing its socket is disconnected after
 *   `socketTimeout` ms of silence, which fails its commands at once and refreshes the slot map, so
 *   that its slots reach the replica that took over.
 * - `waitReplicas: { count: 1, timeoutMs }` (opt-in) sends `WAIT` after every script, so an
 *   admitted acquire is on a replica before the caller hears of it: a hard failover then loses no
 *   admitted count. It is a second command per acquire (the default sends one), and costs about
 *   0.4x the ops/s of a shard on loopback (docs/reliability.md §16).
 * - A `WAIT` that falls short fails the call with `StoreUnavailable` and the count stays on the
 *   master: fail-closed, never refunded. The refused acquire is counted against the caller (an
 *   over-count: the safe side). A refund could under-count, and so over-admit, the one thing
 *   `WAIT` is there to prevent: a decrement routed to the slot's master after a failover lands on
 *   a node that may never have had the increment (only one pinned to the node that ran the script
 *   would be exact). A refund would not make the shard available either: after a hard failover
 *   the promoted master has no replica until one rejoins, so every `WAIT` falls short and every
 *   acquire of that shard is refused and counted meanwhile. Callers should back off on
 *   `StoreUnavailable` rather than retry at once.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaStore, QuotaTracker, RedisCluster } from "@bing-effect/quota-tracker"
 *
 * const Quota = QuotaTracker.layer({ tiers: [] }).pipe(
 *   Layer.provide(QuotaStore.layerRedis({ prefix: "myapp:quota:" })),
 *   Layer.provide(RedisCluster.layer({ rootNodes: ["redis://10.0.0.1:7001", "redis://10.0.0.2:7001"] }))
 * )
 * ```
 *
 * @since 0.4.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { ConnectFailed } from "./internal/connectFailed.js"
import { describeCause } from "./internal/errorDetail.js"
import { ClusterConnection, firstKeyOf, loadDriver, NotReplicated } from "./internal/redisCluster.js"
import { RawCommand } from "./internal/redisStore.js"
import type { WaitReplicas } from "./internal/waitReplicas.js"
import * as QuotaError from "./QuotaError.js"

/**
 * Options of `layer`: the seed nodes, the deadlines, the replication wait, and any option of
 * node-redis' `createCluster` (`defaults` for credentials and TLS, `useReplicas`, `nodeAddressMap`,
 * ...), which win over the defaults chosen here.
 *
 * - `rootNodes`: `redis://[[user]:password@]host:port` URLs (`Redacted` keeps a password out of
 *   logs); one reachable node is enough to discover the others. node-redis takes credentials for
 *   the discovered nodes from `defaults`.
 * - `connectTimeout`: bound of the start-up, discovery included (default `timeout`, 2000 ms).
 * - `timeout`: bound of closing and, unless `socketTimeout` is given, of a socket's silence.
 * - `socketTimeout`: a connection without a byte for this long is closed (default `timeout`).
 * - `startup`: `"connect"` (default) fails the layer with `StoreUnavailable` when the cluster does
 *   not answer within `connectTimeout`; `"background"` builds at once and connects on first use.
 * - `waitReplicas`: `{ count, timeoutMs }`, a `WAIT count timeoutMs` after every script (a second
 *   command per acquire); a short answer fails the call and keeps its count (see above).
 *
 * @since 0.4.0
 * @category models
 */
export interface Options extends DriverOptions {
  readonly rootNodes: ReadonlyArray<string | Redacted.Redacted<string>>
  readonly connectTimeout?: number | undefined
  readonly timeout?: number | undefined
  readonly socketTimeout?: number | undefined
  readonly startup?: "connect" | "background" | undefined
  readonly waitReplicas?: WaitReplicas | undefined
}

/**
 * The options of node-redis' `createCluster` (its `RedisClusterOptions`, `rootNodes` excepted),
 * passed to it as they are. Typed here by the few this package documents and an index signature
 * rather than by importing `redis`: the driver is an optional peer, and a program that imports the
 * package root without it must still type-check with `skipLibCheck: false`.
 *
 * @since 0.4.0
 * @category models
 */
export interface DriverOptions {
  /** Options of every node's client: `username`, `password`, `socket` (TLS...). */
  readonly defaults?: Readonly<Record<string, unknown>> | undefined
  readonly useReplicas?: boolean | undefined
  readonly minimizeConnections?: boolean | undefined
  readonly maxCommandRedirections?: number | undefined
  readonly nodeAddressMap?: unknown
  readonly [option: string]: unknown
}

/**
 * How many replicas must acknowledge a script's writes (`WAIT count timeoutMs`), and how long to wait.
 *
 * @since 0.4.0
 * @category models
 */
export type { WaitReplicas }

const DEFAULT_TIMEOUT = 2000

const redisError = (cause: unknown) =>
  new Redis.RedisError({ cause: cause instanceof NotReplicated ? cause.message : cause })

const startupError = (error: unknown): QuotaError.QuotaError =>
  QuotaError.storeUnavailable(
    "redis",
    error instanceof ConnectFailed ? error.message : `cannot connect: ${describeCause(error)}`
  )

const positive = (name: string, value: number): Effect.Effect<number, QuotaError.QuotaError> =>
  value > 0 && Number.isFinite(value)
    ? Effect.succeed(value)
    : Effect.fail(QuotaError.invalidOptions(`${name} must be a positive number of ms, got ${String(value)}`))

/**
 * The `Redis` service of `effect/persistence` over a Redis Cluster, connected within
 * `connectTimeout` and closed with the scope.
 *
 * @since 0.4.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Redis.Redis["Service"], QuotaError.QuotaError, Scope.Scope> =>
  Effect.gen(function*() {
    const { connectTimeout, rootNodes, socketTimeout, startup, timeout, waitReplicas, ...driver } = options
    if (rootNodes.length === 0) return yield* Effect.fail(QuotaError.invalidOptions("rootNodes names no node"))
    const bound = timeout !== undefined && timeout > 0 ? timeout : DEFAULT_TIMEOUT
    const connectBound = yield* positive("connectTimeout", connectTimeout ?? bound)
    const silence = yield* positive("socketTimeout", socketTimeout ?? bound)
    if (waitReplicas !== undefined) {
      if (!(Number.isInteger(waitReplicas.count) && waitReplicas.count > 0)) {
        return yield* Effect.fail(QuotaError.invalidOptions("waitReplicas.count must be a positive integer"))
      }
      yield* positive("waitReplicas.timeoutMs", waitReplicas.timeoutMs)
    }
    if (startup !== undefined && startup !== "connect" && startup !== "background") {
      return yield* Effect.fail(QuotaError.invalidOptions(`startup must be "connect" or "background"`))
    }
    const createCluster = yield* Effect.tryPromise({
      try: loadDriver,
      catch: (cause) =>
        QuotaError.storeUnavailable(
          "redis",
          `cannot load the redis package (install redis 5 or 6 to use RedisCluster): ${describeCause(cause)}`
        )
    })
    const connection = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new ClusterConnection(createCluster, {
          rootNodes: rootNodes.map((url) => Redacted.isRedacted(url) ? Redacted.value(url) : url),
          connectTimeout: connectBound,
          closeTimeout: bound,
          socketTimeout: silence,
          waitReplicas,
          driver
        })
      ),
      (c) => Effect.promise(() => c.close())
    )
    if (startup === "background") connection.connect().catch(() => {})
    else {
      // interruptible: an interrupted start-up closes the scope, whose finalizer destroys the attempt
      yield* Effect.callback<void, QuotaError.QuotaError>((resume) => {
        connection.connect().then(
          () => resume(Effect.void),
          (error: unknown) => resume(Effect.fail(startupError(error)))
        )
      })
    }

    // once connected, straight to the connection: a promise of ours per acquire fewer
    const connected: RawCommand = (argv, bounded, call) =>
      connection.isConnected
        ? connection.send(argv, bounded, call)
        : connection.connect().then(() => connection.send(argv, bounded, call))
    const raw: RawCommand = waitReplicas === undefined ?
      connected :
      (argv, bounded, call) =>
        connected(argv, bounded, call).catch((cause: unknown) => {
          throw cause instanceof NotReplicated ? new Error(cause.message) : cause
        })
    const send = <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
      Effect.tryPromise({ try: () => raw([command, ...args], false) as Promise<A>, catch: redisError })
    const redis = yield* Effect.provideService(
      Redis.make({
        send,
        // a reserved connection is a cluster client of its own (node-redis pins no connection)
        connect: Effect.tryPromise({
          try: async () => {
            const own = connection.cluster.duplicate()
            own.on("error", () => {})
            await own.connect()
            return own
          },
          catch: redisError
        }).pipe(Effect.map((own) => ({
          send: <A = unknown>(command: string, ...args: ReadonlyArray<string>) =>
            Effect.tryPromise({
              try: () => own.sendCommand(firstKeyOf([command, ...args]), false, [command, ...args]) as Promise<A>,
              catch: redisError
            }),
          close: Effect.sync(() => own.destroy())
        }))),
        subscribe: (channel, onMessage) =>
          Effect.acquireRelease(
            Effect.tryPromise({
              try: async () => {
                await connection.connect()
                const listener = (message: string | Buffer, from: string | Buffer) =>
                  onMessage({ channel: String(from), message: String(message) })
                await connection.cluster.subscribe(channel, listener)
                return listener
              },
              catch: redisError
            }),
            (listener) => Effect.promise(() => connection.cluster.unsubscribe(channel, listener).catch(() => {}))
          ).pipe(Effect.as(Effect.never))
      }),
      Clock.Clock,
      Clock.Clock.defaultValue()
    )
    return Object.assign(redis, { [RawCommand]: raw })
  })

/**
 * The cluster as a `Redis` layer, for `QuotaStore.layerRedis` or anything else that needs
 * `effect/persistence`'s `Redis`. Fails with `StoreUnavailable` when no seed node answers within
 * `connectTimeout` (unless `startup: "background"`).
 *
 * @since 0.4.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Redis.Redis, QuotaError.QuotaError> =>
  Layer.effect(Redis.Redis, make(options))

/**
 * `rootNodes` from a comma-separated list: `redis://10.0.0.1:7001,redis://10.0.0.2:7001` or
 * `10.0.0.1:7001,10.0.0.2:7001` (a password given once in the first URL applies to every node).
 *
 * @since 0.4.0
 * @category constructors
 */
export const rootNodesOf = (list: string): Array<string> => {
  const entries = list.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const first = entries[0] === undefined ? undefined : /^(rediss?:\/\/)([^/@]*@)?/.exec(entries[0])
  const scheme = first?.[1] ?? "redis://"
  const auth = first?.[2] ?? ""
  return entries.map((entry) => {
    const m = /^(rediss?:\/\/)([^/@]*@)?(.*)$/.exec(entry)
    return m === null ? `${scheme}${auth}${entry}` : `${m[1]}${m[2] ?? auth}${m[3]}`
  })
}

/**
 * The options `layerConfig` reads by default: `REDIS_CLUSTER_NODES`, a comma-separated list of
 * seed nodes (see `rootNodesOf`), kept `Redacted`.
 *
 * @since 0.4.0
 * @category models
 */
export const config: Config.Config<Options> = Config.map(
  Config.Redacted("REDIS_CLUSTER_NODES"),
  (nodes) => ({ rootNodes: rootNodesOf(Redacted.value(nodes)).map((url) => Redacted.make(url)) })
)

/**
 * `layer` with its options from `Config` (`config`, `REDIS_CLUSTER_NODES`, by default).
 *
 * @since 0.4.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config<Options> = config
): Layer.Layer<Redis.Redis, QuotaError.QuotaError | Config.ConfigError> =>
  Layer.effect(Redis.Redis, Effect.flatMap(options, make))
