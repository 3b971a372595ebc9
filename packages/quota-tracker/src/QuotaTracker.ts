/**
 * The quota tracker: counts every request of a chain of tiers against their
 * per-second, per-day and per-month limits, switches to the next tier before
 * (or when) one runs out and back when it resets, and reports where each
 * window stands.
 *
 * @example
 * ```ts
 * import { Effect, Exit, Layer, Redacted } from "effect"
 * import { Outcome, QuotaStore, QuotaTracker, TierCatalog } from "@bing-effect/quota-tracker"
 *
 * const Quota = QuotaTracker.layer({
 *   tiers: [
 *     TierCatalog.tier("S15", { key: Redacted.make("s15-key") }),
 *     TierCatalog.tier("S16", { key: Redacted.make("s16-key") })
 *   ],
 *   switchAt: 0.99
 * }).pipe(Layer.provide(QuotaStore.layerMemory))
 *
 * const callBing = (key: Redacted.Redacted<string>) => Effect.succeed(`searched with ${Redacted.value(key).length}-char key`)
 *
 * const search = Effect.gen(function*() {
 *   const quota = yield* QuotaTracker.QuotaTracker
 *   // acquires a tier, runs the call, reports its outcome (interrupted: refunded)
 *   return yield* QuotaTracker.withQuota(quota, ({ tier }) => callBing(tier.key), {
 *     outcome: (exit) => Exit.isSuccess(exit) ? Outcome.success() : Outcome.failed()
 *   })
 * }).pipe(Effect.provide(Quota))
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { makeTracker } from "./internal/tracker.js"
import * as Outcome from "./Outcome.js"
import type * as QuotaError from "./QuotaError.js"
import type * as QuotaEvent from "./QuotaEvent.js"
import type * as QuotaStore from "./QuotaStore.js"
import type * as Tier from "./Tier.js"
import type { WindowKind } from "./Window.js"

/**
 * Where one window of a tier stands. `resetsAt` is epoch ms: the end of the
 * calendar period for day and month, the instant the bucket is full again for
 * the per-second window.
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowUsage {
  readonly window: WindowKind
  readonly used: number
  readonly limit: number
  readonly remaining: number
  readonly resetsAt: number
}

/**
 * A successful acquire: the tier to use now and its windows after counting
 * this request. `switchedFrom` names the previously active tier when this
 * acquire moved to another one. Pass the whole value back in
 * `report({ acquired })` so a refund hits the right periods.
 *
 * @since 0.1.0
 * @category models
 */
export interface Acquired {
  readonly tier: Tier.Tier
  readonly windows: ReadonlyArray<WindowUsage>
  readonly switchedFrom?: string | undefined
  readonly weight: number
  /** Epoch ms of the acquire. */
  readonly acquiredAt: number
}

/**
 * The rate behind a day or month forecast:
 *
 * - `"smoothed"`: the exponentially smoothed rate this process measured
 *   (time constant `forecastSmoothing`).
 * - `"period-average"`: the process has no rate sample for the window yet (it
 *   has just started, or the period has just begun), so the average since the
 *   period began (`used / elapsed`) stands in for it.
 *
 * @since 0.1.0
 * @category models
 */
export type ForecastBasis = "smoothed" | "period-average"

/**
 * One window in a status snapshot: its usage plus the rate behind its forecast
 * (per second), the forecast instant at which it runs out at that rate
 * (`undefined` when it lasts until its reset), where that rate comes from and
 * the thresholds it has crossed. The per-second window has no rate forecast:
 * its `forecast` is now when the bucket is empty, its `forecastBasis` and
 * `ratePerSecond` are `undefined` and `0`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowStatus extends WindowUsage {
  readonly ratePerSecond: number
  readonly forecast: number | undefined
  readonly forecastBasis: ForecastBasis | undefined
  readonly thresholdsCrossed: ReadonlyArray<number>
}

/**
 * One tier in a status snapshot.
 *
 * @since 0.1.0
 * @category models
 */
