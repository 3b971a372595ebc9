/**
 * The tiers file: a JSON document naming the subscription tiers to use, preferred first, with their
 * keys (inline or by environment variable name), optional endpoints and limits. One parser for every
 * program that reads one (the search-cli's `--tiers`, the gateway's `tiers`), so the format and its
 * messages are the same everywhere. Keys are `Redacted` from the moment they are read; no message
 * ever carries a key's value.
 *
 * @since 0.3.0
 */
import * as Data from "effect/Data"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { jsonErrorDetail } from "./internal/jsonError.js"
import * as Tier from "./Tier.js"
import * as TierCatalog from "./TierCatalog.js"

/**
 * A tiers document that cannot be used. `detail` names the entry and the field (`tier S15: "key"
 * must be a non-empty string`), never a key's value; `path` locates the value at fault inside the
 * document (`[0, "limits", "perDay"]`, `[]` for the document itself), for callers that embed the
 * tiers in a larger file.
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidTiersFile extends Data.TaggedError("InvalidTiersFile")<{
  /** Where the document came from, e.g. `--tiers tiers.json`. */
  readonly source: string
  readonly path: ReadonlyArray<string | number>
  readonly detail: string
}> {
  override get message(): string {
    return `${this.source}: ${this.detail}`
  }
}

/**
 * How to read a tiers document.
 *
 * - `source`: where it came from, the prefix of every message.
 * - `env`: where `keyEnv` names are looked up (pass `process.env` explicitly: nothing here reads it).
 * - `checkEndpoint`: what is wrong with a tier's `endpoint`, or `undefined` when it can be used; the
 *   message follows `tier <name>: `. Defaults to {@link checkEndpoint}, a URL-level check; a program
 *   that sends through `@bing-effect/client` passes the client's own rules instead.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  readonly source: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly checkEndpoint?: ((endpoint: string) => string | undefined) | undefined
}

/**
 * The default endpoint check: an absolute `https://` or `http://` URL without credentials, query or
 * fragment (any of them may hold a key). Whether plain HTTP may carry a key is the sender's rule,
 * not the file's. The message never repeats the URL.
 *
 * @since 0.3.0
 * @category guards
 */
export const checkEndpoint = (endpoint: string): string | undefined => {
  if (!URL.canParse(endpoint)) return `"endpoint" is not an absolute URL`
  const url = new URL(endpoint)
  if (url.protocol !== "https:" && url.protocol !== "http:") return `"endpoint" must be an https:// URL`
  if (url.username !== "" || url.password !== "") return `"endpoint" must not carry credentials`
  if (url.search !== "" || url.hash !== "") return `"endpoint" must not carry a query or a fragment`
  return undefined
}

const entryFields = ["name", "key", "keyEnv", "endpoint", "limits", "price"]
const priceFields = ["perThousand", "currency"]
const limitFields = ["perSecond", "perDay", "perMonth"] as const

