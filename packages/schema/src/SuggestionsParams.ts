/**
 * The query parameters of Autosuggest (`GET /v7.0/suggestions`), from Bing's
 * `bing-autosuggest/reference/query-parameters.md`, declared once as a codec from the query string
 * to typed parameters ({@link SuggestionsParamsFromQuery}), and what is derived from it: a check of
 * typed input for the client, a reader of raw query strings for the emulator, and a writer back to
 * a query string. Failures are Bing's `InvalidRequest` (status 400) for the first parameter at
 * fault, in documented order.
 *
 * `q` is optional, and may be empty: the reference's table marks it required, but its text says
 * "if this parameter is empty or not specified, the list of suggestions contains trending query
 * strings", and that is what is implemented (an assumption where the two disagree). `cc` and `mkt`
 * may be sent together (`mkt` wins), as issue 16 decides for every endpoint.
 *
 * @since 0.5.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"

/**
 * The Autosuggest parameters as a codec from their query-string form to their typed form.
 *
 * @since 0.5.0
 * @category schemas
 */
export const SuggestionsParamsFromQuery = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  q: Schema.optionalKey(P.Text(/^[\s\S]*$/)),
  setLang: Schema.optionalKey(P.NonBlank)
})

/**
 * Schema of the Autosuggest parameters (typed form).
 *
 * @since 0.5.0
 * @category schemas
 */
export const SuggestionsParams = Schema.toType(SuggestionsParamsFromQuery)

/**
 * The Autosuggest parameters.
 *
 * @since 0.5.0
 * @category models
 */
export interface SuggestionsParams extends Schema.Schema.Type<typeof SuggestionsParamsFromQuery> {}

const codec = P.make<SuggestionsParams, typeof SuggestionsParamsFromQuery.Encoded>(SuggestionsParamsFromQuery)

/**
 * Checks typed Autosuggest parameters (the client's input).
 *
 * @since 0.5.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<SuggestionsParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw Autosuggest query parameters as Bing does (the emulator's side).
 *
 * @since 0.5.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<SuggestionsParams, BingError.InvalidRequest> =
  codec.fromQuery

/**
 * Writes Autosuggest parameters as a query string, in documented order.
 *
 * @since 0.5.0
 * @category encoding
 */
export const toQuery: (params: SuggestionsParams) => URLSearchParams = codec.toQuery
