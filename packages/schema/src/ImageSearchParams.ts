/**
 * The query parameters of Image Search (`GET /v7.0/images/search`) and Trending Images
 * (`GET /v7.0/images/trending`), "2.2 Image Search" in docs/bing-v7-reference.md: typed schemas, a check of typed
 * input for the client, a reader of raw query strings for the emulator, and a writer back to a
 * query string. Failures are exactly Bing's: `InvalidRequest` with sub-code `ParameterMissing` or
 * `ParameterInvalidValue`, the offending `parameter` and `value`, status 400.
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch } from "./WebSearchParams.js"

const literals = <const L extends ReadonlyArray<string>>(values: L) => {
  const schema = Schema.Literals(values)
  return { schema, enum: P.Enum(values) }
}

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

const safeSearch = literals(SafeSearch.literals)
const aspect = literals(Aspect.literals)
const color = literals(Color.literals)
const freshness = literals(Freshness.literals)
const imageContent = literals(ImageContent.literals)
const imageType = literals(ImageType.literals)
const license = literals(License.literals)
const size = literals(Size.literals)
const Count = P.UInt(0, 150)
const UShort = P.UInt(0, 65535)
/** Integer bytes or pixels; values over Bing's cap are accepted (Bing clamps them). */
const NonNegative = P.UInt(0, Number.MAX_SAFE_INTEGER)

/**
 * Schema of the Image Search parameters (typed form).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ImageSearchParams = Schema.Struct({
  q: P.NonBlank.schema,
  cc: Schema.optionalKey(P.CountryCode.schema),
  count: Schema.optionalKey(Count.schema),
  id: Schema.optionalKey(P.NonBlank.schema),
  mkt: Schema.optionalKey(P.NonBlank.schema),
  offset: Schema.optionalKey(UShort.schema),
  safeSearch: Schema.optionalKey(safeSearch.schema),
  setLang: Schema.optionalKey(P.NonBlank.schema),
  aspect: Schema.optionalKey(aspect.schema),
  color: Schema.optionalKey(color.schema),
  freshness: Schema.optionalKey(freshness.schema),
  height: Schema.optionalKey(UShort.schema),
  width: Schema.optionalKey(UShort.schema),
  imageContent: Schema.optionalKey(imageContent.schema),
  imageType: Schema.optionalKey(imageType.schema),
  license: Schema.optionalKey(license.schema),
  maxFileSize: Schema.optionalKey(NonNegative.schema),
  minFileSize: Schema.optionalKey(NonNegative.schema),
  maxHeight: Schema.optionalKey(NonNegative.schema),
  minHeight: Schema.optionalKey(NonNegative.schema),
  maxWidth: Schema.optionalKey(NonNegative.schema),
  minWidth: Schema.optionalKey(NonNegative.schema),
  size: Schema.optionalKey(size.schema)
})

/**
 * The Image Search parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImageSearchParams extends Schema.Schema.Type<typeof ImageSearchParams> {}

/**
 * Schema of the Trending Images parameters (no `q`, no paging, no filters).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TrendingImagesParams = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode.schema),
  mkt: Schema.optionalKey(P.NonBlank.schema),
  safeSearch: Schema.optionalKey(safeSearch.schema),
  setLang: Schema.optionalKey(P.NonBlank.schema)
})

/**
 * The Trending Images parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrendingImagesParams extends Schema.Schema.Type<typeof TrendingImagesParams> {}

const search = P.make<ImageSearchParams>({
  params: {
    q: P.NonBlank.param,
    cc: P.CountryCode.param,
    count: Count.param,
    id: P.NonBlank.param,
    mkt: P.NonBlank.param,
    offset: UShort.param,
    safeSearch: safeSearch.enum.param,
    setLang: P.NonBlank.param,
    aspect: aspect.enum.param,
    color: color.enum.param,
    freshness: freshness.enum.param,
    height: UShort.param,
    width: UShort.param,
    imageContent: imageContent.enum.param,
    imageType: imageType.enum.param,
    license: license.enum.param,
    maxFileSize: NonNegative.param,
    minFileSize: NonNegative.param,
    maxHeight: NonNegative.param,
    minHeight: NonNegative.param,
    maxWidth: NonNegative.param,
    minWidth: NonNegative.param,
    size: size.enum.param
  },
  required: ["q"],
  across: (t, raw) => {
    const r = t as Record<string, unknown>
    const read = raw as (name: string) => string
    return P.exclusive(r, read, "cc", ["mkt"]) ??
      P.exclusive(r, read, "height", ["minHeight", "maxHeight"]) ??
      P.exclusive(r, read, "width", ["minWidth", "maxWidth"]) ??
      P.ordered(r, read, "minHeight", "maxHeight") ??
      P.ordered(r, read, "minWidth", "maxWidth") ??
      P.ordered(r, read, "minFileSize", "maxFileSize")
  }
})

const trending = P.make<TrendingImagesParams>({
  params: {
    cc: P.CountryCode.param,
    mkt: P.NonBlank.param,
    safeSearch: safeSearch.enum.param,
    setLang: P.NonBlank.param
  },
  required: [],
  across: (t, raw) => P.exclusive(t as Record<string, unknown>, raw as (name: string) => string, "cc", ["mkt"])
})

/**
 * Checks typed Image Search parameters (the client's input).
 *
 * @since 0.1.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<ImageSearchParams, BingError.InvalidRequest> = search.validate

/**
 * Reads raw Image Search query parameters as Bing does (the emulator's side). `height` with
 * `minHeight`/`maxHeight` (and `width` with `minWidth`/`maxWidth`, `cc` with `mkt`) fail with
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
