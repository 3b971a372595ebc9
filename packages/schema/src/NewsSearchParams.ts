/**
 * The query parameters of the three News Search endpoints ("News Search APIs v7 query parameters"
 * in Microsoft's bing-docs): News Search (`GET /v7.0/news/search`), News by category
 * (`GET /v7.0/news`) and Trending Topics (`GET /v7.0/news/trendingtopics`), each declared once as
 * a codec from the query string to typed parameters ({@link NewsSearchParamsFromQuery},
 * {@link NewsCategoryParamsFromQuery}, {@link TrendingTopicsParamsFromQuery}), with what is
 * derived from it: a check of typed input for the client, a reader of raw query strings for the
 * emulator, and a writer back to a query string. Failures are exactly Bing's: `InvalidRequest`
 * with sub-code `ParameterMissing` or `ParameterInvalidValue`, the offending `parameter` and
 * `value`, status 400, for the first parameter at fault in field order.
 *
 * Parameters the documentation reserves to another endpoint ("Use this parameter only when calling
 * the `/news/search` endpoint") are not fields of the others, so they are ignored there, as every
 * unknown parameter is (an assumption: the documentation says "do not specify", not what Bing does).
 *
 * @since 0.3.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as P from "./internal/params.js"
import { SafeSearch, TextFormat } from "./WebSearchParams.js"

/**
 * `freshness` values of News Search (no date form is documented for news).
 *
 * @since 0.3.0
 * @category constants
 */
export const Freshness = Schema.Literals(["Day", "Week", "Month"])
/**
 * @since 0.3.0
 * @category models
 */
export type Freshness = typeof Freshness.Type

/**
 * `sortBy` values (case-insensitive on the wire).
 *
 * @since 0.3.0
 * @category constants
 */
export const SortBy = Schema.Literals(["Date", "Relevance"])
/**
 * @since 0.3.0
 * @category models
 */
export type SortBy = typeof SortBy.Type

/**
 * Every documented news category, of every market ("News categories by market"). Which of them a
 * market supports is the emulator's concern; the codec accepts any of them, in any case.
 *
 * @since 0.3.0
 * @category constants
 */
export const Category = Schema.Literals([
  "Auto",
  "Australia",
  "Business",
  "Canada",
  "China",
  "Education",
  "Entertainment",
  "Entertainment_MovieAndTV",
  "Entertainment_Music",
  "Health",
  "India",
  "Japan",
  "LifeStyle",
  "Military",
  "Politics",
  "Products",
  "RealEstate",
  "ScienceAndTechnology",
  "Science",
  "Technology",
  "Society",
  "Sports",
  "Sports_Golf",
  "Sports_MLB",
  "Sports_NBA",
  "Sports_NFL",
  "Sports_NHL",
  "Sports_Soccer",
  "Sports_Tennis",
  "Sports_CFB",
  "Sports_CBB",
  "UK",
  "US",
  "US_Northeast",
  "US_South",
  "US_Midwest",
  "US_West",
  "World",
  "World_Africa",
  "World_Americas",
  "World_Asia",
  "World_Europe",
  "World_MiddleEast"
])
/**
 * @since 0.3.0
 * @category models
 */
export type Category = typeof Category.Type

/**
 * The most articles News Search delivers for one request (default 10).
 *
 * @since 0.3.0
 * @category constants
 */
export const maxCount = 100

/**
 * `q` of News Search: required, but may be empty ("If the term is empty (for example, q=), the
 * response includes the top news stories"). Only an absent `q` is `ParameterMissing`.
 */
const Query = P.Text(/^/)

const common = {
  cc: Schema.optionalKey(P.CountryCode),
  mkt: Schema.optionalKey(P.NonBlank),
  safeSearch: Schema.optionalKey(P.Enum(SafeSearch.literals)),
  setLang: Schema.optionalKey(P.NonBlank)
}

const decorations = {
  textDecorations: Schema.optionalKey(P.Bool),
  textFormat: Schema.optionalKey(P.Enum(TextFormat.literals))
}

/**
 * The News Search parameters (`/news/search`) as a codec from their query-string form. `count` and
 * `offset` are unsigned shorts: "the actual number delivered may be less than requested", so a
 * `count` over the documented maximum ({@link maxCount}) is accepted and at most that many are
 * delivered, as for Web Search (Bing documents no error for it). `cc` and `mkt` may both be sent (the
 * documentation says not to, and documents no error): `mkt` wins.
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsSearchParamsFromQuery = Schema.Struct({
  q: Query,
  cc: common.cc,
  count: Schema.optionalKey(P.UInt(0, 65535)),
  freshness: Schema.optionalKey(P.Enum(Freshness.literals)),
  mkt: common.mkt,
  offset: Schema.optionalKey(P.UInt(0, 65535)),
  originalImg: Schema.optionalKey(P.Bool),
  safeSearch: common.safeSearch,
  setLang: common.setLang,
  sortBy: Schema.optionalKey(P.Enum(SortBy.literals)),
  ...decorations
})

/**
 * Schema of the News Search parameters (typed form).
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsSearchParams = Schema.toType(NewsSearchParamsFromQuery)

/**
 * The News Search parameters.
 *
 * @since 0.3.0
 * @category models
 */
