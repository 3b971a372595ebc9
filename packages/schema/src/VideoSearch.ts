/**
 * The success bodies of Video Search (`Videos`), Trending Videos (`TrendingVideos`) and Video
 * Details (`Api.VideoDetails.VideoDetails`), with the field names of Bing's
 * `bing-video-search/reference/response-objects.md` and the sample of `how-to/search-response.md`,
 * and their decoders. Unknown fields are tolerated (and dropped); known fields are checked; fields
 * Bing may omit are optional.
 *
 * @since 0.5.0
 */
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as BingError from "./BingError.js"
import * as BingResponse from "./BingResponse.js"
import { MediaSize, Query } from "./ImageSearch.js"

const opt = Schema.optionalKey

/**
 * A publisher or creator of a video. The documented sample sends only `name`; Microsoft's SDK
 * models it as a polymorphic `Organization` whose `_type` discriminates it, so `_type` is accepted
 * when present (the emulator sends `"Organization"`, an assumption matching issue 16's reading).
 *
 * @since 0.5.0
 * @category schemas
 */
export const Publisher = Schema.Struct({ _type: opt(Schema.String), name: Schema.String, url: opt(Schema.String) })

/**
 * @since 0.5.0
 * @category models
 */
export interface Publisher extends Schema.Schema.Type<typeof Publisher> {}

/**
 * A video (`Video` in the reference, `VideoObject` in the SDK).
 *
 * @since 0.5.0
 * @category schemas
 */
export const Video = Schema.Struct({
  _type: opt(Schema.String),
  id: opt(Schema.String),
  name: opt(Schema.String),
  description: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  thumbnailUrl: opt(Schema.String),
  datePublished: opt(Schema.String),
  publisher: opt(Schema.Array(Publisher)),
  creator: opt(Publisher),
  isAccessibleForFree: opt(Schema.Boolean),
  isFamilyFriendly: opt(Schema.Boolean),
  contentUrl: opt(Schema.String),
  hostPageUrl: opt(Schema.String),
  hostPageDisplayUrl: opt(Schema.String),
  encodingFormat: opt(Schema.String),
  width: opt(Schema.Number),
  height: opt(Schema.Number),
  duration: opt(Schema.String),
  motionThumbnailUrl: opt(Schema.String),
  embedHtml: opt(Schema.String),
  allowHttpsEmbed: opt(Schema.Boolean),
  allowMobileEmbed: opt(Schema.Boolean),
  viewCount: opt(Schema.Number),
  thumbnail: opt(MediaSize),
  videoId: opt(Schema.String),
  isSuperfresh: opt(Schema.Boolean),
  mainEntity: opt(Schema.Struct({ name: Schema.String }))
})

/**
 * @since 0.5.0
 * @category models
 */
export interface Video extends Schema.Schema.Type<typeof Video> {}

/**
 * A pivot of the query with its suggested queries.
 *
 * @since 0.5.0
 * @category schemas
 */
export const Pivot = Schema.Struct({ pivot: Schema.String, suggestions: Schema.Array(Query) })

/**
 * The body of Video Search (`_type: "Videos"`).
 *
 * @since 0.5.0
 * @category schemas
 */
export const Videos = Schema.Struct({
  _type: Schema.Literal("Videos"),
  id: opt(Schema.String),
  readLink: opt(Schema.String),
  webSearchUrl: opt(Schema.String),
  queryContext: opt(Schema.Struct({ originalQuery: Schema.String, alteredQuery: opt(Schema.String) })),
  totalEstimatedMatches: opt(Schema.Number),
  nextOffset: opt(Schema.Number),
  currentOffset: opt(Schema.Number),
  scenario: opt(Schema.String),
  value: Schema.Array(Video),
  queryExpansions: opt(Schema.Array(Query)),
  pivotSuggestions: opt(Schema.Array(Pivot)),
  relatedSearches: opt(Schema.Array(Query))
}).annotate({ identifier: "Videos" })

/**
 * @since 0.5.0
 * @category models
 */
export interface Videos extends Schema.Schema.Type<typeof Videos> {}

/**
 * A trending video tile: a thumbnail and the query that finds the video.
 *
 * @since 0.5.0
 * @category schemas
 */
export const Tile = Schema.Struct({
  image: Schema.Struct({
    thumbnailUrl: Schema.String,
    contentUrl: opt(Schema.String),
    description: opt(Schema.String),
    headline: opt(Schema.String)
  }),
  query: Query
})

/**
 * The body of Trending Videos (`_type: "TrendingVideos"`).
 *
 * @since 0.5.0
 * @category schemas
 */
export const TrendingVideos = Schema.Struct({
  _type: Schema.Literal("TrendingVideos"),
  bannerTiles: opt(Schema.Array(Tile)),
  categories: Schema.Array(Schema.Struct({
    title: Schema.String,
    subcategories: Schema.Array(Schema.Struct({ title: Schema.String, tiles: Schema.Array(Tile) }))
  }))
}).annotate({ identifier: "TrendingVideos" })

/**
 * @since 0.5.0
 * @category models
 */
export interface TrendingVideos extends Schema.Schema.Type<typeof TrendingVideos> {}

/**
 * The body of Video Details (`_type: "Api.VideoDetails.VideoDetails"`): only the modules asked for
 * and that have data.
 *
 * @since 0.5.0
 * @category schemas
 */
export const VideoDetails = Schema.Struct({
  _type: Schema.Literal("Api.VideoDetails.VideoDetails"),
  videoResult: opt(Video),
  relatedVideos: opt(Schema.Struct({ value: Schema.Array(Video) }))
}).annotate({ identifier: "VideoDetails" })

/**
 * @since 0.5.0
 * @category models
 */
export interface VideoDetails extends Schema.Schema.Type<typeof VideoDetails> {}

/**
 * Decodes a Video Search response (`GET /v7.0/videos/search`).
 *
 * @since 0.5.0
 * @category decoding
 */
export const decodeVideos = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<Videos, BingError.BingError> => BingResponse.decodeResponse(Videos, input, options)

/**
 * Decodes a Trending Videos response (`GET /v7.0/videos/trending`).
 *
 * @since 0.5.0
 * @category decoding
 */
export const decodeTrendingVideos = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<TrendingVideos, BingError.BingError> => BingResponse.decodeResponse(TrendingVideos, input, options)

/**
 * Decodes a Video Details response (`GET /v7.0/videos/details`).
 *
 * @since 0.5.0
 * @category decoding
 */
export const decodeVideoDetails = (
  input: BingResponse.ResponseInput,
  options?: BingResponse.DecodeOptions
): Result.Result<VideoDetails, BingError.BingError> => BingResponse.decodeResponse(VideoDetails, input, options)
