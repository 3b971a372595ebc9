/**
 * The Redis store with a connection of its own whose start-up has a deadline, from
 * `@bing-effect/quota-tracker/redis` (the core entry never loads `redis`).
 *
 * `NodeRedis.layer` from `@effect/platform-node` connects without a deadline: against a Redis that
 * accepts TCP connections and never answers (frozen, overloaded, a proxy without a backend) its
 * build never completes, and `Effect.timeout` around it does not return either, because closing
 * its client waits for the unanswered handshake. The layers here bound every connection attempt,
 * TCP and handshake, by `connectTimeout` and destroy the client when it fails or is interrupted.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaTracker } from "@bing-effect/quota-tracker"
 * import { RedisStore } from "@bing-effect/quota-tracker/redis"
 *
 * const Quota = QuotaTracker.layer({ tiers: [] }).pipe(
 *   Layer.provide(RedisStore.layer({ url: "redis://127.0.0.1:6379", prefix: "myapp:quota:" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "effect/persistence/Redis"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { ConnectFailed } from "./internal/connectFailed.js"
import { describeCause } from "./internal/errorDetail.js"
import { Connection } from "./internal/redisConnection.js"
import { RawCommand } from "./internal/redisStore.js"
import * as QuotaError from "./QuotaError.js"
import * as QuotaStore from "./QuotaStore.js"

/**
 * Options of the Redis connection.
 *
 * - `url`: `redis://[[user]:password@]host[:port][/db]` or `rediss://...` for TLS; a `Redacted`
 *   URL keeps a password out of logs. Errors name the server without credentials.
 * - `connectTimeout`: how long, in ms, one connection attempt (TCP connect and handshake) may
 *   take (default: the store's `timeout`, 2000; `0` there still bounds the connect at 2000).
 * - `startup`: `"connect"` (default) connects while the layer is built, which fails with
 *   `StoreUnavailable` when Redis does not answer within `connectTimeout`: the fail-closed
 *   choice. `"background"` builds at once and connects on the first operation, which fails with
 *   `StoreUnavailable` until Redis answers: a tracker over `QuotaStore.layerFailOpen` then starts in
 *   fallback, counting in memory, and joins Redis when it is back.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionOptions {
  readonly url: string | Redacted.Redacted<string>
  readonly connectTimeout?: number | undefined
  readonly startup?: "connect" | "background" | undefined
}

/**
 * Options of `layer`: the connection's and the store's (`prefix`, `timeout`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ConnectionOptions, QuotaStore.RedisOptions {}

const DEFAULT_TIMEOUT = 2000

const redisError = (cause: unknown) => new Redis.RedisError({ cause })

// `timeout: 0` turns off node-redis' per-command timer (an `AbortSignal.timeout` per command in
// node-redis 6) for the calls the store bounds with its own deadline
const UNTIMED = { timeout: 0 } as const

const startupError = (error: unknown): QuotaError.QuotaError =>
  QuotaError.storeUnavailable(
    "redis",
    error instanceof ConnectFailed ? error.message : `cannot connect: ${describeCause(error)}`
  )

/**
 * The `Redis` service of `effect/persistence` over a node-redis client with bounded start-up.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConnection = (
  options: ConnectionOptions & { readonly timeout?: number | undefined }
): Effect.Effect<Redis.Redis["Service"], QuotaError.QuotaError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
    const timeout = options.timeout !== undefined && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT
    const connectTimeout = options.connectTimeout ?? timeout
    if (!(connectTimeout > 0) || !Number.isFinite(connectTimeout)) {
      return yield* Effect.fail(
        QuotaError.invalidOptions(`connectTimeout must be a positive number of ms, got ${String(connectTimeout)}`)
      )
    }
    const connection = yield* Effect.acquireRelease(
      Effect.sync(() => new Connection({ url, connectTimeout, closeTimeout: timeout })),
      (c) => Effect.promise(() => c.close())
    )
    // interruptible: an interrupted start-up closes the scope, whose finalizer destroys the attempt
    const connected = Effect.callback<void, QuotaError.QuotaError>((resume) => {
      connection.client().then(() => resume(Effect.void), (error: unknown) => resume(Effect.fail(startupError(error))))
    })
    if (options.startup === "background") connection.client().catch(() => {})
    else if (options.startup === undefined || options.startup === "connect") yield* connected
    else return yield* Effect.fail(QuotaError.invalidOptions(`startup must be "connect" or "background"`))

    const send = <A = unknown>(command: string, ...args: ReadonlyArray<string>): Effect.Effect<A, Redis.RedisError> =>
      Effect.tryPromise({
        try: () => {
          const client = connection.current
          const argv = [command, ...args]
          return (client !== undefined
            ? client.sendCommand(argv)
            : connection.client().then((c) => c.sendCommand(argv))) as Promise<A>
        },
        catch: redisError
      })
    // the store's fast path (see RawCommand): node-redis' promise, without node-redis' own
    // per-command timer when the store bounds the call itself
    const raw: RawCommand = (argv, bounded) => {
      const client = connection.current
      const commandOptions = bounded ? UNTIMED : undefined
      return client !== undefined
        ? client.sendCommand(argv, commandOptions)
        : connection.client().then((c) => c.sendCommand(argv, commandOptions))
    }
    // the script cache and the connection pool keep time for a real server: on the real clock,
    // whatever the caller's (a TestClock set to a date would otherwise run the pool's timers
    // for every minute since 1970)
    const redis = yield* Effect.provideService(
      Redis.make({
        send,
        // reserved connections do not reconnect: a dropped socket fails the in-flight command
        connect: Effect.tryPromise({ try: () => connection.dedicated(false), catch: redisError }).pipe(
          Effect.map((client) => ({
            send: <A = unknown>(command: string, ...args: ReadonlyArray<string>) =>
              Effect.tryPromise({ try: () => client.sendCommand([command, ...args]) as Promise<A>, catch: redisError }),
            close: Effect.sync(() => connection.release(client))
          }))
        ),
        subscribe: (channel, onMessage) =>
          Effect.acquireRelease(
            Effect.tryPromise({
              try: async () => {
                const subscriber = await connection.dedicated(true)
                try {
                  await subscriber.subscribe(channel, (message, from) => onMessage({ channel: from, message }))
                } catch (cause) {
                  connection.release(subscriber)
                  throw cause
                }
                return subscriber
              },
              catch: redisError
            }),
            (subscriber) => Effect.sync(() => connection.release(subscriber))
          ).pipe(Effect.map((subscriber) =>
            // ends with an error once the subscriber has given up reconnecting
            Effect.callback<void, Redis.RedisError>((resume) => {
              const onError = (cause: unknown) => {
                if (!subscriber.isOpen) resume(Effect.fail(redisError(cause)))
              }
              subscriber.on("error", onError)
              return Effect.sync(() => subscriber.off("error", onError))
            })
          ))
      }),
      Clock.Clock,
      Clock.Clock.defaultValue()
    )
    return Object.assign(redis, { [RawCommand]: raw })
  })

/**
 * The bounded connection as a `Redis` layer, for `QuotaStore.layerRedis` or anything else that
 * needs `effect/persistence`'s `Redis`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { QuotaStore } from "@bing-effect/quota-tracker"
 * import { RedisStore } from "@bing-effect/quota-tracker/redis"
 *
 * const Store = QuotaStore.layerRedis({ prefix: "myapp:quota:", timeout: 500 }).pipe(
 *   Layer.provide(RedisStore.layerConnection({ url: "redis://127.0.0.1:6379", connectTimeout: 500 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConnection = (
  options: ConnectionOptions & { readonly timeout?: number | undefined }
): Layer.Layer<Redis.Redis, QuotaError.QuotaError> => Layer.effect(Redis.Redis, makeConnection(options))

/**
 * The Redis quota store over its own bounded connection: `QuotaStore.layerRedis(options)` with
 * `layerConnection(options)` provided. Fails with `StoreUnavailable` when Redis does not answer
 * within `connectTimeout` (unless `startup: "background"`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> =>
  QuotaStore.layerRedis(options).pipe(Layer.provide(layerConnection(options)))
