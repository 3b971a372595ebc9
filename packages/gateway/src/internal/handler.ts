/**
 * The request path: operations routes first, then the Bing routes of both prefixes; the key
 * (401), the parameters of the typed endpoints (400, before anything is spent), the tenant's own
 * quota (429 per second, 403 per day or month), then the tier chain through the client's
 * `forward` (its retries and failover), and the upstream's bytes back. Every answer is recorded
 * once with the operations side.
 */
import type { BingClient, Forward } from "@bing-effect/client"
import type { QuotaError, QuotaTracker } from "@bing-effect/quota-tracker"
import { BingError } from "@bing-effect/schema"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Answers from "./answers.js"
import type * as Auth from "./auth.js"
import type { Outcome, RequestRecord, Route } from "./observe.js"
import type { Ops } from "./opsLink.js"
import * as PostBody from "./postBody.js"
import * as Routes from "./routes.js"
import * as Tenants from "./tenants.js"
import * as Validate from "./validate.js"

/** What the request path is built from. */
export interface Options {
  readonly client: BingClient.Service
  readonly tenants: ReadonlyMap<string, QuotaTracker.Service>
  readonly identify: ReturnType<typeof Auth.make>
  readonly ops: Ops
  /** How long a `POST`'s body may take to arrive (a caller that stalls gets Bing's 400). */
  readonly bodyReadTimeoutMs: number
}

/** The upstream's response headers a caller gets (besides the content type). */
const passedResponseHeaders = ["bingapis-traceid", "bingapis-market", "x-msedge-clientid", "retry-after"] as const

interface Answer {
  readonly response: HttpServerResponse.HttpServerResponse
  readonly outcome: Outcome
  readonly tier?: string | undefined
  readonly traceId: string | undefined
  readonly upstreamMs?: number | undefined
}

const clip = (path: string): string => (path.length > 256 ? `${path.slice(0, 256)}…` : path)

/** The upstream's answer as the caller gets it: its status, its bytes, the pass-through headers. */
const passOn = (answer: Forward.ForwardResponse): HttpServerResponse.HttpServerResponse => {
  const headers: Record<string, string> = {}
  for (const name of passedResponseHeaders) {
    const value = answer.headers[name]
    if (value !== undefined) headers[name] = value
  }
  const contentType = answer.headers["content-type"]
  return answer.body.byteLength === 0 && contentType === undefined
    ? HttpServerResponse.empty({ status: answer.status, headers })
    : HttpServerResponse.uint8Array(answer.body, { status: answer.status, headers, contentType })
}

/**
 * Whether an upstream answer is the upstream failing the gateway rather than an answer for the caller.
 * ServiceRetired (410 Gone): the gateway's configured upstream is retired; passed on, it would tell
 * the caller to change endpoints, when its endpoint (the gateway) is fine and the operator must act.
 */
const failsTheGateway = (error: BingError.BingError | undefined): boolean =>
  error !== undefined &&
  // EmptyResponse: a 2xx with no body, which Bing never sends; passed on, a caller's JSON parser would fail on it
  (error._tag === "UnexpectedResponse" || error._tag === "EmptyResponse" || error._tag === "InvalidAuthorization" ||
    error._tag === "InsufficientAuthorization" || error._tag === "ServiceRetired")

const quotaOutcome = (error: QuotaError.QuotaError, limited: Outcome): Outcome =>
  error.reason._tag === "StoreUnavailable" ? "store-unavailable" : limited

