/**
 * The attempt loop of one call: acquire a tier (when a tracker is present), run one attempt,
 * report its outcome, and retry, switch tier or fail. One budget (`maxAttempts`) covers every
 * kind of retry.
 *
 * The decision reads the error and the policy only: an error whose `isRetryable` is false fails
 * the call (the sole exception is a quota refusal with a tracker, which moves to the next tier);
 * a retryable one is sent again after its `retryAfterMs` when it says one (failing at once when
 * that is beyond `maxRetryAfter`), else after the jittered backoff. What the tracker is told is
 * `Outcome.ofError`'s mapping.
 */
import type { QuotaError, QuotaTracker } from "@bing-effect/quota-tracker"
import type { Outcome as TrackerOutcome } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Redacted from "effect/Redacted"
import * as RetryPolicy from "../RetryPolicy.js"
import * as Outcome from "./outcome.js"

export type { AttemptError } from "./outcome.js"

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

const report = (
  tracker: Tracker,
  acquired: QuotaTracker.Acquired,
  outcome: TrackerOutcome.Outcome
): Effect.Effect<void> =>
  tracker.report({ tier: acquired.tier.name, outcome, acquired }).pipe(
    Effect.catch((e: QuotaError.QuotaError) =>
      Effect.logWarning(`quota tracker could not record an outcome for tier ${acquired.tier.name}: ${e.message}`)
    )
  )

/**
 * Runs `attempt` until it succeeds, fails for good, or the budget is spent.
 * The error channel carries `Failed<AttemptError | QuotaError>` so the caller can report attempts
 * and tier. Called when the call runs (inside `Effect.withFiber`): the first attempt's effect is
 * built by this call, not when the returned effect runs.
 */
export const run = <A>(options: {
  readonly policy: RetryPolicy.RetryPolicy
  readonly tracker: Tracker | undefined
  readonly fallback: { readonly key: Redacted.Redacted<string> | undefined; readonly endpoint: string }
  readonly missingKey: () => Outcome.AttemptError
  readonly attempt: (target: Target, attempt: number) => Effect.Effect<A, Outcome.AttemptError>
}): Effect.Effect<Served<A>, Failed<Outcome.AttemptError | QuotaError.QuotaError>> => {
  const { policy, tracker, fallback } = options
  type Step = Effect.Effect<Served<A>, Failed<Outcome.AttemptError | QuotaError.QuotaError>>
  // Plain combinators rather than a generator: this runs once per attempt of every call.
  const retry = (
    error: Outcome.AttemptError,
    outcome: TrackerOutcome.Outcome | undefined,
    target: Target,
    attempt: number,
    backoffRetries: number
  ): Step => {
    const failed = Effect.fail<Failed<Outcome.AttemptError>>({
      error,
      attempts: Outcome.wasSent(error) ? attempt : attempt - 1,
      tier: target.tier
    })
    if (attempt >= policy.maxAttempts) return failed
    if (!error.isRetryable) {
      // Not worth sending again to this tier; a tracker that heard "quota exhausted" has another.
      return outcome?._tag === "QuotaExhausted" ? loop(attempt + 1, backoffRetries, target.tier) : failed
    }
    const retryAfterMs = "retryAfterMs" in error ? error.retryAfterMs : undefined
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > policy.maxRetryAfterMs) return failed
      return Effect.andThen(Effect.sleep(retryAfterMs), loop(attempt + 1, backoffRetries, target.tier))
    }
    return Effect.andThen(sleepBackoff(policy, backoffRetries + 1), loop(attempt + 1, backoffRetries + 1, target.tier))
  }
  const loop = (attempt: number, backoffRetries: number, lastTier: string | undefined): Step =>
    Effect.suspend(() => step(attempt, backoffRetries, lastTier))
  const step = (attempt: number, backoffRetries: number, lastTier: string | undefined): Step => {
    if (tracker === undefined) {
      if (fallback.key === undefined) {
        return Effect.fail({ error: options.missingKey(), attempts: attempt - 1, tier: undefined })
      }
      const target: Target = { key: fallback.key, endpoint: fallback.endpoint, tier: undefined }
      return Effect.matchEffect(options.attempt(target, attempt), {
        onFailure: (error) => retry(error, undefined, target, attempt, backoffRetries),
        onSuccess: (value) => Effect.succeed({ value, attempts: attempt, tier: undefined })
      })
    }
    return tracker.acquire().pipe(
      Effect.mapError((error): Failed<Outcome.AttemptError | QuotaError.QuotaError> => ({
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
        return Effect.matchEffect(options.attempt(target, attempt), {
          onFailure: (error) => {
            const outcome = Outcome.ofError(error)
            const next = retry(error, outcome, target, attempt, backoffRetries)
            return outcome === undefined ? next : Effect.andThen(report(tracker, acquired, outcome), next)
          },
          onSuccess: (value) =>
            Effect.as(report(tracker, acquired, Outcome.success), { value, attempts: attempt, tier: target.tier })
        })
      })
    )
  }
  // The first attempt is built at once, not in a `suspend`: `run` is called when the call runs (its
  // callers build it inside `Effect.withFiber`), so nothing is read too early, and a call that
  // succeeds at once saves a primitive. A retry is built only after its delay (`loop`).
  return step(1, 0, undefined)
}

const sleepBackoff = (policy: RetryPolicy.RetryPolicy, retry: number): Effect.Effect<void> =>
  Effect.flatMap(Random.next, (r) => {
    const ms = RetryPolicy.backoffDelay(policy, retry, r)
    return ms > 0 ? Effect.sleep(ms) : Effect.void
  })
