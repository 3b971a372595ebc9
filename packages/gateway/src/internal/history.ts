/**
 * The gateway's history: a fiber in the gateway's scope samples every tier's and tenant's windows
 * every `sampleInterval` (on Effect's `Clock`, so a `TestClock` drives it) and writes the samples,
 * the quota events seen since the last write and the requests served per uncounted tier and period
 * to the history store (`historyStore.ts`: memory, or the quota store's SQLite file or Redis, then
 * shared by every replica). The history document (`GET /_gateway/history`) and the spend of the
 * status document are read back from it.
 *
 * Each window keeps two series: `fine`, one sample per interval for the last `fineSamples`
 * intervals (the live view), and `coarse` for day and month windows, one sample per slot of
 * `2 x period / maxSamples` over the current and the previous period. A document's window holds
 * the coarse samples older than the first fine one, then the fine ones: at most
 * `fineSamples + maxSamples` pairs per window, whatever the traffic.
 *
 * What a write cannot deliver (the store is down) waits for the next one: events and served counts
 * are kept in memory, bounded (`maxEvents` events).
 */
import { type QuotaEvent, type QuotaTracker, Spend, type Tier, Window } from "@bing-effect/quota-tracker"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as HistoryDocument from "./historyDocument.js"
import { documentOf } from "./historyDocument.js"
import type { HistoryEvent, HistoryStore, SampleWrite, SeriesKey, ServedDelta } from "./historyStore.js"
import type { RequestRecord } from "./observe.js"

/** How often, how much. */
export interface Settings {
  /** Between two samples (ms). Default 10 s. */
  readonly sampleIntervalMs: number
  /** Fine samples kept per window (one per interval). Default 360: an hour at 10 s. */
  readonly fineSamples: number
  /** Coarse samples kept per day or month window, over the current and the previous period. Default 720. */
  readonly maxSamples: number
  /** Events kept. Default 200. */
  readonly maxEvents: number
}

export const defaults: Settings = { sampleIntervalMs: 10_000, fineSamples: 360, maxSamples: 720, maxEvents: 200 }

/** The same event seen by several replicas (or twice) within this long is recorded once. */
export const dedupeMs = (settings: Settings): number => Math.max(60_000, 2 * settings.sampleIntervalMs)

export interface HistoryOptions {
  readonly tracker: QuotaTracker.Service
  readonly tiers: ReadonlyArray<Tier.Tier>
  readonly tenants: ReadonlyMap<string, QuotaTracker.Service>
  readonly store: HistoryStore
  readonly calendar: Window.Calendar
  readonly thresholds: ReadonlyArray<number>
  readonly switchAt: number
  readonly settings: Settings
  /** Bound of every status and store call. */
  readonly bound: Duration.Duration
}

export interface History {
  /** Counts a served request toward the spend of a tier the tracker does not count. */
  readonly observe: (record: RequestRecord, now: number) => void
  /** The history document; `undefined` when the tier chain's status did not answer. */
  readonly document: Effect.Effect<HistoryDocument.HistoryDocument | undefined>
  /** The spend at a status snapshot (served counts read from the store, bounded). */
  readonly spend: (status: QuotaTracker.QuotaStatus) => Effect.Effect<Spend.Spend>
  /** One sampling round, as the fiber runs it. */
  readonly sample: Effect.Effect<void>
  /** Completes when the gateway stops: streams end then, before the server drains. */
  readonly stopped: Deferred.Deferred<void>
  readonly settings: Settings
}

const NOMINAL: Record<Window.CalendarKind, number> = { day: 86_400_000, month: 31 * 86_400_000 }

const eventOf = (e: QuotaEvent.QuotaEvent): HistoryEvent | undefined => {
  switch (e._tag) {
    case "ThresholdCrossed":
      return {
        atMs: e.at,
        kind: "threshold",
        tier: e.tier,
        window: e.window,
        threshold: e.threshold,
        message: e.message
      }
    case "TierSwitched":
      return { atMs: e.at, kind: "switch", tier: e.from, from: e.from, to: e.to, reason: e.reason, message: e.message }
    case "TierExhausted":
      return {
        atMs: e.at,
        kind: "exhausted",
        tier: e.tier,
        window: e.window,
        reason: e.source,
        untilMs: e.until,
        message: e.message
      }
    // the store's own detail may name its host: only the store's kind goes out
    case "StoreFallback":
      return {
        atMs: e.at,
        kind: "fallback",
        store: e.store,
        reason: "store-unavailable",
        message: `The ${e.store} quota store failed; counting in memory until it answers again`
      }
    case "StoreRecovered":
      return { atMs: e.at, kind: "recovered", store: e.store, reason: "store-answers", message: e.message }
    case "TierHeld":
      return undefined
  }
}

