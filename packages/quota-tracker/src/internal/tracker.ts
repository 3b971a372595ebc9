/**
 * The quota tracker's engine. All mutable state lives in the closure built by
 * `makeTracker`, never at module level.
 *
 * Hot path (memory store): one `Effect.withFiber` reads the clock, picks the
 * tier from local flags, runs the store's synchronous check-and-add and builds
 * the answer. Refusals are plain values until the boundary, where a stackless
 * `QuotaError` is built.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Outcome from "../Outcome.js"
import * as QuotaError from "../QuotaError.js"
import type * as QuotaEvent from "../QuotaEvent.js"
import * as QuotaStore from "../QuotaStore.js"
import type {
  Acquired,
  ForecastBasis,
  Options,
  QuotaStatus,
  Service,
  TierStatus,
  WindowStatus,
  WindowUsage
} from "../QuotaTracker.js"
import * as Tier from "../Tier.js"
import * as Window from "../Window.js"
import { formatCount, formatPercent, formatWait } from "./format.js"
import { MemoryCells } from "./memoryStore.js"

type Slot = QuotaStore.Slot

interface WindowState {
  readonly kind: Window.WindowKind
  readonly limit: number
  /** Limit used while looking for a tier below `switchAt` (counters of non-last tiers). */
  readonly softLimit: number
  periodStart: number
  periodEnd: number
  slot: Slot
  softSlot: Slot
  /** Last observed value: a count, or the bucket's arrival time. */
  value: number
  observedAt: number
  /** Bit i set: thresholds[i] fired in this period. */
  fired: number
  // forecast
  sampleAt: number
  sampleUsed: number
  rate: number // per ms
  hasRate: boolean
}

interface TierState {
  readonly tier: Tier.Tier
  readonly index: number
  /** Month, day, second: the windows with a limit. */
  readonly windows: ReadonlyArray<WindowState>
  slots: Array<Slot>
  softSlots: Array<Slot>
  hasSoft: boolean
  holdUntil: number
  /** The length of the hold: `holdUntil` is never more than this ahead of now, unless the clock stepped back. */
  holdFor: number
  exhaustedUntil: number
  exhaustedWindow: QuotaError.ErrorWindow
  exhaustedSource: "local" | "server"
  softUntil: number
  /** Weight admitted by this tracker and not yet reported: the most a report may refund. */
  outstanding: number
  readonly refusals: LocalCounter
  readonly rateRefusals: LocalCounter
}

/** A counter kept as a plain number and read by the metric registry when it is exported. */
interface LocalCounter {
  count: number
}

interface Fallback {
  readonly since: number
  nextProbe: number
  probing: boolean
  readonly pending: Map<string, { slot: Slot; delta: number }>
}

/**
 * A threshold crossed in this process, published only if no process sharing the store has
 * published it for this period: the first to add 1 to `slot` (limit 1) wins.
 */
interface Claim {
  readonly _tag: "Claim"
  readonly slot: Slot
  readonly event: QuotaEvent.ThresholdCrossed
}

// A refusal decided inside the synchronous step, turned into a QuotaError at the boundary.
type Step =
  | AcquiredView
  | { readonly _tag: "Wait"; readonly millis: number }
  | { readonly _tag: "Refused"; readonly error: () => QuotaError.QuotaError }
  | { readonly _tag: "Async"; readonly effect: Effect.Effect<Step, QuotaError.QuotaError> }

const SECOND = 1000

const durationMillis = (input: Duration.Input | undefined, fallback: number, name: string): number | string => {
  if (input === undefined) return fallback
  const decoded = Duration.fromInput(input)
  if (Option.isNone(decoded)) return `${name} is not a valid duration`
  const millis = Duration.toMillis(decoded.value)
  if (!(millis >= 0) || !Number.isFinite(millis)) return `${name} must be a finite, non-negative duration`
  return millis
}

// A period's counter outlives its period by one more period: a clock that steps back into it
// (an NTP step, a VM restored from a snapshot) finds its count instead of an expired key.
const keptUntil = (period: { readonly start: number; readonly end: number }): number =>
  period.end + (period.end - period.start)

const keyOf = (tier: string, kind: Window.WindowKind, periodStart: number): string =>
  kind === "second" ? `{${tier}}:second` : `{${tier}}:${kind}:${periodStart}`

const usedOf = (w: WindowState, value: number, now: number): number => {
  if (w.kind !== "second") return value
  if (value <= now) return 0
  return Math.min(w.limit, Math.ceil(((value - now) * w.limit) / SECOND - 1e-9))
}

const resetOf = (w: WindowState, value: number, now: number): number =>
  w.kind === "second" ? Math.max(now, Math.ceil(value)) : w.periodEnd

/**
 * The answer to an acquire. Its `windows` are built on first read: most
 * callers only need the tier, and the hot path should not pay for the rest.
 */
