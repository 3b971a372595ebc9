/**
 * The News Search operations of the client (`/news/search`, `/news`, `/news/trendingtopics`):
 * each the schema's parameter codec and response decoder for one path. `BingClient` runs them as
 * it runs Web and Image Search (local checks, retries, tiers, client ids, spans).
 */
import { NewsSearch, NewsSearchParams } from "@bing-effect/schema"
import type { BingError, BingResponse } from "@bing-effect/schema"
import type * as Result from "effect/Result"

/** One operation: the shape `BingClient` runs (its own `Operation`, structurally). */
export interface NewsOperation<P, A> {
  readonly name: string
  readonly path: string
  readonly validate: (input: unknown) => Result.Result<P, BingError.InvalidRequest>
  readonly toQuery: (params: P) => URLSearchParams
  readonly decode: (
    input: BingResponse.ResponseInput,
    options?: BingResponse.DecodeOptions
  ) => Result.Result<A, BingError.BingError>
}

/** News Search (`GET /v7.0/news/search`). */
export const newsSearch: NewsOperation<NewsSearchParams.NewsSearchParams, NewsSearch.News> = {
  name: "newsSearch",
  path: "/v7.0/news/search",
  validate: NewsSearchParams.validate,
  toQuery: NewsSearchParams.toQuery,
  decode: NewsSearch.decodeNews
}

/** News by category (`GET /v7.0/news`). */
export const newsCategory: NewsOperation<NewsSearchParams.NewsCategoryParams, NewsSearch.News> = {
  name: "newsCategory",
  path: "/v7.0/news",
  validate: NewsSearchParams.validateCategory,
  toQuery: NewsSearchParams.categoryToQuery,
  decode: NewsSearch.decodeNews
}

/** Trending news topics (`GET /v7.0/news/trendingtopics`). */
export const trendingTopics: NewsOperation<NewsSearchParams.TrendingTopicsParams, NewsSearch.TrendingTopics> = {
  name: "trendingTopics",
  path: "/v7.0/news/trendingtopics",
  validate: NewsSearchParams.validateTrending,
  toQuery: NewsSearchParams.trendingToQuery,
  decode: NewsSearch.decodeTrendingTopics
}
