/**
 * The semantics every store implements, written once for the in-process stores
 * (memory, SQLite). The Redis Lua script mirrors these functions.
 *
 * A counter slot holds a count for one calendar period; its key names the
 * period, so a new period starts at zero. A bucket slot holds the theoretical
 * arrival time (TAT) of the generic cell rate algorithm: a token bucket of
 * capacity `limit` refilled continuously at `limit` per `interval`.
 *
 * @internal
 */
import type { Slot } from "../QuotaStore.js"

/** Stored state of one key. */
export interface Cell {
  value: number
  expiresAt: number
}

/** Float slack so that `limit` requests of weight 1 fit into one interval exactly. */
export const EPSILON = 1e-6

/** The value a slot has now (0 when missing or expired). */
export const currentValue = (cell: Cell | undefined, now: number): number =>
  cell === undefined || cell.expiresAt <= now ? 0 : cell.value

/**
 * Counter: the value after adding `weight`. Bucket: the TAT after admitting `weight`.
 *
 * A TAT more than one interval ahead of now, beyond this request's own cost, cannot come from
 * requests of that size: the clock has stepped back (NTP step, VM restore), and trusting the TAT
 * would refuse every request for as long as the step. It is clamped so that this request just
 * fits and leaves the bucket empty, as after a full burst. (A heavier request's debt stays: its
 * TAT is at most its cost ahead.)
 */
export const nextValue = (slot: Slot, current: number, weight: number, now: number): number => {
  if (slot.kind === "counter") return current + weight
  const cost = (weight * slot.interval) / slot.limit
  let tat = current > now ? current : now
  if (tat - now > slot.interval + cost) tat = now + Math.max(0, slot.interval - cost)
  return tat + cost
}

/** Whether `next` (from `nextValue`) fits the slot's limit. */
export const fits = (slot: Slot, next: number, weight: number, now: number): boolean => {
  if (slot.kind === "counter") return next <= slot.limit
  const cost = (weight * slot.interval) / slot.limit
  const tolerance = cost > slot.interval ? cost : slot.interval
  return next - now <= tolerance + EPSILON
}

/** Counter: the value after adding `delta` (never below 0). Bucket: the TAT after `delta` tokens (never before now). */
export const addedValue = (slot: Slot, current: number, delta: number, now: number): number => {
  if (slot.kind === "counter") return Math.max(0, current + delta)
  const tat = current > now ? current : now
  return Math.max(now, tat + (delta * slot.interval) / slot.limit)
}

/** When a slot's key may be forgotten. */
export const expiryOf = (slot: Slot, value: number): number =>
  slot.kind === "counter" ? slot.expiresAt : Math.ceil(value) + 1
