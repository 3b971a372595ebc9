/**
 * What the tracker's modules share: the settings, the store and the
 * capabilities found on it, the tier states, the event queue and the metrics.
 * One engine per tracker, built by `tracker.ts`; nothing here is module-level.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as QuotaError from "../QuotaError.js"
import type { Service } from "../QuotaStore.js"
import type { FailOpenMode, SyncCounters } from "./capabilities.js"
import type { EventQueue } from "./events.js"
import type { Metrics } from "./metrics.js"
import type { Settings } from "./options.js"
import type { TierState } from "./tierState.js"

export interface Engine {
  readonly settings: Settings
  readonly store: Service
  /** The memory store's synchronous counters, when the store is the memory store. */
  readonly sync: SyncCounters | undefined
  /** The fail-open decorator's mode, when the store is decorated. */
  readonly failOpen: FailOpenMode | undefined
  readonly tiers: ReadonlyArray<TierState>
  readonly byName: ReadonlyMap<string, TierState>
  readonly events: EventQueue
  readonly metrics: Metrics
  /** The tier of the last admitted acquire. */
  active: TierState | undefined
}

/** A store operation whose `StoreUnavailable` failure is counted (a fail-open store never fails with it). */
export const storeCall = <A>(
  engine: Engine,
  effect: Effect.Effect<A, QuotaError.QuotaError>
): Effect.Effect<A, QuotaError.QuotaError> =>
  Effect.catch(effect, (error: QuotaError.QuotaError) => {
    if (error.reason._tag === "StoreUnavailable") engine.metrics.storeErrors.count++
    return Effect.fail(error)
  })

export const tierNamed = (engine: Engine, name: string): Effect.Effect<TierState, QuotaError.QuotaError> => {
  const t = engine.byName.get(name)
  return t === undefined
    ? Effect.fail(QuotaError.invalidOptions(`unknown tier ${JSON.stringify(name)}`))
    : Effect.succeed(t)
}

export const badWeight = (weight: unknown): Effect.Effect<never, QuotaError.QuotaError> =>
  Effect.fail(QuotaError.invalidOptions(`weight must be a positive integer, got ${String(weight)}`))
