/**
 * The public Bing Search API v7 tiers and their published limits.
 *
 * The official pricing page is gone (the API was retired on 2025-08-11), so
 * each value carries its confidence: `"documented"` (Microsoft's documentation
 * says so), `"secondary"` (quoted by third parties from the pricing page) or
 * `"unconfirmed"` (a best guess, or no value at all). Check your own contract
 * and override whatever differs.
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"
import * as Tier from "./Tier.js"

/**
 * How sure we are of a published value.
 *
 * @since 0.1.0
 * @category models
 */
export type Confidence = "documented" | "secondary" | "unconfirmed"

/**
 * A published value (or `undefined` when nothing is published) with its confidence.
 *
 * @since 0.1.0
 * @category models
 */
export interface Value {
  readonly value: number | undefined
  readonly confidence: Confidence
}

/**
 * A public tier as published.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly name: TierName
  readonly perSecond: Value
  readonly perDay: Value
  readonly perMonth: Value
  /** Price in USD per 1,000 transactions, when known. */
  readonly pricePer1000: Value
  readonly apis: string
  readonly source: string
}

/**
 * Names of the public tiers.
 *
 * @since 0.1.0
 * @category models
 */
export type TierName =
  | "F1"
  | "S1"
  | "S2"
  | "S3"
  | "S4"
  | "S5"
  | "S6"
  | "S7"
  | "S8"
  | "S9"
  | "S15"
  | "S16"
  | "S17"
  | "S18"

const v = (value: number | undefined, confidence: Confidence): Value => ({ value, confidence })
const none = v(undefined, "unconfirmed")

const secondaryTable = "secondary, AI-compiled table (not authoritative)"

/**
 * Every public tier, keyed by name.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const entries: { readonly [K in TierName]: Entry } = {
  F1: {
    name: "F1",
    perSecond: v(3, "secondary"),
    perDay: none,
    perMonth: v(1_000, "secondary"),
    pricePer1000: v(0, "secondary"),
    apis: "all Bing Search APIs",
    source: "pricing page as quoted by third parties (\"Free 3 transactions per second, 1000 per month\")"
  },
  S1: {
    name: "S1",
    perSecond: v(250, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(25, "secondary"),
    apis: "Web, Image, Video, News, Entity",
    source: "price from press reports of the 2023-05-01 prices"
  },
  S2: {
    name: "S2",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(15, "secondary"),
    apis: "Web Search",
    source: "price from press reports of the 2023-05-01 prices"
  },
  S3: {
    name: "S3",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(18, "unconfirmed"),
    apis: "Web, Image",
    source: secondaryTable
  },
  S4: {
    name: "S4",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(18, "unconfirmed"),
    apis: "Web, Video",
    source: secondaryTable
  },
  S5: {
    name: "S5",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(18, "unconfirmed"),
    apis: "Web, News",
    source: secondaryTable
  },
  S6: {
    name: "S6",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(15, "unconfirmed"),
    apis: "Web, Entity",
    source: secondaryTable
  },
  S7: {
    name: "S7",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(20, "unconfirmed"),
    apis: "Web, Image, Video",
    source: secondaryTable
  },
  S8: {
    name: "S8",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(22, "unconfirmed"),
    apis: "Web, Image, News, Video",
    source: secondaryTable
  },
  S9: {
    name: "S9",
    perSecond: v(30, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: v(15, "secondary"),
    apis: "Visual Search",
    source: "MicrosoftDocs/bing-docs issue #214"
  },
  S15: {
    name: "S15",
    perSecond: none,
    perDay: v(1_000_000, "documented"),
    perMonth: none,
    pricePer1000: v(28, "unconfirmed"),
    apis: "Bing Search APIs with your LLM: Web, Image, News, Video, Entity, Spell Check, Autosuggest",
    source: "docs: S15 users expecting more than 1M queries a day should switch to S16"
  },
  S16: {
    name: "S16",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: v(200, "unconfirmed"),
    apis: "Bing Search APIs with your LLM (for more than 1M queries a day)",
    source: "docs (next tier after S15); price from press reports"
  },
  S17: {
    name: "S17",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: none,
    apis: "Bing Search APIs with your LLM",
    source: "name only (LLM legal terms)"
  },
  S18: {
    name: "S18",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: none,
    apis: "Bing Search APIs with your LLM",
    source: "name only (LLM legal terms)"
  }
}

/**
 * The names of every public tier, in catalogue order.
 *
 * @since 0.1.0
 * @category catalogue
 */
export const names: ReadonlyArray<TierName> = Object.keys(entries) as Array<TierName>

/**
 * Whether a string names a public tier.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTierName = (u: unknown): u is TierName => typeof u === "string" && Object.hasOwn(entries, u)

/**
 * A `Tier` built from the catalogue, with your key and any overrides. A value
 * the catalogue does not know stays unset (not enforced) unless you override it.
 * Pass `undefined` in `overrides` to drop a catalogue value.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { TierCatalog } from "@bing-effect/quota-tracker"
 *
 * const s15 = TierCatalog.tier("S15", {
 *   key: Redacted.make(process.env.BING_KEY_S15 ?? ""),
 *   overrides: { perSecond: 250 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tier = (
  name: TierName,
  options: {
    readonly key: Redacted.Redacted<string>
    readonly endpoint?: string | undefined
    readonly overrides?: Tier.Limits | undefined
    /** Name of the resulting tier (default: the catalogue name). */
    readonly name?: string | undefined
  }
): Tier.Tier => {
  const entry = entries[name]
  const overrides = options.overrides ?? {}
  const pick = (field: keyof Tier.Limits, published: Value): number | undefined =>
    Object.hasOwn(overrides, field) ? overrides[field] : published.value
  return Tier.make({
    name: options.name ?? name,
    key: options.key,
    endpoint: options.endpoint,
    limits: {
      perSecond: pick("perSecond", entry.perSecond),
      perDay: pick("perDay", entry.perDay),
      perMonth: pick("perMonth", entry.perMonth)
    }
  })
}
