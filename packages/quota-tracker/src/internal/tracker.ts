/**
 * The quota tracker, composed from its concepts: the options decoded once
 * (`options.ts`), the state per tier and window (`tierState.ts`), metrics
 * (`metrics.ts`), the event queue (`events.ts`), and the operations:
 * `acquire.ts` (the hot path, over `tierChoice.ts`), `report.ts` and
 * `usage.ts` (setUsage, status). Period roll-over, thresholds and forecasts
 * are in `periods.ts`, `thresholds.ts` and `forecast.ts`.
 *
 * The store comes from the context: `QuotaStore` is in the requirements, with
 * no fallback to a memory store. Fail-open is the store's business (the
 * `QuotaStore.layerFailOpen` decorator); the tracker only turns the decorator's
 * mode changes into events. All mutable state lives in the engine built here,
 * never at module level.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as QuotaError from "../QuotaError.js"
import type * as QuotaEvent from "../QuotaEvent.js"
import * as QuotaStore from "../QuotaStore.js"
import type { Options, Service } from "../QuotaTracker.js"
import { makeAcquire } from "./acquire.js"
import { failOpenModeOf, type ModeChange, syncCountersOf } from "./capabilities.js"
import type { Engine } from "./engine.js"
import { makeEventQueue } from "./events.js"
import { formatCount } from "./format.js"
import { makeMetrics } from "./metrics.js"
import { decodeSettings } from "./options.js"
import { makeReport } from "./report.js"
import { makeTierStates } from "./tierState.js"
import { makeSetUsage, makeStatus } from "./usage.js"

// The fail-open decorator's mode changes, as the tracker's events.
const modeEvent = (store: QuotaError.StoreName, change: ModeChange): QuotaEvent.QuotaEvent =>
  change._tag === "Fallback"
    ? {
      _tag: "StoreFallback",
      at: change.at,
      store,
      detail: change.detail,
      message:
        `The ${store} quota store failed (${change.detail}); admitting requests and counting them in memory until it answers again`
    }
    : {
      _tag: "StoreRecovered",
      at: change.at,
      store,
      pushed: change.pushed,
      message: `The ${store} quota store answers again; ${
        formatCount(change.pushed)
      } requests counted in memory meanwhile were added to it`
    }

export const makeTracker = (
  options: Options
): Effect.Effect<Service, QuotaError.QuotaError, Scope.Scope | QuotaStore.QuotaStore> =>
  Effect.gen(function*() {
    const decoded = decodeSettings(options)
    if (Result.isFailure(decoded)) return yield* Effect.fail(decoded.failure)
    const settings = decoded.success
    const store = yield* QuotaStore.QuotaStore
    const failOpen = failOpenModeOf(store)
    const pubsub = yield* PubSub.unbounded<QuotaEvent.QuotaEvent>()
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
    const startedAt = yield* Clock.currentTimeMillis

    const tiers = makeTierStates(settings, startedAt)
    const metrics = yield* makeMetrics(tiers, store.name, () => failOpen?.failures() ?? 0)
    const events = makeEventQueue(pubsub, store, failOpen, metrics.storeErrors)
    if (failOpen !== undefined) {
      const unsubscribe = failOpen.subscribe((change) => events.push(modeEvent(store.name, change)))
      yield* Effect.addFinalizer(() => Effect.sync(unsubscribe))
    }
    const engine: Engine = {
      settings,
      store,
      sync: syncCountersOf(store),
      failOpen,
      tiers,
      byName: new Map(tiers.map((t) => [t.tier.name, t])),
      events,
      metrics,
      active: undefined
    }

    return {
      acquire: makeAcquire(engine),
      report: makeReport(engine),
      setUsage: makeSetUsage(engine),
      status: makeStatus(engine),
      events: Stream.fromPubSub(pubsub)
    } satisfies Service
  })
