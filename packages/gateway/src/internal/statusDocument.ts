/**
 * The document of `GET /_gateway/status`: the tier chain's quota status (tiers, windows, used,
 * remaining, resets, forecasts, the active tier), each tenant's, and the last tier switches.
 * Instants appear twice, as ISO 8601 for people and epoch ms for programs.
 *
 * Built field by field from the tracker's snapshots, never by spreading them: a tier carries its
 * `Redacted` key and a spread would put whatever a future snapshot gains into the answer. Only
 * the fields named here can ever reach a caller (endpoints are left out too: a URL may hold
 * credentials in its user-info).
 */
import type { QuotaEvent, QuotaTracker } from "@bing-effect/quota-tracker"
import type { SpendDocument } from "./historyDocument.js"

export interface WindowDocument {
  readonly window: string
  readonly used: number
  readonly limit: number
  readonly remaining: number
  readonly resetsAt: string
  readonly resetsAtMs: number
  readonly ratePerSecond: number
  /** When the window runs out at the current rate; `null` when it lasts until its reset. */
  readonly forecast: string | null
  readonly forecastMs: number | null
  readonly forecastBasis: QuotaTracker.ForecastBasis | null
  readonly thresholdsCrossed: ReadonlyArray<number>
}

export interface TierDocument {
  readonly name: string
  readonly active: boolean
  readonly exhausted: boolean
  readonly exhaustedUntil: string | null
  readonly exhaustedUntilMs: number | null
  readonly exhaustedWindow: string | null
  readonly held: boolean
  readonly heldUntil: string | null
  readonly heldUntilMs: number | null
  readonly switchedAway: boolean
  readonly windows: ReadonlyArray<WindowDocument>
}

export type TenantDocument =
  | {
    readonly name: string
    readonly available: true
    readonly exhausted: boolean
    readonly exhaustedUntil: string | null
    readonly exhaustedUntilMs: number | null
    readonly held: boolean
    readonly heldUntil: string | null
    readonly heldUntilMs: number | null
    readonly windows: ReadonlyArray<WindowDocument>
  }
  /** The tenant's status did not answer in time (same store as the tiers, but asked separately). */
  | { readonly name: string; readonly available: false }

export interface SwitchDocument {
  readonly at: string
  readonly atMs: number
  readonly from: string
  readonly to: string
  readonly reason: QuotaEvent.SwitchReason
  readonly message: string
}

export interface StatusDocument {
  readonly at: string
  readonly atMs: number
  /** The tier the next request will use; `null` when every tier is out. */
  readonly activeTier: string | null
  readonly store: { readonly name: string; readonly mode: "primary" | "fallback" }
  readonly tiers: ReadonlyArray<TierDocument>
  readonly tenants: ReadonlyArray<TenantDocument>
  /** The last switches this process saw, newest first. */
  readonly switches: ReadonlyArray<SwitchDocument>
  /** Spend so far and projected per tier, and the extra cost of switching (see `historyDocument.ts`). */
  readonly spend?: SpendDocument
}

const iso = (epochMs: number): string => new Date(epochMs).toISOString()
const isoOrNull = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : iso(epochMs))

const windowDocument = (w: QuotaTracker.WindowStatus): WindowDocument => ({
  window: w.window,
  used: w.used,
  limit: w.limit,
  remaining: w.remaining,
  resetsAt: iso(w.resetsAt),
  resetsAtMs: w.resetsAt,
  ratePerSecond: w.ratePerSecond,
  forecast: isoOrNull(w.forecast),
  forecastMs: w.forecast ?? null,
  forecastBasis: w.forecastBasis ?? null,
  thresholdsCrossed: [...w.thresholdsCrossed]
})

const tierDocument = (t: QuotaTracker.TierStatus): TierDocument => ({
  name: t.name,
  active: t.active,
  exhausted: t.exhausted,
  exhaustedUntil: isoOrNull(t.exhaustedUntil),
  exhaustedUntilMs: t.exhaustedUntil ?? null,
  exhaustedWindow: t.exhaustedWindow ?? null,
  held: t.held,
  heldUntil: isoOrNull(t.heldUntil),
  heldUntilMs: t.heldUntil ?? null,
  switchedAway: t.switchedAway,
  windows: t.windows.map(windowDocument)
})

const tenantDocument = (name: string, status: QuotaTracker.QuotaStatus | undefined): TenantDocument => {
  // a tenant tracker has one tier, `tenant:<name>`
  const t = status?.tiers[0]
  if (t === undefined) return { name, available: false }
  return {
    name,
    available: true,
    exhausted: t.exhausted,
    exhaustedUntil: isoOrNull(t.exhaustedUntil),
    exhaustedUntilMs: t.exhaustedUntil ?? null,
    held: t.held,
    heldUntil: isoOrNull(t.heldUntil),
    heldUntilMs: t.heldUntil ?? null,
    windows: t.windows.map(windowDocument)
  }
}

const switchDocument = (e: QuotaEvent.TierSwitched): SwitchDocument => ({
  at: iso(e.at),
  atMs: e.at,
  from: e.from,
  to: e.to,
  reason: e.reason,
  message: e.message
})

/** The document from one status snapshot of the tier chain, one per tenant, and the recent switches. */
export const make = (input: {
  readonly tiers: QuotaTracker.QuotaStatus
  readonly tenants: ReadonlyArray<{ readonly name: string; readonly status: QuotaTracker.QuotaStatus | undefined }>
  readonly switches: ReadonlyArray<QuotaEvent.TierSwitched>
  readonly spend?: SpendDocument | undefined
}): StatusDocument => ({
  at: iso(input.tiers.at),
  atMs: input.tiers.at,
  activeTier: input.tiers.active ?? null,
  store: { name: input.tiers.store, mode: input.tiers.storeMode },
  tiers: input.tiers.tiers.map(tierDocument),
  tenants: input.tenants.map(({ name, status }) => tenantDocument(name, status)),
  switches: input.switches.map(switchDocument),
  ...(input.spend === undefined ? {} : { spend: input.spend })
})
