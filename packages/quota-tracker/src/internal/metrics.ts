/**
 * The tracker's metrics. Nothing is updated per request through the metric
 * registry: counters are plain numbers and gauges read the window state, and
 * the registry reads both when the metrics are exported. Registrations are
 * removed when the tracker's scope closes.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"
import { usedOf } from "./forecast.js"
import type { TierState } from "./tierState.js"

/** A counter kept as a plain number and read by the metric registry when it is exported. */
export interface LocalCounter {
  count: number
}

const gauges = {
  used: Metric.gauge("bing_quota_used", { description: "Requests counted in the current period of a tier's window" }),
  remaining: Metric.gauge("bing_quota_remaining", {
    description: "Requests left in the current period of a tier's window"
  }),
  limit: Metric.gauge("bing_quota_limit", { description: "Limit of a tier's window" })
}
const switches = Metric.counter("bing_quota_switches_total", { description: "Tier switches" })
const refusals = Metric.counter("bing_quota_refusals_total", { description: "Acquires refused" })
const storeErrors = Metric.counter("bing_quota_store_errors_total", { description: "Store operations that failed" })

export interface Metrics {
  readonly storeErrors: LocalCounter
  readonly allExhausted: LocalCounter
  readonly switched: (from: string, to: string, reason: string) => LocalCounter
}

/**
 * Registers the tracker's series. `absorbedStoreErrors` adds the failures a
 * fail-open store answered from memory, which never reach the tracker.
 */
export const makeMetrics = (
  tiers: ReadonlyArray<TierState>,
  storeName: string,
  absorbedStoreErrors: () => number
): Effect.Effect<Metrics, never, Scope.Scope> =>
  Effect.gen(function*() {
    const context = (yield* Effect.context<never>()) as Context.Context<never>
    const registrations: Array<Metric.Registration> = []
    yield* Effect.addFinalizer(() => Effect.sync(() => registrations.forEach((registration) => registration.remove())))
    const series = new Map<string, LocalCounter>()
    const counter = (
      metric: Metric.Counter<number>,
      attributes: Record<string, string>,
      extra?: () => number
    ): LocalCounter => {
      const id = `${metric.id}${JSON.stringify(attributes)}`
      let local = series.get(id)
      if (local === undefined) {
        const created: LocalCounter = { count: 0 }
        local = created
        series.set(id, created)
        registrations.push(Metric.registerUnsafe(Metric.withAttributes(metric, attributes), context, {
          get: () => ({ count: created.count + (extra?.() ?? 0), incremental: false }),
          update: () => {},
          modify: () => {}
        }))
      }
      return local
    }
    for (const t of tiers) {
      t.refusals = counter(refusals, { tier: t.tier.name, reason: "exhausted" })
      t.rateRefusals = counter(refusals, { tier: t.tier.name, reason: "rate" })
      for (const w of t.windows) {
        const attributes = { tier: t.tier.name, window: w.kind }
        const now = () => Math.max(w.observedAt, 0)
        const used = () => (w.kind === "second" ? usedOf(w, w.value, now()) : w.value)
        const gauge = (metric: Metric.Gauge<number>, get: () => number) =>
          registrations.push(Metric.registerUnsafe(Metric.withAttributes(metric, attributes), context, {
            get: () => ({ value: get() }),
            update: () => {},
            modify: () => {}
          }))
        gauge(gauges.used, used)
        gauge(gauges.remaining, () => Math.max(0, w.limit - used()))
        gauge(gauges.limit, () => w.limit)
      }
    }
    return {
      storeErrors: counter(storeErrors, { store: storeName }, absorbedStoreErrors),
      allExhausted: counter(refusals, { tier: "*", reason: "all-exhausted" }),
      switched: (from, to, reason) => counter(switches, { from, to, reason })
    }
  })
