/**
 * The client for code that does not use Effect: async methods that resolve with the same
 * `BingResult` and reject with the same error instances as the Effect API (`instanceof` and
 * `_tag` both work), and accept an `AbortSignal`.
 *
 * @since 0.1.0
 */
import { QuotaStore, type QuotaTracker } from "@bing-effect/quota-tracker"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { FetchHttpClient } from "effect/http"
import type { HttpClient } from "effect/http"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as BingClient from "./BingClient.js"
import type { BingResult } from "./BingResult.js"

/**
 * Options of {@link createClient}: the client options, plus the layers that Effect users would
 * provide themselves.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateClientOptions extends BingClient.Options {
  /**
   * The HTTP client. Default: Effect's fetch-based client. On Node, `BingHttp.layer` from
   * `@bing-effect/client/undici` has about half its latency.
   */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  /**
   * A quota tracker layer (from `@bing-effect/quota-tracker`): turns on tracking and tier failover.
   * Default store: `QuotaStore.layerMemory` (this process only), when the layer was given none.
   */
  readonly quotaTracker?: Layer.Layer<QuotaTracker.QuotaTracker, unknown, QuotaStore.QuotaStore> | undefined
}

/**
 * Options of one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions extends BingClient.CallOptions {
  /** Aborts the call: the request in flight and any wait are cancelled; the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The Promise client.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly webSearch: (
    params: BingClient.WebSearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.WebSearchValue>>
  readonly imageSearch: (
    params: BingClient.ImageSearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.ImageSearchValue>>
  readonly trendingImages: (
    params?: BingClient.TrendingImagesInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.TrendingImagesValue>>
  /** Video Search (`GET /v7.0/videos/search`). @since 0.5.0 */
  readonly videoSearch: (
    params: BingClient.VideoSearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.VideoSearchValue>>
  /** Trending Videos (`GET /v7.0/videos/trending`). @since 0.5.0 */
  readonly trendingVideos: (
    params?: BingClient.TrendingVideosInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.TrendingVideosValue>>
  /** Video Details (`GET /v7.0/videos/details`). @since 0.5.0 */
  readonly videoDetails: (
    params: BingClient.VideoDetailsInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.VideoDetailsValue>>
  /** Autosuggest (`GET /v7.0/suggestions`). @since 0.5.0 */
  readonly suggestions: (
    params?: BingClient.SuggestionsInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.SuggestionsValue>>
  /** News Search (`GET /v7.0/news/search`). @since 0.3.0 */
  readonly newsSearch: (
    params: BingClient.NewsSearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.NewsValue>>
  /** News by category (`GET /v7.0/news`). @since 0.3.0 */
  readonly newsCategory: (
    params?: BingClient.NewsCategoryInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.NewsValue>>
  /** Trending news topics (`GET /v7.0/news/trendingtopics`). @since 0.3.0 */
  readonly trendingTopics: (
    params?: BingClient.TrendingTopicsInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.TrendingTopicsValue>>
  /**
   * Spell Check (`/v7.0/spellcheck`): a GET, or a POST form when the parameters are 1,500
   * characters or more once encoded. @since 0.3.0
   */
  readonly spellCheck: (
    params: BingClient.SpellCheckInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.SpellCheckValue>>
  /** Entity Search (`GET /v7.0/entities`). @since 0.6.0 */
  readonly entitySearch: (
    params: BingClient.EntitySearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.EntitySearchValue>>
  /** Image Insights (`GET /v7.0/images/details`). @since 0.6.0 */
  readonly imageInsights: (
    params: BingClient.ImageInsightsInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.ImageInsightsValue>>
  /** Visual Search (`POST /v7.0/images/visualsearch`). @since 0.6.0 */
  readonly visualSearch: (
    params: BingClient.VisualSearchInput,
    options?: RequestOptions
  ) => Promise<BingResult<BingClient.VisualSearchValue>>
  /** Releases the client's resources. Calls made afterwards reject with `ClientClosed`. */
  readonly close: () => Promise<void>
}

/**
 * A call made after `close()`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientClosed extends Schema.TaggedError<ClientClosed>()("ClientClosed", {}) {
  /**
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return false
  }

  override get message(): string {
    return "The Bing client is closed"
  }
}

const isAborted = (signal: AbortSignal | undefined): signal is AbortSignal => signal?.aborted === true

const scoped = (requestOptions: RequestOptions | undefined): BingClient.CallOptions | undefined =>
  requestOptions?.userScope === undefined ? undefined : { userScope: requestOptions.userScope }

/**
 * Creates a client. Throws `InvalidClientOptions` at once when the options cannot work.
 *
 * @example
 * ```ts
 * import { createClient } from "@bing-effect/client/promise"
 * import { Redacted } from "effect"
 *
 * const bing = createClient({ key: Redacted.make(process.env.BING_KEY ?? ""), market: "en-US" })
 * try {
 *   const { value, meta } = await bing.webSearch({ q: "effect" }, { signal: AbortSignal.timeout(5_000) })
 *   console.log(meta.traceId, value.webPages?.value[0]?.name)
 * } catch (error) {
 *   console.error((error as Error).message) // a RateLimited, InvalidRequest, RequestTimeout... instance
 * } finally {
 *   await bing.close()
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createClient = (options: CreateClientOptions): PromiseClient => {
  const { httpClient, quotaTracker, ...clientOptions } = options
  const checked = BingClient.validateOptions(clientOptions, { withTracker: quotaTracker !== undefined })
  if (Result.isFailure(checked)) throw checked.failure
  let layer: Layer.Layer<BingClient.BingClient, unknown, HttpClient.HttpClient> = BingClient.layer(clientOptions)
  if (quotaTracker !== undefined) {
    layer = Layer.provide(BingClient.layerWithQuota(clientOptions), Layer.provide(quotaTracker, QuotaStore.layerMemory))
  }
  // The Promise API's convenience default: Effect's fetch-based client.
  const runtime = ManagedRuntime.make(Layer.provide(layer, httpClient ?? FetchHttpClient.layer))
  // The service is built once (on the first call); calls then run its effects directly, which
  // need nothing from the context.
  let service: Promise<BingClient.Service> | undefined
  let closed = false

  const run = async <A>(
    use: (client: BingClient.Service) => Effect.Effect<A, unknown>,
    signal: AbortSignal | undefined
  ): Promise<A> => {
    if (closed) throw new ClientClosed()
    if (signal?.aborted === true) throw signal.reason
    service ??= runtime.runPromise(Effect.service(BingClient.BingClient))
    const client = await service
    const exit = await Effect.runPromiseExit(use(client), signal === undefined ? undefined : { signal })
    if (Exit.isSuccess(exit)) return exit.value
    // TypeScript narrowed `aborted` to false above; it may have changed while awaiting.
    if (isAborted(signal) && Cause.hasInterrupts(exit.cause)) throw signal.reason
    throw Cause.squash(exit.cause)
  }

  return {
    webSearch: (params, requestOptions) =>
      run((c) => c.webSearch(params, scoped(requestOptions)), requestOptions?.signal),
    imageSearch: (params, requestOptions) =>
      run((c) => c.imageSearch(params, scoped(requestOptions)), requestOptions?.signal),
    trendingImages: (params, requestOptions) =>
      run((c) => c.trendingImages(params, scoped(requestOptions)), requestOptions?.signal),
    videoSearch: (params, requestOptions) =>
      run((c) => c.videoSearch(params, scoped(requestOptions)), requestOptions?.signal),
    trendingVideos: (params, requestOptions) =>
      run((c) => c.trendingVideos(params, scoped(requestOptions)), requestOptions?.signal),
    videoDetails: (params, requestOptions) =>
      run((c) => c.videoDetails(params, scoped(requestOptions)), requestOptions?.signal),
    suggestions: (params, requestOptions) =>
      run((c) => c.suggestions(params, scoped(requestOptions)), requestOptions?.signal),
    newsSearch: (params, requestOptions) =>
      run((c) => c.newsSearch(params, scoped(requestOptions)), requestOptions?.signal),
    newsCategory: (params, requestOptions) =>
      run((c) => c.newsCategory(params, scoped(requestOptions)), requestOptions?.signal),
    trendingTopics: (params, requestOptions) =>
      run((c) => c.trendingTopics(params, scoped(requestOptions)), requestOptions?.signal),
    spellCheck: (params, requestOptions) =>
      run((c) => c.spellCheck(params, scoped(requestOptions)), requestOptions?.signal),
    entitySearch: (params, requestOptions) =>
      run((c) => c.entitySearch(params, scoped(requestOptions)), requestOptions?.signal),
    imageInsights: (params, requestOptions) =>
      run((c) => c.imageInsights(params, scoped(requestOptions)), requestOptions?.signal),
    visualSearch: (params, requestOptions) =>
      run((c) => c.visualSearch(params, scoped(requestOptions)), requestOptions?.signal),
    close: async () => {
      if (closed) return
      closed = true
      await runtime.dispose()
    }
  }
}
