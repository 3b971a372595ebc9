/**
 * The retry rules of one call: one attempt budget shared by every kind of retry, a bound on how
 * long a `Retry-After` may make us wait, and exponential backoff with full jitter.
 *
 * Which failure is retried, and how:
 *
 * | failure | what the client does |
 * | --- | --- |
 * | 429 `RateLimited` with `Retry-After` <= `maxRetryAfter` | waits `Retry-After`, retries |
 * | 429 with `Retry-After` > `maxRetryAfter` | fails at once with `RateLimited` |
 * | 429 without `Retry-After` | backoff, retries |
 * | 403 quota (`QuotaExhausted`) with a tracker | reports it, retries at once on the next tier |
 * | 403 quota without a tracker | fails at once |
 * | 5xx, empty 200, unreadable body, timeout, connection failure | backoff, retries |
 * | 400, 401, 403 (not quota), 404, 410 | fails at once |
 *
 * Every retry spends one attempt of `maxAttempts`; when the budget is spent the last failure is
 * returned.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Result from "effect/Result"

/**
 * The normalised policy, every duration in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts per call, the first one included (>= 1). */
  readonly maxAttempts: number
  /** The longest `Retry-After` the client waits for; a longer one fails the call at once. */
  readonly maxRetryAfterMs: number
  /** The first backoff ceiling; it doubles with each retry. */
  readonly baseDelayMs: number
  /** The largest backoff ceiling. */
  readonly maxDelayMs: number
}

/**
 * What users may set; every field is optional and falls back to {@link defaults}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly maxAttempts?: number | undefined
  readonly maxRetryAfter?: Duration.Input | undefined
  readonly baseDelay?: Duration.Input | undefined
  readonly maxDelay?: Duration.Input | undefined
}

/**
 * 4 attempts, `Retry-After` up to 5 s, backoff from 200 ms up to 5 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: RetryPolicy = {
  maxAttempts: 4,
  maxRetryAfterMs: 5_000,
  baseDelayMs: 200,
  maxDelayMs: 5_000
}

const millis = (name: string, input: Duration.Input | undefined, fallback: number): number | string => {
  if (input === undefined) return fallback
  const d = Duration.fromInput(input)
  if (Option.isNone(d)) return `${name} is not a duration`
  const ms = Duration.toMillis(d.value)
  return Number.isFinite(ms) && ms >= 0 ? ms : `${name} must be a finite, non-negative duration`
}

/**
 * Normalises options into a policy, or explains what is wrong with them.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@bing-effect/client"
 *
 * const policy = RetryPolicy.make({ maxAttempts: 2, maxRetryAfter: "2 seconds" })
 * // Result.succeed({ maxAttempts: 2, maxRetryAfterMs: 2000, baseDelayMs: 200, maxDelayMs: 5000 })
 * RetryPolicy.make({ maxAttempts: 0 })
 * // Result.fail("maxAttempts must be an integer from 1 to 100 (got 0)")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Result.Result<RetryPolicy, string> => {
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    return Result.fail(`maxAttempts must be an integer from 1 to 100 (got ${String(maxAttempts)})`)
  }
  const maxRetryAfterMs = millis("maxRetryAfter", options.maxRetryAfter, defaults.maxRetryAfterMs)
  if (typeof maxRetryAfterMs === "string") return Result.fail(maxRetryAfterMs)
  const baseDelayMs = millis("baseDelay", options.baseDelay, defaults.baseDelayMs)
  if (typeof baseDelayMs === "string") return Result.fail(baseDelayMs)
  const maxDelayMs = millis("maxDelay", options.maxDelay, defaults.maxDelayMs)
  if (typeof maxDelayMs === "string") return Result.fail(maxDelayMs)
  if (maxDelayMs < baseDelayMs) return Result.fail(`maxDelay (${maxDelayMs} ms) is below baseDelay (${baseDelayMs} ms)`)
  return Result.succeed({ maxAttempts, maxRetryAfterMs, baseDelayMs, maxDelayMs })
}

/**
 * The ceiling of the backoff before retry number `retry` (1 for the first retry):
 * `min(maxDelay, baseDelay * 2^(retry-1))`.
 *
 * @since 0.1.0
 * @category utils
 */
export const backoffCeiling = (policy: RetryPolicy, retry: number): number =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1))

/**
 * Full jitter: a delay drawn uniformly from `[0, ceiling)` given a random number in `[0, 1)`.
 *
 * @since 0.1.0
 * @category utils
 */
export const backoffDelay = (policy: RetryPolicy, retry: number, random: number): number =>
  Math.floor(backoffCeiling(policy, retry) * Math.min(Math.max(random, 0), 1))
