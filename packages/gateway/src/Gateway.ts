/**
 * The gateway as an Effect HTTP app: Bing Search v7 under `/v7.0/...` and `/bing/v7.0/...`, every
 * request authenticated with the gateway's own client keys, checked, counted against the
 * tenant's quota and the tier chain's, and sent upstream with a tier's key through
 * `@bing-effect/client` (one retry budget, S15 -> S16 failover), the upstream's bytes coming back
 * unchanged. Serve it with {@link layer} over any `HttpServer`, with {@link layerNode} on Node, or
 * mount {@link make}'s app in a router of your own.
 *
 * Answers the gateway gives itself (every body is `@bing-effect/schema`'s encoding of a Bing error):
 *
 * | situation | answer |
 * | --- | --- |
 * | not a Bing v7 path, URL over 2,048 characters | 404, empty body (Bing's own 404) |
 * | a Bing path with a method other than GET | 404, empty body, `Allow: GET` |
 * | key missing / unknown or an upstream tier's key / both header and `subscription-key` | 401 `InvalidAuthorization` (`AuthorizationMissing` / the same with "Subscription key is not recognized." / `AuthorizationRedundancy`) |
 * | bad parameters of Web Search, Image Search, Trending Images | 400 `InvalidRequest`, exactly Bing's body; nothing counted, nothing sent |
 * | the tenant over its per-second limit | 429 `RateLimitExceeded`, `Retry-After` |
 * | the tenant over its day or month | 403 `RateLimitExceeded`, `Retry-After` until its reset |
 * | every tier out | 403 `RateLimitExceeded`, `Retry-After` until the earliest reset (429 when only per-second windows are full) |
 * | the quota store does not answer (`storeFailure: "closed"`) | 500 `ServerError`/`ResourceError`, moreDetails "The quota store did not answer." |
 * | the upstream times out, refuses, breaks, redirects, sends garbage (not JSON, an empty 2xx, a 2xx not framed as a JSON document) or refuses the tier's key | 500 `ServerError`/`ResourceError`, moreDetails "The upstream Bing endpoint did not give a usable answer." |
 *
 * Any other upstream answer (200, and Bing's own 400/404/429/500...) is passed on: its status, its
 * body bytes, its `Content-Type`, `BingAPIs-TraceId`, `BingAPIs-Market`, `X-MSEdge-ClientID` and
 * `Retry-After`.
 *
 * @since 0.1.0
 */
import { BingClient } from "@bing-effect/client"
import { BingHttp } from "@bing-effect/client/undici"
import { QuotaTracker, Window } from "@bing-effect/quota-tracker"
import type { QuotaError, QuotaStore } from "@bing-effect/quota-tracker"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { HttpClient, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpServer } from "effect/http"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { createServer, type Server } from "node:http"
import type * as GatewayConfig from "./GatewayConfig.js"
import * as Auth from "./internal/auth.js"
import * as Handler from "./internal/handler.js"
import * as History from "./internal/history.js"
import * as Ops from "./internal/opsLink.js"
import * as Store from "./internal/store.js"
import * as Telemetry from "./internal/telemetry.js"
import * as Tenants from "./internal/tenants.js"

