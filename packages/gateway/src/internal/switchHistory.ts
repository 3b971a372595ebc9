/**
 * The tier switches this process saw: the last few `TierSwitched` events (for the status document)
 * and a count per previous tier, next tier and reason (for the switch counter). A fiber in the
 * scope of `Ops.make` follows `QuotaTracker.events`; the ring is bounded, so a flapping tier chain
 * cannot grow memory.
 */
import type { QuotaEvent, QuotaTracker } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { SwitchCount } from "./quotaMetrics.js"

export interface SwitchHistory {
  /** The last `capacity` switches, newest first. */
  readonly recent: () => ReadonlyArray<QuotaEvent.TierSwitched>
  /** Every (from, to, reason) seen so far with its count, in the order first seen. */
  readonly counts: () => ReadonlyArray<SwitchCount>
}

/** Pure ring + counters, fed by `push`; `follow` wires it to a tracker. */
export const makeRing = (
  capacity: number
): SwitchHistory & { readonly push: (event: QuotaEvent.TierSwitched) => void } => {
  const ring: Array<QuotaEvent.TierSwitched | undefined> = Array.from({ length: capacity }, () => undefined)
  let next = 0
  let size = 0
  const counts = new Map<string, { from: string; to: string; reason: QuotaEvent.SwitchReason; count: number }>()
  return {
    push: (event) => {
      if (capacity > 0) {
        ring[next] = event
        next = (next + 1) % capacity
        size = Math.min(size + 1, capacity)
      }
      const key = `${event.from}\0${event.to}\0${event.reason}`
      const entry = counts.get(key)
      if (entry !== undefined) entry.count++
      else counts.set(key, { from: event.from, to: event.to, reason: event.reason, count: 1 })
    },
    recent: () => {
      const out: Array<QuotaEvent.TierSwitched> = []
      for (let i = 1; i <= size; i++) out.push(ring[(next - i + capacity) % capacity]!)
      return out
    },
    counts: () => Array.from(counts.values(), (entry) => ({ ...entry }))
  }
}

/**
 * Follows the tracker's events for as long as the scope is open. Only events published after the
 * stream has subscribed to the tracker's PubSub reach it, so the collector starts immediately (in
 * this call, up to its first wait on the PubSub, which is after the subscription): a switch right
 * after `follow` returns is not missed, with no scheduling guess.
 */
export const follow = (
  tracker: QuotaTracker.Service,
  capacity: number
): Effect.Effect<SwitchHistory, never, Scope.Scope> =>
  Effect.gen(function*() {
    const history = makeRing(capacity)
    yield* tracker.events.pipe(
      Stream.runForEach((event) => Effect.sync(() => event._tag === "TierSwitched" && history.push(event))),
      Effect.forkScoped({ startImmediately: true })
    )
    return { recent: history.recent, counts: history.counts }
  })
