/**
 * The query parameters of Image Search (`GET /v7.0/images/search`) and Trending Images
 * (`GET /v7.0/images/trending`), "2.2 Image Search" in docs/bing-v7-reference.md, each declared once as a codec from
 * the query string to typed parameters ({@link ImageSearchParamsFromQuery},
 * {@link TrendingImagesParamsFromQuery}), and what is derived from it: a check of typed input for
 * the client, a reader of raw query strings for the emulator, and a writer back to a query string.
 * Failures are exactly Bing's: `InvalidRequest` with sub-code `ParameterMissing` or
 * `ParameterInvalidValue`, the offending `parameter` and `value`, status 400, for the first
 * parameter at fault in documented order.
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch } from "./WebSearchParams.js"

/**
 * `aspect` values (`All` = no filter).
 *
 * @since 0.1.0
 * @category constants
 */
export const Aspect = Schema.Literals(["Square", "Wide", "Tall", "All"])
/**
 * @since 0.1.0
 * @category models
 */
export type Aspect = typeof Aspect.Type

/**
 * `color` values: colour only, monochrome, or a dominant colour.
 *
 * @since 0.1.0
 * @category constants
 */
export const Color = Schema.Literals([
  "ColorOnly",
  "Monochrome",
  "Black",
  "Blue",
  "Brown",
  "Gray",
  "Green",
  "Orange",
  "Pink",
  "Purple",
  "Red",
  "Teal",
  "White",
  "Yellow"
])
/**
 * @since 0.1.0
 * @category models
 */
export type Color = typeof Color.Type

/**
 * `freshness` values for images (no date form is documented for images).
 *
 * @since 0.1.0
 * @category constants
 */
export const Freshness = Schema.Literals(["Day", "Week", "Month"])
/**
 * @since 0.1.0
 * @category models
 */
export type Freshness = typeof Freshness.Type

/**
 * `imageContent` values.
 *
 * @since 0.1.0
 * @category constants
 */
export const ImageContent = Schema.Literals(["Face", "Portrait"])
/**
 * @since 0.1.0
 * @category models
 */
export type ImageContent = typeof ImageContent.Type

/**
 * `imageType` values (`Shopping` is en-US only; `AnimatedGifHttps` is missing from the SDK enum).
 *
 * @since 0.1.0
 * @category constants
 */
export const ImageType = Schema.Literals([
  "AnimatedGif",
  "AnimatedGifHttps",
  "Clipart",
  "Line",
  "Photo",
  "Shopping",
  "Transparent"
])
/**
 * @since 0.1.0
 * @category models
 */
export type ImageType = typeof ImageType.Type

/**
 * `license` values (`All` = no filter).
 *
 * @since 0.1.0
 * @category constants
 */
export const License = Schema.Literals([
  "Any",
  "Public",
  "Share",
  "ShareCommercially",
  "Modify",
  "ModifyCommercially",
  "All"
])
/**
 * @since 0.1.0
 * @category models
 */
export type License = typeof License.Type

/**
 * `size` values: `Small` (< 200x200), `Medium` (200-500), `Large` (>= 500), `Wallpaper`, `All`.
 *
 * @since 0.1.0
 * @category constants
 */
export const Size = Schema.Literals(["Small", "Medium", "Large", "Wallpaper", "All"])
/**
 * @since 0.1.0
 * @category models
 */
export type Size = typeof Size.Type

/**
 * Bing clamps `minFileSize` and `maxFileSize` to this many bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxFileSizeBytes = 520_192

/**
 * The most images Bing delivers for one `/images/search` request. A larger `count` (up to 65,535,
 * its documented type's bound) is not an error: "the actual number delivered may be less than
 * requested", so Bing delivers at most this many.
 *
 * @since 0.4.0
 * @category constants
 */
export const maxCount = 150

const safeSearch = P.Enum(SafeSearch.literals)
const UShort = P.UInt(0, 65535)
const Count = UShort
/** Integer bytes or pixels; values over Bing's cap are accepted (Bing clamps them). */
const NonNegative = P.UInt(0, Number.MAX_SAFE_INTEGER)

