/**
 * The query parameters of Web Search (`GET /v7.0/search`, "2.1 Web Search" in docs/bing-v7-reference.md), declared
 * once as a codec from the query string to typed parameters ({@link WebSearchParamsFromQuery}), and
 * what is derived from it: a check of typed input for the client, a reader of raw query strings for
 * the emulator, and a writer back to a query string. Failures are exactly Bing's: `InvalidRequest`
 * with sub-code `ParameterMissing` or `ParameterInvalidValue`, the offending `parameter` and
 * `value`, status 400, for the first parameter at fault in documented order.
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

/**
 * An answer name, or `-` and an answer name to exclude it.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseFilterItem = FilterAnswer | `-${FilterAnswer}`

/** Include-list or exclude-list, never both (filter-answers.md). */
const ResponseFilter = P.FilterList(
  FilterAnswer.literals,
  "answer names, all included or all excluded with a leading -"
)

/**
 * `freshness`: `Day`, `Week`, `Month` (case-insensitive), a date `YYYY-MM-DD`, or a range
 * `YYYY-MM-DD..YYYY-MM-DD` whose start is not after its end.
 *
 * @since 0.1.0
 * @category models
 */
export type Freshness = "Day" | "Week" | "Month" | (string & {})

const freshnessPeriod = P.lookupOf(["Day", "Week", "Month"])

const isFreshness = (u: unknown): u is Freshness => {
  if (typeof u !== "string") return false
  if (freshnessPeriod(u) === u) return true
  const parts = u.split("..")
  if (parts.length === 1) return P.isIsoDate(u)
  const [from, to] = parts
  return parts.length === 2 && from !== undefined && to !== undefined && P.isIsoDate(from) && P.isIsoDate(to) &&
    from <= to
}

const FreshnessParam = P.Custom(
  isFreshness,
  { expected: "Day, Week, Month, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD" },
  (raw) => freshnessPeriod(raw) ?? raw
)

/**
 * The most web pages Bing delivers for one request. `count` is an unsigned short: a larger value,
 * up to 65,535, is not an error ("the actual number delivered may be less than requested"), and
 * Bing delivers at most this many; a value past 65,535 is not one of the type and is refused.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxCount = 50

/**
 * The Web Search parameters as a codec from their query-string form (every value a string, as in
 * `URLSearchParams`) to their typed form: enums in any case, comma lists, numbers from digits,
 * `cc` with `mkt` accepted (Bing's documentation says not to send both but documents no error, and
 * Microsoft's own SDK always sends `mkt`; `mkt` wins), `count` up to 65,535 (Bing delivers at most
 * {@link maxCount}). Decoding is the emulator's reading of a request, encoding the client's
 * writing of one; fields are in documented order, which is the order they are checked and written.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WebSearchParamsFromQuery = Schema.Struct({
  q: P.NonBlank,
  answerCount: Schema.optionalKey(P.UInt(0, 4294967295)),
  cc: Schema.optionalKey(P.CountryCode),
  count: Schema.optionalKey(P.UInt(0, 65535)),
  freshness: Schema.optionalKey(FreshnessParam),
  mkt: Schema.optionalKey(P.NonBlank),
  offset: Schema.optionalKey(P.UInt(0, 65535)),
  promote: Schema.optionalKey(P.EnumList(PromoteAnswer.literals)),
  responseFilter: Schema.optionalKey(ResponseFilter),
  safeSearch: Schema.optionalKey(P.Enum(SafeSearch.literals)),
  setLang: Schema.optionalKey(P.NonBlank),
  textDecorations: Schema.optionalKey(P.Bool),
  textFormat: Schema.optionalKey(P.Enum(TextFormat.literals))
})

/**
 * Schema of the Web Search parameters in their typed form (numbers, booleans and arrays, not
 * strings): the type side of {@link WebSearchParamsFromQuery}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchParams = Schema.toType(WebSearchParamsFromQuery)

/**
 * The Web Search parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebSearchParams extends Schema.Schema.Type<typeof WebSearchParamsFromQuery> {}

const codec = P.make<WebSearchParams, typeof WebSearchParamsFromQuery.Encoded>(WebSearchParamsFromQuery)

/**
 * Checks typed parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { WebSearchParams } from "@bing-effect/schema"
 * WebSearchParams.validate({ q: "effect", count: 70000 })
 * // Failure(InvalidRequest { subCode: "ParameterInvalidValue", parameter: "count", value: "70000" })
 *
 * @since 0.1.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<WebSearchParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw query-string parameters as Bing does (the emulator's side): `count=abc` fails with
 * `ParameterInvalidValue` for `count` and value `abc`; a missing or empty `q` with
 * `ParameterMissing` for `q`. Enum values are read case-insensitively; unknown parameters are
 * ignored; of a repeated parameter the first value counts.
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
