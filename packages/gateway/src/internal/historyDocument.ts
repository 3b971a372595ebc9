/**
 * The document of `GET /_gateway/history` (and of each `history` event of its stream): per tier
 * and window of the chain, and per tenant, where the window stands with its samples over time;
 * the quota events, newest first; the spend. Instants are epoch ms.
 *
 * Built field by field, never by spreading a snapshot or a tier: a tier carries its `Redacted`
 * key (and its endpoint may hold credentials), so only the fields named here can reach a caller.
 */
import type { QuotaTracker, Spend, Tier } from "@bing-effect/quota-tracker"
import type { HistoryEvent } from "./historyStore.js"

export interface HistoryWindow {
  readonly window: string
  readonly limit: number
  readonly used: number
  readonly resetsAtMs: number
  readonly periodStartMs: number
  readonly thresholds: ReadonlyArray<number>
  readonly switchAt: number | null
  readonly forecastMs: number | null
  /** `[epochMs, used]`, oldest first. */
  readonly samples: ReadonlyArray<readonly [number, number]>
}

export interface HistoryPrice {
  readonly perThousand: number
  readonly currency: string
  readonly confidence: Tier.PriceConfidence
}

export interface HistoryTier {
  readonly name: string
  readonly active: boolean
  readonly price: HistoryPrice | null
  readonly windows: ReadonlyArray<HistoryWindow>
}

export interface HistoryTenant {
  readonly name: string
  readonly windows: ReadonlyArray<HistoryWindow>
}

export interface SpendDocument {
  readonly currency: string
  readonly tiers: ReadonlyArray<{
    readonly name: string
    readonly day: { readonly soFar: number | null; readonly projected: number | null }
    readonly month: { readonly soFar: number | null; readonly projected: number | null }
  }>
  readonly fromSwitching: { readonly day: number | null; readonly month: number | null }
}

export interface HistoryDocument {
  readonly at: number
  readonly sampleIntervalMs: number
  /** Where the samples come from; `available: false` while that store does not answer (live values only). */
  readonly historyStore: { readonly name: string; readonly available: boolean }
  readonly tiers: ReadonlyArray<HistoryTier>
  readonly tenants: ReadonlyArray<HistoryTenant>
  readonly events: ReadonlyArray<HistoryEvent>
  readonly spend: SpendDocument
}

type Samples = (
  scope: "tier" | "tenant",
  name: string,
  window: string
) => ReadonlyArray<readonly [number, number]>

const priceOf = (tier: Tier.Tier | undefined): HistoryPrice | null =>
  tier?.price === undefined
    ? null
    : { perThousand: tier.price.perThousand, currency: tier.price.currency, confidence: tier.price.confidence }

export const spendDocument = (spend: Spend.Spend): SpendDocument => ({
  currency: spend.currency,
  tiers: spend.tiers.map((t) => ({
    name: t.name,
    day: { soFar: t.day.soFar, projected: t.day.projected },
    month: { soFar: t.month.soFar, projected: t.month.projected }
  })),
  fromSwitching: { day: spend.fromSwitching.day, month: spend.fromSwitching.month }
})

const eventDocument = (e: HistoryEvent): HistoryEvent => {
  const out: { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] } = { atMs: e.atMs, kind: e.kind }
  if (typeof e.tier === "string") out.tier = e.tier
  if (typeof e.from === "string") out.from = e.from
  if (typeof e.to === "string") out.to = e.to
  if (typeof e.reason === "string") out.reason = e.reason
  if (typeof e.window === "string") out.window = e.window
  if (typeof e.threshold === "number") out.threshold = e.threshold
  if (typeof e.untilMs === "number") out.untilMs = e.untilMs
  if (typeof e.store === "string") out.store = e.store
  if (typeof e.message === "string") out.message = e.message
  return out
}

export const documentOf = (input: {
  readonly status: QuotaTracker.QuotaStatus
  readonly tenants: ReadonlyArray<{ readonly name: string; readonly status: QuotaTracker.QuotaStatus | undefined }>
  readonly tiers: ReadonlyArray<Tier.Tier>
  readonly samples: Samples
  readonly periodStart: (kind: "second" | "day" | "month") => number
  readonly thresholds: ReadonlyArray<number>
  readonly switchAt: number
  readonly events: ReadonlyArray<HistoryEvent>
  readonly spend: Spend.Spend
  readonly sampleIntervalMs: number
  readonly store: { readonly name: string; readonly available: boolean }
}): HistoryDocument => {
  const last = input.status.tiers.length - 1
  const windowOf = (
    scope: "tier" | "tenant",
    name: string,
    w: QuotaTracker.WindowStatus,
    chain: { readonly index: number } | undefined
  ): HistoryWindow => ({
    window: w.window,
    limit: w.limit,
    used: w.used,
    resetsAtMs: w.resetsAt,
    periodStartMs: input.periodStart(w.window),
    thresholds: chain !== undefined && w.window !== "second" ? [...input.thresholds] : [],
    // the chain moves on at switchAt from every tier but the last
    switchAt: chain !== undefined && w.window !== "second" && chain.index < last ? input.switchAt : null,
    forecastMs: w.forecast ?? null,
    samples: input.samples(scope, name, w.window).map(([at, used]) => [at, used] as const)
  })
  return {
    at: input.status.at,
    sampleIntervalMs: input.sampleIntervalMs,
    historyStore: { name: input.store.name, available: input.store.available },
    tiers: input.status.tiers.map((t, index) => ({
      name: t.name,
      active: t.active,
      price: priceOf(input.tiers.find((tier) => tier.name === t.name)),
      windows: t.windows.map((w) => windowOf("tier", t.name, w, { index }))
    })),
    tenants: input.tenants.map(({ name, status }) => ({
      name,
      windows: (status?.tiers[0]?.windows ?? []).map((w) => windowOf("tenant", name, w, undefined))
    })),
    events: [...input.events].sort((a, b) => b.atMs - a.atMs).map(eventDocument),
    spend: spendDocument(input.spend)
  }
}
