/**
 * The fail-open store decorator behind `QuotaStore.makeFailOpen` and
 * `QuotaStore.layerFailOpen`.
 *
 * While the wrapped store answers, every operation goes to it, and the
 * decorator remembers the last count it answered for each counter. When an
 * operation fails with `StoreUnavailable`, the decorator enters fallback: it
 * seeds memory cells with those counts (so limits still hold in this process),
 * answers this and later operations from memory, and keeps the weight it
 * admitted or refunded per counter. At the first operation `retryInterval`
 * after the last failure it replays those deltas to the store (the probe) and,
 * once nothing is left to replay, leaves fallback in the same synchronous step.
 *
 * Mode changes reach the tracker through the internal `FailOpenMode`
 * capability (see `capabilities.ts`), synchronously, inside the operation that
 * caused them, so the tracker's `StoreFallback` / `StoreRecovered` events keep
 * their order with the other events of that operation.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as QuotaError from "../QuotaError.js"
import type { AcquireResult, Service, Slot } from "../QuotaStore.js"
import { attach, FailOpenModeId, type ModeChange } from "./capabilities.js"
import { MemoryCells } from "./memoryStore.js"

interface Fallback {
  nextProbe: number
  probing: boolean
  readonly pending: Map<string, { readonly slot: Slot; delta: number }>
}

export const makeFailOpen = (store: Service, retryInterval: number): Service => {
  const every = Math.max(1, retryInterval)
  const memory = new MemoryCells()
  // the last value the store answered for each counter: where memory starts from
  const seen = new Map<string, { slot: Slot; value: number }>()
  let seenSweepAt = 1024
  const listeners = new Set<(change: ModeChange) => void>()
  let fallback: Fallback | undefined
  let failures = 0

  const notify = (change: ModeChange): void => {
    for (const listener of listeners) listener(change)
  }

  const remember = (slots: ReadonlyArray<Slot>, values: ReadonlyArray<number>, now: number): void => {
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!
      if (slot.kind === "counter") seen.set(slot.key, { slot, value: values[i]! })
    }
    if (seen.size >= seenSweepAt) {
      for (const [key, entry] of seen) {
        if (entry.slot.kind === "counter" && entry.slot.expiresAt <= now) seen.delete(key)
      }
      seenSweepAt = Math.max(1024, seen.size * 2)
    }
  }

  const enter = (error: QuotaError.QuotaError, now: number): void => {
    failures++
    if (fallback !== undefined) {
      fallback.nextProbe = now + every
      fallback.probing = false
      return
    }
    fallback = { nextProbe: now + every, probing: false, pending: new Map() }
    for (const { slot, value } of seen.values()) if (value > 0) memory.set(slot, value, now)
    notify({
      _tag: "Fallback",
      at: now,
      detail: error.reason._tag === "StoreUnavailable" ? error.reason.detail : error.message
    })
  }

  const countPending = (slots: ReadonlyArray<Slot>, delta: number): void => {
    if (fallback === undefined) return
    for (const slot of slots) {
      if (slot.kind !== "counter") continue
      const entry = fallback.pending.get(slot.key)
      if (entry === undefined) fallback.pending.set(slot.key, { slot, delta })
      else entry.delta += delta
    }
  }

  // Replays the deltas counted in memory; leaves fallback when the store takes them all. Operations
  // answered in memory while a replay is on the wire add to the same entries, so a round subtracts
  // only what it sent, and fallback ends in the same synchronous step that finds nothing left.
  const probe = (now: number, proof: ReadonlyArray<Slot>): Effect.Effect<void> =>
    Effect.suspend(() => {
      const fb = fallback
      if (fb === undefined || fb.probing || now < fb.nextProbe) return Effect.void
      fb.probing = true
      let pushed = 0
      const live = () =>
        [...fb.pending.values()].filter((entry) =>
          entry.delta !== 0 && entry.slot.kind === "counter" && entry.slot.expiresAt > now
        )
      const leaveIfDone = Effect.sync(() => {
        if (live().length > 0) return false
        fallback = undefined
        memory.clear()
        notify({ _tag: "Recovered", at: now, pushed })
        return true
      })
      const round: Effect.Effect<void, QuotaError.QuotaError> = Effect.suspend(() =>
        Effect.forEach(live(), (entry) => {
          const delta = entry.delta
          return store.add([entry.slot], delta, now).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                pushed += delta
                entry.delta -= delta
                if (entry.delta === 0) fb.pending.delete(entry.slot.key)
              })
            )
          )
        }, { discard: true }).pipe(
          Effect.andThen(leaveIfDone),
          Effect.flatMap((done) => (done ? Effect.void : round))
        )
      )
      // nothing to replay still has to prove the store is back
      const proven = live().length === 0 ? Effect.asVoid(store.get(proof, now)) : Effect.void
      return proven.pipe(
        Effect.andThen(round),
        Effect.catch((error: QuotaError.QuotaError) => Effect.sync(() => enter(error, now)))
      )
    })

  const guarded = <A>(
    now: number,
    proof: ReadonlyArray<Slot>,
    primary: () => Effect.Effect<A, QuotaError.QuotaError>,
    inMemory: () => A
  ): Effect.Effect<A, QuotaError.QuotaError> => {
    const tryPrimary = () =>
      Effect.catch(primary(), (error: QuotaError.QuotaError) => {
        if (error.reason._tag !== "StoreUnavailable") return Effect.fail(error)
        enter(error, now)
        return Effect.sync(inMemory)
      })
    return Effect.suspend(() => {
      const fb = fallback
      if (fb === undefined) return tryPrimary()
      if (fb.probing || now < fb.nextProbe) return Effect.sync(inMemory)
      return Effect.andThen(
        probe(now, proof),
        Effect.suspend(() => (fallback === undefined ? tryPrimary() : Effect.sync(inMemory)))
      )
    })
  }

  const decorated: Service = {
    name: store.name,
    acquire: (slots, weight, now) =>
      guarded(
        now,
        slots,
        () =>
          Effect.map(store.acquire(slots, weight, now), (result): AcquireResult => {
            remember(slots, result.values, now)
            return result
          }),
        () => {
          const result = memory.acquire(slots, weight, now)
          if (result.refused < 0) countPending(slots, weight)
          return result
        }
      ),
    get: (slots, now) =>
      guarded(now, slots, () =>
        Effect.map(store.get(slots, now), (values) => {
          remember(slots, values, now)
          return values
        }), () => memory.get(slots, now)),
    set: (slot, value, now) =>
      guarded(now, [slot], () =>
        Effect.map(store.set(slot, value, now), () => {
          remember([slot], [value], now)
        }), () => memory.set(slot, value, now)),
    add: (slots, delta, now) =>
      guarded(now, slots, () =>
        Effect.map(store.add(slots, delta, now), (values) => {
          remember(slots, values, now)
          return values
        }), () => {
        countPending(slots, delta)
        return memory.add(slots, delta, now)
      })
  }
  return attach(decorated, FailOpenModeId, {
    mode: () => (fallback === undefined ? "primary" : "fallback"),
    failures: () => failures,
    subscribe: (listener) => {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    }
  })
}
