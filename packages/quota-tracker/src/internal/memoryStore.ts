/**
 * The in-process counter store: cells in a `Map`, and a synchronous check-and-add
 * over slots prepared once (the tracker's hot path).
 *
 * @internal
 */
import type { AcquireResult, Slot } from "../QuotaStore.js"
import type { PreparedSlots } from "./capabilities.js"
import { addedValue, currentValue, EPSILON, expiryOf, fits, nextValue } from "./slotMath.js"

/** A stored key. `dropped` is set when the map forgets it, so a prepared slot looks it up again. */
interface MemoryCell {
  value: number
  expiresAt: number
  dropped: boolean
}

/** Synchronous memory store; `QuotaStore.makeMemory` wraps it in effects. */
export class MemoryCells {
  readonly cells = new Map<string, MemoryCell>()
  private sweepAt = 1024
  // scratch space for the cells found by `acquire` (reused: acquire is synchronous)
  private readonly found: Array<MemoryCell | undefined> = []

  acquire(slots: ReadonlyArray<Slot>, weight: number, now: number): AcquireResult {
    const n = slots.length
    const found = this.found
    for (let i = 0; i < n; i++) found[i] = this.cells.get(slots[i]!.key)
    const values: Array<number> = []
    const refused = this.check(slots, found, weight, now, values)
    for (let i = 0; i < n; i++) found[i] = undefined
    return { refused, values }
  }

  /** Slots whose cells are looked up once and then held (see `PreparedCells`). */
  prepare(slots: ReadonlyArray<Slot>): PreparedSlots {
    return new PreparedCells(this, slots)
  }

  // All or nothing: every slot is checked before any is written. `values` gets each slot's value
  // after the acquire when admitted, its current value when refused (as the store contract says).
  private check(
    slots: ReadonlyArray<Slot>,
    cells: ReadonlyArray<MemoryCell | undefined>,
    weight: number,
    now: number,
    values: Array<number>
  ): number {
    const n = slots.length
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      const current = currentValue(cells[i], now)
      const next = nextValue(slot, current, weight, now)
      if (!fits(slot, next, weight, now)) {
        for (let j = 0; j < n; j++) values[j] = j === i ? current : currentValue(cells[j], now)
        return i
      }
      values[i] = next
    }
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      const value = values[i]!
      const cell = cells[i]
      if (cell === undefined) this.cells.set(slot.key, { value, expiresAt: expiryOf(slot, value), dropped: false })
      else {
        cell.value = value
        cell.expiresAt = expiryOf(slot, value)
      }
    }
    if (this.cells.size >= this.sweepAt) this.sweep(now)
    return -1
  }

  // A held cell stays in the map (an empty one reads as 0), so the next write lands where the
  // prepared slot looks.
  cellOf(slot: Slot): MemoryCell {
    let cell = this.cells.get(slot.key)
    if (cell === undefined) {
      cell = { value: 0, expiresAt: 0, dropped: false }
      this.cells.set(slot.key, cell)
    }
    return cell
  }

  get(slots: ReadonlyArray<Slot>, now: number): Array<number> {
    return slots.map((slot) => currentValue(this.cells.get(slot.key), now))
  }

  set(slot: Slot, value: number, now: number): void {
    const expiresAt = expiryOf(slot, value)
    const cell = this.cells.get(slot.key)
    if (expiresAt <= now) {
      if (cell !== undefined) this.drop(slot.key, cell)
    } else if (cell === undefined) this.cells.set(slot.key, { value, expiresAt, dropped: false })
    else {
      cell.value = value
      cell.expiresAt = expiresAt
    }
  }

  add(slots: ReadonlyArray<Slot>, delta: number, now: number): Array<number> {
    return slots.map((slot) => {
      const value = addedValue(slot, currentValue(this.cells.get(slot.key), now), delta, now)
      this.set(slot, value, now)
      return value
    })
  }

  clear(): void {
    for (const [key, cell] of this.cells) this.drop(key, cell)
  }

  private drop(key: string, cell: MemoryCell): void {
    cell.dropped = true
    this.cells.delete(key)
  }

  /** Forgets expired keys once the map has doubled since the last sweep. */
  sweepIfDue(now: number): void {
    if (this.cells.size >= this.sweepAt) this.sweep(now)
  }

  private sweep(now: number): void {
    for (const [key, cell] of this.cells) if (cell.expiresAt <= now) this.drop(key, cell)
    this.sweepAt = Math.max(1024, this.cells.size * 2)
  }
}

/**
 * Slots whose cells are looked up once and then held: an acquire over them is
 * a comparison and a write per slot, no hashing and no allocation. A held cell
 * the map has dropped (expired, swept, set to an expired value) is looked up
 * again. The arithmetic is `slotMath`'s, specialised per slot kind once here
 * instead of branching on it per call.
 *
 * A class, not a closure per preparation: every tracker's hot path then calls
 * the same function, which V8 can inline; with a closure per tracker the call
 * site sees several targets as soon as a process has two trackers (measured
 * with a second tracker in the process, the synchronous part of an acquire:
 * 53-58 ns with closures here and in the event queue, 49-50 ns with classes).
 */
class PreparedCells implements PreparedSlots {
  readonly values: Array<number>
  private readonly held: Array<MemoryCell>
  private readonly bucket: ReadonlyArray<boolean>
  private readonly limit: ReadonlyArray<number>
  private readonly interval: ReadonlyArray<number>
  private readonly expiresAt: ReadonlyArray<number>

  constructor(private readonly store: MemoryCells, readonly slots: ReadonlyArray<Slot>) {
    this.held = slots.map((slot) => store.cellOf(slot))
    this.bucket = slots.map((slot) => slot.kind === "bucket")
    this.limit = slots.map((slot) => slot.limit)
    this.interval = slots.map((slot) => (slot.kind === "bucket" ? slot.interval : 0))
    this.expiresAt = slots.map((slot) => (slot.kind === "counter" ? slot.expiresAt : 0))
    // doubles from the start: the array never changes its elements kind in the hot path
    this.values = slots.map(() => 0.5)
  }

  acquire(weight: number, now: number): number {
    const { held, bucket, limit, interval, values } = this
    const n = held.length
    for (let i = 0; i < n; i++) {
      let cell = held[i]!
      if (cell.dropped) cell = held[i] = this.store.cellOf(this.slots[i]!)
      const current = cell.expiresAt <= now ? 0 : cell.value
      if (bucket[i]) {
        // nextValue and fits of a bucket (see slotMath)
        const every = interval[i]!
        const cost = (weight * every) / limit[i]!
        let tat = current > now ? current : now
        if (tat - now > every + cost) tat = now + Math.max(0, every - cost)
        const next = tat + cost
        if (next - now > (cost > every ? cost : every) + EPSILON) return this.refuse(i, current, now)
        values[i] = next
      } else {
        const next = current + weight
        if (next > limit[i]!) return this.refuse(i, current, now)
        values[i] = next
      }
    }
    const expiresAt = this.expiresAt
    for (let i = 0; i < n; i++) {
      const cell = held[i]!
      const value = values[i]!
      cell.value = value
      cell.expiresAt = bucket[i] ? Math.ceil(value) + 1 : expiresAt[i]!
    }
    this.store.sweepIfDue(now)
    return -1
  }

  private refuse(at: number, current: number, now: number): number {
    const { held, values } = this
    for (let j = 0; j < held.length; j++) values[j] = j === at ? current : currentValue(held[j], now)
    return at
  }
}