/**
 * The gateway could not start: the quota store could not be opened, an option of the tracker or
 * of the client is invalid, or (with {@link layerNode}) the address cannot be listened on. The
 * message names the problem, never a key.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayStartError extends Data.TaggedError("GatewayStartError")<{
  readonly stage: "store" | "tiers" | "tenants" | "client" | "listen"
  readonly message: string
}> {}

/**
 * Options beyond the configuration file's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Upstream options (timeouts, retries, size bound). Defaults: 10 seconds per attempt, 3 attempts,
   * a `Retry-After` waited up to 1 second, backoff from 100 ms to 1 second; the endpoint and
   * `allowInsecureLoopback` come from the configuration.
   */
  readonly client?: Partial<BingClient.Options> | undefined
  /** Options of the tier chain's tracker (time zone, thresholds, `switchAt`...); its tiers are the configuration's. */
  readonly tracker?: Partial<QuotaTracker.Options> | undefined
  /**
   * A quota store of your own instead of the one `config.store` names (embedding, tests); it is
   * still wrapped with `QuotaStore.layerFailOpen` when `config.storeFailure` is `"open"`.
   */
  readonly store?: Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> | undefined
  /** Where access-log lines go (the operations side writes them). Default: nowhere. */
  readonly log?: ((line: string) => Effect.Effect<void>) | undefined
  /**
   * The OpenTelemetry export, when `config.otel` is set: how often batches go out (default 5
   * seconds), how long one POST to the collector may take (5 seconds) and the last flush when the
   * gateway stops (2 seconds).
   */
  readonly otel?: {
    readonly exportInterval?: Duration.Input | undefined
    readonly exportTimeout?: Duration.Input | undefined
    readonly shutdownTimeout?: Duration.Input | undefined
  } | undefined
  /**
   * The history behind `/_gateway/history` and the spend: a sample of every window each
   * `sampleInterval` (default 10 seconds), `fineSamples` of them kept per window (default 360),
   * `maxSamples` coarser ones over the current and previous day or month (default 720), and the
   * last `maxEvents` quota events (default 200). Kept in the quota store's SQLite file or Redis
   * (shared by replicas), in memory otherwise (and with a `store` of your own). Each field given
   * here wins over the configuration's `history`.
   */
  readonly history?: {
    readonly sampleInterval?: Duration.Input | undefined
    readonly fineSamples?: number | undefined
    readonly maxSamples?: number | undefined
    readonly maxEvents?: number | undefined
  } | undefined
  /**
   * How long a forwarded `POST`'s body (Spell Check, Visual Search) may take to arrive; a caller
   * slower than this gets Bing's 400. Default 10 seconds.
   */
  readonly bodyReadTimeout?: Duration.Input | undefined
  /**
   * Server spans and Effect metrics even without `config.otel`, for an embedder that installs a
   * `Tracer` and a metrics exporter of its own (e.g. `@effect/opentelemetry`). Default false.
   */
  readonly instrument?: boolean | undefined
}

/** The client's options for the gateway: shorter than a program's, since a caller is waiting. */
const clientDefaults: BingClient.Options = {
  timeout: "10 seconds",
  retry: { maxAttempts: 3, maxRetryAfter: "1 second", baseDelay: "100 millis", maxDelay: "1 second" }
}

const failWith = (stage: GatewayStartError["stage"]) => (error: { readonly message: string }) =>
  new GatewayStartError({ stage, message: `${stage}: ${error.message}` })

/**
 * Builds the gateway's HTTP app (an `HttpServerRequest` in, a response out; it never fails) in the
 * current scope: the store, the trackers, the upstream client and the operations side live as
 * long as the scope. Mount it where you like, e.g. `HttpServer.serve(app)` or a router's route.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: GatewayConfig.GatewayConfig,
  options: Options = {}
): Effect.Effect<
  Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>,
  GatewayStartError,
  Scope.Scope | HttpClient.HttpClient
> => Effect.map(build(config, options), ({ app }) => app)

/** The history's settings: `options.history`, then the configuration's `history`, then the defaults. */
const historySettings = (config: GatewayConfig.GatewayConfig, options: Options): History.Settings | string => {
  const file = config.history ?? {}
  const given = options.history ?? {}
  const h = {
    sampleInterval: given.sampleInterval ?? file.sampleIntervalMs,
    fineSamples: given.fineSamples ?? file.fineSamples,
    maxSamples: given.maxSamples ?? file.maxSamples,
    maxEvents: given.maxEvents ?? file.maxEvents
  }
  const interval = h.sampleInterval === undefined
    ? History.defaults.sampleIntervalMs
    : Duration.toMillis(Duration.fromInputUnsafe(h.sampleInterval))
  if (!(interval >= 100) || !Number.isFinite(interval)) return "history.sampleInterval must be at least 100 ms"
  const count = (value: number | undefined, fallback: number, name: string) =>
    value === undefined
      ? fallback
      : Number.isSafeInteger(value) && value >= 2
      ? value
      : `history.${name} must be an integer >= 2`
  const fineSamples = count(h.fineSamples, History.defaults.fineSamples, "fineSamples")
  const maxSamples = count(h.maxSamples, History.defaults.maxSamples, "maxSamples")
  const maxEvents = count(h.maxEvents, History.defaults.maxEvents, "maxEvents")
  for (const v of [fineSamples, maxSamples, maxEvents]) if (typeof v === "string") return v
  return {
    sampleIntervalMs: Math.round(interval),
    fineSamples: fineSamples as number,
    maxSamples: maxSamples as number,
    maxEvents: maxEvents as number
  }
}