const identityOf = (e: HistoryEvent): string =>
  [e.kind, e.tier, e.from, e.to, e.reason, e.window, e.threshold, e.store].map((x) => x ?? "").join("|")

export const make = (options: HistoryOptions): Effect.Effect<History, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { bound, calendar, settings, store } = options
    const interval = settings.sampleIntervalMs
    const coarseSlot = (kind: Window.CalendarKind) =>
      Math.max(interval, Math.ceil((2 * NOMINAL[kind]) / settings.maxSamples / interval) * interval)
    const previousStart = (kind: Window.CalendarKind, now: number) =>
      Window.period(kind, Window.periodStart(kind, now, calendar) - 1, calendar).start

    // --- events: followed from the subscription on, kept until written ---
    let pending: Array<HistoryEvent> = []
    const push = (e: HistoryEvent) => {
      pending.push(e)
      if (pending.length > settings.maxEvents) pending = pending.slice(-settings.maxEvents)
    }
    yield* options.tracker.events.pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          const e = eventOf(event)
          if (e !== undefined) push(e)
        })
      ),
      Effect.forkScoped({ startImmediately: true })
    )

    // --- served counts of the (tier, period) pairs the tracker does not count ---
    const uncounted = new Set<string>()
    for (const tier of options.tiers) {
      if (tier.limits.perDay === undefined) uncounted.add(`${tier.name}|day`)
      if (tier.limits.perMonth === undefined) uncounted.add(`${tier.name}|month`)
    }
    let served = new Map<string, ServedDelta>()
    const servedKey = (tier: string, kind: Window.CalendarKind, now: number) =>
      `${tier}|${kind}|${Window.periodStart(kind, now, calendar)}`
    const observe = (record: RequestRecord, now: number) => {
      if (record.outcome !== "served" || record.tier === undefined || record.status < 200 || record.status > 299) return
      for (const kind of ["day", "month"] as const) {
        if (!uncounted.has(`${record.tier}|${kind}`)) continue
        const key = servedKey(record.tier, kind, now)
        const p = Window.period(kind, now, calendar)
        const cell = served.get(key)
        served.set(key, { key, delta: (cell?.delta ?? 0) + 1, expiresAt: p.end + (p.end - p.start) })
      }
    }

    // --- sampling ---
    const statusOf = (tracker: QuotaTracker.Service) =>
      Effect.map(Effect.exit(Effect.timeout(tracker.status, bound)), (exit) =>
        Exit.isSuccess(exit) ? exit.value : undefined)
    const tenantStatuses = Effect.forEach(
      Array.from(options.tenants),
      ([name, tracker]) =>
        Effect.map(statusOf(tracker), (status) => ({ name, status })),
      { concurrency: "unbounded" }
    )

    const writesOf = (
      scope: SeriesKey["scope"],
      name: string,
      windows: ReadonlyArray<QuotaTracker.WindowStatus>,
      now: number
    ): Array<SampleWrite> =>
      windows.flatMap((w) => {
        const fine: SampleWrite = {
          series: { scope, name, window: w.window, grain: "fine" },
          slot: Math.floor(now / interval) * interval,
          at: now,
          used: w.used,
          keepFrom: now - settings.fineSamples * interval,
          maxSamples: settings.fineSamples,
          ttlMs: 2 * settings.fineSamples * interval
        }
        if (w.window === "second") return [fine]
        const slot = coarseSlot(w.window)
        return [fine, {
          series: { scope, name, window: w.window, grain: "coarse" },
          slot: Math.floor(now / slot) * slot,
          at: now,
          used: w.used,
          keepFrom: previousStart(w.window, now),
          maxSamples: settings.maxSamples,
          ttlMs: 2 * NOMINAL[w.window] + slot
        }]
      })

    const sample = Effect.gen(function*() {
      const [tiers, tenants, now] = yield* Effect.all(
        [statusOf(options.tracker), tenantStatuses, Clock.currentTimeMillis],
        { concurrency: "unbounded" }
      )
      const samples: Array<SampleWrite> = []
      for (const t of tiers?.tiers ?? []) samples.push(...writesOf("tier", t.name, t.windows, now))
      for (const { name, status } of tenants) {
        const t = status?.tiers[0]
        if (t !== undefined) samples.push(...writesOf("tenant", name, t.windows, now))
      }
      const events = pending
      pending = []
      const deltas = served
      served = new Map()
      const written = yield* Effect.exit(Effect.timeout(
        store.write({
          samples,
          events: events.map((event) => ({ event, identity: identityOf(event) })),
          served: [...deltas.values()],
          now
        }),
        bound
      ))
      if (Exit.isFailure(written)) {
        // kept for the next write (a write that timed out after reaching the store may count twice)
        pending = [...events, ...pending].slice(-settings.maxEvents)
        for (const d of deltas.values()) {
          const cell = served.get(d.key)
          served.set(d.key, { ...d, delta: d.delta + (cell?.delta ?? 0) })
        }
      }
    })

    yield* sample.pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(interval))),
      Effect.forkScoped({ startImmediately: true })
    )

    // --- reading back ---
    const counted = (values: ReadonlyMap<string, number>, now: number) => (tier: string, kind: Window.CalendarKind) => {
      if (!uncounted.has(`${tier}|${kind}`)) return undefined
      const key = servedKey(tier, kind, now)
      return (values.get(key) ?? 0) + (served.get(key)?.delta ?? 0)
    }
    const servedKeys = (now: number) =>
      [...uncounted].map((pair) => {
        const [tier, kind] = pair.split("|") as [string, Window.CalendarKind]
        return servedKey(tier, kind, now)
      })

    const spendAt = (status: QuotaTracker.QuotaStatus, values: ReadonlyMap<string, number>) =>
      Spend.compute(
        status.at,
        Spend.fromStatus(status, { tiers: options.tiers, calendar, counted: counted(values, status.at) })
      )

    const spend = (status: QuotaTracker.QuotaStatus) =>
      Effect.gen(function*() {
        const keys = servedKeys(status.at)
        const read = yield* Effect.exit(Effect.timeout(store.read({ series: [], served: keys, now: status.at }), bound))
        const values = new Map(Exit.isSuccess(read) ? keys.map((k, i) => [k, read.value.served[i] ?? 0]) : [])
        return spendAt(status, values)
      })

    const document = Effect.gen(function*() {
      const [tiers, tenants] = yield* Effect.all([statusOf(options.tracker), tenantStatuses], {
        concurrency: "unbounded"
      })
      if (tiers === undefined) return undefined
      const now = tiers.at
      const series: Array<{ series: SeriesKey; keepFrom: number }> = []
      const windowsOf = (scope: SeriesKey["scope"], name: string, windows: ReadonlyArray<QuotaTracker.WindowStatus>) =>
        windows.flatMap((w) => {
          const fine = {
            series: { scope, name, window: w.window, grain: "fine" as const },
            keepFrom: now - settings.fineSamples * interval
          }
          return w.window === "second"
            ? [fine]
            : [fine, {
              series: { scope, name, window: w.window, grain: "coarse" as const },
              keepFrom: previousStart(w.window, now)
            }]
        })
      for (const t of tiers.tiers) series.push(...windowsOf("tier", t.name, t.windows))
      for (const { name, status } of tenants) {
        const t = status?.tiers[0]
        if (t !== undefined) series.push(...windowsOf("tenant", name, t.windows))
      }
      const keys = servedKeys(now)
      const read = yield* Effect.exit(Effect.timeout(store.read({ series, served: keys, now }), bound))
      const answer = Exit.isSuccess(read) ? read.value : undefined
      const samples = new Map<string, Array<readonly [number, number]>>()
      series.forEach(({ series: s }, i) => {
        samples.set(`${s.scope}|${s.name}|${s.window}|${s.grain}`, [...(answer?.samples[i] ?? [])])
      })
      const values = new Map(answer === undefined ? [] : keys.map((k, i) => [k, answer.served[i] ?? 0]))
      // the events not written yet are this replica's: shown too, newest first
      const events = [...pending].reverse().concat(answer?.events ?? []).slice(0, settings.maxEvents)
      return documentOf({
        status: tiers,
        tenants,
        tiers: options.tiers,
        samples: (scope, name, window) => {
          const fine = samples.get(`${scope}|${name}|${window}|fine`) ?? []
          const coarse = samples.get(`${scope}|${name}|${window}|coarse`) ?? []
          const first = fine[0]?.[0] ?? Number.POSITIVE_INFINITY
          return [...coarse.filter(([at]) => at < first), ...fine]
        },
        periodStart: (kind) =>
          kind === "second" ? Math.floor(now / 1000) * 1000 : Window.periodStart(kind, now, calendar),
        thresholds: options.thresholds,
        switchAt: options.switchAt,
        events,
        spend: spendAt(tiers, values),
        sampleIntervalMs: interval,
        store: { name: store.name, available: answer !== undefined }
      })
    })

    const stopped = yield* Deferred.make<void>()
    yield* Effect.addFinalizer(() => Deferred.succeed(stopped, undefined))
    return { observe, document, spend, sample, stopped, settings }
  })
