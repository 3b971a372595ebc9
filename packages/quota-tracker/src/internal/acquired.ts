/**
 * The answer to an acquire. Its `windows` are built on first read: most
 * callers only need the tier, and the hot path should not pay for the rest.
 * The (at most three) window values are kept as fields, not an array: one
 * allocation per admitted acquire instead of two.
 *
 * @internal
 */
import type { Acquired, WindowUsage } from "../QuotaTracker.js"
import type * as Tier from "../Tier.js"
import { resetOf, usedOf } from "./forecast.js"
import type { TierState } from "./tierState.js"

export class AcquiredView implements Acquired {
  // on the prototype (below): one field less to write per admitted acquire
  declare readonly _tag: "Admitted"
  readonly tier: Tier.Tier
  readonly weight: number
  readonly acquiredAt: number
  readonly switchedFrom: string | undefined
  readonly #state: TierState
  readonly #v0: number
  readonly #v1: number
  readonly #v2: number
  #windows: ReadonlyArray<WindowUsage> | undefined
  #settled = false

  constructor(
    state: TierState,
    values: ArrayLike<number>,
    weight: number,
    now: number,
    switchedFrom: string | undefined
  ) {
    this.tier = state.tier
    this.weight = weight
    this.acquiredAt = now
    this.switchedFrom = switchedFrom
    this.#state = state
    const n = state.windows.length
    this.#v0 = n > 0 ? values[0]! : 0
    this.#v1 = n > 1 ? values[1]! : 0
    this.#v2 = n > 2 ? values[2]! : 0
  }

  /**
   * Marks this acquire as reported: `"first"` the first time, `"again"` after that, `"foreign"`
   * when it was not issued for `state` (another tracker's, another tier's, a copy).
   */
  settle(state: TierState): "first" | "again" | "foreign" {
    if (state !== this.#state) return "foreign"
    if (this.#settled) return "again"
    this.#settled = true
    return "first"
  }

  get windows(): ReadonlyArray<WindowUsage> {
    if (this.#windows === undefined) {
      const now = this.acquiredAt
      const values = [this.#v0, this.#v1, this.#v2]
      this.#windows = this.#state.windows.map((w, i): WindowUsage => {
        const value = values[i]!
        const used = usedOf(w, value, now)
        return {
          window: w.kind,
          used,
          limit: w.limit,
          remaining: Math.max(0, w.limit - used),
          resetsAt: resetOf(w, value, now)
        }
      })
    }
    return this.#windows
  }

  toJSON(): unknown {
    return {
      tier: this.tier,
      windows: this.windows,
      switchedFrom: this.switchedFrom,
      weight: this.weight,
      acquiredAt: this.acquiredAt
    }
  }

  [Symbol.for("nodejs.util.inspect.custom")](): unknown {
    return this.toJSON()
  }
}

Object.defineProperty(AcquiredView.prototype, "_tag", { value: "Admitted" })
