/**
 * The query parameters of Web Search (`GET /v7.0/search`, "2.1 Web Search" in
 * docs/bing-v7-reference.md): a typed
 * schema, a check of typed input for the client, a reader of raw query strings for the emulator,
 * and a writer back to a query string. Failures are exactly Bing's: `InvalidRequest` with sub-code
 * `ParameterMissing` or `ParameterInvalidValue`, the offending `parameter` and `value`, status 400.
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"

/**
 * `safeSearch` values (default `Moderate`).
 *
 * @since 0.1.0
 * @category constants
 */
export const SafeSearch = Schema.Literals(["Off", "Moderate", "Strict"])

/**
 * @since 0.1.0
 * @category models
 */
export type SafeSearch = typeof SafeSearch.Type
const safeSearch = P.Enum(SafeSearch.literals)

/**
 * `textFormat` values (default `Raw`). The SDK's spelling `Html` is read as `HTML`.
 *
 * @since 0.1.0
 * @category constants
 */
export const TextFormat = Schema.Literals(["Raw", "HTML"])

/**
 * @since 0.1.0
 * @category models
 */
export type TextFormat = typeof TextFormat.Type
const textFormat = P.Enum(TextFormat.literals)

/**
 * The answers `promote` accepts.
 *
 * @since 0.1.0
 * @category constants
 */
export const PromoteAnswer = Schema.Literals([
  "Computation",
  "Entities",
  "Images",
  "News",
  "RelatedSearches",
  "SpellSuggestions",
  "TimeZone",
  "Videos",
  "Webpages"
])

/**
 * @since 0.1.0
 * @category models
 */
export type PromoteAnswer = typeof PromoteAnswer.Type

/**
 * The answers `responseFilter` accepts (each may be prefixed with `-` to exclude it).
 *
 * @since 0.1.0
 * @category constants
 */
export const FilterAnswer = Schema.Literals([
  "Computation",
  "Entities",
  "Images",
  "News",
  "Places",
  "RelatedSearches",
  "SpellSuggestions",
  "TimeZone",
  "Translations",
  "Videos",
  "Webpages"
])

/**
 * @since 0.1.0
 * @category models
 */
export type FilterAnswer = typeof FilterAnswer.Type
const filterAnswer = P.Enum(FilterAnswer.literals)

/**
 * An answer name, or `-` and an answer name to exclude it.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseFilterItem = FilterAnswer | `-${FilterAnswer}`

const isFilterItem = (u: unknown): u is ResponseFilterItem =>
  typeof u === "string" && FilterAnswer.literals.includes((u.startsWith("-") ? u.slice(1) : u) as never)

/** Include-list or exclude-list, never both (filter-answers.md). */
const isFilterList = (u: unknown): u is ReadonlyArray<ResponseFilterItem> => {
  if (!Array.isArray(u) || u.length === 0 || !u.every(isFilterItem)) return false
  const excluded = u.filter((x: string) => x.startsWith("-")).length
  return excluded === 0 || excluded === u.length
}

const ResponseFilter = {
  schema: Schema.NonEmptyArray(Schema.String).pipe(
    Schema.check(Schema.makeFilter((u: ReadonlyArray<string>) => isFilterList(u), {
      description: "answer names, all included or all excluded with a leading -"
    }))
  ) as unknown as Schema.Codec<readonly [ResponseFilterItem, ...Array<ResponseFilterItem>]>,
  param: {
    is: (u: unknown): u is readonly [ResponseFilterItem, ...Array<ResponseFilterItem>] => isFilterList(u),
    parse: (raw: string): readonly [ResponseFilterItem, ...Array<ResponseFilterItem>] | undefined => {
      const out: Array<ResponseFilterItem> = []
      for (const item of raw.split(",")) {
        const t = item.trim()
        const neg = t.startsWith("-")
        const name = filterAnswer.lookup(neg ? t.slice(1) : t)
        if (name === undefined) return undefined
        out.push(neg ? `-${name}` : name)
      }
      return isFilterList(out)
        ? (out as unknown as readonly [ResponseFilterItem, ...Array<ResponseFilterItem>])
        : undefined
    },
    show: (a: ReadonlyArray<ResponseFilterItem>) => a.join(",")
  } satisfies P.Param<readonly [ResponseFilterItem, ...Array<ResponseFilterItem>]>
}

