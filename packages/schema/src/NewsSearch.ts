/**
 * The success bodies of the News Search endpoints, with the field names of "News Search APIs v7
 * response objects" in Microsoft's bing-docs: `News` (`/news/search` and `/news`) and
 * `TrendingTopics` (`/news/trendingtopics`), and their decoders. Unknown fields are tolerated (and
 * dropped); known fields are checked; fields Bing may omit are optional.
 *
 * @since 0.3.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import type { DecodeOptions, ResponseInput } from "./BingResponse.js"
import { MediaSize } from "./ImageSearch.js"
import * as Decode from "./internal/decode.js"

const opt = Schema.optionalKey

/**
 * The provider that ran an article, or owns an image. The documented example sends
 * `"_type": "Organization"`; it is optional here, so that a body without it still decodes.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Organization = Schema.Struct({
  _type: opt(Schema.String),
  name: Schema.String,
  url: opt(Schema.String)
})

/**
 * @since 0.3.0
 * @category models
 */
export interface Organization extends Schema.Schema.Type<typeof Organization> {}

/**
 * A link to a thumbnail (`Thumbnail`): its URL and size.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Thumbnail = Schema.Struct({
  contentUrl: opt(Schema.String),
  width: opt(Schema.Number),
  height: opt(Schema.Number)
})

/**
 * An image of an article (only `thumbnail`, or also `contentUrl` with `originalImg=true`) or of a
 * trending topic (`url` and `provider`).
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsImage = Schema.Struct({
  url: opt(Schema.String),
  contentUrl: opt(Schema.String),
  thumbnail: opt(Thumbnail),
  provider: opt(Schema.Array(Organization))
})

/**
 * A video related to an article.
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsVideo = Schema.Struct({
  name: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  thumbnail: opt(MediaSize),
  embedHtml: opt(Schema.String),
  allowHttpsEmbed: opt(Schema.Boolean),
  motionThumbnailUrl: opt(Schema.String)
})

/**
 * An entity an article mentions (`Thing`).
 *
 * @since 0.3.0
 * @category schemas
 */
export const Thing = Schema.Struct({ _type: opt(Schema.String), name: Schema.String })

const articleFields = {
  _type: opt(Schema.String),
  id: opt(Schema.String),
  name: Schema.String,
  url: Schema.String,
  description: opt(Schema.String),
  datePublished: opt(Schema.String),
  category: opt(Schema.String),
  headline: opt(Schema.Boolean),
  image: opt(NewsImage),
  video: opt(NewsVideo),
  mentions: opt(Schema.Array(Thing)),
  provider: opt(Schema.Array(Organization)),
  about: opt(Schema.Array(Schema.Unknown)),
  contractualRules: opt(Schema.Array(Schema.Unknown))
}

/**
 * An article inside another's `clusteredArticles` (one level deep: the documented type is
 * recursive, no example nests further).
 *
 * @since 0.3.0
 * @category schemas
 */
export const ClusteredArticle = Schema.Struct(articleFields)

/**
 * A news article.
 *
 * @since 0.3.0
 * @category schemas
 */
export const NewsArticle = Schema.Struct({
  ...articleFields,
  clusteredArticles: opt(Schema.Array(ClusteredArticle))
})

/**
 * @since 0.3.0
 * @category models
 */
export interface NewsArticle extends Schema.Schema.Type<typeof NewsArticle> {}

/**
 * A sort order the request could have used (`SortValue`), `isSelected` for the one it did.
 *
 * @since 0.3.0
 * @category schemas
 */
export const SortValue = Schema.Struct({
  id: Schema.String,
  name: opt(Schema.String),
  isSelected: opt(Schema.Boolean),
  url: opt(Schema.String)
})

/**
 * Articles related to the query (`RelatedTopic`). The table types `relatedNews` as one article;
 * its name and the SDK make it a list, which is what is accepted.
 *
 * @since 0.3.0
 * @category schemas
 */
export const RelatedTopic = Schema.Struct({
  name: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  relatedNews: opt(Schema.Array(NewsArticle))
})

/**
 * The body of `/news/search` and `/news` (`_type: "News"`). `value` is empty when nothing matched.
 *
 * @since 0.3.0
 * @category schemas
 */
export const News = Schema.Struct({
  _type: Schema.Literal("News"),
  id: opt(Schema.String),
  readLink: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  queryContext: opt(Schema.Struct({ originalQuery: Schema.String, adultIntent: opt(Schema.Boolean) })),
  totalEstimatedMatches: opt(Schema.Number),
  sort: opt(Schema.Array(SortValue)),
  relatedTopics: opt(Schema.Array(RelatedTopic)),
  value: Schema.Array(NewsArticle)
})

/**
 * @since 0.3.0
 * @category models
 */
export interface News extends Schema.Schema.Type<typeof News> {}

/**
 * A trending news topic.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Topic = Schema.Struct({
  name: Schema.String,
  image: opt(NewsImage),
  isBreakingNews: opt(Schema.Boolean),
  newsSearchUrl: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  query: opt(Schema.Struct({ text: Schema.String }))
})

/**
 * @since 0.3.0
 * @category models
 */
export interface Topic extends Schema.Schema.Type<typeof Topic> {}

/**
 * The body of `/news/trendingtopics` (`_type: "TrendingTopics"`).
 *
 * @since 0.3.0
 * @category schemas
 */
export const TrendingTopics = Schema.Struct({
  _type: Schema.Literal("TrendingTopics"),
  value: Schema.Array(Topic)
})

/**
 * @since 0.3.0
 * @category models
 */
export interface TrendingTopics extends Schema.Schema.Type<typeof TrendingTopics> {}

const decodeNewsBody = Schema.decodeUnknownResult(News)
const decodeTrendingBody = Schema.decodeUnknownResult(TrendingTopics)

/**
 * Decodes a News Search or News by category response: the `News` body, or the typed error.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeNews = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<News, BingError.BingError> => Decode.decodeResponse(decodeNewsBody, "News", input, options)

/**
 * Decodes a Trending Topics response.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeTrendingTopics = (
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<TrendingTopics, BingError.BingError> =>
  Decode.decodeResponse(decodeTrendingBody, "TrendingTopics", input, options)
