/**
 * The query parameters of Entity Search (`GET /v7.0/entities`, "Entity Search API v7 query
 * parameters" in Microsoft's bing-docs), declared once as a codec from the query string to typed
 * parameters ({@link EntitySearchParamsFromQuery}), and what is derived from it: a check of typed
 * input for the client, a reader of raw query strings for the emulator, and a writer back to a
 * query string. Failures are exactly Bing's: `InvalidRequest` with sub-code `ParameterMissing` or
 * `ParameterInvalidValue`, the offending `parameter` and `value`, status 400, for the first
 * parameter at fault in field order.
 *
 * `mkt` is optional. The 2017 Cognitive Services reference marked it required; the reference of
 * api.bing.microsoft.com (2020 and its 2023 revision) marks it "No", and the how-to says "the only
 * query parameter that you must pass is the q parameter": the later documentation is followed.
 * `cc` and `mkt` may be sent together (`mkt` wins), as issue 16 decides for every endpoint.
 *
 * @since 0.6.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch } from "./WebSearchParams.js"

/**
 * The answers `responseFilter` accepts (each may be prefixed with `-` to exclude it).
 *
 * @since 0.6.0
 * @category constants
 */
export const FilterAnswer = Schema.Literals(["Entities", "Places"])

/**
 * @since 0.6.0
 * @category models
 */
export type FilterAnswer = typeof FilterAnswer.Type

/**
 * An answer name, or `-` and an answer name to exclude it.
 *
 * @since 0.6.0
 * @category models
 */
export type ResponseFilterItem = FilterAnswer | `-${FilterAnswer}`

/**
 * `responseFormat` values (case-insensitive; default `JSON`). Microsoft's SDK spells them `Json`
 * and `JsonLd`, which read as these.
 *
 * @since 0.6.0
 * @category constants
 */
export const ResponseFormat = Schema.Literals(["JSON", "JSONLD"])

/**
 * @since 0.6.0
 * @category models
 */
export type ResponseFormat = typeof ResponseFormat.Type

/** Include-list or exclude-list, never both (as Web Search's `responseFilter`). */
const ResponseFilter = P.FilterList(
  FilterAnswer.literals,
  "Entities or Places, all included or all excluded with a leading -"
)

/**
 * The Entity Search parameters as a codec from their query-string form to their typed form:
 * `q` required and not blank, the rest optional, enums in any case.
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntitySearchParamsFromQuery = Schema.Struct({
  q: P.NonBlank,
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  responseFilter: Schema.optionalKey(ResponseFilter),
  responseFormat: Schema.optionalKey(P.Enum(ResponseFormat.literals)),
  safeSearch: Schema.optionalKey(P.Enum(SafeSearch.literals)),
  setLang: Schema.optionalKey(P.NonBlank)
})

/**
 * Schema of the Entity Search parameters (typed form).
 *
 * @since 0.6.0
 * @category schemas
 */
export const EntitySearchParams = Schema.toType(EntitySearchParamsFromQuery)

/**
 * The Entity Search parameters.
 *
 * @since 0.6.0
 * @category models
 */
export interface EntitySearchParams extends Schema.Schema.Type<typeof EntitySearchParamsFromQuery> {}

const codec = P.make<EntitySearchParams, typeof EntitySearchParamsFromQuery.Encoded>(EntitySearchParamsFromQuery)

/** The documented spelling of each parameter, by its lower-case name. */
const canonical = new Map(Object.keys(EntitySearchParamsFromQuery.fields).map((name) => [name.toLowerCase(), name]))

/**
 * The parameters of a request with their names in the documented spelling. Microsoft's Entity
 * Search SDK sends `ResponseFilter`, `ResponseFormat`, `SafeSearch` and `SetLang` (its swagger's
 * names), which Bing evidently read, so names are taken in any case (an assumption, the one Spell
 * Check makes for the same reason). Of a repeated parameter the first value counts.
 *
 * @since 0.6.0
 * @category decoding
 */
export const normalize = (query: URLSearchParams): URLSearchParams => {
  const out = new URLSearchParams()
  for (const [name, value] of query) out.append(canonical.get(name.toLowerCase()) ?? name, value)
  return out
}

/**
 * Checks typed Entity Search parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { EntitySearchParams } from "@bing-effect/schema"
 * EntitySearchParams.validate({ q: "mount rainier", responseFilter: ["Entities", "-Places"] })
 * // Failure(InvalidRequest { subCode: "ParameterInvalidValue", parameter: "responseFilter", value: "Entities,-Places" })
 *
 * @since 0.6.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<EntitySearchParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw Entity Search query parameters as Bing does (the emulator's side): names and enum
 * values in any case (see {@link normalize}), unknown parameters ignored, the first value of a
 * repeated one.
 *
 * @since 0.6.0
 * @category decoding
 */
export const fromQuery = (query: URLSearchParams): Result.Result<EntitySearchParams, BingError.InvalidRequest> =>
  codec.fromQuery(normalize(query))

/**
 * Writes Entity Search parameters as a query string, in field order.
 *
 * @since 0.6.0
 * @category encoding
 */
export const toQuery: (params: EntitySearchParams) => URLSearchParams = codec.toQuery
