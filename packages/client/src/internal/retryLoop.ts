/**
 * The attempt loop of one call: acquire a tier (when a tracker is present), run one attempt,
 * report its outcome, and decide from the attempt's verdict whether to return, fail, wait or
 * switch tier. One budget (`maxAttempts`) covers every kind of retry.
 */
import type { Outcome as TrackerOutcome, QuotaError, QuotaTracker } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Redacted from "effect/Redacted"
import * as RetryPolicy from "../RetryPolicy.js"

/** What the server's answer means for the loop. */
export type Verdict<A, E> =
  | { readonly _tag: "Done"; readonly value: A }
  /**
   * Fails the call at once. `counted`: whether the server counted the request. `sent: false`:
   * refused before sending, so the attempt does not count as one made.
   */
  | { readonly _tag: "Fatal"; readonly error: E; readonly counted: boolean; readonly sent?: false | undefined }
  /** Retried after an exponential, fully jittered backoff. */
  | { readonly _tag: "Backoff"; readonly error: E; readonly counted: boolean }
  /** 429: wait `Retry-After` when within the bound, else fail at once. */
  | { readonly _tag: "RateLimited"; readonly error: E; readonly retryAfterMs: number | undefined }
  /** 403 quota: with a tracker, report and retry at once on the next tier. */
  | {
    readonly _tag: "Quota"
    readonly error: E
    readonly window: "day" | "month" | "unknown"
    readonly retryAfterMs: number | undefined
  }

type Outcome = TrackerOutcome.Outcome

/** The part of the quota tracker the loop uses. */
export type Tracker = Pick<QuotaTracker.Service, "acquire" | "report">

/** Where one attempt goes. */
export interface Target {
  readonly key: Redacted.Redacted<string>
  readonly endpoint: string
  readonly tier: string | undefined
}

/** The result of the loop: the value, how many attempts it took, and which tier served it. */
export interface Served<A> {
  readonly value: A
  readonly attempts: number
  readonly tier: string | undefined
}

/** The failure of the loop, with the same bookkeeping. */
export interface Failed<E> {
  readonly error: E
  readonly attempts: number
  readonly tier: string | undefined
}

const report = (tracker: Tracker, acquired: QuotaTracker.Acquired, outcome: Outcome): Effect.Effect<void> =>
  tracker.report({ tier: acquired.tier.name, outcome, acquired }).pipe(
    Effect.catch((e: QuotaError.QuotaError) =>
      Effect.logWarning(`quota tracker could not record an outcome for tier ${acquired.tier.name}: ${e.message}`)
    )
  )

const outcomeOf = <A, E>(verdict: Verdict<A, E>): Outcome | undefined => {
  switch (verdict._tag) {
    case "Done":
      return { _tag: "Success" }
    case "RateLimited":
      return { _tag: "RateLimited", retryAfterMs: verdict.retryAfterMs }
    case "Quota":
      return { _tag: "QuotaExhausted", window: verdict.window, retryAfterMs: verdict.retryAfterMs }
    default:
      // A request the server may have counted stays counted; the others are refunded.
      return verdict.counted ? undefined : { _tag: "Failed" }
  }
}

/**
 * Runs `attempt` until it is done, fails for good, or the budget is spent.
 * The error channel carries `Failed<E | QuotaError>` so the caller can report attempts and tier.
 */
export const run = <A, E>(options: {
  readonly policy: RetryPolicy.RetryPolicy
  readonly tracker: Tracker | undefined
  readonly fallback: { readonly key: Redacted.Redacted<string> | undefined; readonly endpoint: string }
  readonly missingKey: () => E
  readonly attempt: (target: Target, attempt: number) => Effect.Effect<Verdict<A, E>>
}): Effect.Effect<Served<A>, Failed<E | QuotaError.QuotaError>> => {
  const { policy, tracker, fallback } = options
  type Step = Effect.Effect<Served<A>, Failed<E | QuotaError.QuotaError>>
  // Plain combinators rather than a generator: this runs once per attempt of every call.
  const decide = (verdict: Verdict<A, E>, target: Target, attempt: number, backoffRetries: number): Step => {
    if (verdict._tag === "Done") return Effect.succeed({ value: verdict.value, attempts: attempt, tier: target.tier })
    const made = verdict._tag === "Fatal" && verdict.sent === false ? attempt - 1 : attempt
    const failed: Failed<E> = { error: verdict.error, attempts: made, tier: target.tier }
    const budgetLeft = attempt < policy.maxAttempts
    switch (verdict._tag) {
      case "Fatal":
        return Effect.fail(failed)
      case "Quota":
        // Without a tracker there is no other tier to move to.
        if (tracker === undefined || !budgetLeft) return Effect.fail(failed)
        return loop(attempt + 1, backoffRetries, target.tier)
      case "RateLimited": {
        if (!budgetLeft) return Effect.fail(failed)
        if (verdict.retryAfterMs !== undefined) {
          if (verdict.retryAfterMs > policy.maxRetryAfterMs) return Effect.fail(failed)
          return Effect.andThen(Effect.sleep(verdict.retryAfterMs), loop(attempt + 1, backoffRetries, target.tier))
        }
        return Effect.andThen(
          sleepBackoff(policy, backoffRetries + 1),
          loop(attempt + 1, backoffRetries + 1, target.tier)
        )
      }
      case "Backoff": {
        if (!budgetLeft) return Effect.fail(failed)
        return Effect.andThen(
          sleepBackoff(policy, backoffRetries + 1),
          loop(attempt + 1, backoffRetries + 1, target.tier)
        )
      }
    }
  }
  const loop = (attempt: number, backoffRetries: number, lastTier: string | undefined): Step =>
    Effect.suspend(() => {
      if (tracker === undefined) {
        if (fallback.key === undefined) {
          return Effect.fail({ error: options.missingKey(), attempts: attempt - 1, tier: undefined })
        }
        const target: Target = { key: fallback.key, endpoint: fallback.endpoint, tier: undefined }
        return Effect.flatMap(options.attempt(target, attempt), (verdict) =>
          decide(verdict, target, attempt, backoffRetries))
      }
      return tracker.acquire().pipe(
        Effect.mapError((error): Failed<E | QuotaError.QuotaError> => ({
          error,
          attempts: attempt - 1,
          tier: lastTier
        })),
        Effect.flatMap((acquired) => {
          const target: Target = {
            key: acquired.tier.key,
            endpoint: acquired.tier.endpoint ?? fallback.endpoint,
            tier: acquired.tier.name
          }
          return Effect.flatMap(options.attempt(target, attempt), (verdict) => {
            const outcome = outcomeOf(verdict)
            const next = decide(verdict, target, attempt, backoffRetries)
            return outcome === undefined ? next : Effect.andThen(report(tracker, acquired, outcome), next)
          })
        })
      )
    })
  return loop(1, 0, undefined)
}

const sleepBackoff = (policy: RetryPolicy.RetryPolicy, retry: number): Effect.Effect<void> =>
  Effect.flatMap(Random.next, (r) => {
    const ms = RetryPolicy.backoffDelay(policy, retry, r)
    return ms > 0 ? Effect.sleep(ms) : Effect.void
  })
