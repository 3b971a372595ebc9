/**
 * What happened to a request made with an acquired tier, reported back to the
 * tracker with `QuotaTracker.report`.
 *
 * - `Success`: the server answered (and counted) the request.
 * - `RateLimited`: HTTP 429, the per-second rate was exceeded: the tier is held
 *   until `retryAfterMs` has passed (bounded by `maxRetryAfterHold`).
 * - `QuotaExhausted`: HTTP 403 quota error: the tier is exhausted until the
 *   reset of its window whatever the local counters said, and the stored
 *   counter is set to its limit (the server is the truth).
 * - `Failed`: the request failed before the server counted it (network error,
 *   400, 401, 5xx): its count is refunded (see `refundFailed`).
 *
 * @since 0.1.0
 */
import type { CalendarKind } from "./Window.js"

/**
 * The quota a 403 names: day or month, `"unknown"` when the response does not say.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaWindow = CalendarKind | "unknown"

/**
 * The request succeeded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Success {
  readonly _tag: "Success"
}

/**
 * HTTP 429: the tier's per-second rate was exceeded.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimited {
  readonly _tag: "RateLimited"
  /** The `Retry-After` header in milliseconds, when present. */
  readonly retryAfterMs?: number | undefined
}

/**
 * HTTP 403 quota error: the tier's daily or monthly quota is used up.
 *
 * @since 0.1.0
 * @category models
 */
export interface QuotaExhausted {
  readonly _tag: "QuotaExhausted"
  /** Which quota, when the response says; `"unknown"` or absent otherwise. */
  readonly window?: QuotaWindow | undefined
  /** The `Retry-After` header in milliseconds, when present. */
  readonly retryAfterMs?: number | undefined
}

/**
 * The request failed before the server counted it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failed {
  readonly _tag: "Failed"
}

/**
 * Every outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = Success | RateLimited | QuotaExhausted | Failed

/**
 * The request succeeded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const success = (): Outcome => ({ _tag: "Success" })

/**
 * HTTP 429, with the `Retry-After` wait in milliseconds when known.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimited = (options: { readonly retryAfterMs?: number | undefined } = {}): Outcome => ({
  _tag: "RateLimited",
  retryAfterMs: options.retryAfterMs
})

/**
 * HTTP 403 quota error, with the window and `Retry-After` when known.
 *
 * @since 0.1.0
 * @category constructors
 */
export const quotaExhausted = (
  options: {
    readonly window?: QuotaWindow | undefined
    readonly retryAfterMs?: number | undefined
  } = {}
): Outcome => ({ _tag: "QuotaExhausted", window: options.window, retryAfterMs: options.retryAfterMs })

/**
 * The request failed before the server counted it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const failed = (): Outcome => ({ _tag: "Failed" })
