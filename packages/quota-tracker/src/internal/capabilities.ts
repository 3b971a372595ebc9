/**
 * Internal capabilities a `QuotaStore.Service` may carry beside its public
 * operations, found by the tracker under symbol keys. They are not part of the
 * public `Service` type, so no user store has to implement them and no user
 * code can depend on them.
 *
 * - `SyncCounters`: the memory store's synchronous check-and-add over slots
 *   prepared once per period (the tracker's hot path stays inside one effect).
 * - `FailOpenMode`: the fail-open decorator's mode ("primary" or "fallback")
 *   and its mode changes, which the tracker turns into `StoreFallback` and
 *   `StoreRecovered` events.
 *
 * Capabilities are attached as non-enumerable properties: a store copied with
 * `{ ...store, acquire: myAcquire }` does not carry them, so the copy's own
 * `acquire` is the one the tracker calls.
 *
 * @internal
 */
import type { AcquireResult, Service, Slot } from "../QuotaStore.js"

/** Registered symbols survive duplicate copies of this module (two builds in one process). */
export const SyncCountersId: unique symbol = Symbol.for("@bing-effect/quota-tracker/internal/SyncCounters")
export const FailOpenModeId: unique symbol = Symbol.for("@bing-effect/quota-tracker/internal/FailOpenMode")

/**
 * Slots prepared for repeated synchronous acquires. `acquire` answers the index
 * of the first refusing slot or -1, and leaves each slot's value (after the
 * acquire when admitted, current when refused) in `values`, which it reuses:
 * read it before the next call.
 */
export interface PreparedSlots {
  readonly slots: ReadonlyArray<Slot>
  readonly values: Array<number>
  // a method (the memory store's is on a class prototype): call it on the object
  acquire(weight: number, now: number): number
}

export interface SyncCounters {
  readonly prepare: (slots: ReadonlyArray<Slot>) => PreparedSlots
  readonly acquire: (slots: ReadonlyArray<Slot>, weight: number, now: number) => AcquireResult
}

/** A change of the fail-open decorator's mode. */
export type ModeChange =
  | { readonly _tag: "Fallback"; readonly at: number; readonly detail: string }
  | { readonly _tag: "Recovered"; readonly at: number; readonly pushed: number }

export interface FailOpenMode {
  readonly mode: () => "primary" | "fallback"
  /** Store failures absorbed so far (each one answered from memory). */
  readonly failures: () => number
  /** Calls `listener` synchronously, inside the store operation that changed the mode. Returns the unsubscribe. */
  readonly subscribe: (listener: (change: ModeChange) => void) => () => void
}

interface Capabilities {
  readonly [SyncCountersId]?: SyncCounters
  readonly [FailOpenModeId]?: FailOpenMode
}

/** Attaches a capability to a store, non-enumerable (see the module comment). */
export const attach = <K extends keyof Capabilities>(
  store: Service,
  id: K,
  capability: NonNullable<Capabilities[K]>
): Service => Object.defineProperty(store, id, { value: capability, enumerable: false })

export const syncCountersOf = (store: Service): SyncCounters | undefined => (store as Capabilities)[SyncCountersId]

export const failOpenModeOf = (store: Service): FailOpenMode | undefined => (store as Capabilities)[FailOpenModeId]
