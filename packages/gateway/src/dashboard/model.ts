/**
 * What the dashboard shows, without the DOM: the history document of `GET /_gateway/history`
 * (docs: the dashboard contract), read defensively (a field the page does not know is ignored, a
 * missing one has a default, never a crash), the same document made from `GET /_gateway/status`
 * when the gateway has no history (the page then keeps its own samples, one per poll), and the
 * series of one usage chart. Runs in the browser (bundled into `dashboard.js`) and in the tests.
 */

/** One window of a tier or a tenant. */
export interface HistoryWindow {
  readonly window: string
  readonly limit: number
  readonly used: number
  readonly resetsAtMs: number
  readonly periodStartMs: number | null
  readonly thresholds: ReadonlyArray<number>
  readonly switchAt: number | null
  /** When the window runs out at the current rate; `null` when it lasts until its reset. */
  readonly forecastMs: number | null
  /** `[epochMs, used]`, oldest first. */
  readonly samples: ReadonlyArray<readonly [number, number]>
}

export interface Price {
  readonly perThousand: number
  readonly currency: string
  readonly confidence: string
}

export interface HistoryTier {
  readonly name: string
  readonly active: boolean
  readonly price: Price | null
  readonly windows: ReadonlyArray<HistoryWindow>
}

export interface HistoryTenant {
  readonly name: string
  readonly windows: ReadonlyArray<HistoryWindow>
}

export interface HistoryEvent {
  readonly atMs: number
  readonly kind: string
  readonly tier: string | null
  readonly from: string | null
  readonly to: string | null
  readonly reason: string | null
  readonly window: string | null
  readonly threshold: number | null
  /** The tracker's own sentence about it, when the gateway sends one. */
  readonly message: string | null
}

export interface SpendAmount {
  readonly soFar: number
  readonly projected: number
}

export interface Spend {
  readonly currency: string
  readonly tiers: ReadonlyArray<
    { readonly name: string; readonly day: SpendAmount | null; readonly month: SpendAmount | null }
  >
  readonly fromSwitching: { readonly day: number | null; readonly month: number | null }
}

export interface HistoryDocument {
  readonly at: number
  readonly sampleIntervalMs: number
  /** Where the gateway keeps its samples; `available: false` while that store does not answer. */
  readonly historyStore: { readonly name: string; readonly available: boolean } | null
  readonly tiers: ReadonlyArray<HistoryTier>
  readonly tenants: ReadonlyArray<HistoryTenant>
  /** Oldest first. */
  readonly events: ReadonlyArray<HistoryEvent>
  /** `null` when the gateway has no spend to show (the status-only fallback). */
  readonly spend: Spend | null
}

/** The thresholds of a tracker left at its defaults (the status document does not carry them). */
export const defaultThresholds: ReadonlyArray<number> = [0.8, 0.95]

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const array = (u: unknown): ReadonlyArray<unknown> => (Array.isArray(u) ? u : [])
const num = (u: unknown): number | null => (typeof u === "number" && Number.isFinite(u) ? u : null)
const str = (u: unknown): string | null => (typeof u === "string" ? u : null)

const samplesOf = (u: unknown): Array<readonly [number, number]> =>
  array(u).flatMap((s) => {
    if (!Array.isArray(s)) return []
    const t = num(s[0])
    const v = num(s[1])
    return t === null || v === null ? [] : [[t, v] as const]
  })

const windowOf = (u: unknown): HistoryWindow | undefined => {
  if (!isObject(u)) return undefined
  const window = str(u["window"])
  const limit = num(u["limit"])
  if (window === null || limit === null) return undefined
  const thresholds = array(u["thresholds"]).map(num).filter((n): n is number => n !== null)
  return {
    window,
    limit,
    used: num(u["used"]) ?? 0,
    resetsAtMs: num(u["resetsAtMs"]) ?? 0,
    periodStartMs: num(u["periodStartMs"]),
    thresholds: Array.isArray(u["thresholds"]) ? thresholds : defaultThresholds,
    switchAt: num(u["switchAt"]),
    forecastMs: num(u["forecastMs"]),
    samples: samplesOf(u["samples"])
  }
}

const windowsOf = (u: unknown) => array(u).map(windowOf).filter((w): w is HistoryWindow => w !== undefined)

const priceOf = (u: unknown): Price | null => {
  if (!isObject(u)) return null
  const perThousand = num(u["perThousand"])
  return perThousand === null
    ? null
    : { perThousand, currency: str(u["currency"]) ?? "USD", confidence: str(u["confidence"]) ?? "unconfirmed" }
}

// `soFar: null`: the tier has no price
const amountOf = (u: unknown): SpendAmount | null => {
  if (!isObject(u)) return null
  const soFar = num(u["soFar"])
  return soFar === null ? null : { soFar, projected: num(u["projected"]) ?? soFar }
}

