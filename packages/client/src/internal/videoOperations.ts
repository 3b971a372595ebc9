/**
 * The Video Search operations (`/videos/search`, `/videos/trending`, `/videos/details`): each one's
 * path, its parameter codec from @bing-effect/schema (checked before any quota is spent) and its
 * response decoder. `BingClient` runs them through the same attempts, tiers and refusals as the
 * others.
 */
import type { BingError, BingResponse } from "@bing-effect/schema"
import { VideoSearch, VideoSearchParams } from "@bing-effect/schema"
import type * as Result from "effect/Result"

export type Name = "videoSearch" | "trendingVideos" | "videoDetails"

/** The shape `BingClient` runs (its private `Operation`). */
interface Operation<P, A> {
  readonly name: Name
  readonly path: string
  readonly validate: (input: unknown) => Result.Result<P, BingError.InvalidRequest>
  readonly toQuery: (params: P) => URLSearchParams
  readonly decode: (
    input: BingResponse.ResponseInput,
    options: { readonly now: number }
  ) => Result.Result<A, BingError.BingError>
}

export const videoSearch: Operation<VideoSearchParams.VideoSearchParams, VideoSearch.Videos> = {
  name: "videoSearch",
  path: "/v7.0/videos/search",
  validate: VideoSearchParams.validate,
  toQuery: VideoSearchParams.toQuery,
  decode: VideoSearch.decodeVideos
}

export const trendingVideos: Operation<VideoSearchParams.TrendingVideosParams, VideoSearch.TrendingVideos> = {
  name: "trendingVideos",
  path: "/v7.0/videos/trending",
  validate: VideoSearchParams.validateTrending,
  toQuery: VideoSearchParams.trendingToQuery,
  decode: VideoSearch.decodeTrendingVideos
}

export const videoDetails: Operation<VideoSearchParams.VideoDetailsParams, VideoSearch.VideoDetails> = {
  name: "videoDetails",
  path: "/v7.0/videos/details",
  validate: VideoSearchParams.validateDetails,
  toQuery: VideoSearchParams.detailsToQuery,
  decode: VideoSearch.decodeVideoDetails
}