const build = (config: GatewayConfig.GatewayConfig, options: Options) =>
  Effect.gen(function*() {
    const settings = historySettings(config, options)
    if (typeof settings === "string") {
      return yield* new GatewayStartError({ stage: "tiers", message: `tiers: ${settings}` })
    }
    const stores = yield* Store.make(config, options.store, {
      maxEvents: settings.maxEvents,
      dedupeMs: History.dedupeMs(settings)
    }).pipe(Effect.mapError(failWith("store")))
    const store = stores.quota
    const tiers = yield* QuotaTracker.make({ ...options.tracker, tiers: config.tiers }).pipe(
      Effect.provideContext(store),
      Effect.mapError(failWith("tiers"))
    )
    const tenants = yield* Tenants.make(config.clients).pipe(
      Effect.provideContext(store),
      Effect.mapError(failWith("tenants"))
    )
    const upstream = yield* BingClient.makeWithQuota({
      ...clientDefaults,
      ...(config.upstream.timeoutMs === undefined ? {} : { timeout: config.upstream.timeoutMs }),
      ...options.client,
      endpoint: config.upstream.endpoint,
      allowInsecureLoopback: config.upstream.allowInsecureLoopback
    }).pipe(
      Effect.provideService(QuotaTracker.QuotaTracker, tiers),
      Effect.mapError(failWith("client"))
    )
    const clients = config.clients.map((client) => client.name)
    const history = yield* History.make({
      tracker: tiers,
      tiers: config.tiers,
      tenants,
      store: stores.history,
      // the tracker accepted these options: the calendar is valid
      calendar: Window.calendarUnsafe({
        timeZone: options.tracker?.timeZone,
        offsetMinutes: options.tracker?.offsetMinutes,
        monthAnchorDay: options.tracker?.monthAnchorDay
      }),
      thresholds: options.tracker?.thresholds ?? [0.8, 0.95],
      switchAt: options.tracker?.switchAt ?? 1,
      settings,
      bound: Duration.seconds(1)
    })
    const ops = yield* Ops.make({
      tiers,
      tenants,
      adminToken: config.adminToken,
      log: options.log ?? (() => Effect.void),
      clients,
      history
    })
    const telemetry = config.otel !== undefined || options.instrument === true
      ? Telemetry.make(new Set(clients))
      : undefined
    const app = Handler.make({
      client: upstream,
      tenants,
      identify: Auth.make(config.clients, config.tiers.map((tier) => tier.key)),
      ops: telemetry === undefined ? ops : telemetry.observe(ops),
      bodyReadTimeoutMs: Duration.toMillis(Duration.fromInputUnsafe(options.bodyReadTimeout ?? "10 seconds"))
    })
    return {
      app: telemetry === undefined ? app : telemetry.serve(app),
      // ends the history streams: they would hold the server's drain until their own end
      stop: Deferred.succeed(history.stopped, undefined)
    }
  })

