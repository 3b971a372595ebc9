/**
 * The acquire's reading of Effect's default clock, shared by the acquires of
 * one synchronous stretch (the code that runs before the microtask queue is
 * next drained). `Date.now()` is the largest single cost of a memory acquire
 * (46-53 ns on the machines of bench/README.md, a sixth of the acquire), so a
 * reading is reused until the microtasks queued behind it run and for at most
 * `MAX_USES` acquires, whichever comes first. A fiber's yield ends a stretch
 * (Effect's scheduler yields every 2048 operations), and so does any wait on
 * the event loop: a program that sleeps or does I/O between two acquires gets
 * a fresh reading for the second.
 *
 * What a reused reading means: an acquire may see a time up to one synchronous
 * stretch early. The per-second
 * bucket computes at that time: it refuses sooner within the stretch, and lets
 * later acquires in at most that much sooner. A day or month counts into the
 * period it saw; `acquiredAt` and event times are that early too. Any other
 * clock (a `TestClock`, a clock of the user's) is read on every acquire, so
 * tests decide time exactly as before.
 *
 * One per tracker, not per module: state lives inside a layer. It also holds
 * the fiber's clock, looked up once per context.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"

const MAX_USES = 64

// A class, not a closure per tracker: every tracker's acquire calls the same `now`, a call site V8
// inlines (see memoryStore's PreparedCells).
export class ClockReading {
  /** Effect's default clock (`Date.now()`): the only one whose reading is reused. */
  private readonly defaultClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)
  // The fiber's clock, looked up once per context: a context is immutable, so the same context
  // has the same clock (a TestClock included). The lookup misses the context's map twice before
  // it falls back to the default clock, about 15 ns of an acquire; a compare is nearly free.
  // Holds the last context seen until the next acquire from another one.
  private context: Context.Context<never> | undefined
  private clock: Clock.Clock = this.defaultClock
  private reading = 0
  private uses = 0
  private expiring = false
  private readonly expire = (): void => {
    this.expiring = false
    this.uses = 0
  }

  /** The time an acquire in `fiber` sees. */
  now(fiber: Fiber.Fiber<unknown, unknown>): number {
    if (fiber.context !== this.context) {
      this.clock = fiber.getRef(Clock.Clock)
      this.context = fiber.context
    }
    if (this.clock !== this.defaultClock) return this.clock.currentTimeMillisUnsafe()
    if (this.uses > 0) {
      this.uses--
      return this.reading
    }
    this.reading = Date.now()
    this.uses = MAX_USES - 1
    if (!this.expiring) {
      this.expiring = true
      queueMicrotask(this.expire)
    }
    return this.reading
  }
}