const spendOf = (u: unknown): Spend | null => {
  if (!isObject(u)) return null
  const fromSwitching = isObject(u["fromSwitching"]) ? u["fromSwitching"] : {}
  return {
    currency: str(u["currency"]) ?? "USD",
    tiers: array(u["tiers"]).flatMap((t) => {
      const name = isObject(t) ? str(t["name"]) : null
      return name === null || !isObject(t) ? [] : [{ name, day: amountOf(t["day"]), month: amountOf(t["month"]) }]
    }),
    fromSwitching: { day: num(fromSwitching["day"]), month: num(fromSwitching["month"]) }
  }
}

const eventOf = (u: unknown): HistoryEvent | undefined => {
  if (!isObject(u)) return undefined
  const atMs = num(u["atMs"])
  const kind = str(u["kind"])
  if (atMs === null || kind === null) return undefined
  return {
    atMs,
    kind,
    tier: str(u["tier"]),
    from: str(u["from"]),
    to: str(u["to"]),
    reason: str(u["reason"]),
    window: str(u["window"]),
    threshold: num(u["threshold"]),
    message: str(u["message"])
  }
}

/** The history document, or why it is not one. */
export const parseHistory = (u: unknown): HistoryDocument | string => {
  if (!isObject(u) || !Array.isArray(u["tiers"])) return "the history answer is not a history document"
  const named = (t: unknown) => (isObject(t) ? str(t["name"]) : null)
  return {
    at: num(u["at"]) ?? Date.now(),
    sampleIntervalMs: num(u["sampleIntervalMs"]) ?? 10_000,
    historyStore: isObject(u["historyStore"])
      ? { name: str(u["historyStore"]["name"]) ?? "?", available: u["historyStore"]["available"] !== false }
      : null,
    tiers: u["tiers"].flatMap((t) => {
      const name = named(t)
      return name === null || !isObject(t)
        ? []
        : [{ name, active: t["active"] === true, price: priceOf(t["price"]), windows: windowsOf(t["windows"]) }]
    }),
    tenants: array(u["tenants"]).flatMap((t) => {
      const name = named(t)
      return name === null || !isObject(t) ? [] : [{ name, windows: windowsOf(t["windows"]) }]
    }),
    events: array(u["events"]).map(eventOf).filter((e): e is HistoryEvent => e !== undefined).toSorted((a, b) =>
      a.atMs - b.atMs
    ),
    spend: spendOf(u["spend"])
  }
}

/** The samples the page keeps itself when the gateway has no history: per series, the last `max`. */
export class SampleMemory {
  readonly #series = new Map<string, Array<readonly [number, number]>>()
  constructor(readonly max: number = 1800) {}
  /** Adds `[at, used]` (once per instant) and gives the series, oldest first. */
  add(key: string, at: number, used: number): ReadonlyArray<readonly [number, number]> {
    let series = this.#series.get(key)
    if (series === undefined) this.#series.set(key, series = [])
    const last = series.at(-1)
    if (last === undefined || at > last[0]) series.push([at, used])
    if (series.length > this.max) series.splice(0, series.length - this.max)
    return series
  }
}

/**
 * The history document from a status document (`GET /_gateway/status`): no spend, the default
 * thresholds, no `switchAt` (not in the status), the switches as events, and the samples the page
 * collected itself in `memory`.
 */
export const fromStatus = (u: unknown, memory: SampleMemory): HistoryDocument | string => {
  if (!isObject(u) || !Array.isArray(u["tiers"])) return "the status answer is not a status document"
  const at = num(u["atMs"]) ?? Date.now()
  const windows = (owner: string, w: unknown): ReadonlyArray<HistoryWindow> =>
    windowsOf(array(w).map((x) => (isObject(x) ? { ...x, thresholds: defaultThresholds, samples: [] } : x))).map((
      x
    ) => ({ ...x, samples: memory.add(`${owner}/${x.window}`, at, x.used) }))
  return {
    at,
    sampleIntervalMs: 2_000,
    historyStore: null,
    tiers: u["tiers"].flatMap((t) => {
      const name = isObject(t) ? str(t["name"]) : null
      return name === null || !isObject(t)
        ? []
        : [{ name, active: t["active"] === true, price: null, windows: windows(`tier:${name}`, t["windows"]) }]
    }),
    tenants: array(u["tenants"]).flatMap((t) => {
      const name = isObject(t) ? str(t["name"]) : null
      return name === null || !isObject(t) ? [] : [{ name, windows: windows(`tenant:${name}`, t["windows"]) }]
    }),
    events: array(u["switches"]).flatMap((s) => {
      if (!isObject(s)) return []
      const atMs = num(s["atMs"])
      return atMs === null ? [] : [{
        atMs,
        kind: "switch",
        tier: str(s["to"]),
        from: str(s["from"]),
        to: str(s["to"]),
        reason: str(s["reason"]),
        window: null,
        threshold: null,
        message: str(s["message"])
      }]
    }).toSorted((a, b) => a.atMs - b.atMs),
    spend: null
  }
}