export interface NewsSearchParams extends Schema.Schema.Type<typeof NewsSearchParamsFromQuery> {}

/**
 * The News by category parameters (`/news`): no `category` gives the headlines of every category.
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsCategoryParamsFromQuery = Schema.Struct({
  category: Schema.optionalKey(P.Enum(Category.literals)),
  ...common,
  ...decorations
})

/**
 * Schema of the News by category parameters (typed form).
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsCategoryParams = Schema.toType(NewsCategoryParamsFromQuery)

/**
 * The News by category parameters.
 *
 * @since 0.3.0
 * @category models
 */
export interface NewsCategoryParams extends Schema.Schema.Type<typeof NewsCategoryParamsFromQuery> {}

/**
 * The Trending Topics parameters (`/news/trendingtopics`). `since` is a Unix time in seconds; the
 * documentation says to send it with `sortBy=Date` (sent without, it is accepted and the emulator
 * sorts by date anyway: an assumption, no error is documented).
 *
 * @since 0.3.0
 * @category schemas
 */
export const TrendingTopicsParamsFromQuery = Schema.Struct({
  ...common,
  since: Schema.optionalKey(P.UInt(0, Number.MAX_SAFE_INTEGER)),
  sortBy: Schema.optionalKey(P.Enum(SortBy.literals)),
  ...decorations
})

/**
 * Schema of the Trending Topics parameters (typed form).
 *
 * @since 0.3.0
 * @category schemas
 */
export const TrendingTopicsParams = Schema.toType(TrendingTopicsParamsFromQuery)

/**
 * The Trending Topics parameters.
 *
 * @since 0.3.0
 * @category models
 */
export interface TrendingTopicsParams extends Schema.Schema.Type<typeof TrendingTopicsParamsFromQuery> {}

const search = P.make<NewsSearchParams, typeof NewsSearchParamsFromQuery.Encoded>(NewsSearchParamsFromQuery)
const category = P.make<NewsCategoryParams, typeof NewsCategoryParamsFromQuery.Encoded>(NewsCategoryParamsFromQuery)
const trending = P.make<TrendingTopicsParams, typeof TrendingTopicsParamsFromQuery.Encoded>(
  TrendingTopicsParamsFromQuery
)

/**
 * Checks typed News Search parameters (the client's input) before any quota is spent.
 *
 * @example
 * import { NewsSearchParams } from "@bing-effect/schema"
 * NewsSearchParams.validate({ q: "effect", count: 70000 })
 * // Failure(InvalidRequest { subCode: "ParameterInvalidValue", parameter: "count", value: "70000" })
 *
 * @since 0.3.0
 * @category decoding
 */
export const validate: (input: unknown) => Result.Result<NewsSearchParams, BingError.InvalidRequest> = search.validate

/**
 * Reads raw News Search query parameters as Bing does (the emulator's side): enums in any case,
 * unknown parameters ignored, the first value of a repeated one.
 *
 * @since 0.3.0
 * @category decoding
 */
export const fromQuery: (query: URLSearchParams) => Result.Result<NewsSearchParams, BingError.InvalidRequest> =
  search.fromQuery

/**
 * Writes News Search parameters as a query string, in field order.
 *
 * @since 0.3.0
 * @category encoding
 */
export const toQuery: (params: NewsSearchParams) => URLSearchParams = search.toQuery

/**
 * Checks typed News by category parameters.
 *
 * @since 0.3.0
 * @category decoding
 */
export const validateCategory: (input: unknown) => Result.Result<NewsCategoryParams, BingError.InvalidRequest> =
  category.validate

/**
 * Reads raw News by category query parameters.
 *
 * @since 0.3.0
 * @category decoding
 */
export const categoryFromQuery: (
  query: URLSearchParams
) => Result.Result<NewsCategoryParams, BingError.InvalidRequest> = category.fromQuery

/**
 * Writes News by category parameters as a query string.
 *
 * @since 0.3.0
 * @category encoding
 */
export const categoryToQuery: (params: NewsCategoryParams) => URLSearchParams = category.toQuery

/**
 * Checks typed Trending Topics parameters.
 *
 * @since 0.3.0
 * @category decoding
 */
export const validateTrending: (input: unknown) => Result.Result<TrendingTopicsParams, BingError.InvalidRequest> =
  trending.validate

/**
 * Reads raw Trending Topics query parameters.
 *
 * @since 0.3.0
 * @category decoding
 */
export const trendingFromQuery: (
  query: URLSearchParams
) => Result.Result<TrendingTopicsParams, BingError.InvalidRequest> = trending.fromQuery

/**
 * Writes Trending Topics parameters as a query string.
 *
 * @since 0.3.0
 * @category encoding
 */
export const trendingToQuery: (params: TrendingTopicsParams) => URLSearchParams = trending.toQuery
