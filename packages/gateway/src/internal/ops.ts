/**
 * The operations side of the gateway, as the request path sees it (the contract with
 * `Gateway.ts`): `record` gets every answered request (metrics and the access log line), and
 * `handle` answers the operations routes before any Bing routing:
 *
 * - `GET /_gateway/healthz`: 200 `{"status":"ok"}` while the process serves.
 * - `GET /_gateway/readyz`: 200 when the quota store answers a status within `storeBound`, else
 *   503 with the reason (never a store detail: a Redis error may quote its URL).
 * - `GET /_gateway/status`: the status document, behind `Authorization: Bearer <adminToken>`
 *   (401 otherwise); 404 when no admin token is configured, so the route does not exist at all.
 * - `GET /_gateway/history` (and `/_gateway/history/stream`, server-sent events): the history
 *   document, behind the admin token as the status (see `historyRoutes.ts`).
 * - `GET /_gateway/` and `/_gateway/assets/*`: the dashboard's page and files (`dashboard.ts`);
 *   the page holds no data and reads the history with the token the user gives it. Like the
 *   status, 404 when no admin token is configured.
 * - `GET /metrics`: the Prometheus text exposition, without authentication: scrapers rarely send
 *   credentials, and the exposition holds counts, tier and client names, never a key or a token.
 *   Keep the port off the public network (or behind the proxy's own rules) to hide those names.
 *
 * Any other method on these paths is 405, any other `/_gateway/*` path 404; every other path is
 * not ours (`undefined`).
 */
import { QuotaError, type QuotaTracker } from "@bing-effect/quota-tracker"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { HttpServerRequest } from "effect/http"
import { HttpServerResponse } from "effect/http"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as AccessLog from "./accessLog.js"
import * as AdminToken from "./adminToken.js"
import * as Dashboard from "./dashboard.js"
import type { History } from "./history.js"
import { spendDocument } from "./historyDocument.js"
import * as HistoryRoutes from "./historyRoutes.js"
import type { Observer } from "./observe.js"
import * as Prometheus from "./prometheus.js"
import * as QuotaMetrics from "./quotaMetrics.js"
import * as RequestMetrics from "./requestMetrics.js"
import * as StatusDocument from "./statusDocument.js"
import * as SwitchHistory from "./switchHistory.js"

export interface OpsOptions {
  /** The tier chain's tracker. */
  readonly tiers: QuotaTracker.Service
  /** Per-tenant trackers (clients with limits), by client name. */
  readonly tenants: ReadonlyMap<string, QuotaTracker.Service>
  readonly adminToken: Redacted.Redacted<string> | undefined
  /** Where access-log lines go (stdout in the bin); one call per answered request. */
  readonly log: (line: string) => Effect.Effect<void>
  /**
   * Every configured client name, the values the `tenant` metric label may take (any other is
   * `"unknown"`). Default: the names in `tenants`, which leaves clients without limits "unknown".
   */
  readonly clients?: Iterable<string> | undefined
  /** The history (samples, events, spend); without it the history routes answer 404. */
  readonly history?: History | undefined
}

