/**
 * The News Search operations of the client (`/news/search`, `/news`, `/news/trendingtopics`):
 * each the schema's parameter codec and response decoder for one path. `BingClient` runs them as
 * it runs Web and Image Search (local checks, retries, tiers, client ids, spans).
 */
import { NewsSearch, NewsSearchParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

/** News Search (`GET /v7.0/news/search`). */
export const newsSearch: Operation.Operation<NewsSearchParams.NewsSearchParams, NewsSearch.News> = Operation.make(
  "newsSearch",
  "/v7.0/news/search",
  NewsSearchParams,
  NewsSearch.decodeNews
)

/** News by category (`GET /v7.0/news`). */
export const newsCategory: Operation.Operation<NewsSearchParams.NewsCategoryParams, NewsSearch.News> = Operation.make(
  "newsCategory",
  "/v7.0/news",
  { validate: NewsSearchParams.validateCategory, toQuery: NewsSearchParams.categoryToQuery },
  NewsSearch.decodeNews
)

/** Trending news topics (`GET /v7.0/news/trendingtopics`). */
export const trendingTopics: Operation.Operation<NewsSearchParams.TrendingTopicsParams, NewsSearch.TrendingTopics> =
  Operation.make(
    "trendingTopics",
    "/v7.0/news/trendingtopics",
    { validate: NewsSearchParams.validateTrending, toQuery: NewsSearchParams.trendingToQuery },
    NewsSearch.decodeTrendingTopics
  )
