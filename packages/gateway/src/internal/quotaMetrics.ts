/**
 * The quota trackers' state as Prometheus families: per tier and window of the tier chain (used,
 * limit, remaining, reset and forecast instants), per tier (active, exhausted, held), the store's
 * mode and the switches this process saw; the same windows and flags per tenant tracker under a
 * `tenant` label. Pure: `/metrics` takes the snapshots (each bounded in time) and hands them here.
 *
 * Tenants get families of their own rather than a `tenant:<name>` tier in the tier families, so
 * that summing a tier family over `tier` counts Bing's quota and nothing else.
 */
import type { QuotaEvent, QuotaTracker } from "@bing-effect/quota-tracker"
import type { Family, Labels, Sample } from "./prometheus.js"

/** The switch counter's series: how many times this process moved from one tier to another, and why. */
export interface SwitchCount {
  readonly from: string
  readonly to: string
  readonly reason: QuotaEvent.SwitchReason
  readonly count: number
}

/** What a scrape saw; `undefined` status: the store did not answer within the scrape's bound. */
export interface QuotaSnapshot {
  readonly tiers: QuotaTracker.QuotaStatus | undefined
  readonly tenants: ReadonlyArray<{ readonly name: string; readonly status: QuotaTracker.QuotaStatus | undefined }>
  readonly switches: ReadonlyArray<SwitchCount>
}

/** Every family name below, as printed. */
export const names = {
  up: "bing_gateway_quota_up",
  used: "bing_gateway_quota_used",
  limit: "bing_gateway_quota_limit",
  remaining: "bing_gateway_quota_remaining",
  resetsAt: "bing_gateway_quota_reset_timestamp_seconds",
  forecast: "bing_gateway_quota_forecast_timestamp_seconds",
  active: "bing_gateway_quota_tier_active",
  exhausted: "bing_gateway_quota_tier_exhausted",
  held: "bing_gateway_quota_tier_held",
  switches: "bing_gateway_quota_switches_total",
  storeMode: "bing_gateway_quota_store_mode",
  tenantUp: "bing_gateway_tenant_quota_up",
  tenantUsed: "bing_gateway_tenant_quota_used",
  tenantLimit: "bing_gateway_tenant_quota_limit",
  tenantRemaining: "bing_gateway_tenant_quota_remaining",
  tenantResetsAt: "bing_gateway_tenant_quota_reset_timestamp_seconds",
  tenantForecast: "bing_gateway_tenant_quota_forecast_timestamp_seconds",
  tenantExhausted: "bing_gateway_tenant_quota_exhausted",
  tenantHeld: "bing_gateway_tenant_quota_held"
} as const

const flag = (on: boolean): number => (on ? 1 : 0)
// Prometheus timestamps are seconds since the epoch (as `time()` in PromQL), the tracker's are ms.
const seconds = (epochMs: number): number => epochMs / 1000

interface Series {
  readonly used: Array<Sample>
  readonly limit: Array<Sample>
  readonly remaining: Array<Sample>
  readonly resetsAt: Array<Sample>
  readonly forecast: Array<Sample>
  readonly exhausted: Array<Sample>
  readonly held: Array<Sample>
}

const emptySeries = (): Series => ({
  used: [],
  limit: [],
  remaining: [],
  resetsAt: [],
  forecast: [],
  exhausted: [],
  held: []
})

const addTier = (series: Series, labels: Labels, tier: QuotaTracker.TierStatus): void => {
  for (const w of tier.windows) {
    const at: Labels = [...labels, ["window", w.window]]
    series.used.push({ labels: at, value: w.used })
    series.limit.push({ labels: at, value: w.limit })
    series.remaining.push({ labels: at, value: w.remaining })
    series.resetsAt.push({ labels: at, value: seconds(w.resetsAt) })
    // no sample when the window lasts until its reset: a gauge has no "never" value
    if (w.forecast !== undefined) series.forecast.push({ labels: at, value: seconds(w.forecast) })
  }
  series.exhausted.push({ labels, value: flag(tier.exhausted) })
  series.held.push({ labels, value: flag(tier.held) })
}

