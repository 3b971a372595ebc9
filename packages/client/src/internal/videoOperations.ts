/**
 * The Video Search operations (`/videos/search`, `/videos/trending`, `/videos/details`): each one's
 * path, its parameter codec from @bing-effect/schema (checked before any quota is spent) and its
 * response decoder. `BingClient` runs them through the same attempts, tiers and refusals as the
 * others.
 */
import { VideoSearch, VideoSearchParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

export const videoSearch: Operation.Operation<VideoSearchParams.VideoSearchParams, VideoSearch.Videos> = Operation
  .make("videoSearch", "/v7.0/videos/search", VideoSearchParams, VideoSearch.decodeVideos)

export const trendingVideos: Operation.Operation<VideoSearchParams.TrendingVideosParams, VideoSearch.TrendingVideos> =
  Operation.make(
    "trendingVideos",
    "/v7.0/videos/trending",
    { validate: VideoSearchParams.validateTrending, toQuery: VideoSearchParams.trendingToQuery },
    VideoSearch.decodeTrendingVideos
  )

export const videoDetails: Operation.Operation<VideoSearchParams.VideoDetailsParams, VideoSearch.VideoDetails> =
  Operation.make(
    "videoDetails",
    "/v7.0/videos/details",
    { validate: VideoSearchParams.validateDetails, toQuery: VideoSearchParams.detailsToQuery },
    VideoSearch.decodeVideoDetails
  )
