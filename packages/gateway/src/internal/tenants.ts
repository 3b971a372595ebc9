/**
 * Tenant quotas: one `QuotaTracker` per client with limits, over a single tier named
 * `tenant:<name>` (no clash with the chain's tier names), in the same store as the tiers. A
 * tenant's per-second window never waits: a full one is Bing's 429 at once.
 */
import { QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import type { QuotaError, QuotaStore } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as GatewayConfig from "../GatewayConfig.js"

/** The tier name of a tenant. */
export const tierName = (client: string): string => `tenant:${client}`

const hasLimits = (limits: Tier.Limits): boolean =>
  limits.perSecond !== undefined || limits.perDay !== undefined || limits.perMonth !== undefined

/** A tracker per client that has limits, by client name. */
export const make = (
  clients: ReadonlyArray<GatewayConfig.Client>,
  options: Partial<QuotaTracker.Options> = {}
): Effect.Effect<
  ReadonlyMap<string, QuotaTracker.Service>,
  QuotaError.QuotaError,
  Scope.Scope | QuotaStore.QuotaStore
> =>
  Effect.gen(function*() {
    const out = new Map<string, QuotaTracker.Service>()
    for (const client of clients) {
      if (!hasLimits(client.limits)) continue
      const tracker = yield* QuotaTracker.make({
        thresholds: [],
        waitForSecondWindow: 0,
        ...options,
        // the key never leaves the gateway: the tenant's tier exists only to be counted
        tiers: [Tier.make({ name: tierName(client.name), key: client.key, limits: client.limits })]
      })
      out.set(client.name, tracker)
    }
    return out
  })
