/**
 * The quota windows of a Bing v7 subscription: the one declaration every package derives its
 * window unions from.
 *
 * @since 0.2.0
 */

/**
 * The quota windows a `RateLimitExceeded` error can be about: per second (HTTP 429), per day and
 * per month (HTTP 403).
 *
 * @example
 * import { QuotaWindow } from "@bing-effect/error-codes"
 * const windows = Object.values(QuotaWindow) // ["second", "day", "month"]
 *
 * @since 0.2.0
 * @category constants
 */
export const QuotaWindow = /* @__PURE__ */ Object.freeze(
  {
    second: "second",
    day: "day",
    month: "month"
  } as const
)

/**
 * The quota window a `RateLimitExceeded` error is about: per second answers 429, per day and per
 * month answer 403.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaWindow = (typeof QuotaWindow)[keyof typeof QuotaWindow]

/**
 * The windows whose exhaustion Bing answers with 403 (per day and per month): the ones that need a
 * switch of key or tier rather than a retry.
 *
 * @since 0.2.0
 * @category models
 */
export type VolumeQuotaWindow = Exclude<QuotaWindow, "second">

/**
 * Whether a value is one of the three quota windows.
 *
 * @since 0.2.0
 * @category guards
 */
// Keys equal values, so an own-key check is the membership test, with no lookup table to bundle.
export const isQuotaWindow = (u: unknown): u is QuotaWindow => typeof u === "string" && Object.hasOwn(QuotaWindow, u)
