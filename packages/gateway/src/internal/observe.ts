/**
 * What the request path tells the operations side (metrics, access log, status) about each answered
 * request. The request path only builds a `RequestRecord` and calls `record`; what is counted and
 * printed lives with the observer, so the hot path stays free of formatting.
 */
import type * as Effect from "effect/Effect"

/** Which part of the gateway answered. */
export type Route = "search" | "images/search" | "images/trending" | "forward" | "ops" | "unknown"

/** Why the gateway answered as it did; one label value per documented answer. */
export type Outcome =
  | "served" // the upstream's answer was passed on (any status the upstream gave)
  | "invalid" // 400 from the gateway itself: bad parameters, nothing spent
  | "unauthorized" // 401: missing, unknown or forbidden (an upstream tier's) key
  | "tenant-limited" // the caller's own tenant quota: 429 per second, 403 per day/month
  | "exhausted" // 403: every tier is out until the earliest reset
  | "store-unavailable" // the quota store did not answer (fail-closed)
  | "upstream-error" // the upstream failed in a way the gateway answers for (timeout, refused, garbage)
  | "not-found" // not a Bing path or not a GET

/** One answered request. Never holds a key: `path` is the URL path without its query. */
export interface RequestRecord {
  readonly route: Route
  readonly method: string
  readonly path: string
  readonly status: number
  readonly outcome: Outcome
  readonly tenant: string | undefined
  readonly tier: string | undefined
  readonly traceId: string | undefined
  readonly durationMs: number
  readonly upstreamMs: number | undefined
}

/** The operations side, as the request path sees it. */
export interface Observer {
  readonly record: (record: RequestRecord) => Effect.Effect<void>
}
