/**
 * OpenTelemetry for the gateway: one server span per answered request (route, status, tenant,
 * tier, outcome; the client's `BingClient.forward` span and its upstream attempts beneath it) and
 * the request metrics as Effect metrics, exported over OTLP/HTTP by Effect's own exporters
 * (`effect/observability`, no OpenTelemetry SDK).
 *
 * What a span or a data point may hold is decided here, not by Effect's HTTP middleware (which
 * would record the full URL with its query, where a caller may put `subscription-key`): the URL
 * path without the query, label values bounded as `/metrics`' are, never a header.
 *
 * The export never holds a caller: spans and metrics are handed to a buffer, the batches go out
 * from a fiber of their own every few seconds, each POST is bounded in time, and a collector that
 * fails or does not answer disables the export for a minute (its batch is dropped) instead of
 * piling up batches.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { constTrue } from "effect/Function"
import { HttpClient, HttpMiddleware, HttpServerRequest, HttpTraceContext } from "effect/http"
import type { HttpServerResponse } from "effect/http"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import { OtlpMetrics, OtlpSerialization, OtlpTracer } from "effect/observability"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as GatewayConfig from "../GatewayConfig.js"
import type { Observer, RequestRecord, Route } from "./observe.js"
import { paths as opsPaths } from "./ops.js"
import * as RequestMetrics from "./requestMetrics.js"
import * as Routes from "./routes.js"

/** How often batches go out, how long one POST may take, how long the last flush may take at shutdown. */
export interface ExportOptions {
  readonly exportInterval?: Duration.Input | undefined
  readonly exportTimeout?: Duration.Input | undefined
  readonly shutdownTimeout?: Duration.Input | undefined
}

export const defaults = {
  exportInterval: Duration.seconds(5),
  exportTimeout: Duration.seconds(5),
  shutdownTimeout: Duration.seconds(2)
} as const

/** A POST to the collector that took longer than the export timeout (a defect: the exporter then pauses). */
class ExportTimedOut extends Error {
  override readonly name = "ExportTimedOut"
}

/** The context's `HttpClient`, each request bounded in time (Effect's exporter has no timeout of its own). */
const boundedClient = (timeout: Duration.Input) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      return HttpClient.transformResponse(
        client,
        (response) =>
          Effect.timeoutOrElse(response, {
            duration: timeout,
            orElse: () => Effect.die(new ExportTimedOut("the OTLP collector did not answer in time"))
          })
      )
    })
  )

/**
 * The exporters of `otel`: Effect's OTLP tracer (the `Tracer` of the gateway's fibers) and metrics
 * exporter (over the gateway's own metric registry), Effect's HTTP server span turned off (the
 * gateway makes its own, see {@link make}).
 */
export const layer = (otel: GatewayConfig.Otel, options: ExportOptions = {}) => {
  const base = otel.endpoint.replace(/\/+$/, "")
  const headers = otel.headers === undefined
    ? undefined
    : Object.fromEntries(Object.entries(otel.headers).map(([name, value]) => [name, Redacted.value(value)]))
  const resource = { serviceName: otel.serviceName }
  const exportInterval = options.exportInterval ?? defaults.exportInterval
  const shutdownTimeout = options.shutdownTimeout ?? defaults.shutdownTimeout
  const exporters = Layer.mergeAll(
    OtlpTracer.layer({ url: `${base}/v1/traces`, resource, headers, exportInterval, shutdownTimeout }),
    OtlpMetrics.layer({ url: `${base}/v1/metrics`, resource, headers, exportInterval, shutdownTimeout })
  ).pipe(
    Layer.provideMerge(Layer.sync(Metric.MetricRegistry, () => new Map())),
    Layer.provide(otel.protocol === "http/protobuf" ? OtlpSerialization.layerProtobuf : OtlpSerialization.layerJson),
    Layer.provide(boundedClient(options.exportTimeout ?? defaults.exportTimeout))
  )
  return Layer.merge(exporters, Layer.succeed(HttpMiddleware.TracerDisabledWhen, constTrue))
}

/** Names of the exported metrics: those of `/metrics`, so dashboards read the same series either way. */
export const names = {
  requests: RequestMetrics.names.requests,
  requestDuration: "bing_gateway_request_duration_seconds",
  upstreamLatency: RequestMetrics.names.upstreamLatency
} as const

/** The span's `http.route`: a template per route, never a caller's path (bounded cardinality). */
const routeTemplate: Record<Exclude<Route, "ops" | "unknown">, string> = {
  search: "/v7.0/search",
  "images/search": "/v7.0/images/search",
  "images/trending": "/v7.0/images/trending",
  forward: "/v7.0/*"
}

