/**
 * The error of every quota operation: `QuotaError` with a `reason`.
 *
 * Quota refusals are expected results, so these errors are cheap to build on a
 * hot path: the constructors below build a real `QuotaError` (`new`, so
 * `instanceof`, `_tag`, `stack` and equality all work) without capturing a
 * stack trace, and its reasons are plain tagged values (with `message` and
 * `isRetryable`), not `Error`s. Handle one reason with
 * `Effect.catchReason("QuotaError", "AllTiersExhausted", ...)`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { formatWait } from "./internal/format.js"
import { quotaName, type WindowKind } from "./Window.js"

/**
 * The window a reason refers to (a `Window.WindowKind`); `"unknown"` when the
 * server did not say.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorWindow = WindowKind | "unknown"

/**
 * Which store failed.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreName = "memory" | "sqlite" | "redis" | "postgres"

/**
 * Every tier of the chain is exhausted (or held back by a server quota error).
 * `resetsAt` is the earliest reset over all tiers (epoch ms); `retryAfter` is
 * the wait until then, in milliseconds.
 *
 * Not to be confused with Bing's own `QuotaExhausted` error (a 403 for one
 * key, from `@bing-effect/schema`): the tracker reports this reason when it
 * has no tier left to try.
 *
 * @since 0.1.0
 * @category reasons
 */
export class AllTiersExhausted extends Data.TaggedClass("AllTiersExhausted")<{
  readonly tiers: ReadonlyArray<string>
  readonly window: ErrorWindow
  readonly resetsAt: number
  readonly retryAfter: number
}> {
  /**
   * Waiting for the reset helps, but not soon: not retryable in the usual sense.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  get message(): string {
    return `Every tier is exhausted (${this.tiers.join(", ")}): ${
      quotaName(this.window)
    } used up; the first reset is at ${new Date(this.resetsAt).toISOString()} (in ${formatWait(this.retryAfter)})`
  }
}

/**
 * The tier's per-second window is full, or the tier is held after a 429, and
 * waiting is not allowed or would exceed the configured bound.
 *
 * @since 0.1.0
 * @category reasons
 */
export class RateLimitExceeded extends Data.TaggedClass("RateLimitExceeded")<{
  readonly tier: string
  readonly retryAfter: number
}> {
  /**
   * Retrying after `retryAfter` milliseconds is expected to succeed.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return true
  }

  get message(): string {
    return `Tier ${this.tier} is over its per-second rate; retry in ${formatWait(this.retryAfter)}`
  }
}

/**
 * The counter store did not answer (and the tracker fails closed).
 * `detail` describes the failure without any secret.
 *
 * @since 0.1.0
 * @category reasons
 */
export class StoreUnavailable extends Data.TaggedClass("StoreUnavailable")<{
  readonly store: StoreName
  readonly detail: string
}> {
  /**
   * The store may come back: retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return true
  }

  get message(): string {
    return `The ${this.store} quota store is unavailable: ${this.detail}`
  }
}

/**
 * The options or arguments given to the tracker or store are invalid.
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidOptions extends Data.TaggedClass("InvalidOptions")<{
  readonly detail: string
}> {
  /**
   * Bad input does not fix itself: not retryable.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  get message(): string {
    return `Invalid quota options: ${this.detail}`
  }
}

/**
 * Every reason a `QuotaError` may carry.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaErrorReason = AllTiersExhausted | RateLimitExceeded | StoreUnavailable | InvalidOptions

/**
 * The brand of `QuotaError` values. A string key, like Effect's own type ids,
 * so that `isQuotaError` recognises an error made by another copy of this
 * package (a second install, a bundled copy), where `instanceof` would not.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId = "~@bing-effect/quota-tracker/QuotaError" as const

/**
 * The brand of `QuotaError` values.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The error of the quota tracker and its stores.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { QuotaTracker } from "@bing-effect/quota-tracker"
 *
 * const program = Effect.gen(function*() {
 *   const tracker = yield* QuotaTracker.QuotaTracker
 *   return yield* tracker.acquire()
 * }).pipe(
 *   Effect.catchReason("QuotaError", "AllTiersExhausted", (reason) =>
 *     Effect.logWarning(`out of quota until ${new Date(reason.resetsAt).toISOString()}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaError extends Data.TaggedError("QuotaError")<{
  readonly reason: QuotaErrorReason
}> {
  /**
   * @since 0.1.0
   */
  declare readonly [TypeId]: TypeId

  constructor(props: { readonly reason: QuotaErrorReason }) {
    // The fields are set here rather than by Data.Error's constructor, which would also keep a
    // hidden copy of them for `toJSON` (whose output is the same without it): that copy's
    // `defineProperty` costs as much as the Error itself, and refusals build many of these.
    super(undefined as unknown as typeof props)
    ;(this as { reason: QuotaErrorReason }).reason = props.reason
  }

  /**
   * Whether retrying later is expected to succeed.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }

  override get message(): string {
    return this.reason.message
  }
}

// on the prototype rather than on each instance: refusals build many of these
Object.defineProperty(QuotaError.prototype, TypeId, { value: TypeId })

/**
 * Whether a value is a `QuotaError`, by its brand (`TypeId`): true also for an
 * error made by another copy of this package.
 *
 * @since 0.1.0
 * @category guards
 */
export const isQuotaError = (u: unknown): u is QuotaError => Predicate.hasProperty(u, TypeId)

// Whether Error.stackTraceLimit can be set (it cannot in a frozen realm, e.g. under SES).
const limitWritable = ((): boolean => {
  const descriptor = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit")
  if (descriptor === undefined) return Object.isExtensible(Error)
  return descriptor.writable === true || descriptor.set !== undefined
})()

// Quota refusals are expected results, built by the thousand when a limit is reached: the
// constructors below build them with `Error.stackTraceLimit = 0` around `new` (as Effect does for
// its own expected errors), since a stack capture costs more than the quota check itself. The
// instance is a real QuotaError; its `stack` is just its first line. `new QuotaError(...)` called
// directly keeps a full stack trace.
const build = (reason: QuotaErrorReason): QuotaError => {
  const limit = Error.stackTraceLimit
  if (limit === 0 || !limitWritable) return new QuotaError({ reason })
  Error.stackTraceLimit = 0
  try {
    return new QuotaError({ reason })
  } finally {
    Error.stackTraceLimit = limit
  }
}

/**
 * A `QuotaError` with an `AllTiersExhausted` reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const allTiersExhausted = (fields: {
  readonly tiers: ReadonlyArray<string>
  readonly window: ErrorWindow
  readonly resetsAt: number
  readonly retryAfter: number
}): QuotaError => build(new AllTiersExhausted(fields))

/**
 * A `QuotaError` with a `RateLimitExceeded` reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimitExceeded = (tier: string, retryAfter: number): QuotaError =>
  build(new RateLimitExceeded({ tier, retryAfter }))

/**
 * A `QuotaError` with a `StoreUnavailable` reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const storeUnavailable = (store: StoreName, detail: string): QuotaError =>
  build(new StoreUnavailable({ store, detail }))

/**
 * A `QuotaError` with an `InvalidOptions` reason.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidOptions = (detail: string): QuotaError => build(new InvalidOptions({ detail }))