export interface Ops extends Observer {
  /** Answers /_gateway/* and /metrics; `undefined` for any other path. */
  readonly handle: (
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse> | undefined
}

/** How long a quota status may take before readyz, status and metrics give up on the store. */
export const storeBound: Duration.Duration = Duration.seconds(1)

/** How many switches the status document shows. */
export const recentSwitches = 20

export const paths = {
  healthz: "/_gateway/healthz",
  readyz: "/_gateway/readyz",
  status: "/_gateway/status",
  metrics: "/metrics"
} as const

const prefix = "/_gateway/"

// Answers of these routes are about this instant: no cache between the caller and the gateway.
const noStore = { "cache-control": "no-store" }

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(body, { status, headers: { ...noStore, ...headers } })

const notFound = () => json({ error: "not found" }, 404)
const methodNotAllowed = () => json({ error: "method not allowed" }, 405, { allow: "GET" })
const unauthorized = () => json({ error: "unauthorized" }, 401, { "www-authenticate": "Bearer realm=\"bing-gateway\"" })

type Answer = Exit.Exit<QuotaTracker.QuotaStatus, QuotaError.QuotaError | Cause.TimeoutError>

// The reason a status did not come, in words that name no store detail (host, URL, credentials).
const reasonOf = (exit: Answer): string => {
  if (Exit.isSuccess(exit)) return "ready"
  const error = Option.getOrUndefined(Cause.findErrorOption(exit.cause))
  if (Cause.isTimeoutError(error)) return `the quota store did not answer within ${Duration.format(storeBound)}`
  if (QuotaError.isQuotaError(error)) return `the quota store failed (${error.reason._tag})`
  return "the quota store failed"
}

/** Builds the operations side; its switch collector lives as long as `Scope`. */
export const make = (options: OpsOptions): Effect.Effect<Ops, never, Scope.Scope> =>
  Effect.gen(function*() {
    const clients = new Set(options.clients ?? options.tenants.keys())
    const requests = RequestMetrics.make(clients)
    const switches = yield* SwitchHistory.follow(options.tiers, recentSwitches)
    const isAdmin = options.adminToken === undefined ? undefined : AdminToken.makeCheck(options.adminToken)
    const tenantTrackers = Array.from(options.tenants)
    const dashboard = Dashboard.make()

    // Every status read is bounded and never fails: a frozen store must not hang an ops route.
    const statusOf = (tracker: QuotaTracker.Service): Effect.Effect<Answer> =>
      Effect.exit(Effect.timeout(tracker.status, storeBound))
    const tenantStatuses = Effect.forEach(
      tenantTrackers,
      ([name, tracker]) =>
        Effect.map(statusOf(tracker), (exit) => ({ name, status: Exit.isSuccess(exit) ? exit.value : undefined })),
      { concurrency: "unbounded" }
    )

    const healthz = Effect.succeed(json({ status: "ok" }, 200))

    const readyz = Effect.map(statusOf(options.tiers), (exit) =>
      Exit.isSuccess(exit)
        ? json({ status: "ready", store: exit.value.store, storeMode: exit.value.storeMode }, 200)
        : json({ status: "unavailable", reason: reasonOf(exit) }, 503))

    const history = options.history
    const status = Effect.flatMap(
      Effect.all([statusOf(options.tiers), tenantStatuses], { concurrency: "unbounded" }),
      ([tiers, tenants]) =>
        Exit.isSuccess(tiers)
          ? Effect.map(
            history === undefined ? Effect.succeed(undefined) : history.spend(tiers.value),
            (spend) =>
              json(
                StatusDocument.make({
                  tiers: tiers.value,
                  tenants,
                  switches: switches.recent(),
                  spend: spend === undefined ? undefined : spendDocument(spend)
                }),
                200
              )
          )
          : Effect.succeed(json({ error: "store unavailable", reason: reasonOf(tiers) }, 503))
    )
    const historyRoutes = history === undefined ? undefined : yield* HistoryRoutes.make(history)

    const metrics = Effect.map(
      Effect.all([statusOf(options.tiers), tenantStatuses], { concurrency: "unbounded" }),
      ([tiers, tenants]) => {
        const quota = QuotaMetrics.families({
          tiers: Exit.isSuccess(tiers) ? tiers.value : undefined,
          tenants,
          switches: switches.counts()
        })
        return HttpServerResponse.text(Prometheus.render([...requests.families(), ...quota]), {
          contentType: Prometheus.contentType,
          headers: noStore
        })
      }
    )

    const toDashboard = () => HttpServerResponse.empty({ status: 308, headers: { location: prefix } })

    const handle = (request: HttpServerRequest.HttpServerRequest) => {
      // `url` is the request target (path and query) for both the node server and `fromWeb`
      const url = request.url
      // called before Bing routing for every request: a Bing path leaves without an allocation
      if (!url.startsWith(prefix) && !url.startsWith(paths.metrics)) {
        // `/_gateway` as typed in an address bar: on to the dashboard (a browser keeps the fragment)
        return url === "/_gateway" && isAdmin !== undefined ? Effect.succeed(toDashboard()) : undefined
      }
      const q = url.indexOf("?")
      const path = q === -1 ? url : url.slice(0, q)
      const get = request.method === "GET"
      if (path === paths.metrics) return get ? metrics : Effect.succeed(methodNotAllowed())
      if (!path.startsWith(prefix)) return undefined
      switch (path) {
        case paths.healthz:
          return get ? healthz : Effect.succeed(methodNotAllowed())
        case paths.readyz:
          return get ? readyz : Effect.succeed(methodNotAllowed())
        case paths.status: {
          if (isAdmin === undefined) return Effect.succeed(notFound())
          if (!get) return Effect.succeed(methodNotAllowed())
          return isAdmin(request.headers["authorization"]) ? status : Effect.succeed(unauthorized())
        }
        case HistoryRoutes.paths.history:
        case HistoryRoutes.paths.stream: {
          if (isAdmin === undefined || historyRoutes === undefined) return Effect.succeed(notFound())
          if (!get) return Effect.succeed(methodNotAllowed())
          if (!isAdmin(request.headers["authorization"])) return Effect.succeed(unauthorized())
          return path === HistoryRoutes.paths.history ? historyRoutes.document : historyRoutes.stream
        }
        default:
          return (isAdmin === undefined ? undefined : dashboard.handle(request, path)) ?? Effect.succeed(notFound())
      }
    }

    const record: Ops["record"] = (entry) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        requests.observe(entry)
        history?.observe(entry, now)
        return options.log(AccessLog.format(entry, now))
      })

    return { record, handle }
  })