const opsRoutes: ReadonlySet<string> = new Set(Object.values(opsPaths))

const httpRoute = (pathname: string): string | undefined => {
  if (opsRoutes.has(pathname)) return pathname
  const matched = Routes.match(pathname)
  return matched === undefined ? undefined : routeTemplate[matched.route]
}

const clip = (path: string): string => (path.length > 256 ? `${path.slice(0, 256)}…` : path)

/** What a 5xx server span ends with: the outcome in words, no stack, nothing of the request. */
const answerFailure = (status: number, outcome: string | undefined) => {
  const error = new Error(`${status}${outcome === undefined ? "" : ` ${outcome}`}`)
  error.name = "GatewayAnswer"
  error.stack = `${error.name}: ${error.message}`
  return Exit.fail(error)
}

/** The instrumentation of one gateway. */
export interface Telemetry {
  /** The operations side, each record also annotating the server span and updating the metrics. */
  readonly observe: <O extends Observer>(ops: O) => O
  /** The app inside a server span (parented by the caller's `traceparent` / `b3`, if any). */
  readonly serve: <E, R>(
    app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>
}

/** The instrumentation; `clients` bound the `tenant` attribute to configured names. */
export const make = (clients: ReadonlySet<string>): Telemetry => {
  const requests = Metric.counter(names.requests, {
    description: "Answered requests by route, status, tenant and outcome",
    incremental: true
  })
  const requestDuration = Metric.histogram(names.requestDuration, {
    description: "Time from the request to the answer, in seconds",
    boundaries: RequestMetrics.latencyBounds
  })
  const upstreamLatency = Metric.histogram(names.upstreamLatency, {
    description: "Time spent on the upstream (retries and failover included), in seconds",
    boundaries: RequestMetrics.latencyBounds
  })
  // The last outcome a request fiber recorded, for its span's status (one record per request).
  const outcomes = new WeakMap<object, string>()

  const record = (entry: RequestRecord): Effect.Effect<void> => {
    const tenant = RequestMetrics.tenantLabel(clients, entry.tenant)
    const labels = { route: entry.route, status: String(entry.status), tenant, outcome: entry.outcome }
    return Effect.withFiber((fiber) => {
      outcomes.set(fiber, entry.outcome)
      const updates = [
        Effect.annotateCurrentSpan({
          "http.response.status_code": entry.status,
          "gateway.route": entry.route,
          "gateway.outcome": entry.outcome,
          "gateway.tenant": tenant,
          ...(entry.tier === undefined ? {} : { "bing.tier": entry.tier }),
          ...(entry.traceId === undefined ? {} : { "bing.trace_id": entry.traceId })
        }),
        Metric.update(Metric.withAttributes(requests, labels), 1),
        Metric.update(Metric.withAttributes(requestDuration, { route: entry.route }), entry.durationMs / 1000)
      ]
      if (entry.upstreamMs !== undefined) {
        updates.push(
          Metric.update(
            Metric.withAttributes(upstreamLatency, { route: entry.route, tier: entry.tier ?? "none" }),
            entry.upstreamMs / 1000
          )
        )
      }
      return Effect.all(updates, { discard: true })
    })
  }

  const serve = <E, R>(
    app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
    Effect.withFiber((fiber) => {
      const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
      const url = request.url
      const qi = url.indexOf("?")
      const pathname = qi < 0 ? url : url.slice(0, qi)
      const route = url.length > Routes.maxUrlLength ? undefined : httpRoute(pathname)
      const method = /^[A-Z]{1,16}$/.test(request.method) ? request.method : "_OTHER"
      return Effect.flatMap(
        Effect.makeSpan(route === undefined ? method : `${method} ${route}`, {
          kind: "server",
          parent: Option.getOrUndefined(HttpTraceContext.fromHeaders(request.headers)),
          attributes: {
            "http.request.method": method,
            "url.path": clip(pathname),
            ...(route === undefined ? {} : { "http.route": route })
          }
        }),
        (span) =>
          Effect.withParentSpan(app, span).pipe(
            Effect.onExit((exit) =>
              Effect.clockWith((clock) =>
                Effect.sync(() => {
                  const end = clock.currentTimeNanosUnsafe()
                  if (Exit.isSuccess(exit) && exit.value.status >= 500) {
                    span.end(end, answerFailure(exit.value.status, outcomes.get(fiber)))
                  } else {
                    span.end(end, exit)
                  }
                })
              )
            )
          )
      )
    })

  return {
    observe: (ops) => ({ ...ops, record: (entry: RequestRecord) => Effect.andThen(record(entry), ops.record(entry)) }),
    serve
  }
}
