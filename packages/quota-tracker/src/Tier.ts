/**
 * A tier: one Bing subscription key with its limits.
 *
 * A tier names a subscription (for example `"S15"`), carries its key as a
 * `Redacted` value so it never shows up in logs or errors, may point at its own
 * endpoint, and states its limits per second, per day and per month (each
 * optional). A quota tracker works through an ordered chain of tiers.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import type { WindowKind } from "./Window.js"

/**
 * Limits of a tier. Each is optional: a missing limit is not enforced.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  readonly perSecond?: number | undefined
  readonly perDay?: number | undefined
  readonly perMonth?: number | undefined
}

/**
 * Where a tier's price comes from: the catalogue's confidence (`"documented"`, `"secondary"`,
 * `"unconfirmed"`, see `TierCatalog`) or `"configured"` (given by you: your contract's price).
 *
 * @since 0.4.0
 * @category models
 */
export type PriceConfidence = "documented" | "secondary" | "unconfirmed" | "configured"

/**
 * What 1,000 transactions of a tier cost, in `currency` (an ISO 4217 code such as `"USD"`).
 * `version` names the catalogue's price table it comes from (absent for a configured price).
 *
 * @since 0.4.0
 * @category models
 */
export interface Price {
  readonly perThousand: number
  readonly currency: string
  readonly confidence: PriceConfidence
  readonly version?: string | undefined
}

/**
 * A subscription tier with its key, optional endpoint, limits and price.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tier {
  readonly name: string
  readonly key: Redacted.Redacted<string>
  readonly endpoint?: string | undefined
  readonly limits: Limits
  /** What it costs (spend figures); absent when unknown. Never enforced. */
  readonly price?: Price | undefined
}

/**
 * Builds a tier.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Tier } from "@bing-effect/quota-tracker"
 *
 * const s15 = Tier.make({
 *   name: "S15",
 *   key: Redacted.make(process.env.BING_KEY_S15 ?? ""),
 *   limits: { perSecond: 250, perDay: 1_000_000 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly name: string
  readonly key: Redacted.Redacted<string>
  readonly endpoint?: string | undefined
  readonly limits?: Limits | undefined
  readonly price?: Price | undefined
}): Tier => ({
  name: options.name,
  key: options.key,
  endpoint: options.endpoint,
  limits: { ...options.limits },
  ...(options.price === undefined ? {} : { price: { ...options.price } })
})

/**
 * The limit of one window of a tier, or `undefined` when it has none.
 *
 * @since 0.1.0
 * @category getters
 */
export const limitOf = (tier: Tier, window: WindowKind): number | undefined =>
  window === "second" ? tier.limits.perSecond : window === "day" ? tier.limits.perDay : tier.limits.perMonth

/**
 * The problem with a tier's definition, or `undefined` when it is valid: a
 * non-empty name without `{`, `}` or spaces, a `Redacted` key that is not empty
 * or only whitespace (Bing would get an empty `Ocp-Apim-Subscription-Key`
 * header), limits that are positive integers, and a price (when given) that is a finite
 * non-negative number in a three-letter currency. The message never contains
 * the key.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (tier: Tier): string | undefined => {
  if (typeof tier.name !== "string" || tier.name.length === 0) return "a tier needs a non-empty name"
  if (/[{}\s]/.test(tier.name)) return `tier name ${JSON.stringify(tier.name)} must not contain braces or spaces`
  if (!Redacted.isRedacted(tier.key)) return `tier ${tier.name}: the key must be a Redacted string`
  const key: unknown = Redacted.value(tier.key)
  if (typeof key !== "string") return `tier ${tier.name}: the key must be a Redacted string`
  if (key.trim().length === 0) return `tier ${tier.name}: the subscription key is empty`
  for (const [field, value] of Object.entries(tier.limits)) {
    if (value === undefined) continue
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      return `tier ${tier.name}: limits.${field} must be a positive integer, got ${String(value)}`
    }
  }
  if (tier.price !== undefined) return priceProblem(tier.name, tier.price)
  return undefined
}

const priceConfidences: ReadonlyArray<string> = ["documented", "secondary", "unconfirmed", "configured"]

const priceProblem = (name: string, price: Price): string | undefined => {
  if (typeof price.perThousand !== "number" || !Number.isFinite(price.perThousand) || price.perThousand < 0) {
    return `tier ${name}: price.perThousand must be a finite number >= 0, got ${String(price.perThousand)}`
  }
  if (typeof price.currency !== "string" || !/^[A-Z]{3}$/.test(price.currency)) {
    return `tier ${name}: price.currency must be a three-letter ISO 4217 code such as "USD"`
  }
  if (!priceConfidences.includes(price.confidence)) {
    return `tier ${name}: price.confidence must be one of ${priceConfidences.join(", ")}`
  }
  return undefined
}
