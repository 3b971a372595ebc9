/**
 * The tracker's event queue. Decisions made inside a synchronous step queue
 * their events here; `flush` publishes them on the `events` stream (and as
 * Debug log lines) once the step is over. A crossed threshold is queued as a
 * claim: it is published only if this process is the first of those sharing
 * the store to claim it for the period.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import type * as QuotaEvent from "../QuotaEvent.js"
import type { Service, Slot } from "../QuotaStore.js"
import type { FailOpenMode } from "./capabilities.js"
import type { LocalCounter } from "./metrics.js"

/**
 * A threshold crossed in this process, published only if no process sharing the store has
 * published it for this period: the first to add 1 to `slot` (limit 1) wins.
 */
export interface Claim {
  readonly _tag: "Claim"
  readonly slot: Slot
  readonly event: QuotaEvent.ThresholdCrossed
}

export interface EventQueue {
  /** Read by the hot path: an acquire with nothing queued returns without a flush. */
  readonly pending: () => number
  readonly push: (item: QuotaEvent.QuotaEvent | Claim) => void
  /** Publishes everything queued, including what publishing itself queues. */
  readonly flush: Effect.Effect<void>
  /** `effect`, then `flush` when something is queued. */
  readonly withEvents: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

// A class, not an object of closures: `pending` is read by every acquire, and one function for
// every tracker is a call site V8 inlines (closures per tracker make it polymorphic, see
// memoryStore's PreparedCells).
class Queue implements EventQueue {
  items: Array<QuotaEvent.QuotaEvent | Claim> = []
  flush: Effect.Effect<void> = Effect.void

  pending(): number {
    return this.items.length
  }

  push(item: QuotaEvent.QuotaEvent | Claim): void {
    this.items.push(item)
  }

  withEvents<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return this.items.length === 0 ? effect : Effect.tap(effect, () => this.flush)
  }
}

export const makeEventQueue = (
  pubsub: PubSub.PubSub<QuotaEvent.QuotaEvent>,
  store: Service,
  failOpen: FailOpenMode | undefined,
  storeErrors: LocalCounter
): EventQueue => {
  const queue = new Queue()

  // A library does not write to its user's stdout: events are for the app (the `events` stream),
  // and the log line is at Debug, which Effect's default minimum level (Info) filters out. An app
  // that wants them lowers `References.MinimumLogLevel`.
  const publish = (event: QuotaEvent.QuotaEvent): Effect.Effect<void> =>
    Effect.andThen(PubSub.publish(pubsub, event), Effect.logDebug(event.message))

  // Whether this process publishes a crossed threshold: one store write, made by the call that
  // crossed it (at most once per threshold and period in a process), never by other acquires.
  // A store that cannot answer, or one counting in memory meanwhile, publishes it: a duplicate
  // warning beats a lost one.
  const claim = (c: Claim): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      if (failOpen?.mode() === "fallback") return Effect.succeed(true)
      return store.acquire([c.slot], 1, c.event.at).pipe(
        Effect.map((result) => result.refused < 0),
        Effect.catch(() =>
          Effect.sync(() => {
            storeErrors.count++
            return true
          })
        )
      )
    })

  const flush: Effect.Effect<void> = Effect.suspend(() => {
    if (queue.items.length === 0) return Effect.void
    const items = queue.items
    queue.items = []
    return Effect.forEach(items, (item) =>
      item._tag === "Claim"
        ? Effect.flatMap(claim(item), (won) => (won ? publish(item.event) : Effect.void))
        : publish(item), { discard: true }).pipe(
        Effect.annotateLogs({ service: "@bing-effect/quota-tracker" }),
        Effect.andThen(flush)
      )
  })
  queue.flush = flush
  return queue
}
