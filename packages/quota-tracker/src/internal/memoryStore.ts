/** The in-process counter store. @internal */
import type { AcquireResult, Slot } from "../QuotaStore.js"
import { addedValue, type Cell, currentValue, expiryOf, fits, nextValue } from "./slotMath.js"

/** Synchronous memory store; the `QuotaStore` wraps it in effects. */
export class MemoryCells {
  readonly cells = new Map<string, Cell>()
  private sweepAt = 1024
  // scratch space for the cells found by `acquire` (reused: acquire is synchronous)
  private readonly found: Array<Cell | undefined> = []

  acquire(slots: ReadonlyArray<Slot>, weight: number, now: number): AcquireResult {
    const n = slots.length
    const values: Array<number> = []
    const found = this.found
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      const cell = this.cells.get(slot.key)
      found[i] = cell
      const current = currentValue(cell, now)
      const next = nextValue(slot, current, weight, now)
      if (!fits(slot, next, weight, now)) {
        // nothing is written: answer the current value of every slot
        for (let j = 0; j < i; j++) {
          values[j] = currentValue(found[j], now)
          found[j] = undefined
        }
        values[i] = current
        found[i] = undefined
        for (let j = i + 1; j < n; j++) values[j] = currentValue(this.cells.get(slots[j]!.key), now)
        return { refused: i, values }
      }
      values[i] = next
    }
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      const value = values[i]!
      const cell = found[i]
      if (cell === undefined) {
        this.cells.set(slot.key, { value, expiresAt: expiryOf(slot, value) })
      } else {
        cell.value = value
        cell.expiresAt = expiryOf(slot, value)
      }
      found[i] = undefined
    }
    if (this.cells.size >= this.sweepAt) this.sweep(now)
    return { refused: -1, values }
  }

  get(slots: ReadonlyArray<Slot>, now: number): Array<number> {
    return slots.map((slot) => currentValue(this.cells.get(slot.key), now))
  }

  set(slot: Slot, value: number, now: number): void {
    const expiresAt = expiryOf(slot, value)
    if (expiresAt <= now) this.cells.delete(slot.key)
    else this.cells.set(slot.key, { value, expiresAt })
  }

  add(slots: ReadonlyArray<Slot>, delta: number, now: number): Array<number> {
    return slots.map((slot) => {
      const value = addedValue(slot, currentValue(this.cells.get(slot.key), now), delta, now)
      this.set(slot, value, now)
      return value
    })
  }

  private sweep(now: number): void {
    for (const [key, cell] of this.cells) if (cell.expiresAt <= now) this.cells.delete(key)
    this.sweepAt = Math.max(1024, this.cells.size * 2)
  }
}