/**
 * `freshness`: `Day`, `Week`, `Month` (case-insensitive), a date `YYYY-MM-DD`, or a range
 * `YYYY-MM-DD..YYYY-MM-DD` whose start is not after its end.
 *
 * @since 0.1.0
 * @category models
 */
export type Freshness = "Day" | "Week" | "Month" | (string & {})

const FreshnessPeriod = P.Enum(["Day", "Week", "Month"])

const isFreshness = (u: unknown): u is Freshness => {
  if (typeof u !== "string") return false
  if (FreshnessPeriod.values.includes(u as never)) return true
  const parts = u.split("..")
  if (parts.length === 1) return P.isIsoDate(u)
  const [from, to] = parts
  return parts.length === 2 && from !== undefined && to !== undefined && P.isIsoDate(from) && P.isIsoDate(to) &&
    from <= to
}

const FreshnessParam = {
  schema: Schema.String.pipe(
    Schema.check(
      Schema.makeFilter((s: string) => isFreshness(s), {
        description: "Day, Week, Month, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"
      })
    )
  ) as unknown as Schema.Codec<Freshness>,
  param: {
    is: isFreshness,
    parse: (raw: string): Freshness | undefined => {
      const period = FreshnessPeriod.lookup(raw)
      if (period !== undefined) return period
      return isFreshness(raw) ? raw : undefined
    },
    show: (a: Freshness) => a
  } satisfies P.Param<Freshness>
}

const Count = P.UInt(0, 50)
const Offset = P.UInt(0, 65535)
const AnswerCount = P.UInt(0, 4294967295)
const Promote = P.EnumList(PromoteAnswer.literals)

/**
 * Schema of the Web Search parameters (typed form: numbers, booleans and arrays, not strings).
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchParams = Schema.Struct({
  q: P.NonBlank.schema,
  answerCount: Schema.optionalKey(AnswerCount.schema),
  cc: Schema.optionalKey(P.CountryCode.schema),
  count: Schema.optionalKey(Count.schema),
  freshness: Schema.optionalKey(FreshnessParam.schema),
  mkt: Schema.optionalKey(P.NonBlank.schema),
  offset: Schema.optionalKey(Offset.schema),
  promote: Schema.optionalKey(Promote.schema),
  responseFilter: Schema.optionalKey(ResponseFilter.schema),
  safeSearch: Schema.optionalKey(safeSearch.schema),
  setLang: Schema.optionalKey(P.NonBlank.schema),
  textDecorations: Schema.optionalKey(P.Bool.schema),
  textFormat: Schema.optionalKey(textFormat.schema)
})

/**
 * The Web Search parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebSearchParams extends Schema.Schema.Type<typeof WebSearchParams> {}

const codec = P.make<WebSearchParams>({
  params: {
    q: P.NonBlank.param,
    answerCount: AnswerCount.param,
    cc: P.CountryCode.param,
    count: Count.param,
    freshness: FreshnessParam.param,
    mkt: P.NonBlank.param,
    offset: Offset.param,
    promote: Promote.param,
    responseFilter: ResponseFilter.param,
    safeSearch: safeSearch.param,
    setLang: P.NonBlank.param,
    textDecorations: P.Bool.param,
    textFormat: textFormat.param
  },
  required: ["q"],
  across: (t, raw) => P.exclusive(t as Record<string, unknown>, raw as (name: string) => string, "cc", ["mkt"])
})

/**
 * Checks typed parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { WebSearchParams } from "@bing-effect/schema"
 * WebSearchParams.validate({ q: "effect", count: 60 })
 * // Failure(InvalidRequest { subCode: "ParameterInvalidValue", parameter: "count", value: "60" })
 *
 * @since 0.1.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<WebSearchParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw query-string parameters as Bing does (the emulator's side): `count=abc` fails with
 * `ParameterInvalidValue` for `count` and value `abc`; a missing or empty `q` with
 * `ParameterMissing` for `q`. Enum values are read case-insensitively; unknown parameters are
 * ignored.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<WebSearchParams, BingError.InvalidRequest> =
  codec.fromQuery

/**
 * Writes parameters as a query string, in documented order.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toQuery: (params: WebSearchParams) => URLSearchParams = codec.toQuery