/**
 * Serves the gateway with the `HttpServer` of the context, upstream through its `HttpClient`
 * (both by `Layer.provide`). In-flight requests finish when the layer is released (the server's
 * graceful shutdown). With `config.otel`, spans and metrics go to its collector over OTLP/HTTP
 * through the same `HttpClient` (see the README's "OpenTelemetry").
 *
 * @example
 * ```ts
 * import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { createServer, type Server } from "node:http"
 * import { Gateway, type GatewayConfig } from "@bing-effect/gateway"
 *
 * declare const config: GatewayConfig.GatewayConfig
 * Gateway.layer(config).pipe(
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8788, host: "127.0.0.1" })),
 *   Layer.provide(NodeHttpClient.layerUndici),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: GatewayConfig.GatewayConfig,
  options: Options = {}
): Layer.Layer<never, GatewayStartError, HttpServer.HttpServer | HttpClient.HttpClient> => serving(config, options)

const serving = (
  config: GatewayConfig.GatewayConfig,
  options: Options,
  onStop?: () => void,
  /** The OTLP exporters' own `HttpClient` (otherwise the context's, as the upstream's). */
  exportHttp?: Layer.Layer<HttpClient.HttpClient>
): Layer.Layer<never, GatewayStartError, HttpServer.HttpServer | HttpClient.HttpClient> => {
  const served = Layer.effectDiscard(
    Effect.gen(function*() {
      const { app, stop } = yield* build(config, options)
      yield* HttpServer.serveEffect(app)
      // runs before the server's own shutdown, which waits for every connection to end
      yield* Effect.addFinalizer(() => stop)
      if (onStop !== undefined) yield* Effect.addFinalizer(() => Effect.sync(onStop))
    })
  )
  // The exporters outlive the server: they are released after the last request, and flush then.
  if (config.otel === undefined) return served
  const exporters = Telemetry.layer(config.otel, options.otel)
  return served.pipe(Layer.provide(exportHttp === undefined ? exporters : Layer.provide(exporters, exportHttp)))
}

/**
 * While the server drains, closes each kept-alive connection as soon as it is idle: Node's
 * `close` closes the connections idle at that moment only, and a connection whose request was in
 * flight would otherwise hold the shutdown until the client's keep-alive timeout.
 */
const closeIdleWhileDraining = (server: Server): void => {
  const timer = setInterval(() => server.closeIdleConnections(), 50)
  timer.unref()
  server.once("close", () => clearInterval(timer))
}

/**
 * Where {@link layerNode} listens: default 127.0.0.1:8788.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeOptions extends Options {
  readonly host?: string | undefined
  /** `0` picks a free port (read it from `HttpServer.HttpServer`'s address). */
  readonly port?: number | undefined
  /** How long in-flight requests may take to finish when the server stops. Default 20 seconds. */
  readonly drainTimeout?: Duration.Input | undefined
}

/**
 * The default address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = Object.freeze({ host: "127.0.0.1", port: 8788 })

/**
 * {@link layer} on a Node `http` server with undici upstream. The `HttpServer` stays visible
 * (for its address). The OTLP export, when configured, posts with `NodeHttpClient.layerUndici`. The upstream `HttpClient` is `BingHttp`'s (`@bing-effect/client/undici`, over
 * an undici `Agent` of its own): the client sends each forward through undici's `dispatch` itself,
 * without the layers of Effect's generic HTTP client (a request and a URL object, an abort
 * controller, a response stream, a fiber and a timer per attempt), about a quarter of the
 * gateway's CPU time per forwarded request (bench/README.md, issue 13).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode = (
  config: GatewayConfig.GatewayConfig,
  options: NodeOptions = {}
): Layer.Layer<HttpServer.HttpServer, GatewayStartError> => {
  let server: Server | undefined
  // The upstream on BingHttp's direct dispatch (below); the collector's POSTs on Effect's undici client.
  return serving(config, options, () => {
    if (server !== undefined) closeIdleWhileDraining(server)
  }, NodeHttpClient.layerUndici).pipe(
    Layer.provideMerge(
      NodeHttpServer.layer(() => (server = createServer()), {
        host: options.host ?? defaults.host,
        port: options.port ?? defaults.port,
        gracefulShutdownTimeout: options.drainTimeout ?? "20 seconds"
      }).pipe(
        Layer.catchTag("ServeError", (e) =>
          Layer.effect(
            HttpServer.HttpServer,
            Effect.fail(
              new GatewayStartError({
                stage: "listen",
                message: `listen: cannot listen on ${options.host ?? defaults.host}:${options.port ?? defaults.port}${
                  e.cause instanceof Error ? ` (${e.cause.message})` : ""
                }`
              })
            )
          ))
      )
    ),
    Layer.provide(BingHttp.layer)
  )
}
