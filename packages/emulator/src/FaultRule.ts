/**
 * Fault rules: which requests to disturb (`match`) and how (`fault`): an error with any status,
 * code and sub-code, Bing's empty 200, a delay, a dropped connection, a truncated body, a legacy
 * gateway body or an HTML 502 from a proxy. Injected answers never count against a quota.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/**
 * Which requests a rule applies to. Every field present must match; an empty match takes every
 * request (admin paths are never disturbed).
 *
 * - `path`: the request path, exact (`/v7.0/search`, which also matches `/bing/v7.0/search`) or a
 *   prefix ending in `*` (`/v7.0/images/*`).
 * - `keyName`: the configured name of the key the request used.
 * - `count`: disturb only the first N matching requests, then the rule retires.
 * - `probability`: disturb a matching request with this probability (0..1), drawn from the
 *   emulator's seeded generator, so a run replays under the same seed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultMatch = Schema.Struct({
  path: Schema.optionalKey(Schema.String),
  keyName: Schema.optionalKey(Schema.String),
  count: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1)))),
  probability: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 1 }))))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultMatch extends Schema.Schema.Type<typeof FaultMatch> {}

const Status = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 100, maximum: 599 })))

/**
 * What happens to a matching request.
 *
 * - `error`: a Bing `ErrorResponse` with any `code`/`subCode`; `status` defaults to the documented
 *   one (500 when unknown); `retryAfter` (seconds) adds a `Retry-After` header.
 * - `empty200`: 200 with an empty body (Bing's answer to a suspected denial-of-service attack).
 * - `delay`: wait `ms` (at most 60,000), then answer normally.
 * - `drop`: destroy the connection without an answer.
 * - `truncate`: valid headers, then the body cut in the middle of its JSON, then the connection closes.
 * - `legacy`: an API-Management gateway body: `{"statusCode":401,…}`, `{"statusCode":403,…}` or
 *   `{"error":{"code":…}}`.
 * - `html502`: a `text/html` 502 page, as a reverse proxy sends it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fault = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("error"),
    status: Schema.optionalKey(Status),
    code: Schema.String.pipe(Schema.check(Schema.isNonEmpty())),
    subCode: Schema.optionalKey(Schema.String),
    message: Schema.optionalKey(Schema.String),
    retryAfter: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))))
  }),
  Schema.Struct({ kind: Schema.Literal("empty200") }),
  Schema.Struct({
    kind: Schema.Literal("delay"),
    ms: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 60_000 })))
  }),
  Schema.Struct({ kind: Schema.Literal("drop") }),
  Schema.Struct({ kind: Schema.Literal("truncate") }),
  Schema.Struct({
    kind: Schema.Literal("legacy"),
    shape: Schema.Literals(["statusCode401", "statusCode403", "error"])
  }),
  Schema.Struct({ kind: Schema.Literal("html502") })
])

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = Schema.Schema.Type<typeof Fault>

/**
 * A rule: `match` (optional) and `fault`.
 *
 * @example
 * import type { FaultRule } from "@bing-effect/emulator"
 * const rule: FaultRule.FaultRule = {
 *   match: { path: "/v7.0/search", count: 1 },
 *   fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
 * }
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultRule = Schema.Struct({
  match: Schema.optionalKey(FaultMatch),
  fault: Fault
})

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultRule extends Schema.Schema.Type<typeof FaultRule> {}

/**
 * The flat spelling the admin API also accepts: match fields and fault fields side by side, e.g.
 * `{ "path": "/v7.0/search", "count": 1, "kind": "drop" }`.
 *
 * @since 0.1.0
 * @category models
 */
export type FlatFaultRule = FaultMatch & Fault

/**
 * Anything `injectFault` accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultRuleInput = FaultRule | FlatFaultRule

const matchKeys = ["path", "keyName", "count", "probability"] as const

const decodeRule = Schema.decodeUnknownResult(FaultRule, { onExcessProperty: "error" })

/**
 * Validates a rule in either spelling; fails with a readable message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (input: unknown): Result.Result<FaultRule, string> => {
  let candidate = input
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    const o = input as Record<string, unknown>
    if ("rule" in o && Object.keys(o).length === 1) return decode(o["rule"])
    if (!("fault" in o) && "kind" in o) {
      const match: Record<string, unknown> = {}
      const fault: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(o)) {
        if ((matchKeys as ReadonlyArray<string>).includes(k)) match[k] = v
        else fault[k] = v
      }
      candidate = Object.keys(match).length > 0 ? { match, fault } : { fault }
    }
  }
  const r = decodeRule(candidate)
  return Result.isSuccess(r) ? Result.succeed(r.success) : Result.fail(r.failure.message)
}