class AcquiredView implements Acquired {
  readonly _tag = "Admitted" as const
  readonly tier: Tier.Tier
  readonly weight: number
  readonly acquiredAt: number
  readonly switchedFrom: string | undefined
  readonly #state: TierState
  readonly #values: ReadonlyArray<number>
  #windows: ReadonlyArray<WindowUsage> | undefined
  #settled = false

  constructor(
    state: TierState,
    values: ReadonlyArray<number>,
    weight: number,
    now: number,
    switchedFrom: string | undefined
  ) {
    this.tier = state.tier
    this.weight = weight
    this.acquiredAt = now
    this.switchedFrom = switchedFrom
    this.#state = state
    this.#values = values
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
      this.#windows = this.#state.windows.map((w, i): WindowUsage => {
        const value = this.#values[i]!
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

const problem = (detail: string) => Effect.fail(QuotaError.invalidOptions(detail))

const badWeight = (weight: unknown) =>
  Effect.fail(QuotaError.invalidOptions(`weight must be a positive integer, got ${String(weight)}`))

const windowName = (w: WindowState): string => `${Window.adjective(w.kind)} quota`

// Where a day or month window's rate comes from: the smoothed rate measured in this process
// once it has two samples; before that (a process that has just started on a shared store),
// the average rate since the period began.
const basisOf = (w: WindowState): ForecastBasis => (w.hasRate ? "smoothed" : "period-average")

// Requests per ms behind the forecast (day and month windows).
const rateOf = (w: WindowState, now: number): number => {
  if (w.hasRate) return w.rate
  const elapsed = now - w.periodStart
  return elapsed > 0 && w.value > 0 ? w.value / elapsed : 0
}

// When the window runs out at its rate; undefined when it lasts until its reset. The per-second
// window has no rate forecast: it is out now when the bucket is empty.
const forecastOf = (w: WindowState, now: number): number | undefined => {
  if (w.kind === "second") return usedOf(w, w.value, now) >= w.limit ? now : undefined
  if (w.value >= w.limit) return now
  const rate = rateOf(w, now)
  if (!(rate > 0)) return undefined
  const at = now + (w.limit - w.value) / rate
  return at < w.periodEnd ? Math.ceil(at) : undefined
}

type Requirements = Scope.Scope | QuotaStore.QuotaStore
export const makeTracker = (options: Options): Effect.Effect<Service, QuotaError.QuotaError, Requirements> =>
  Effect.gen(function*() {
    // ---- options ----
    if (!Array.isArray(options.tiers) || options.tiers.length === 0) {
      return yield* problem("tiers must name at least one tier")
    }
    const names = new Set<string>()
    for (const tier of options.tiers) {
      const invalid = Tier.validate(tier)
      if (invalid !== undefined) return yield* problem(invalid)
      if (names.has(tier.name)) return yield* problem(`tier ${tier.name} appears twice in the chain`)
      names.add(tier.name)
    }
    const thresholds = (options.thresholds ?? [0.8, 0.95]).toSorted((a, b) => a - b)
    if (thresholds.length > 30) return yield* problem("at most 30 thresholds")
    for (const t of thresholds) {
      if (!(t > 0 && t <= 1)) return yield* problem(`thresholds must be fractions in (0, 1], got ${String(t)}`)
    }
    const switchAt = options.switchAt ?? 1
    if (!(switchAt > 0 && switchAt <= 1)) {
      return yield* problem(`switchAt must be a fraction in (0, 1], got ${String(switchAt)}`)
    }
    const durations = {
      wait: durationMillis(options.waitForSecondWindow, SECOND, "waitForSecondWindow"),
      maxHold: durationMillis(options.maxRetryAfterHold, 60 * SECOND, "maxRetryAfterHold"),
      defaultHold: durationMillis(options.defaultRetryAfter, SECOND, "defaultRetryAfter"),
      retryStore: durationMillis(options.storeRetryInterval, SECOND, "storeRetryInterval"),
      smoothing: durationMillis(options.forecastSmoothing, 15 * 60 * SECOND, "forecastSmoothing")
    }
    for (const value of Object.values(durations)) if (typeof value === "string") return yield* problem(value)
    const waitBound = durations.wait as number
    const maxHold = durations.maxHold as number
    const defaultHold = durations.defaultHold as number
    const retryStoreEvery = Math.max(1, durations.retryStore as number)
    const smoothing = Math.max(1, durations.smoothing as number)
    const calendarResult = Window.calendar({
      timeZone: options.timeZone,
      offsetMinutes: options.offsetMinutes,
      monthAnchorDay: options.monthAnchorDay
    })
    if (Result.isFailure(calendarResult)) return yield* problem(calendarResult.failure)
    const cal = calendarResult.success
    const failOpen = options.storeFailure === "open"
    if (options.storeFailure !== undefined && options.storeFailure !== "open" && options.storeFailure !== "closed") {
      return yield* problem(`storeFailure must be "closed" or "open"`)
    }
    const refundFailed = options.refundFailed ?? true

    // ---- services ----
    const store = yield* QuotaStore.QuotaStore
    const context = (yield* Effect.context<never>()) as Context.Context<never>
    const pubsub = yield* PubSub.unbounded<QuotaEvent.QuotaEvent>()
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
    const startedAt = yield* Clock.currentTimeMillis

    // ---- state ----
    const last = options.tiers.length - 1
    const tiers: Array<TierState> = options.tiers.map((tier, index) => {
      const windows: Array<WindowState> = []
      for (const kind of Window.kinds) {
        const limit = Tier.limitOf(tier, kind)
        if (limit === undefined) continue
        const softLimit = kind !== "second" && index < last ? Math.max(1, Math.floor(limit * switchAt)) : limit
        const period = Window.period(kind, startedAt, cal)
        const slot: Slot = kind === "second"
          ? { kind: "bucket", key: keyOf(tier.name, kind, 0), limit, interval: SECOND }
          : { kind: "counter", key: keyOf(tier.name, kind, period.start), limit, expiresAt: keptUntil(period) }
        windows.push({
          kind,
          limit,
          softLimit,
          periodStart: period.start,
          periodEnd: period.end,
          slot,
          softSlot: softLimit === limit ? slot : { ...slot, limit: softLimit },
          value: 0,
          observedAt: startedAt,
          fired: 0,
          sampleAt: -1,
          sampleUsed: 0,
          rate: 0,
          hasRate: false
        })
      }
      return {
        tier,
        index,
        windows,
        slots: windows.map((w) => w.slot),
        softSlots: windows.map((w) => w.softSlot),
        hasSoft: windows.some((w) => w.softLimit !== w.limit),
        holdUntil: 0,
        holdFor: 0,
        exhaustedUntil: 0,
        exhaustedWindow: "unknown",
        exhaustedSource: "local",
        softUntil: 0,
        outstanding: 0,
        refusals: { count: 0 },
        rateRefusals: { count: 0 }
      }
    })
    const byName = new Map(tiers.map((t) => [t.tier.name, t]))
    let active: TierState | undefined
    let fallback: Fallback | undefined
    const memory = new MemoryCells()
    let pending: Array<QuotaEvent.QuotaEvent | Claim> = []
    // ---- counters, read when metrics are exported ----
    const counterSeries = new Map<string, LocalCounter>()
    const counter = (metric: Metric.Counter<number>, attributes: Record<string, string>): LocalCounter => {
      const id = `${metric.id}${JSON.stringify(attributes)}`
      let local = counterSeries.get(id)
      if (local === undefined) {
        const series: LocalCounter = { count: 0 }
        local = series
        counterSeries.set(id, series)
        const registration = Metric.registerUnsafe(Metric.withAttributes(metric, attributes), context, {
          get: () => ({ count: series.count, incremental: false }),
          update: () => {},
          modify: () => {}
        })
        registrations.push(registration)
      }
      return local
    }
    const registrations: Array<Metric.Registration> = []
    yield* Effect.addFinalizer(() => Effect.sync(() => registrations.forEach((registration) => registration.remove())))
    for (const t of tiers) {
      ;(t as { refusals: LocalCounter }).refusals = counter(refusals, { tier: t.tier.name, reason: "exhausted" })
      ;(t as { rateRefusals: LocalCounter }).rateRefusals = counter(refusals, { tier: t.tier.name, reason: "rate" })
    }
    const storeErrorCount = counter(storeErrors, { store: store.name })
    const exhaustedAllCount = counter(refusals, { tier: "*", reason: "all-exhausted" })

    // ---- gauges, read when metrics are exported ----
    for (const t of tiers) {
      for (const w of t.windows) {
        const attributes = { tier: t.tier.name, window: w.kind }
        const now = () => Math.max(w.observedAt, 0)
        const used = () => (w.kind === "second" ? usedOf(w, w.value, now()) : w.value)
        const register = (metric: Metric.Gauge<number>, get: () => number) => {
          const registration = Metric.registerUnsafe(Metric.withAttributes(metric, attributes), context, {
            get: () => ({ value: get() }),
            update: () => {},
            modify: () => {}
          })
          return Effect.addFinalizer(() => Effect.sync(registration.remove))
        }
        yield* register(gauges.used, used)
        yield* register(gauges.remaining, () => Math.max(0, w.limit - used()))
        yield* register(gauges.limit, () => w.limit)
      }
    }

    // ---- periods ----
    const refresh = (t: TierState, now: number): void => {
      // the clock stepped back: a hold lasts its own length from now, not the step's
      if (t.holdUntil - now > t.holdFor) t.holdUntil = now + t.holdFor
      let changed = false
      for (const w of t.windows) {
        if (w.kind === "second" || (now >= w.periodStart && now < w.periodEnd)) continue
        const period = Window.period(w.kind, now, cal)
        if (period.end <= w.periodStart) {
          // the clock stepped back into an earlier period: what was decided for the later one
          // (exhausted, past switchAt) does not hold here; this period's own count decides
          if (t.exhaustedUntil > period.end && t.exhaustedWindow === w.kind) t.exhaustedUntil = 0
          if (t.softUntil > period.end) t.softUntil = 0
        }
        w.periodStart = period.start
        w.periodEnd = period.end
        w.slot = {
          kind: "counter",
          key: keyOf(t.tier.name, w.kind, period.start),
          limit: w.limit,
          expiresAt: keptUntil(period)
        }
        w.softSlot = w.softLimit === w.limit ? w.slot : { ...w.slot, limit: w.softLimit }
        w.value = 0
        w.fired = 0
        w.sampleAt = -1
        w.hasRate = false
        w.rate = 0
        changed = true
      }
      if (changed) {
        t.slots = t.windows.map((w) => w.slot)
        t.softSlots = t.windows.map((w) => w.softSlot)
      }
    }

    const slotsAt = (t: TierState, at: number): Array<Slot> =>
      t.windows.map((w) => {
        if (w.kind === "second") return w.slot
        if (at >= w.periodStart && at < w.periodEnd) return w.slot
        const period = Window.period(w.kind, at, cal)
        return {
          kind: "counter",
          key: keyOf(t.tier.name, w.kind, period.start),
          limit: w.limit,
          expiresAt: keptUntil(period)
        }
      })

    // ---- observation: thresholds, forecast ----
    const observe = (t: TierState, w: WindowState, value: number, now: number, resample = false): void => {
      w.value = value
      w.observedAt = now
      if (w.kind === "second") return
      // forecast: exponentially smoothed rate over samples at least a second apart;
      // a figure set from outside is a new starting point, not a burst of requests
      if (w.sampleAt < 0 || resample) {
        w.sampleAt = now
        w.sampleUsed = value
      } else if (now - w.sampleAt >= SECOND) {
        const dt = now - w.sampleAt
        const instant = Math.max(0, value - w.sampleUsed) / dt
        if (w.hasRate) w.rate += (1 - Math.exp(-dt / smoothing)) * (instant - w.rate)
        else {
          w.rate = instant
          w.hasRate = true
        }
        w.sampleAt = now
        w.sampleUsed = value
      }
      for (let i = 0; i < thresholds.length; i++) {
        const bit = 1 << i
        if ((w.fired & bit) !== 0) continue
        const threshold = thresholds[i]!
        if (value < threshold * w.limit) break
        w.fired |= bit
        cross(t, w, threshold, value, now)
      }
    }

    // A threshold crossed in this process: queued as a claim, published by `flush` if it wins.
    const cross = (t: TierState, w: WindowState, threshold: number, value: number, now: number): void => {
      const forecast = forecastOf(w, now)
      const forecastBasis = basisOf(w)
      const rate = forecastBasis === "smoothed" ? "at the current rate" : "at this period's average rate"
      const outlook = forecast === undefined
        ? `lasts until the reset at ${Window.formatTime(w.periodEnd, now, cal)} ${rate}`
        : forecast <= now
        ? `used up; resets at ${Window.formatTime(w.periodEnd, now, cal)}`
        : `runs out at ${Window.formatTime(forecast, now, cal)} ${rate}`
      pending.push({
        _tag: "Claim",
        // the period's key plus the threshold: expires with the period's counter, shares its Redis Cluster slot
        slot: {
          kind: "counter",
          key: `${w.slot.key}:fired:${threshold}`,
          limit: 1,
          expiresAt: keptUntil({ start: w.periodStart, end: w.periodEnd })
        },
        event: {
          _tag: "ThresholdCrossed",
          at: now,
          tier: t.tier.name,
          window: w.kind,
          threshold,
          used: value,
          limit: w.limit,
          resetsAt: w.periodEnd,
          forecast,
          forecastBasis,
          message: `${t.tier.name} ${windowName(w)} ${formatPercent(threshold)} used (${formatCount(value)}/${
            formatCount(w.limit)
          }); ${outlook}`
        }
      })
    }

    const markExhausted = (
      t: TierState,
      window: QuotaError.ErrorWindow,
      until: number,
      source: "local" | "server",
      now: number
    ): void => {
      const already = t.exhaustedUntil > now
      if (already && t.exhaustedUntil >= until && (t.exhaustedSource === source || source === "local")) return
      t.exhaustedUntil = Math.max(t.exhaustedUntil, until)
      t.exhaustedWindow = window
      t.exhaustedSource = source
      const what = window === "unknown" ? "quota" : `${Window.adjective(window)} quota`
      pending.push({
        _tag: "TierExhausted",
        at: now,
        tier: t.tier.name,
        window,
        until: t.exhaustedUntil,
        source,
        message: `${t.tier.name} ${what} is exhausted (${
          source === "server" ? "the server said so" : "local count"
        }) until ${Window.formatTime(t.exhaustedUntil, now, cal)}`
      })
    }

    // ---- events ----
    // A library does not write to its user's stdout: events are for the app (the `events` stream),
    // and the log line is at Debug, which Effect's default minimum level (Info) filters out. An app
    // that wants them lowers `References.MinimumLogLevel`.
    const publish = (event: QuotaEvent.QuotaEvent): Effect.Effect<void> =>
      Effect.andThen(PubSub.publish(pubsub, event), Effect.logDebug(event.message))

    // Whether this process publishes a crossed threshold: one store write, made by the call that
    // crossed it (at most once per threshold and period in a process), never by other acquires.
    // A store that cannot answer, or a tracker counting in memory meanwhile, publishes it: a
    // duplicate warning beats a lost one.
    const claim = (c: Claim): Effect.Effect<boolean> =>
      Effect.suspend(() => {
        if (fallback !== undefined) return Effect.succeed(true)
        return store.acquire([c.slot], 1, c.event.at).pipe(
          Effect.map((result) => result.refused < 0),
          Effect.catch(() =>
            Effect.sync(() => {
              storeErrorCount.count++
              return true
            })
          )
        )
      })

    const flush: Effect.Effect<void> = Effect.suspend(() => {
      if (pending.length === 0) return Effect.void
      const events = pending
      pending = []
      return Effect.forEach(events, (item) =>
        item._tag === "Claim"
          ? Effect.flatMap(claim(item), (won) => (won ? publish(item.event) : Effect.void))
          : publish(item), { discard: true }).pipe(Effect.annotateLogs({ service: "@bing-effect/quota-tracker" }))
    })

    const withEvents = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      pending.length === 0 ? effect : Effect.tap(effect, () => flush)

    // ---- tier choice ----
    const switchReason = (from: TierState, now: number): QuotaEvent.SwitchReason =>
      from.exhaustedUntil > now
        ? from.exhaustedSource === "server" ? "server-quota" : "exhausted"
        : from.softUntil > now
        ? "threshold"
        : "reset"

    const admitted = (t: TierState, values: ReadonlyArray<number>, weight: number, now: number): AcquiredView => {
      const n = t.windows.length
      for (let i = 0; i < n; i++) observe(t, t.windows[i]!, values[i]!, now)
      let switchedFrom: string | undefined
      if (active !== t) {
        // The first acquire of a process has no previous tier: when it lands further down the
        // chain (the preferred tier is exhausted or past switchAt in a shared store), the preferred
        // tier stands for it, so that switch is an event too.
        const from = active ?? (t.index > 0 ? tiers[0] : undefined)
        if (from !== undefined) {
          switchedFrom = from.tier.name
          const reason = t.index > from.index
            ? switchReason(from, now)
            : from.exhaustedUntil > now
            ? switchReason(from, now)
            : "reset"
          const because = reason === "reset"
            ? `${t.tier.name}'s quota has reset`
            : reason === "threshold"
            ? `${from.tier.name} reached the switch threshold (${formatPercent(switchAt)})`
            : reason === "server-quota"
            ? `the server reported ${from.tier.name}'s quota exhausted`
            : `${from.tier.name} is exhausted`
          pending.push({
            _tag: "TierSwitched",
            at: now,
            from: from.tier.name,
            to: t.tier.name,
            reason,
            message: `Switched from ${from.tier.name} to ${t.tier.name}: ${because}`
          })
          counter(switches, { from: from.tier.name, to: t.tier.name, reason }).count++
        }
        active = t
      }
      t.outstanding += weight
      return new AcquiredView(t, values, weight, now, switchedFrom)
    }

    const allExhausted = (now: number): () => QuotaError.QuotaError => {
      let first: TierState | undefined
      for (const t of tiers) if (first === undefined || t.exhaustedUntil < first.exhaustedUntil) first = t
      const resetsAt = first!.exhaustedUntil
      const window = first!.exhaustedWindow
      return () =>
        QuotaError.allTiersExhausted({
          tiers: tiers.map((t) => t.tier.name),
          window,
          resetsAt,
          retryAfter: Math.max(0, resetsAt - now)
        })
    }

    // One attempt: returns what to do next. Synchronous unless the store is.
    const attempt = (weight: number, now: number, waited: number): Step => {
      for (let guard = 0; guard <= tiers.length * 2 + 1; guard++) {
        // choose: first tier below its soft limits, else first tier not exhausted
        let chosen: TierState | undefined
        let soft = true
        for (const t of tiers) {
          if (t.exhaustedUntil > now || t.softUntil > now) {
            refresh(t, now) // the clock may have stepped back into a period where the tier is fine
            if (t.exhaustedUntil > now || t.softUntil > now) continue
          }
          chosen = t
          break
        }
        if (chosen === undefined) {
          soft = false
          for (const t of tiers) {
            if (t.exhaustedUntil > now) continue
            chosen = t
            break
          }
        }
        if (chosen === undefined) {
          exhaustedAllCount.count++
          return { _tag: "Refused", error: allExhausted(now) }
        }
        const t = chosen
        if (t.holdUntil > now) {
          if (t.holdUntil - now > t.holdFor) t.holdUntil = now + t.holdFor
          const wait = t.holdUntil - now
          if (waited + wait <= waitBound) return { _tag: "Wait", millis: wait }
          t.rateRefusals.count++
          return { _tag: "Refused", error: () => QuotaError.rateLimitExceeded(t.tier.name, wait) }
        }
        refresh(t, now)
        const slots = soft && t.hasSoft ? t.softSlots : t.slots
        if (fallback === undefined && store.acquireUnsafe !== undefined) {
          const result = store.acquireUnsafe(slots, weight, now)
          const step = decide(t, slots, result, weight, now, waited)
          if (step !== undefined) return step
          continue
        }
        return { _tag: "Async", effect: acquireAsync(t, slots, weight, now, waited) }
      }
      return { _tag: "Refused", error: allExhausted(now) }
    }

    // Interprets a store answer; `undefined` means "the tier is out, choose again".
    const decide = (
      t: TierState,
      slots: ReadonlyArray<Slot>,
      result: QuotaStore.AcquireResult,
      weight: number,
      now: number,
      waited: number
    ): Step | undefined => {
      if (result.refused < 0) return admitted(t, result.values, weight, now)
      const i = result.refused
      const w = t.windows[i]!
      for (let j = 0; j < t.windows.length; j++) t.windows[j]!.value = result.values[j]!
      if (w.kind === "second") {
        const cost = (weight * SECOND) / w.limit
        const tat = Math.max(result.values[i]!, now)
        const wait = Math.max(1, Math.ceil(tat + cost - now - Math.max(SECOND, cost)))
        if (waited + wait <= waitBound) return { _tag: "Wait", millis: wait }
        t.rateRefusals.count++
        return { _tag: "Refused", error: () => QuotaError.rateLimitExceeded(t.tier.name, wait) }
      }
      const value = result.values[i]!
      if (slots[i]!.limit < w.limit && value + weight <= w.limit) {
        // below the hard limit: only the switch threshold was reached
        t.softUntil = w.periodEnd
      } else {
        markExhausted(t, w.kind, w.periodEnd, "local", now)
        t.refusals.count++
      }
      return undefined
    }

    // ---- store failures ----
    const enterFallback = (error: QuotaError.QuotaError, now: number): void => {
      storeErrorCount.count++
      if (fallback !== undefined) {
        fallback.nextProbe = now + retryStoreEvery
        fallback.probing = false
        return
      }
      fallback = { since: now, nextProbe: now + retryStoreEvery, probing: false, pending: new Map() }
      // start from the last counts seen in the store
      for (const t of tiers) {
        for (const w of t.windows) if (w.kind !== "second" && w.value > 0) memory.set(w.slot, w.value, now)
      }
      const detail = error.reason._tag === "StoreUnavailable" ? error.reason.detail : error.message
      pending.push({
        _tag: "StoreFallback",
        at: now,
        store: store.name,
        detail,
        message:
          `The ${store.name} quota store failed (${detail}); admitting requests and counting them in memory until it answers again`
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

    // Pushes the counts made in memory to the store; leaves fallback when it answers. Acquires
    // admitted in memory while a push is on the wire add to the same entries, so a round subtracts
    // only what it sent, and fallback ends in the same synchronous step that finds nothing left.
    const probe = (now: number): Effect.Effect<void> =>
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
          memory.cells.clear()
          pending.push({
            _tag: "StoreRecovered",
            at: now,
            store: store.name,
            pushed,
            message: `The ${store.name} quota store answers again; ${
              formatCount(pushed)
            } requests counted in memory meanwhile were added to it`
          })
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
        // an empty push still has to prove the store is back
        const proof = live().length === 0 ? Effect.asVoid(store.get(tiers[0]!.slots, now)) : Effect.void
        return proof.pipe(
          Effect.andThen(round),
          Effect.catch((error: QuotaError.QuotaError) => Effect.sync(() => enterFallback(error, now)))
        )
      })

    // Runs a store operation, falling back to memory when the store fails and the tracker fails open.
    const withStore = <A>(
      now: number,
      primary: () => Effect.Effect<A, QuotaError.QuotaError>,
      inMemory: () => A
    ): Effect.Effect<A, QuotaError.QuotaError> =>
      Effect.suspend(() => {
        if (fallback !== undefined) {
          return probe(now).pipe(
            Effect.andThen(Effect.suspend(() => fallback !== undefined ? Effect.sync(inMemory) : primary()))
          )
        }
        return primary()
      }).pipe(
        Effect.catch((error: QuotaError.QuotaError) => {
          if (error.reason._tag !== "StoreUnavailable") return Effect.fail(error)
          if (!failOpen) {
            storeErrorCount.count++
            return Effect.fail(error)
          }
          enterFallback(error, now)
          return Effect.sync(inMemory)
        })
      )

    const acquireAsync = (
      t: TierState,
      slots: ReadonlyArray<Slot>,
      weight: number,
      now: number,
      waited: number
    ): Effect.Effect<Step, QuotaError.QuotaError> =>
      withStore(now, () => store.acquire(slots, weight, now), () => {
        const result = memory.acquire(slots, weight, now)
        return { ...result, inMemory: true }
      }).pipe(
        Effect.map((result) => {
          if ((result as { inMemory?: boolean }).inMemory === true && result.refused < 0) countPending(slots, weight)
          const step = decide(t, slots, result, weight, now, waited)
          return step ?? attempt(weight, now, waited)
        })
      )

    const run = (step: Step, weight: number, waited: number): Effect.Effect<Acquired, QuotaError.QuotaError> => {
      switch (step._tag) {
        case "Admitted":
          return withEvents(Effect.succeed(step))
        case "Refused":
          return pending.length === 0 ? Effect.fail(step.error()) : Effect.andThen(flush, Effect.fail(step.error()))
        case "Wait":
          return withEvents(Effect.sleep(step.millis)).pipe(
            Effect.andThen(Clock.currentTimeMillis),
            Effect.flatMap((now) => run(attempt(weight, now, waited + step.millis), weight, waited + step.millis))
          )
        case "Async":
          return Effect.flatMap(step.effect, (next) => run(next, weight, waited))
      }
    }

    const acquireWith = (weight: number): Effect.Effect<Acquired, QuotaError.QuotaError> =>
      Effect.withFiber((fiber) => {
        const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
        const step = attempt(weight, now, 0)
        // the common case, without intermediate effects
        if (step._tag === "Admitted" && pending.length === 0) return Effect.succeed(step)
        return run(step, weight, 0)
      })
    // an effect is a description: the weight-1 acquire is built once and reused
    const acquireOne = acquireWith(1)

    const acquire: Service["acquire"] = (opts) => {
      const weight = opts?.weight ?? 1
      if (weight === 1) return acquireOne
      if (!Number.isSafeInteger(weight) || weight < 1) return badWeight(weight)
      return acquireWith(weight)
    }

    // ---- report, setUsage ----
    const tierNamed = (name: string): Effect.Effect<TierState, QuotaError.QuotaError> => {
      const t = byName.get(name)
      return t === undefined
        ? Effect.fail(QuotaError.invalidOptions(`unknown tier ${JSON.stringify(name)}`))
        : Effect.succeed(t)
    }

    const refund = (t: TierState, slots: ReadonlyArray<Slot>, weight: number, now: number) =>
      slots.length === 0 ? Effect.void : withStore(now, () => store.add(slots, -weight, now), () => {
        countPending(slots, -weight)
        return memory.add(slots, -weight, now)
      }).pipe(
        Effect.map((values) => {
          for (let i = 0; i < slots.length; i++) {
            const w = t.windows.find((candidate) => candidate.slot.key === slots[i]!.key)
            if (w !== undefined) w.value = values[i]!
          }
        })
      )

    const report: Service["report"] = (opts) =>
      Effect.withFiber((fiber) =>
        Effect.gen(function*() {
          const t = yield* tierNamed(opts.tier)
          const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
          refresh(t, now)
          const outcome: Outcome.Outcome = opts.outcome
          const weight = opts.acquired?.weight ?? opts.weight ?? 1
          if (!Number.isSafeInteger(weight) || weight < 1) return yield* badWeight(weight)
          // each acquire settles once: reporting it again is a no-op
          if (opts.acquired instanceof AcquiredView && opts.acquired.settle(t) === "again") return
          // and a report never refunds more than this tracker took for the tier and has not
          // settled yet (a report without `acquired`, or with a copy, settles some of that)
          const settled = Math.min(weight, t.outstanding)
          t.outstanding -= settled
          const at = opts.acquired?.acquiredAt ?? now
          switch (outcome._tag) {
            case "Success":
              return
            case "Failed": {
              if (refundFailed && settled > 0) yield* refund(t, slotsAt(t, at), settled, now)
              return
            }
            case "RateLimited": {
              const requested = outcome.retryAfterMs
              const hold = requested !== undefined && Number.isFinite(requested) && requested >= 0
                ? requested
                : defaultHold
              const until = now + Math.min(hold, maxHold)
              if (until > t.holdUntil) {
                t.holdUntil = until
                t.holdFor = until - now
                pending.push({
                  _tag: "TierHeld",
                  at: now,
                  tier: t.tier.name,
                  until,
                  message: `${t.tier.name} answered 429 (rate limit); holding it for ${formatWait(until - now)}`
                })
              }
              if (refundFailed && settled > 0) {
                yield* refund(t, slotsAt(t, at).filter((slot) => slot.kind === "counter"), settled, now)
              }
              return yield* flush
            }
            case "QuotaExhausted": {
              const retryAfter =
                outcome.retryAfterMs !== undefined && Number.isFinite(outcome.retryAfterMs) && outcome.retryAfterMs >= 0
                  ? outcome.retryAfterMs
                  : undefined
              const counters = t.windows.filter((w) => w.kind !== "second")
              let target: WindowState | undefined
              let kind: QuotaError.ErrorWindow = outcome.window ?? "unknown"
              if (kind === "day" || kind === "month") target = counters.find((w) => w.kind === kind)
              else if (retryAfter !== undefined && counters.length > 0) {
                const wanted = now + retryAfter
                target = counters.reduce((
                  a,
                  b
                ) => (Math.abs(a.periodEnd - wanted) <= Math.abs(b.periodEnd - wanted) ? a : b))
                kind = target.kind
              } else {
                target = counters.find((w) => w.kind === "day") ?? counters[0]
                if (target !== undefined) kind = target.kind
              }
              const reset = target !== undefined
                ? target.periodEnd
                : Window.resetAt(kind === "month" ? "month" : "day", now, cal)
              const until = retryAfter !== undefined ? now + retryAfter : reset
              if (target !== undefined) {
                const slot = target.slot
                yield* withStore(
                  now,
                  () => store.set(slot, target.limit, now),
                  () => memory.set(slot, target.limit, now)
                )
                observe(t, target, target.limit, now, true)
              }
              markExhausted(t, kind, until, "server", now)
              return yield* flush
            }
          }
        })
      )

    const setUsage: Service["setUsage"] = (opts) =>
      Effect.withFiber((fiber) =>
        Effect.gen(function*() {
          const t = yield* tierNamed(opts.tier)
          const w = t.windows.find((candidate) => candidate.kind === opts.window)
          if (w === undefined) {
            return yield* Effect.fail(QuotaError.invalidOptions(`tier ${t.tier.name} has no ${opts.window} limit`))
          }
          if (!Number.isSafeInteger(opts.used) || opts.used < 0) {
            return yield* Effect.fail(
              QuotaError.invalidOptions(`used must be a non-negative integer, got ${String(opts.used)}`)
            )
          }
          const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
          refresh(t, now)
          const value = w.kind === "second" ? now + (Math.min(opts.used, w.limit) * SECOND) / w.limit : opts.used
          const slot = w.slot
          yield* withStore(now, () => store.set(slot, value, now), () => memory.set(slot, value, now))
          observe(t, w, value, now, true)
          if (w.kind !== "second") {
            if (opts.used >= w.limit) markExhausted(t, w.kind, w.periodEnd, "local", now)
            else if (t.exhaustedWindow === w.kind && t.exhaustedSource === "local") t.exhaustedUntil = 0
            if (opts.used < w.softLimit && t.softUntil > now) t.softUntil = 0
          }
          return yield* flush
        })
      )

    // ---- status ----
    const status: Service["status"] = Effect.withFiber((fiber) =>
      Effect.gen(function*() {
        const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
        for (const t of tiers) refresh(t, now)
        // one read per tier: a tier's keys share a Redis Cluster hash slot, different tiers may not
        const perTier = yield* Effect.forEach(tiers, (t) =>
          withStore(now, () => store.get(t.slots, now), () => memory.get(t.slots, now)))
        const values = perTier.flat()
        let offset = 0
        for (const t of tiers) {
          for (const w of t.windows) {
            const value = values[offset++]!
            if (w.kind === "second") {
              w.value = value
              w.observedAt = now
            } else observe(t, w, value, now)
          }
        }
        const below = (t: TierState, soft: boolean) =>
          t.exhaustedUntil <= now && (!soft || t.softUntil <= now) &&
          t.windows.every((w) =>
            w.kind === "second" || w.value < (soft ? w.softLimit : w.limit)
          )
        const next = tiers.find((t) => below(t, true)) ?? tiers.find((t) => below(t, false))
        const tierStatus = tiers.map((t): TierStatus => {
          const windows = t.windows.map((w): WindowStatus => {
            const used = usedOf(w, w.value, now)
            return {
              window: w.kind,
              used,
              limit: w.limit,
              remaining: Math.max(0, w.limit - used),
              resetsAt: resetOf(w, w.value, now),
              ratePerSecond: w.kind === "second" ? 0 : rateOf(w, now) * SECOND,
              forecast: forecastOf(w, now),
              forecastBasis: w.kind === "second" ? undefined : basisOf(w),
              thresholdsCrossed: w.kind === "second" ? [] : thresholds.filter((x) => used >= x * w.limit)
            }
          })
          const exhaustedByCount = t.windows.find((w) => w.kind !== "second" && w.value >= w.limit)
          const exhausted = t.exhaustedUntil > now || exhaustedByCount !== undefined
          return {
            name: t.tier.name,
            endpoint: t.tier.endpoint,
            active: next === t,
            held: t.holdUntil > now,
            heldUntil: t.holdUntil > now ? t.holdUntil : undefined,
            exhausted,
            exhaustedUntil: t.exhaustedUntil > now ? t.exhaustedUntil : exhaustedByCount?.periodEnd,
            exhaustedWindow: t.exhaustedUntil > now ? t.exhaustedWindow : exhaustedByCount?.kind,
            switchedAway: t.softUntil > now || t.windows.some((w) => w.softLimit < w.limit && w.value >= w.softLimit),
            windows
          }
        })
        yield* flush
        return {
          at: now,
          active: next?.tier.name,
          store: store.name,
          storeMode: fallback === undefined ? "primary" : "fallback",
          tiers: tierStatus
        } satisfies QuotaStatus
      })
    )

    return {
      acquire,
      report,
      setUsage,
      status,
      events: Stream.fromPubSub(pubsub)
    } satisfies Service
  })