/** A horizontal line of a chart: the limit, a threshold, `switchAt`. */
export interface Level {
  readonly label: string
  readonly kind: "limit" | "threshold" | "switchAt"
  readonly value: number
}

/** The series of one usage chart, x in epoch seconds (uPlot's time scale). */
export interface ChartData {
  readonly xs: ReadonlyArray<number>
  readonly used: ReadonlyArray<number | null>
  readonly forecast: ReadonlyArray<number | null>
  readonly levels: ReadonlyArray<Level>
  /** The resets (the period's start, the next reset) that fall inside the chart's range, in seconds. */
  readonly resets: ReadonlyArray<number>
  /** How many usage points the chart draws. */
  readonly points: number
}

const percent = (f: number) => `${Math.round(f * 1000) / 10}%`

/** The horizontal lines of a window: the limit, its thresholds and (below 1) `switchAt`. */
export const levelsOf = (w: HistoryWindow): ReadonlyArray<Level> => [
  { label: "limit", kind: "limit", value: w.limit },
  ...w.thresholds.filter((t) => t > 0 && t < 1).map((t) => ({
    label: percent(t),
    kind: "threshold" as const,
    value: t * w.limit
  })),
  ...(w.switchAt !== null && w.switchAt < 1
    ? [{ label: `switch at ${percent(w.switchAt)}`, kind: "switchAt" as const, value: w.switchAt * w.limit }]
    : [])
]

/**
 * A window's chart: its samples (and `now`'s usage as the last point), the forecast line from
 * now to exhaustion (cut at the reset), the levels as constant series over the whole range.
 * Samples of the previous period end in a drop to 0 at the period's start (the counts reset
 * there), not in a slope from the last of them to the first of this period.
 */
export const chartData = (w: HistoryWindow, now: number): ChartData => {
  const points = new Map<number, number>()
  for (const [t, v] of w.samples) points.set(t, v)
  const last = Math.max(0, ...points.keys())
  if (now >= last) points.set(now, w.used)
  const start = w.periodStartMs
  const previous = start === null ? [] : [...points].filter(([t]) => t < start).toSorted((a, b) => a[0] - b[0])
  if (start !== null && previous.length > 0 && !points.has(start - 1)) {
    points.set(start - 1, previous.at(-1)![1])
    if (!points.has(start)) points.set(start, 0)
  }
  const forecast = new Map<number, number>()
  if (w.forecastMs !== null && w.forecastMs > now && w.used < w.limit) {
    const end = Math.min(w.forecastMs, w.resetsAtMs > now ? w.resetsAtMs : w.forecastMs)
    forecast.set(now, w.used)
    forecast.set(end, w.used + (w.limit - w.used) * ((end - now) / (w.forecastMs - now)))
  }
  const ms = [...new Set([...points.keys(), ...forecast.keys()])].toSorted((a, b) => a - b)
  const first = ms[0] ?? now
  const lastX = ms.at(-1) ?? now
  const resets = [start, w.resetsAtMs].filter((t): t is number => t !== null && t > first && t <= lastX)
  return {
    xs: ms.map((t) => t / 1000),
    used: ms.map((t) => points.get(t) ?? null),
    forecast: ms.map((t) => forecast.get(t) ?? null),
    levels: levelsOf(w),
    resets: resets.map((t) => t / 1000),
    points: w.samples.length + (now >= last ? 1 : 0)
  }
}

/** `"3 h 12 min"`, `"4 min 5 s"`, `"12 s"`. */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d} d ${h} h`
  if (h > 0) return `${h} h ${m} min`
  if (m > 0) return `${m} min ${s % 60} s`
  return `${s} s`
}

/**
 * One line about an event, for the timeline: the tracker's sentence when there is one (for a
 * switch, after the tiers: "Switched from S15 to S16: " is said once, as "S15 → S16"), else one
 * made of the fields.
 */
export const describeEvent = (e: HistoryEvent): string => {
  const reason = e.reason === null ? "" : `: ${e.reason}`
  if (e.kind === "switch") {
    const why = e.message?.replace(/^Switched from \S+ to \S+: /, "")
    return `Switched ${e.from ?? "?"} → ${e.to ?? "?"}${why === undefined ? reason : `: ${why}`}`
  }
  if (e.message !== null) return e.message
  switch (e.kind) {
    case "threshold":
      return `${e.tier ?? "?"} ${e.window ?? ""} crossed ${
        e.threshold === null ? "a threshold" : percent(e.threshold)
      }${reason}`
    case "exhausted":
      return `${e.tier ?? "?"} exhausted${e.window === null ? "" : ` (${e.window})`}${reason}`
    case "fallback":
      return `Quota store fell back${reason}`
    case "recovered":
      return `Quota store recovered${reason}`
    default:
      return `${e.kind}${e.tier === null ? "" : ` ${e.tier}`}${reason}`
  }
}
