/**
 * The query parameters of Video Search (`GET /v7.0/videos/search`), Trending Videos
 * (`GET /v7.0/videos/trending`) and Video Details (`GET /v7.0/videos/details`), from Bing's
 * `bing-video-search/reference/query-parameters.md`, each declared once as a codec from the query
 * string to typed parameters ({@link VideoSearchParamsFromQuery}, {@link TrendingVideosParamsFromQuery},
 * {@link VideoDetailsParamsFromQuery}), and what is derived from it: a check of typed input for the
 * client, a reader of raw query strings for the emulator, and a writer back to a query string.
 * Failures are exactly Bing's: `InvalidRequest` with sub-code `ParameterMissing` or
 * `ParameterInvalidValue`, the offending `parameter` and `value`, status 400, for the first
 * parameter at fault in documented order.
 *
 * `cc` and `mkt` are accepted together (`mkt` wins), as issue 16 decides for every endpoint: the
 * documentation says not to send both but documents no error.
 *
 * @since 0.5.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch, TextFormat } from "./WebSearchParams.js"

/**
 * `aspect` values (`All` = no filter; documented in lower case, matched in any case).
 *
 * @since 0.5.0
 * @category constants
 */
export const Aspect = Schema.Literals(["Standard", "Widescreen", "All"])
/**
 * @since 0.5.0
 * @category models
 */
export type Aspect = typeof Aspect.Type

/**
 * `embedded` values: only `Player` is documented.
 *
 * @since 0.5.0
 * @category constants
 */
export const Embedded = Schema.Literals(["Player"])
/**
 * @since 0.5.0
 * @category models
 */
export type Embedded = typeof Embedded.Type

/**
 * `freshness` values for videos (by the date Bing discovered the video).
 *
 * @since 0.5.0
 * @category constants
 */
export const Freshness = Schema.Literals(["Day", "Week", "Month"])
/**
 * @since 0.5.0
 * @category models
 */
export type Freshness = typeof Freshness.Type

/**
 * `pricing` values (`All` = no filter).
 *
 * @since 0.5.0
 * @category constants
 */
export const Pricing = Schema.Literals(["Free", "Paid", "All"])
/**
 * @since 0.5.0
 * @category models
 */
export type Pricing = typeof Pricing.Type

/**
 * `resolution` values: at least that many lines (`LowerThan_360p`: below 360p; `All` = no filter).
 *
 * @since 0.5.0
 * @category constants
 */
export const Resolution = Schema.Literals(["LowerThan_360p", "360p", "480p", "720p", "1080p", "All"])
/**
 * @since 0.5.0
 * @category models
 */
export type Resolution = typeof Resolution.Type

/**
 * `videoLength` values: `Short` (< 5 min), `Medium` (5-20 min), `Long` (> 20 min), `All`.
 *
 * @since 0.5.0
 * @category constants
 */
export const VideoLength = Schema.Literals(["Short", "Medium", "Long", "All"])
/**
 * @since 0.5.0
 * @category models
 */
export type VideoLength = typeof VideoLength.Type

/**
 * `modules` values of Video Details (a comma list, any case).
 *
 * @since 0.5.0
 * @category constants
 */
export const Module = Schema.Literals(["All", "RelatedVideos", "VideoResult"])
/**
 * @since 0.5.0
 * @category models
 */
export type Module = typeof Module.Type

/**
 * The most videos Video Search delivers for one request (the default is 35). `count` is an
 * unsigned short: a larger value, up to 65,535, is not an error ("the actual number delivered may
 * be less than requested") and at most this many are delivered, as for Web, Image and News Search
 * (issue 16, item 5); a value past 65,535 is not one of the type and is refused.
 *
 * @since 0.5.0
 * @category constants
 */
export const maxCount = 105

const safeSearch = P.Enum(SafeSearch.literals)
const UShort = P.UInt(0, 65535)

/**
 * The Video Search parameters as a codec from their query-string form to their typed form. Fields
 * are in documented order, the order they are checked and written.
 *
 * @since 0.5.0
 * @category schemas
 */
export const VideoSearchParamsFromQuery = Schema.Struct({
  q: P.NonBlank,
  cc: Schema.optionalKey(P.CountryCode),
  count: Schema.optionalKey(UShort),
  id: Schema.optionalKey(P.NonBlank),
  mkt: Schema.optionalKey(P.NonBlank),
  offset: Schema.optionalKey(UShort),
  safeSearch: Schema.optionalKey(safeSearch),
  setLang: Schema.optionalKey(P.NonBlank),
  textDecorations: Schema.optionalKey(P.Bool),
  textFormat: Schema.optionalKey(P.Enum(TextFormat.literals)),
  aspect: Schema.optionalKey(P.Enum(Aspect.literals)),
  embedded: Schema.optionalKey(P.Enum(Embedded.literals)),
  freshness: Schema.optionalKey(P.Enum(Freshness.literals)),
  pricing: Schema.optionalKey(P.Enum(Pricing.literals)),
  resolution: Schema.optionalKey(P.Enum(Resolution.literals)),
  videoLength: Schema.optionalKey(P.Enum(VideoLength.literals))
})

