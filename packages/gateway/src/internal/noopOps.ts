/**
 * Stand-in for the operations side (`internal/ops.ts`, written separately) with the same
 * signature: records nothing and answers no route. The request path calls it exactly as it will
 * call the real one, so swapping the import in `internal/opsLink.ts` is the whole merge.
 */
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import type { HttpServerRequest, HttpServerResponse } from "effect/http"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Observer } from "./observe.js"

/** What the operations side is built from (the contract of gateway-design.md). */
export interface OpsOptions {
  readonly tiers: QuotaTracker.Service
  readonly tenants: ReadonlyMap<string, QuotaTracker.Service>
  readonly adminToken: Redacted.Redacted<string> | undefined
  readonly log: (line: string) => Effect.Effect<void>
}

/** The operations side as the request path sees it. */
export interface Ops extends Observer {
  /** Answers /_gateway/* and /metrics; `undefined` for any other path. */
  readonly handle: (
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse> | undefined
}

const ops: Ops = { record: () => Effect.void, handle: () => undefined }

/** Builds the no-op operations side. */
export const make = (_options: OpsOptions): Effect.Effect<Ops, never, Scope.Scope> => Effect.succeed(ops)
