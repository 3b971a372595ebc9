/**
 * The parameters of Spell Check (`GET` or `POST /v7.0/spellcheck`, "Spell Check API v7 query
 * parameters" in Microsoft's bing-docs), declared once as a codec from the query-string (or form)
 * form to typed parameters ({@link SpellCheckParamsFromQuery}), with what is derived from it: a
 * check of typed input for the client, a reader of raw parameters for the emulator, and a writer
 * back to a query string or form body. Failures are exactly Bing's: `InvalidRequest` with sub-code
 * `ParameterMissing` or `ParameterInvalidValue`, the offending `parameter` and `value`, status 400.
 *
 * @since 0.3.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"

/**
 * `mode` values: `proof` (documents: capitalisation, punctuation, repeated words; en-US, es-ES and
 * pt-BR only) or `spell` (web search: spelling only). The documentation calls them case-sensitive
 * yet gives the default as `Proof`; they are read in any case here (an assumption) and written in
 * lower case, as Microsoft's SDK sends them.
 *
 * @since 0.3.0
 * @category constants
 */
export const Mode = Schema.Literals(["proof", "spell"])
/**
 * @since 0.3.0
 * @category models
 */
export type Mode = typeof Mode.Type

/**
 * `actionType` values: `Edit` (an interactive session) or `Load` (a page load).
 *
 * @since 0.3.0
 * @category constants
 */
export const ActionType = Schema.Literals(["Edit", "Load"])
/**
 * @since 0.3.0
 * @category models
 */
export type ActionType = typeof ActionType.Type

/** Free text (context, ids): anything, the empty string included. */
const AnyText = P.Text(/^/)

/**
 * The Spell Check parameters as a codec from their query-string form. `text` is required and not
 * blank; the ids (`clientMachineName`, `docId`, `sessionId`, `userId`) and `appName` are passed
 * through unchecked. `cc` with `mkt` is accepted (`mkt` wins).
 *
 * @since 0.3.0
 * @category schemas
 */
export const SpellCheckParamsFromQuery = Schema.Struct({
  text: P.NonBlank,
  mode: Schema.optionalKey(P.Enum(Mode.literals)),
  actionType: Schema.optionalKey(P.Enum(ActionType.literals)),
  appName: Schema.optionalKey(AnyText),
  cc: Schema.optionalKey(P.CountryCode),
  clientMachineName: Schema.optionalKey(AnyText),
  docId: Schema.optionalKey(AnyText),
  mkt: Schema.optionalKey(P.NonBlank),
  preContextText: Schema.optionalKey(AnyText),
  postContextText: Schema.optionalKey(AnyText),
  sessionId: Schema.optionalKey(AnyText),
  setLang: Schema.optionalKey(P.NonBlank),
  userId: Schema.optionalKey(AnyText)
})

/**
 * Schema of the Spell Check parameters (typed form).
 *
 * @since 0.3.0
 * @category schemas
 */
export const SpellCheckParams = Schema.toType(SpellCheckParamsFromQuery)

/**
 * The Spell Check parameters.
 *
 * @since 0.3.0
 * @category models
 */
export interface SpellCheckParams extends Schema.Schema.Type<typeof SpellCheckParamsFromQuery> {}

const codec = P.make<SpellCheckParams, typeof SpellCheckParamsFromQuery.Encoded>(SpellCheckParamsFromQuery)

/** The documented spelling of each parameter, by its lower-case name. */
const canonical = new Map(Object.keys(SpellCheckParamsFromQuery.fields).map((name) => [name.toLowerCase(), name]))

/**
 * The parameters of a request with their names in the documented spelling: Microsoft's SDK sends
 * `Text`, `Mode`, `PreContextText`… (which Bing evidently read, so names are taken in any case: an
 * assumption), and a `POST` may carry `text` and the context in its form body. `query` comes first,
 * then `form`; of a repeated parameter the first value counts.
 *
 * @since 0.3.0
 * @category decoding
 */
export const normalize = (query: URLSearchParams, form?: URLSearchParams): URLSearchParams => {
  const out = new URLSearchParams()
  for (const source of form === undefined ? [query] : [query, form]) {
    for (const [name, value] of source) out.append(canonical.get(name.toLowerCase()) ?? name, value)
  }
  return out
}

/**
 * Checks typed Spell Check parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { SpellCheckParams } from "@bing-effect/schema"
 * SpellCheckParams.validate({ text: "Bill Gatas", mode: "Spell" })
 * // Failure(InvalidRequest { subCode: "ParameterInvalidValue", parameter: "mode", value: "Spell" })
 *
 * @since 0.3.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<SpellCheckParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw Spell Check parameters as Bing does (the emulator's side), after {@link normalize}.
 *
 * @since 0.3.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<SpellCheckParams, BingError.InvalidRequest> =
  codec.fromQuery

/**
 * Writes Spell Check parameters as a query string or an `application/x-www-form-urlencoded` body.
 *
 * @since 0.3.0
 * @category encoding
 */
export const toQuery: (params: SpellCheckParams) => URLSearchParams = codec.toQuery