export interface TierStatus {
  readonly name: string
  readonly endpoint: string | undefined
  readonly active: boolean
  /** Held after a 429 until `heldUntil`. */
  readonly held: boolean
  readonly heldUntil: number | undefined
  /** Exhausted (local count or server 403) until `exhaustedUntil`. */
  readonly exhausted: boolean
  readonly exhaustedUntil: number | undefined
  readonly exhaustedWindow: QuotaError.ErrorWindow | undefined
  /** Day or month usage reached `switchAt`: used only when later tiers are exhausted. */
  readonly switchedAway: boolean
  readonly windows: ReadonlyArray<WindowStatus>
}

/**
 * A snapshot of every tier and window, for a CLI or a dashboard.
 *
 * @since 0.1.0
 * @category models
 */
export interface QuotaStatus {
  readonly at: number
  /** The tier the next acquire will use, or `undefined` when all are exhausted. */
  readonly active: string | undefined
  readonly store: QuotaError.StoreName
  /** `"fallback"` while a failing store is answered from memory (`QuotaStore.layerFailOpen`). */
  readonly storeMode: "primary" | "fallback"
  readonly tiers: ReadonlyArray<TierStatus>
}

/**
 * Options of `make` and `layer`. Durations accept milliseconds or any
 * `Duration.Input` such as `"2 seconds"`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The ordered chain of tiers: the first is preferred, later ones take over. */
  readonly tiers: ReadonlyArray<Tier.Tier>
  /** Fractions of a day or month quota that emit a `ThresholdCrossed` event once per period, across every process sharing the store. Default `[0.8, 0.95]`. */
  readonly thresholds?: ReadonlyArray<number> | undefined
  /** Fraction of a day or month quota at which to move to the next tier. Default `1` (when exhausted). */
  readonly switchAt?: number | undefined
  /** How long an acquire may wait for a full per-second window (or a 429 hold) before failing with `RateLimitExceeded`. `0` fails at once. Default 1 second. */
  readonly waitForSecondWindow?: Duration.Input | undefined
  /** Upper bound of a hold after a 429, whatever its `Retry-After` says. Default 60 seconds. */
  readonly maxRetryAfterHold?: Duration.Input | undefined
  /** Hold after a 429 without `Retry-After`. Default 1 second. */
  readonly defaultRetryAfter?: Duration.Input | undefined
  /** IANA time zone of the day and month periods, e.g. `"America/New_York"`. Default UTC. */
  readonly timeZone?: string | undefined
  /** Fixed offset from UTC in minutes of the day and month periods (ignored when `timeZone` is set). Default 0. */
  readonly offsetMinutes?: number | undefined
  /** Day of the month (1-31) on which monthly periods start (the billing anchor). Default 1. */
  readonly monthAnchorDay?: number | undefined
  /** Refund requests Bing does not bill (`Failed`; the day and month counts of a 429). Default `true`. */
  readonly refundFailed?: boolean | undefined
  /** Time constant of the smoothed rate behind forecasts (before the first sample, the period's average rate is used). Default 15 minutes. */
  readonly forecastSmoothing?: Duration.Input | undefined
}