/** Builds the HTTP app of the gateway. */
export const make = (
  options: Options
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> => {
  const { client, identify, ops, tenants } = options
  const nextTraceId = Answers.traceIds()
  const own = (error: BingError.BingError, outcome: Outcome): Answer => {
    const traceId = nextTraceId()
    return { response: Answers.respond(error, traceId), outcome, traceId }
  }

  const upstream = (
    matched: Routes.Matched,
    search: string,
    request: HttpServerRequest.HttpServerRequest,
    body?: Forward.ForwardBody
  ): Effect.Effect<Answer> => {
    const started = performance.now()
    return Effect.match(
      client.forward({ path: matched.upstreamPath, query: search, headers: request.headers, body }),
      {
        onSuccess: (answer): Answer => {
          const upstreamMs = performance.now() - started
          if (failsTheGateway(answer.error)) {
            const details = answer.error?._tag === "ServiceRetired" ? Answers.Details.retired : Answers.Details.upstream
            return {
              ...own(Answers.resourceError(details), "upstream-error"),
              tier: answer.tier,
              upstreamMs
            }
          }
          return {
            response: passOn(answer),
            outcome: "served",
            tier: answer.tier,
            traceId: answer.headers["bingapis-traceid"],
            upstreamMs
          }
        },
        onFailure: (error): Answer => {
          const upstreamMs = performance.now() - started
          if (error._tag === "QuotaError") {
            return { ...own(Answers.ofQuotaError(error), quotaOutcome(error, "exhausted")), upstreamMs }
          }
          return { ...own(Answers.resourceError(Answers.Details.upstream), "upstream-error"), upstreamMs }
        }
      }
    )
  }

  /** The tenant's quota around the upstream call: refused first, refunded unless the upstream served a 2xx. */
  const withTenant = (
    tenant: string,
    tracker: QuotaTracker.Service | undefined,
    call: Effect.Effect<Answer>
  ): Effect.Effect<Answer> => {
    if (tracker === undefined) return call
    const tier = Tenants.tierName(tenant)
    return Effect.matchEffect(tracker.acquire(), {
      onFailure: (error) => Effect.succeed(own(Answers.ofQuotaError(error), quotaOutcome(error, "tenant-limited"))),
      onSuccess: (acquired) => {
        const settle = (served: boolean) =>
          tracker.report({ tier, acquired, outcome: served ? { _tag: "Success" } : { _tag: "Failed" } }).pipe(
            Effect.ignore
          )
        return call.pipe(
          Effect.tap((answer) => settle(answer.outcome === "served" && answer.response.status < 300)),
          Effect.onInterrupt(() => settle(false))
        )
      }
    })
  }

  const dispatch = (
    request: HttpServerRequest.HttpServerRequest
  ): { route: Route; answer: Effect.Effect<Answer> | Answer; tenant?: string } => {
    const url = request.url
    const qi = url.indexOf("?")
    const pathname = qi < 0 ? url : url.slice(0, qi)
    const search = qi < 0 ? "" : url.slice(qi + 1)
    const matched = url.length > Routes.maxUrlLength ? undefined : Routes.match(pathname)
    if (matched === undefined) {
      const traceId = nextTraceId()
      return { route: "unknown", answer: { response: Answers.notFound(traceId), outcome: "not-found", traceId } }
    }
    const bodyLimit = Routes.postBodyLimit(matched.upstreamPath)
    const posted = request.method === "POST" && bodyLimit !== undefined
    if (request.method !== "GET" && !posted) {
      const traceId = nextTraceId()
      return {
        route: matched.route,
        answer: {
          response: Answers.notFound(traceId, bodyLimit === undefined ? "GET" : "GET, POST"),
          outcome: "not-found",
          traceId
        }
      }
    }
    const identity = identify(request.headers["ocp-apim-subscription-key"], search)
    switch (identity._tag) {
      case "Missing":
        return { route: matched.route, answer: own(BingError.authorizationMissing(), "unauthorized") }
      case "Unknown":
        return { route: matched.route, answer: own(BingError.subscriptionKeyNotRecognized(), "unauthorized") }
      case "Redundant":
        return { route: matched.route, answer: own(BingError.authorizationRedundancy(), "unauthorized") }
    }
    const tenant = identity.client.name
    const invalid = Validate.check(matched.route, search)
    if (invalid !== undefined) return { route: matched.route, tenant, answer: own(invalid, "invalid") }
    if (posted) {
      // the body is read (bounded, with a deadline) before the tenant's quota or a tier is spent
      const answer = Effect.matchEffect(PostBody.read(request, bodyLimit, options.bodyReadTimeoutMs), {
        onFailure: (error) => Effect.succeed(own(error, "invalid")),
        onSuccess: (body) => withTenant(tenant, tenants.get(tenant), upstream(matched, search, request, body))
      })
      return { route: matched.route, tenant, answer }
    }
    return {
      route: matched.route,
      tenant,
      answer: withTenant(tenant, tenants.get(tenant), upstream(matched, search, request))
    }
  }

  const record = (
    request: HttpServerRequest.HttpServerRequest,
    started: number,
    route: Route,
    tenant: string | undefined,
    answer: Answer
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const url = request.url
    const qi = url.indexOf("?")
    const entry: RequestRecord = {
      route,
      method: request.method,
      path: clip(qi < 0 ? url : url.slice(0, qi)),
      status: answer.response.status,
      outcome: answer.outcome,
      tenant,
      tier: answer.tier,
      traceId: answer.traceId,
      durationMs: performance.now() - started,
      upstreamMs: answer.upstreamMs
    }
    return Effect.as(ops.record(entry), answer.response)
  }

  const handle = (
    request: HttpServerRequest.HttpServerRequest
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    const started = performance.now()
    const opsAnswer = ops.handle(request)
    if (opsAnswer !== undefined) {
      return Effect.flatMap(
        opsAnswer,
        (response) => record(request, started, "ops", undefined, { response, outcome: "served", traceId: undefined })
      )
    }
    const routed = dispatch(request)
    const answer = routed.answer
    return Effect.isEffect(answer)
      ? Effect.flatMap(answer, (a) => record(request, started, routed.route, routed.tenant, a))
      : record(request, started, routed.route, routed.tenant, answer)
  }

  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    handle(request).pipe(
      // A defect is a bug of the gateway: Bing's 500, never the defect's text (it could hold anything).
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.failCause(cause)
          : Effect.andThen(
            Effect.logError(
              "gateway: unexpected failure on the request path",
              Cause.squash(cause) instanceof Error ? (Cause.squash(cause) as Error).name : "defect"
            ),
            record(request, performance.now(), "unknown", undefined, own(Answers.unexpectedError(), "upstream-error"))
          )
      )
    ))
}
