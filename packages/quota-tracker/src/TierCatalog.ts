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
  /** Price in USD per 1,000 transactions, when known: the current {@link priceTable}'s. */
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
 * One version of Bing's published prices: USD per 1,000 transactions per tier, each with its
 * confidence (`value: undefined` when nothing is known). `version` is the date the prices took
 * effect; a new table is added (never an old one edited) when prices change.
 *
 * @since 0.4.0
 * @category models
 */
export interface PriceTable {
  readonly version: string
  /** First day (UTC) the prices applied; the table before it applied until then. */
  readonly effectiveFrom: string
  readonly currency: "USD"
  readonly prices: { readonly [K in TierName]: Value }
  readonly source: string
}

/**
 * Every price table, newest first. The 2023-05-01 table is the last Bing published before the
 * API was retired (2025-08-11): S1's and S2's prices are reported by the press (`secondary`), S9's
 * by a Microsoft docs issue; S3-S8 come from a non-authoritative table and S15's $28 / S16's $200
 * from a press quote whose mapping to the tier names is not confirmed (`unconfirmed`); S17 and
 * S18 have no known price (`value: undefined`, `unconfirmed`). Override with your contract's
 * prices (`price` in the tiers file, `TierCatalog.tier(name, { price })`).
 *
 * @since 0.4.0
 * @category catalogue
 */
export const priceTables: ReadonlyArray<PriceTable> = [
  {
    version: "2023-05-01",
    effectiveFrom: "2023-05-01",
    currency: "USD",
    prices: {
      F1: v(0, "secondary"),
      S1: v(25, "secondary"),
      S2: v(15, "secondary"),
      S3: v(18, "unconfirmed"),
      S4: v(18, "unconfirmed"),
      S5: v(18, "unconfirmed"),
      S6: v(15, "unconfirmed"),
      S7: v(20, "unconfirmed"),
      S8: v(22, "unconfirmed"),
      S9: v(15, "secondary"),
      S15: v(28, "unconfirmed"),
      S16: v(200, "unconfirmed"),
      S17: none,
      S18: none
    },
    source: "press reports of the 2023-05-01 prices (S1 $25, S2 $15), MicrosoftDocs/bing-docs issue #214 (S9 $15), " +
      "a TechMonitor quote (\"$28 per 1,000 transactions for under a million requests per day, rising to $200\"), " +
      "and a secondary, AI-compiled table (S3-S8)"
  },
  {
    version: "before-2023-05-01",
    effectiveFrom: "2020-10-30",
    currency: "USD",
    prices: {
      F1: v(0, "secondary"),
      S1: v(7, "secondary"),
      S2: v(3, "secondary"),
      S3: none,
      S4: none,
      S5: none,
      S6: none,
      S7: none,
      S8: none,
      S9: none,
      S15: none,
      S16: none,
      S17: none,
      S18: none
    },
    source: "press reports of the 2023 price change (\"$7 previously, or $25 under the new pricing\"; S2 was $3)"
  }
]

/**
 * The current price table (`priceTables[0]`).
 *
 * @since 0.4.0
 * @category catalogue
 */
export const priceTable: PriceTable = priceTables[0]!

/**
 * The catalogue's price of a tier as a `Tier.Price`, from the current table or the one whose
 * `version` is given; `undefined` when that table knows no price for it.
 *
 * @example
 * ```ts
 * import { TierCatalog } from "@bing-effect/quota-tracker"
 *
 * TierCatalog.price("S1") // { perThousand: 25, currency: "USD", confidence: "secondary", version: "2023-05-01" }
 * TierCatalog.price("S17") // undefined
 * ```
 *
 * @since 0.4.0
 * @category getters
 */
export const price = (
  name: TierName,
  options: { readonly version?: string | undefined } = {}
): Tier.Price | undefined => {
  const table = options.version === undefined
    ? priceTable
    : priceTables.find((candidate) => candidate.version === options.version)
  const value = table?.prices[name]
  if (table === undefined || value === undefined || value.value === undefined) return undefined
  return { perThousand: value.value, currency: table.currency, confidence: value.confidence, version: table.version }
}

const current = priceTable.prices

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
    pricePer1000: current.F1,
    apis: "all Bing Search APIs",
    source: "pricing page as quoted by third parties (\"Free 3 transactions per second, 1000 per month\")"
  },
  S1: {
    name: "S1",
    perSecond: v(250, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S1,
    apis: "Web, Image, Video, News, Entity",
    source: "price from press reports of the 2023-05-01 prices"
  },
  S2: {
    name: "S2",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S2,
    apis: "Web Search",
    source: "price from press reports of the 2023-05-01 prices"
  },
  S3: {
    name: "S3",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S3,
    apis: "Web, Image",
    source: secondaryTable
  },
  S4: {
    name: "S4",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S4,
    apis: "Web, Video",
    source: secondaryTable
  },
  S5: {
    name: "S5",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S5,
    apis: "Web, News",
    source: secondaryTable
  },
  S6: {
    name: "S6",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S6,
    apis: "Web, Entity",
    source: secondaryTable
  },
  S7: {
    name: "S7",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S7,
    apis: "Web, Image, Video",
    source: secondaryTable
  },
  S8: {
    name: "S8",
    perSecond: v(100, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S8,
    apis: "Web, Image, News, Video",
    source: secondaryTable
  },
  S9: {
    name: "S9",
    perSecond: v(30, "unconfirmed"),
    perDay: none,
    perMonth: none,
    pricePer1000: current.S9,
    apis: "Visual Search",
    source: "MicrosoftDocs/bing-docs issue #214"
  },
  S15: {
    name: "S15",
    perSecond: none,
    perDay: v(1_000_000, "documented"),
    perMonth: none,
    pricePer1000: current.S15,
    apis: "Bing Search APIs with your LLM: Web, Image, News, Video, Entity, Spell Check, Autosuggest",
    source: "docs: S15 users expecting more than 1M queries a day should switch to S16"
  },
  S16: {
    name: "S16",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: current.S16,
    apis: "Bing Search APIs with your LLM (for more than 1M queries a day)",
    source: "docs (next tier after S15); price from press reports"
  },
  S17: {
    name: "S17",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: current.S17,
    apis: "Bing Search APIs with your LLM",
    source: "name only (LLM legal terms)"
  },
  S18: {
    name: "S18",
    perSecond: none,
    perDay: none,
    perMonth: none,
    pricePer1000: current.S18,
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
 * the catalogue does not know stays unset (not enforced) unless you override it;
 * the price is the current price table's (with its confidence) unless you give one.
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
    /** Your price instead of the catalogue's (default: {@link price} of the current table). */
    readonly price?: Tier.Price | undefined
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
    },
    price: options.price ?? price(name)
  })
}