/**
 * The quota tracker's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Picks the tier to use and counts the request in all its windows at once
   * (all or nothing). Waits for a full per-second window up to
   * `waitForSecondWindow`. Fails with `AllTiersExhausted` when every tier is
   * exhausted, `RateLimitExceeded` when waiting is not enough,
   * `StoreUnavailable` when the store fails.
   */
  readonly acquire: (
    options?: { readonly weight?: number | undefined }
  ) => Effect.Effect<Acquired, QuotaError.QuotaError>
  /**
   * Feeds the server's answer back: see `Outcome`. Each `Acquired` settles
   * once: a second report of the same value is a no-op, whatever its outcome.
   * A refund never exceeds the weight this tracker admitted for the tier and
   * has not settled yet, so a report without `acquired` (or with a copy of
   * one) cannot refund another process's requests.
   */
  readonly report: (options: {
    readonly tier: string
    readonly outcome: Outcome.Outcome
    /** The acquire this outcome belongs to (refunds hit its periods and weight). */
    readonly acquired?: Acquired | undefined
    /** Weight to refund when `acquired` is not given. Default 1. */
    readonly weight?: number | undefined
  }) => Effect.Effect<void, QuotaError.QuotaError>
  /** Sets a window's usage from an outside source (e.g. a billing report). */
  readonly setUsage: (options: {
    readonly tier: string
    readonly window: WindowKind
    readonly used: number
  }) => Effect.Effect<void, QuotaError.QuotaError>
  /** A snapshot of every tier and window. */
  readonly status: Effect.Effect<QuotaStatus, QuotaError.QuotaError>
  /** Events as they happen (subscribe before they occur). */
  readonly events: Stream.Stream<QuotaEvent.QuotaEvent>
}

/**
 * The quota tracker service.
 *
 * @since 0.1.0
 * @category services
 */
export class QuotaTracker extends Context.Service<QuotaTracker, Service>()("@bing-effect/quota-tracker/QuotaTracker") {}

/**
 * Builds a tracker over the `QuotaStore` of the context (a failing store fails
 * acquires with `StoreUnavailable`; wrap it with `QuotaStore.layerFailOpen` to
 * count in memory meanwhile). Fails with `InvalidOptions` when the options are
 * invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<Service, QuotaError.QuotaError, Scope.Scope | QuotaStore.QuotaStore> = makeTracker

/**
 * The tracker as a layer. It needs a `QuotaStore`: `QuotaStore.layerMemory`
 * counts in this process only; `QuotaStore.layerSqlite(...)` or
 * `RedisStore.layer(...)` (from `@bing-effect/quota-tracker/redis`) share the
 * counts between processes.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { QuotaStore, QuotaTracker, TierCatalog } from "@bing-effect/quota-tracker"
 *
 * const Quota = QuotaTracker.layer({ tiers: [TierCatalog.tier("S15", { key: Redacted.make("s15-key") })] }).pipe(
 *   Layer.provide(QuotaStore.layerMemory)
 * )
 * ```
 *
 * **Gotchas**
 *
 * The store is in the layer's requirements, so `Layer.merge` where
 * `Layer.provide` was meant is a type error, not a tracker silently counting
 * alone in memory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<QuotaTracker, QuotaError.QuotaError, QuotaStore.QuotaStore> =>
  Layer.effect(QuotaTracker, make(options))

/**
 * Options of `withQuota`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WithQuotaOptions<A, E> {
  /** The weight to acquire. Default 1. */
  readonly weight?: number | undefined
  /**
   * What the server made of the request, from how the effect ended: its
   * success, its failure or a defect. Not called for an interruption, which
   * reports `Outcome.failed()` (a refund).
   */
  readonly outcome: (exit: Exit.Exit<A, E>) => Outcome.Outcome
}