const gauge = (name: string, help: string, samples: ReadonlyArray<Sample>): Family => ({
  name,
  help,
  type: "gauge",
  samples
})

/** The families of one scrape, tier chain first, then tenants. */
export const families = (snapshot: QuotaSnapshot): ReadonlyArray<Family> => {
  const tiers = emptySeries()
  const active: Array<Sample> = []
  const storeMode: Array<Sample> = []
  const chain = snapshot.tiers
  if (chain !== undefined) {
    for (const tier of chain.tiers) {
      addTier(tiers, [["tier", tier.name]], tier)
      active.push({ labels: [["tier", tier.name]], value: flag(tier.name === chain.active) })
    }
    for (const mode of ["primary", "fallback"] as const) {
      storeMode.push({ labels: [["store", chain.store], ["mode", mode]], value: flag(chain.storeMode === mode) })
    }
  }
  const tenants = emptySeries()
  const tenantUp: Array<Sample> = []
  for (const { name, status } of snapshot.tenants) {
    tenantUp.push({ labels: [["tenant", name]], value: flag(status !== undefined) })
    // a tenant tracker has one tier, `tenant:<name>`: its windows are the tenant's
    const tier = status?.tiers[0]
    if (tier !== undefined) addTier(tenants, [["tenant", name]], tier)
  }
  return [
    gauge(names.up, "1 when the tier chain's quota status answered within the scrape's bound, else 0.", [
      { labels: [], value: flag(chain !== undefined) }
    ]),
    gauge(names.used, "Requests counted in the current period of a tier's window.", tiers.used),
    gauge(names.limit, "The limit of a tier's window.", tiers.limit),
    gauge(names.remaining, "Requests left in the current period of a tier's window.", tiers.remaining),
    gauge(names.resetsAt, "When a tier's window resets (Unix time, seconds).", tiers.resetsAt),
    gauge(
      names.forecast,
      "When a tier's window runs out at the current rate (Unix time, seconds); absent when it lasts until its reset.",
      tiers.forecast
    ),
    gauge(names.active, "1 for the tier the next request will use, else 0 (all 0: every tier is out).", active),
    gauge(names.exhausted, "1 while a tier is exhausted (local count or a server 403), else 0.", tiers.exhausted),
    gauge(names.held, "1 while a tier is held after a 429, else 0.", tiers.held),
    {
      name: names.switches,
      help: "Tier switches seen by this process since it started, by previous tier, next tier and reason.",
      type: "counter",
      samples: snapshot.switches.map((s) => ({
        labels: [["from", s.from], ["to", s.to], ["reason", s.reason]],
        value: s.count
      }))
    },
    gauge(
      names.storeMode,
      "1 for the quota store's current mode: primary, or fallback (counting in memory while the store fails).",
      storeMode
    ),
    gauge(names.tenantUp, "1 when a tenant's quota status answered within the scrape's bound, else 0.", tenantUp),
    gauge(names.tenantUsed, "Requests counted in the current period of a tenant's window.", tenants.used),
    gauge(names.tenantLimit, "The limit of a tenant's window.", tenants.limit),
    gauge(names.tenantRemaining, "Requests left in the current period of a tenant's window.", tenants.remaining),
    gauge(names.tenantResetsAt, "When a tenant's window resets (Unix time, seconds).", tenants.resetsAt),
    gauge(
      names.tenantForecast,
      "When a tenant's window runs out at the current rate (Unix time, seconds); absent when it lasts until its reset.",
      tenants.forecast
    ),
    gauge(names.tenantExhausted, "1 while a tenant's quota is exhausted, else 0.", tenants.exhausted),
    gauge(names.tenantHeld, "1 while a tenant is held after a 429, else 0.", tenants.held)
  ]
}