/**
 * The Image Search parameters as a codec from their query-string form to their typed form. `height`
 * with `minHeight`/`maxHeight` (and `width` with `minWidth`/`maxWidth`) are exclusive, reported on
 * the first of the pair; a minimum over its maximum is reported on the maximum. `cc` with `mkt` is
 * accepted (Bing's documentation says not to send both but documents no error; `mkt` wins), and so
 * is a `count` over {@link maxCount}. Fields are in documented order, the order they are checked
 * and written.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ImageSearchParamsFromQuery = Schema.Struct({
  q: P.NonBlank,
  cc: Schema.optionalKey(P.CountryCode),
  count: Schema.optionalKey(Count),
  id: Schema.optionalKey(P.NonBlank),
  mkt: Schema.optionalKey(P.NonBlank),
  offset: Schema.optionalKey(UShort),
  safeSearch: Schema.optionalKey(safeSearch),
  setLang: Schema.optionalKey(P.NonBlank),
  aspect: Schema.optionalKey(P.Enum(Aspect.literals)),
  color: Schema.optionalKey(P.Enum(Color.literals)),
  freshness: Schema.optionalKey(P.Enum(Freshness.literals)),
  height: Schema.optionalKey(UShort),
  width: Schema.optionalKey(UShort),
  imageContent: Schema.optionalKey(P.Enum(ImageContent.literals)),
  imageType: Schema.optionalKey(P.Enum(ImageType.literals)),
  license: Schema.optionalKey(P.Enum(License.literals)),
  maxFileSize: Schema.optionalKey(NonNegative),
  minFileSize: Schema.optionalKey(NonNegative),
  maxHeight: Schema.optionalKey(NonNegative),
  minHeight: Schema.optionalKey(NonNegative),
  maxWidth: Schema.optionalKey(NonNegative),
  minWidth: Schema.optionalKey(NonNegative),
  size: Schema.optionalKey(P.Enum(Size.literals))
}).check(
  P.exclusive("height", ["minHeight", "maxHeight"]),
  P.exclusive("width", ["minWidth", "maxWidth"]),
  P.ordered("minHeight", "maxHeight"),
  P.ordered("minWidth", "maxWidth"),
  P.ordered("minFileSize", "maxFileSize")
)

/**
 * Schema of the Image Search parameters (typed form): the type side of
 * {@link ImageSearchParamsFromQuery}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageSearchParams = Schema.toType(ImageSearchParamsFromQuery)

/**
 * The Image Search parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageSearchParams extends Schema.Schema.Type<typeof ImageSearchParamsFromQuery> {}

/**
 * The Trending Images parameters as a codec from their query-string form (no `q`, no paging, no
 * filters: those are ignored, as every unknown parameter is).
 *
 * @since 0.2.0
 * @category schemas
 */
export const TrendingImagesParamsFromQuery = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(safeSearch),
  setLang: Schema.optionalKey(P.NonBlank)
})

/**
 * Schema of the Trending Images parameters (typed form).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TrendingImagesParams = Schema.toType(TrendingImagesParamsFromQuery)

/**
 * The Trending Images parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrendingImagesParams extends Schema.Schema.Type<typeof TrendingImagesParamsFromQuery> {}

const search = P.make<ImageSearchParams, typeof ImageSearchParamsFromQuery.Encoded>(ImageSearchParamsFromQuery)

const trending = P.make<TrendingImagesParams, typeof TrendingImagesParamsFromQuery.Encoded>(
  TrendingImagesParamsFromQuery
)
/**
 * Checks typed Image Search parameters (the client's input).
 *
 * @since 0.1.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<ImageSearchParams, BingError.InvalidRequest> = search.validate

/**
 * Reads raw Image Search query parameters as Bing does (the emulator's side). `height` with
 * `minHeight`/`maxHeight` (and `width` with `minWidth`/`maxWidth`) fail with
 * `ParameterInvalidValue` on the first of the pair; a minimum over its maximum fails on the maximum.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<ImageSearchParams, BingError.InvalidRequest> =
  search.fromQuery

/**
 * Writes Image Search parameters as a query string, in documented order.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toQuery: (params: ImageSearchParams) => URLSearchParams = search.toQuery

/**
 * Checks typed Trending Images parameters.
 *
 * @since 0.1.0
 * @category decoding
 */
export const validateTrending: (input: unknown) => Result.Result<TrendingImagesParams, BingError.InvalidRequest> =
  trending.validate

/**
 * Reads raw Trending Images query parameters. `q` and the search-only parameters are ignored, as
 * every unknown parameter is.
 *
 * @since 0.1.0
 * @category decoding
 */
export const trendingFromQuery: (
  query: URLSearchParams
) => Result.Result<TrendingImagesParams, BingError.InvalidRequest> = trending.fromQuery

/**
 * Writes Trending Images parameters as a query string.
 *
 * @since 0.1.0
 * @category encoding
 */
export const trendingToQuery: (params: TrendingImagesParams) => URLSearchParams = trending.toQuery