const runWithQuota = <A, E, R>(
  tracker: Pick<Service, "acquire" | "report">,
  use: (acquired: Acquired) => Effect.Effect<A, E, R>,
  options: WithQuotaOptions<A, E>
): Effect.Effect<A, E | QuotaError.QuotaError, R> =>
  // Uninterruptible between a successful acquire and its report, so that the Acquired cannot be
  // lost: only the acquire's wait and `use` itself can be interrupted.
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(tracker.acquire({ weight: options.weight })), (acquired) =>
      Effect.flatMap(
        Effect.exit(restore(Effect.suspend(() => use(acquired)))),
        (exit) => {
          let outcome: Outcome.Outcome
          let defect: Cause.Cause<never> | undefined
          if (Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)) outcome = Outcome.failed()
          else {
            try {
              outcome = options.outcome(exit)
            } catch (thrown) {
              // a throwing mapper is a bug: the acquire still settles (counted: the request may
              // have reached the server), and the defect is raised after the report
              outcome = Outcome.success()
              defect = Cause.die(thrown)
            }
          }
          return Effect.flatMap(
            Effect.exit(tracker.report({ tier: acquired.tier.name, outcome, acquired })),
            (reported): Effect.Effect<A, E | QuotaError.QuotaError> => {
              let result: Exit.Exit<A, E | QuotaError.QuotaError> = exit
              if (Exit.isFailure(reported)) {
                result = Exit.isFailure(exit)
                  ? Exit.failCause(Cause.combine(exit.cause, reported.cause))
                  : Exit.failCause(reported.cause)
              }
              if (defect === undefined) return result
              return Exit.isFailure(result)
                ? Exit.failCause(Cause.combine(result.cause, defect))
                : Exit.failCause(defect)
            }
          )
        }
      ))
  )

/**
 * Runs an effect with a tier of the quota: acquires one, runs `use` with the
 * `Acquired`, and reports the outcome mapped from how it ended, exactly once,
 * so that no caller can forget `report` or report twice. An interruption
 * while `use` runs reports `Outcome.failed()` (the request is refunded, see
 * `refundFailed`); an interruption while `acquire` waits for the per-second
 * window acquires nothing and reports nothing.
 *
 * @example
 * ```ts
 * import { Cause, Effect, Exit, Option, Redacted } from "effect"
 * import { Outcome, QuotaTracker } from "@bing-effect/quota-tracker"
 *
 * class ServerRefused {
 *   readonly _tag = "ServerRefused"
 *   constructor(readonly status: number) {}
 * }
 * declare const callBing: (key: Redacted.Redacted<string>) => Effect.Effect<string, ServerRefused>
 *
 * const search = Effect.gen(function*() {
 *   const quota = yield* QuotaTracker.QuotaTracker
 *   return yield* QuotaTracker.withQuota(quota, ({ tier }) => callBing(tier.key), {
 *     outcome: (exit) => {
 *       if (Exit.isSuccess(exit)) return Outcome.success()
 *       const error = Cause.findErrorOption(exit.cause)
 *       return Option.isSome(error) && error.value.status === 429 ? Outcome.rateLimited() : Outcome.failed()
 *     }
 *   })
 * })
 * ```
 *
 * **Details**
 *
 * The data-first form, `withQuota(tracker, use, options)`, infers `A` and `E`
 * from `use`; the data-last form, `withQuota(tracker, options)(use)`, takes
 * them from the `outcome` function's parameter. `tracker` may be anything
 * with `acquire` and `report`. When `report` itself fails (the store is down
 * and the tracker fails closed), the result fails with its `QuotaError`; when
 * `use` had failed too, `use`'s failure comes first in the cause.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withQuota: {
  <A, E>(
    tracker: Pick<Service, "acquire" | "report">,
    options: WithQuotaOptions<A, E>
  ): <R>(use: (acquired: Acquired) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | QuotaError.QuotaError, R>
  <A, E, R>(
    tracker: Pick<Service, "acquire" | "report">,
    use: (acquired: Acquired) => Effect.Effect<A, E, R>,
    options: WithQuotaOptions<A, E>
  ): Effect.Effect<A, E | QuotaError.QuotaError, R>
} = (
  tracker: Pick<Service, "acquire" | "report">,
  ...rest:
    | [options: WithQuotaOptions<any, any>]
    | [use: (acquired: Acquired) => Effect.Effect<any, any, any>, options: WithQuotaOptions<any, any>]
): any =>
  rest.length === 1
    ? (use: (acquired: Acquired) => Effect.Effect<any, any, any>) => runWithQuota(tracker, use, rest[0])
    : runWithQuota(tracker, rest[0], rest[1])