/**
 * Schema of the Video Search parameters (typed form).
 *
 * @since 0.5.0
 * @category schemas
 */
export const VideoSearchParams = Schema.toType(VideoSearchParamsFromQuery)

/**
 * The Video Search parameters.
 *
 * @since 0.5.0
 * @category models
 */
export interface VideoSearchParams extends Schema.Schema.Type<typeof VideoSearchParamsFromQuery> {}

/**
 * The Trending Videos parameters (no `q`, no paging, no filters: the documentation says not to
 * send them, and they are ignored, as every unknown parameter is).
 *
 * @since 0.5.0
 * @category schemas
 */
export const TrendingVideosParamsFromQuery = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(safeSearch),
  setLang: Schema.optionalKey(P.NonBlank),
  textDecorations: Schema.optionalKey(P.Bool),
  textFormat: Schema.optionalKey(P.Enum(TextFormat.literals))
})

/**
 * Schema of the Trending Videos parameters (typed form).
 *
 * @since 0.5.0
 * @category schemas
 */
export const TrendingVideosParams = Schema.toType(TrendingVideosParamsFromQuery)

/**
 * The Trending Videos parameters.
 *
 * @since 0.5.0
 * @category models
 */
export interface TrendingVideosParams extends Schema.Schema.Type<typeof TrendingVideosParamsFromQuery> {}

/**
 * The Video Details parameters. `modules` is documented as required. `id` is documented as
 * optional, but there is no video to describe without it: it is required here (assumption: the
 * documentation gives no answer for a details request without `id`). `q` is optional ("always
 * include it", for relevance).
 *
 * @since 0.5.0
 * @category schemas
 */
export const VideoDetailsParamsFromQuery = Schema.Struct({
  cc: Schema.optionalKey(P.CountryCode),
  id: P.NonBlank,
  modules: P.EnumList(Module.literals),
  mkt: Schema.optionalKey(P.NonBlank),
  q: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(safeSearch),
  setLang: Schema.optionalKey(P.NonBlank),
  textDecorations: Schema.optionalKey(P.Bool),
  textFormat: Schema.optionalKey(P.Enum(TextFormat.literals))
})

/**
 * Schema of the Video Details parameters (typed form).
 *
 * @since 0.5.0
 * @category schemas
 */
export const VideoDetailsParams = Schema.toType(VideoDetailsParamsFromQuery)

/**
 * The Video Details parameters.
 *
 * @since 0.5.0
 * @category models
 */
export interface VideoDetailsParams extends Schema.Schema.Type<typeof VideoDetailsParamsFromQuery> {}

const search = P.make<VideoSearchParams, typeof VideoSearchParamsFromQuery.Encoded>(VideoSearchParamsFromQuery)
const trending = P.make<TrendingVideosParams, typeof TrendingVideosParamsFromQuery.Encoded>(
  TrendingVideosParamsFromQuery
)
const details = P.make<VideoDetailsParams, typeof VideoDetailsParamsFromQuery.Encoded>(VideoDetailsParamsFromQuery)

/**
 * Checks typed Video Search parameters (the client's input).
 *
 * @since 0.5.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<VideoSearchParams, BingError.InvalidRequest> = search.validate

/**
 * Reads raw Video Search query parameters as Bing does (the emulator's side).
 *
 * @since 0.5.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<VideoSearchParams, BingError.InvalidRequest> =
  search.fromQuery

/**
 * Writes Video Search parameters as a query string, in documented order.
 *
 * @since 0.5.0
 * @category encoding
 */
export const toQuery: (params: VideoSearchParams) => URLSearchParams = search.toQuery

/**
 * Checks typed Trending Videos parameters.
 *
 * @since 0.5.0
 * @category decoding
 */
export const validateTrending: (input: unknown) => Result.Result<TrendingVideosParams, BingError.InvalidRequest> =
  trending.validate

/**
 * Reads raw Trending Videos query parameters.
 *
 * @since 0.5.0
 * @category decoding
 */
export const trendingFromQuery: (
  query: URLSearchParams
) => Result.Result<TrendingVideosParams, BingError.InvalidRequest> = trending.fromQuery

/**
 * Writes Trending Videos parameters as a query string.
 *
 * @since 0.5.0
 * @category encoding
 */
export const trendingToQuery: (params: TrendingVideosParams) => URLSearchParams = trending.toQuery

/**
 * Checks typed Video Details parameters.
 *
 * @since 0.5.0
 * @category decoding
 */
export const validateDetails: (input: unknown) => Result.Result<VideoDetailsParams, BingError.InvalidRequest> =
  details.validate

/**
 * Reads raw Video Details query parameters.
 *
 * @since 0.5.0
 * @category decoding
 */
export const detailsFromQuery: (
  query: URLSearchParams
) => Result.Result<VideoDetailsParams, BingError.InvalidRequest> = details.fromQuery

/**
 * Writes Video Details parameters as a query string.
 *
 * @since 0.5.0
 * @category encoding
 */
export const detailsToQuery: (params: VideoDetailsParams) => URLSearchParams = details.toQuery