/**
 * Parses a tiers document from its JSON text. See {@link fromJson} for the format.
 *
 * @example
 * ```ts
 * import { TiersFile } from "@bing-effect/quota-tracker"
 * import { Result } from "effect"
 *
 * const tiers = TiersFile.parse(
 *   `[{ "name": "S15", "keyEnv": "BING_KEY_S15" }, { "name": "S16", "keyEnv": "BING_KEY_S16" }]`,
 *   { source: "tiers.json", env: process.env }
 * )
 * if (Result.isFailure(tiers)) console.error(tiers.failure.message)
 * else console.log(tiers.success.map((tier) => tier.name)) // ["S15", "S16"]
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const parse = (text: string, options: Options): Result.Result<ReadonlyArray<Tier.Tier>, InvalidTiersFile> => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return Result.fail(
      new InvalidTiersFile({ source: options.source, path: [], detail: `is not valid JSON (${jsonErrorDetail(e)})` })
    )
  }
  return fromJson(raw, options)
}

/**
 * Reads a tiers document already parsed from JSON: an array (or `{ "tiers": [...] }`) of
 * `{ "name", "key" | "keyEnv", "endpoint"?, "limits"?: { perSecond?, perDay?, perMonth? }, "price"? }`,
 * preferred first.
 *
 * **Details**
 * - A tier named after a public tier (S15, S16... see `TierCatalog`) starts from the catalogue's
 *   published limits; its `limits` override them. Any other name has exactly the limits given.
 * - `key` wins over `keyEnv`; an environment variable that is unset or empty is an error.
 * - `price` (since 0.4.0): what 1,000 transactions cost, a number (USD) or
 *   `{ "perThousand", "currency"? }` (a three-letter code, default `"USD"`); it replaces the
 *   catalogue's price (whose confidence it then reads `"configured"`). A catalogue tier without it
 *   keeps the catalogue's price; any other tier has none. Priced tiers must share one currency.
 * - Unknown fields, duplicate names, empty lists and limits that are not positive integers are errors.
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromJson = (raw: unknown, options: Options): Result.Result<ReadonlyArray<Tier.Tier>, InvalidTiersFile> => {
  const check = options.checkEndpoint ?? checkEndpoint
  const env = options.env
  const wrapped = !Array.isArray(raw) && typeof raw === "object" && raw !== null &&
    Array.isArray((raw as { tiers?: unknown }).tiers)
  const base: ReadonlyArray<string | number> = wrapped ? ["tiers"] : []
  const bad = (path: ReadonlyArray<string | number>, detail: string) =>
    Result.fail(new InvalidTiersFile({ source: options.source, path: [...base, ...path], detail }))
  const list: ReadonlyArray<unknown> | undefined = Array.isArray(raw)
    ? raw
    : wrapped
    ? (raw as { tiers: Array<unknown> }).tiers
    : undefined
  if (list === undefined) {
    return Result.fail(
      new InvalidTiersFile({
        source: options.source,
        path: [],
        detail:
          `must be a JSON array of tiers, e.g. [{"name":"S15","keyEnv":"BING_KEY_S15","limits":{"perDay":1000000}}]`
      })
    )
  }
  if (list.length === 0) return bad([], "names no tier")
  const tiers: Array<Tier.Tier> = []
  for (const [i, entry] of list.entries()) {
    const where = `tier #${i + 1}`
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return bad([i], `${where} must be an object`)
    }
    const e = entry as Record<string, unknown>
    for (const field of Object.keys(e)) {
      if (!entryFields.includes(field)) return bad([i, field], `${where} has an unknown field ${JSON.stringify(field)}`)
    }
    if (typeof e["name"] !== "string" || e["name"].trim() === "") return bad([i, "name"], `${where} needs a "name"`)
    const name = e["name"]
    let key: string
    if (e["key"] !== undefined) {
      if (typeof e["key"] !== "string" || e["key"] === "") {
        return bad([i, "key"], `tier ${name}: "key" must be a non-empty string`)
      }
      key = e["key"]
    } else if (e["keyEnv"] !== undefined) {
      if (typeof e["keyEnv"] !== "string") {
        return bad([i, "keyEnv"], `tier ${name}: "keyEnv" must name an environment variable`)
      }
      const value = env[e["keyEnv"]]
      if (value === undefined || value === "") {
        return bad([i, "keyEnv"], `tier ${name}: the environment variable ${e["keyEnv"]} is not set`)
      }
      key = value
    } else return bad([i], `tier ${name} needs a "key" or a "keyEnv"`)
    if (e["endpoint"] !== undefined && typeof e["endpoint"] !== "string") {
      return bad([i, "endpoint"], `tier ${name}: "endpoint" must be a string`)
    }
    // checked here, not at the first call through this tier: an unusable one is a configuration error
    const endpointInvalid = typeof e["endpoint"] === "string" ? check(e["endpoint"]) : undefined
    if (endpointInvalid !== undefined) return bad([i, "endpoint"], `tier ${name}: ${endpointInvalid}`)
    const limits: { perSecond?: number; perDay?: number; perMonth?: number } = {}
    if (e["limits"] !== undefined) {
      if (typeof e["limits"] !== "object" || e["limits"] === null) {
        return bad([i, "limits"], `tier ${name}: "limits" must be an object`)
      }
      for (const [field, value] of Object.entries(e["limits"] as Record<string, unknown>)) {
        if (!(limitFields as ReadonlyArray<string>).includes(field)) {
          return bad(
            [i, "limits", field],
            `tier ${name}: unknown limit ${JSON.stringify(field)} (use perSecond, perDay, perMonth)`
          )
        }
        if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
          return bad([i, "limits", field], `tier ${name}: limits.${field} must be a positive integer`)
        }
        limits[field as (typeof limitFields)[number]] = value
      }
    }
    let price: Tier.Price | undefined
    if (e["price"] !== undefined) {
      const given = e["price"]
      const at = [i, "price"]
      const fields = typeof given === "object" && given !== null && !Array.isArray(given)
        ? given as Record<string, unknown>
        : { perThousand: given }
      for (const field of Object.keys(fields)) {
        if (!priceFields.includes(field)) {
          return bad(
            [...at, field],
            `tier ${name}: unknown price field ${JSON.stringify(field)} (use perThousand, currency)`
          )
        }
      }
      const perThousand = fields["perThousand"]
      if (typeof perThousand !== "number" || !Number.isFinite(perThousand) || perThousand < 0) {
        return bad(
          typeof given === "object" && given !== null ? [...at, "perThousand"] : at,
          `tier ${name}: "price" must be a number >= 0 (per 1,000 transactions) or { "perThousand", "currency"? }`
        )
      }
      const currency = fields["currency"] ?? "USD"
      if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
        return bad([...at, "currency"], `tier ${name}: price.currency must be a three-letter code such as "USD"`)
      }
      price = { perThousand, currency, confidence: "configured" }
    }
    const redacted = Redacted.make(key)
    const endpoint = e["endpoint"] as string | undefined
    const tier = TierCatalog.isTierName(name)
      ? TierCatalog.tier(name, { key: redacted, endpoint, overrides: limits, price })
      : Tier.make({ name, key: redacted, endpoint, limits, price })
    const problem = Tier.validate(tier)
    if (problem !== undefined) return bad([i], problem)
    if (tiers.some((t) => t.name === tier.name)) return bad([i, "name"], `tier ${name} appears twice`)
    // spend adds the tiers up: one currency for every priced tier
    const other = tiers.find((t) =>
      t.price !== undefined && tier.price !== undefined && t.price.currency !== tier.price.currency
    )
    if (other !== undefined) {
      return bad(
        [i, "price"],
        `tier ${name}: its price is in ${tier.price!.currency} and tier ${other.name}'s in ${
          other.price!.currency
        }: give every priced tier a "price" in one currency`
      )
    }
    tiers.push(tier)
  }
  return Result.succeed(tiers)
}
