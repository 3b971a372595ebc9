/**
 * The query parameters of Image Insights (`GET /v7.0/images/details`), as Microsoft's bing-docs
 * described them before the page was removed in 2023 ("Removing reference to Image Insights API")
 * and as `@azure/cognitiveservices-imagesearch` still models them (`ImagesDetailsOptionalParams`),
 * declared once as a codec from the query string to typed parameters
 * ({@link ImageInsightsParamsFromQuery}), with what is derived from it: a check of typed input for
 * the client, a reader of raw query strings for the emulator, and a writer back to a query string.
 * Failures are exactly Bing's: `InvalidRequest` with sub-code `ParameterMissing` or
 * `ParameterInvalidValue`, the offending `parameter` and `value`, status 400.
 *
 * @since 0.6.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch } from "./WebSearchParams.js"

/**
 * `modules` values (a comma list, any case). `All` is every module but `RecognizedEntities`, which
 * must be asked for alone.
 *
 * @since 0.6.0
 * @category constants
 */
export const Module = Schema.Literals([
  "All",
  "BRQ",
  "Caption",
  "Collections",
  "Recipes",
  "PagesIncluding",
  "RecognizedEntities",
  "RelatedSearches",
  "ShoppingSources",
  "SimilarImages",
  "SimilarProducts",
  "Tags"
])
/**
 * @since 0.6.0
 * @category models
 */
export type Module = typeof Module.Type

/**
 * `ct` values: the documentation gives an unsigned integer, `0` for a rectangular crop (the
 * default); Microsoft's SDK sends its enum name, `Rectangular`. Both are read.
 *
 * @since 0.6.0
 * @category constants
 */
export const CropType = Schema.Literals(["0", "Rectangular"])
/**
 * @since 0.6.0
 * @category models
 */
export type CropType = typeof CropType.Type

/** A crop coordinate: a fraction of the image's width or height. */
const Fraction = P.Float(0, 1)

/**
 * An image URL: absolute `http(s)`. Assumption: the documentation only says "the URL of an image",
 * of at most 1 MB; anything else cannot be fetched, so it is refused as the parameter's value.
 */
const ImageUrl = P.Text(/^https?:\/\/[^\s/?#]+[^\s]*$/i)

/** One of `insightsToken` or `imgUrl` is needed; neither is reported as `insightsToken` missing. */
const imageNamed = Schema.makeFilter<{ readonly insightsToken?: string; readonly imgUrl?: string }>(
  (p) =>
    p.insightsToken === undefined && p.imgUrl === undefined
      ? { path: ["insightsToken"], issue: new SchemaIssue.MissingKey(undefined) }
      : undefined,
  { expected: "insightsToken or imgUrl" }
)

/** `RecognizedEntities` "must be specified alone" (the documentation's words). */
const entitiesAlone = Schema.makeFilter<{ readonly modules?: ReadonlyArray<Module> }>(
  (p) =>
    p.modules !== undefined && p.modules.length > 1 && p.modules.includes("RecognizedEntities")
      ? { path: ["modules"], issue: "RecognizedEntities must be requested alone" }
      : undefined,
  { expected: "RecognizedEntities alone" }
)

/**
 * The Image Insights parameters as a codec from their query-string form. `insightsToken` (the
 * `imageInsightsToken` of an image from Image Search) or `imgUrl` names the image; `modules` says
 * which insights to return (absent: `All`, an assumption). The crop box `cab`/`cal`/`car`/`cat` is
 * a fraction of the image in `0.0`–`1.0`. `cc` with `mkt` is accepted (`mkt` wins).
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImageInsightsParamsFromQuery = Schema.Struct({
  cab: Schema.optionalKey(Fraction),
  cal: Schema.optionalKey(Fraction),
  car: Schema.optionalKey(Fraction),
  cat: Schema.optionalKey(Fraction),
  ct: Schema.optionalKey(P.Enum(CropType.literals)),
  cc: Schema.optionalKey(P.CountryCode),
  id: Schema.optionalKey(P.NonBlank),
  imgUrl: Schema.optionalKey(ImageUrl),
  insightsToken: Schema.optionalKey(P.NonBlank),
  modules: Schema.optionalKey(P.EnumList(Module.literals)),
  mkt: Schema.optionalKey(P.NonBlank),
  q: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(P.Enum(SafeSearch.literals)),
  setLang: Schema.optionalKey(P.NonBlank)
}).check(imageNamed, entitiesAlone)

/**
 * Schema of the Image Insights parameters (typed form).
 *
 * @since 0.6.0
 * @category schemas
 */
export const ImageInsightsParams = Schema.toType(ImageInsightsParamsFromQuery)

/**
 * The Image Insights parameters.
 *
 * @since 0.6.0
 * @category models
 */
export interface ImageInsightsParams extends Schema.Schema.Type<typeof ImageInsightsParamsFromQuery> {}

const codec = P.make<ImageInsightsParams, typeof ImageInsightsParamsFromQuery.Encoded>(ImageInsightsParamsFromQuery)

/**
 * Checks typed Image Insights parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { ImageInsightsParams } from "@bing-effect/schema"
 * ImageInsightsParams.validate({ modules: ["Caption"] })
 * // Failure(InvalidRequest { subCode: "ParameterMissing", parameter: "insightsToken" })
 *
 * @since 0.6.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<ImageInsightsParams, BingError.InvalidRequest> = codec.validate

/**
 * Reads raw Image Insights query parameters as Bing does (the emulator's side): enums in any case,
 * unknown parameters ignored, the first value of a repeated one.
 *
 * @since 0.6.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<ImageInsightsParams, BingError.InvalidRequest> =
  codec.fromQuery

/**
 * Writes Image Insights parameters as a query string, in field order.
 *
 * @since 0.6.0
 * @category encoding
 */
export const toQuery: (params: ImageInsightsParams) => URLSearchParams = codec.toQuery
