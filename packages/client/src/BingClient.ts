/**
 * The Bing Search client as an Effect service: Web Search, Image Search and Trending Images with
 * parameters checked locally, responses decoded into typed models, every failure a typed error,
 * one retry budget per call, optional quota tracking with tier failover, client id continuity and
 * a span per call that never carries the key.
 *
 * @since 0.1.0
 */
import { QuotaTracker } from "@bing-effect/quota-tracker"
import type { QuotaError } from "@bing-effect/quota-tracker"
import { BingError, BingResponse, ImageSearchParams, WebSearchParams } from "@bing-effect/schema"
import type { Suggestions, SuggestionsParams, VideoSearch, VideoSearchParams } from "@bing-effect/schema"
import type { NewsSearch, NewsSearchParams, SpellCheck, SpellCheckParams } from "@bing-effect/schema"
import type { EntitySearch, EntitySearchParams, ImageInsights, ImageInsightsParams } from "@bing-effect/schema"
import type { VisualSearchParams } from "@bing-effect/schema"
import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import { FetchHttpClient, Headers, HttpBody, HttpClient, HttpClientRequest, UrlParams } from "effect/http"
import type { HttpClientError } from "effect/http"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Tracer from "effect/Tracer"
import type { BingResult, Meta } from "./BingResult.js"
import type { ForwardRequest, ForwardResponse } from "./Forward.js"
import * as Attempts from "./internal/attempts.js"
import * as Body from "./internal/body.js"
import * as ClientIds from "./internal/clientIds.js"
import * as Direct from "./internal/direct.js"
import * as EndpointCheck from "./internal/endpoint.js"
import * as EntitiesOp from "./internal/entitiesOperation.js"
import * as ForwardOp from "./internal/forward.js"
import * as HeaderValue from "./internal/headerValue.js"
import * as InsightsOps from "./internal/insightsOperations.js"
import * as KeyHeader from "./internal/keyHeader.js"
import type * as Multipart from "./internal/multipart.js"
import * as NewsOps from "./internal/newsOperations.js"
import * as Operation from "./internal/operation.js"
import * as Redirect from "./internal/redirect.js"
import * as RetryLoop from "./internal/retryLoop.js"
import * as Scrub from "./internal/scrub.js"
import * as SpellCheckOp from "./internal/spellCheckOperation.js"
import * as SuggestionsOp from "./internal/suggestionsOperation.js"
import * as Timeout from "./internal/timeout.js"
import * as VideoOps from "./internal/videoOperations.js"
import { InvalidClientOptions } from "./InvalidClientOptions.js"
import { RedirectRefused, ResponseTooLarge } from "./ResponseRefused.js"
import * as RetryPolicy from "./RetryPolicy.js"
import { ConnectionFailed, RequestTimeout } from "./TransportError.js"

/**
 * The header that carries the subscription key. The client adds it (and `authorization`, which
 * carries the key with `auth: "bearer"`) to Effect's `Headers.CurrentRedactedNames` for the
 * duration of every call.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubscriptionKeyHeader = "ocp-apim-subscription-key"

/**
 * The default endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultEndpoint = "https://api.bing.microsoft.com"

/**
 * The default bound of a response body: 4 MiB, counted after decompression (a Bing answer is
 * about 16 KB).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseBytes = 4 * 1024 * 1024

/**
 * Every error an operation can fail with: Bing's typed errors, the transport errors, the refused
 * responses (a redirect, a body over `maxResponseBytes`), the quota tracker's `QuotaError` (every
 * tier exhausted, store unavailable, per-second hold too long), and `InvalidClientOptions` for a
 * tier whose key or endpoint cannot be used (found when the tier is first used; nothing is sent).
 *
 * @since 0.1.0
 * @category models
 */
export type ClientError =
  | AnyBingError
  | RequestTimeout
  | ConnectionFailed
  | RedirectRefused
  | ResponseTooLarge
  | QuotaError.QuotaError
  | InvalidClientOptions

/**
 * The attempts a failed call actually made (requests sent, or at least started): `0` when it
 * failed before sending anything (a parameter refused locally, an `http://` endpoint, a quota
 * refused by the tracker). `undefined` for an error that did not come out of a call of this client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const program = BingClient.webSearch({ q: "effect" }).pipe(
 *   Effect.tapError((e) => Effect.log(`failed after ${BingClient.attemptsOf(e)} attempt(s)`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const attemptsOf: (error: unknown) => number | undefined = Attempts.get

/**
 * Any of Bing's typed errors (the `BingError` union of `@bing-effect/schema`).
 *
 * @since 0.1.0
 * @category models
 */
export type AnyBingError = BingError.BingError

/**
 * Options of a client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The subscription key. Required by `make`/`layer`; with a quota tracker (`layerWithQuota`) each tier brings its key. */
  readonly key?: Redacted.Redacted<string> | undefined
  /** Base URL, default `https://api.bing.microsoft.com` (`/v7.0/...` is appended). HTTPS only. */
  readonly endpoint?: string | undefined
  /**
   * How the key is sent: `"subscription-key"` (default, Bing's `Ocp-Apim-Subscription-Key` header) or
   * `"bearer"` (`Authorization: Bearer <key>`, for resellers that kept the v7 shape). Either way the
   * header is redacted and the key never appears in errors, logs or spans.
   */
  readonly auth?: "subscription-key" | "bearer" | undefined
  /** Default `mkt` when a call sets neither `mkt` nor `cc`. */
  readonly market?: string | undefined
  /** Default `setLang`. */
  readonly language?: string | undefined
  /** Default `safeSearch`. */
  readonly safeSearch?: "Off" | "Moderate" | "Strict" | undefined
  /** `User-Agent` header sent with every request. */
  readonly userAgent?: string | undefined
  /** Time allowed for one attempt (request and body), default 10 seconds; `"Infinity"` for none. */
  readonly timeout?: Duration.Input | undefined
  /**
   * Largest response body accepted, in bytes, counted after decompression; default 4 MiB. A larger
   * body fails the attempt with `ResponseTooLarge` as soon as the bound is passed (the connection
   * is closed, nothing more is read).
   */
  readonly maxResponseBytes?: number | undefined
  /** Retry budget and delays; see `RetryPolicy`. */
  readonly retry?: RetryPolicy.Options | undefined
  /** Accept plain `http://` to 127.0.0.1, ::1 and localhost (for the emulator). Default false. */
  readonly allowInsecureLoopback?: boolean | undefined
  /** Send W3C/B3 trace headers to Bing (only with `httpSpans`). Default false: they are of no use to Bing. */
  readonly propagateTrace?: boolean | undefined
  /**
   * Also record Effect's HTTP client span under the call's span. Default false: the call's span
   * already carries what matters, and the HTTP span's failure value holds the request, whose
   * headers are redacted only while serialised inside the call (see the README).
   */
  readonly httpSpans?: boolean | undefined
}

/**
 * Options of one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /**
   * The user (or device) the call is made for: the `X-MSEdge-ClientID` Bing returns is remembered
   * per scope and resent on later calls of the same scope. Calls without a scope share one.
   */
  readonly userScope?: string | undefined
}

/**
 * The typed Web Search parameters (`q` is required).
 *
 * @since 0.1.0
 * @category models
 */
export type WebSearchInput = WebSearchParams.WebSearchParams

/**
 * The typed Image Search parameters (`q` is required).
 *
 * @since 0.1.0
 * @category models
 */
export type ImageSearchInput = ImageSearchParams.ImageSearchParams

/**
 * The typed Trending Images parameters (no `q`).
 *
 * @since 0.1.0
 * @category models
 */
export type TrendingImagesInput = ImageSearchParams.TrendingImagesParams

/**
 * The typed News Search parameters (`q` is required; an empty `q` asks for the top news).
 *
 * @since 0.3.0
 * @category models
 */
export type NewsSearchInput = NewsSearchParams.NewsSearchParams

/**
 * The typed News by category parameters (no `category`: the headlines of every category).
 *
 * @since 0.3.0
 * @category models
 */
export type NewsCategoryInput = NewsSearchParams.NewsCategoryParams

/**
 * The typed Trending Topics parameters.
 *
 * @since 0.3.0
 * @category models
 */
export type TrendingTopicsInput = NewsSearchParams.TrendingTopicsParams

/**
 * The decoded News Search and News by category response (`News`).
 *
 * @since 0.3.0
 * @category models
 */
export type NewsValue = NewsSearch.News

/**
 * The decoded Trending Topics response.
 *
 * @since 0.3.0
 * @category models
 */
export type TrendingTopicsValue = NewsSearch.TrendingTopics

/**
 * The typed Spell Check parameters (`text` is required).
 *
 * @since 0.3.0
 * @category models
 */
export type SpellCheckInput = SpellCheckParams.SpellCheckParams

/**
 * The decoded Spell Check response (`SpellCheck` with its `flaggedTokens`).
 *
 * @since 0.3.0
 * @category models
 */
export type SpellCheckValue = SpellCheck.SpellCheck

type Success<R> = R extends Result.Result<infer A, infer _E> ? A : never

/**
 * The decoded Web Search response.
 *
 * @since 0.1.0
 * @category models
 */
export type WebSearchValue = Success<ReturnType<typeof BingResponse.decodeWebSearch>>

/**
 * The decoded Image Search response.
 *
 * @since 0.1.0
 * @category models
 */
export type ImageSearchValue = Success<ReturnType<typeof BingResponse.decodeImageSearch>>

/**
 * The decoded Trending Images response.
 *
 * @since 0.1.0
 * @category models
 */
export type TrendingImagesValue = Success<ReturnType<typeof BingResponse.decodeTrendingImages>>

/**
 * The typed Video Search parameters.
 *
 * @since 0.5.0
 * @category models
 */
export type VideoSearchInput = VideoSearchParams.VideoSearchParams

/**
 * The typed Trending Videos parameters (no `q`).
 *
 * @since 0.5.0
 * @category models
 */
export type TrendingVideosInput = VideoSearchParams.TrendingVideosParams

/**
 * The typed Video Details parameters (`id` and `modules`).
 *
 * @since 0.5.0
 * @category models
 */
export type VideoDetailsInput = VideoSearchParams.VideoDetailsParams

/**
 * The decoded Video Search response.
 *
 * @since 0.5.0
 * @category models
 */
export type VideoSearchValue = VideoSearch.Videos

/**
 * The decoded Trending Videos response.
 *
 * @since 0.5.0
 * @category models
 */
export type TrendingVideosValue = VideoSearch.TrendingVideos

/**
 * The decoded Video Details response.
 *
 * @since 0.5.0
 * @category models
 */
export type VideoDetailsValue = VideoSearch.VideoDetails

/**
 * The typed Autosuggest parameters (`q` may be absent or empty: trending suggestions).
 *
 * @since 0.5.0
 * @category models
 */
export type SuggestionsInput = SuggestionsParams.SuggestionsParams

/**
 * The decoded Autosuggest response.
 *
 * @since 0.5.0
 * @category models
 */
export type SuggestionsValue = Suggestions.Suggestions

/**
 * The typed Entity Search parameters (`q` is required; `responseFilter` `Entities` and/or `Places`).
 *
 * @since 0.6.0
 * @category models
 */
export type EntitySearchInput = EntitySearchParams.EntitySearchParams

/**
 * The decoded Entity Search response (`SearchResponse` with `entities` and `places`).
 *
 * @since 0.6.0
 * @category models
 */
export type EntitySearchValue = EntitySearch.SearchResponse

/**
 * The typed Image Insights parameters (`insightsToken` or `imgUrl`, and `modules`).
 *
 * @since 0.6.0
 * @category models
 */
export type ImageInsightsInput = ImageInsightsParams.ImageInsightsParams

/**
 * The decoded Image Insights response.
 *
 * @since 0.6.0
 * @category models
 */
export type ImageInsightsValue = ImageInsights.ImageInsights

/**
 * A Visual Search request: the `knowledgeRequest` (an image by `imageInfo.url` or
 * `imageInfo.imageInsightsToken`, a crop area, a site filter) and/or the `image` bytes (at most
 * 1 MB, `imageType` default `image/jpeg`), and the market parameters.
 *
 * @since 0.6.0
 * @category models
 */
export type VisualSearchInput = VisualSearchParams.VisualSearchRequest

/**
 * The decoded Visual Search response.
 *
 * @since 0.6.0
 * @category models
 */
export type VisualSearchValue = ImageInsights.ImageKnowledge

/**
 * The client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly webSearch: (
    params: WebSearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<WebSearchValue>, ClientError>
  readonly imageSearch: (
    params: ImageSearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<ImageSearchValue>, ClientError>
  readonly trendingImages: (
    params?: TrendingImagesInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<TrendingImagesValue>, ClientError>
  /** Video Search (`GET /v7.0/videos/search`). @since 0.5.0 */
  readonly videoSearch: (
    params: VideoSearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<VideoSearchValue>, ClientError>
  /** Trending Videos (`GET /v7.0/videos/trending`). @since 0.5.0 */
  readonly trendingVideos: (
    params?: TrendingVideosInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<TrendingVideosValue>, ClientError>
  /** Video Details (`GET /v7.0/videos/details`). @since 0.5.0 */
  readonly videoDetails: (
    params: VideoDetailsInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<VideoDetailsValue>, ClientError>
  /** Autosuggest (`GET /v7.0/suggestions`). @since 0.5.0 */
  readonly suggestions: (
    params?: SuggestionsInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<SuggestionsValue>, ClientError>
  /** News Search (`GET /v7.0/news/search`). @since 0.3.0 */
  readonly newsSearch: (
    params: NewsSearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<NewsValue>, ClientError>
  /** News by category (`GET /v7.0/news`). @since 0.3.0 */
  readonly newsCategory: (
    params?: NewsCategoryInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<NewsValue>, ClientError>
  /** Trending news topics (`GET /v7.0/news/trendingtopics`). @since 0.3.0 */
  readonly trendingTopics: (
    params?: TrendingTopicsInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<TrendingTopicsValue>, ClientError>
  /**
   * Spell Check (`/v7.0/spellcheck`): a GET, or a POST form when the parameters are 1,500
   * characters or more once encoded. @since 0.3.0
   */
  readonly spellCheck: (
    params: SpellCheckInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<SpellCheckValue>, ClientError>
  /** Entity Search (`GET /v7.0/entities`). @since 0.6.0 */
  readonly entitySearch: (
    params: EntitySearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<EntitySearchValue>, ClientError>
  /** Image Insights (`GET /v7.0/images/details`). @since 0.6.0 */
  readonly imageInsights: (
    params: ImageInsightsInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<ImageInsightsValue>, ClientError>
  /** Visual Search (`POST /v7.0/images/visualsearch`, a multipart body). @since 0.6.0 */
  readonly visualSearch: (
    params: VisualSearchInput,
    options?: CallOptions
  ) => Effect.Effect<BingResult<VisualSearchValue>, ClientError>
  /** The client id remembered for a scope (the default scope when none is given). */
  readonly clientId: (userScope?: string) => Effect.Effect<Option.Option<string>>
  /**
   * One raw GET to any path of the endpoint through the same attempts, tiers and refusals as the
   * operations above, answered with the upstream's bytes (see `Forward`). For proxies.
   * @since 0.2.0
   */
  readonly forward: (request: ForwardRequest) => Effect.Effect<ForwardResponse, ClientError>
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category services
 */
export class BingClient extends Context.Service<BingClient, Service>()("@bing-effect/client/BingClient") {}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** Options after validation. */
interface Resolved {
  readonly key: Redacted.Redacted<string> | undefined
  readonly auth: "subscription-key" | "bearer"
  readonly endpoint: string
  readonly market: string | undefined
  readonly language: string | undefined
  readonly safeSearch: "Off" | "Moderate" | "Strict" | undefined
  readonly userAgent: string | undefined
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly policy: RetryPolicy.RetryPolicy
  readonly allowInsecureLoopback: boolean
  readonly propagateTrace: boolean
  readonly httpSpans: boolean
}

/**
 * Whether the client would refuse to send a key to `endpoint` because it is plain `http://`
 * (loopback hosts are allowed only with `allowInsecureLoopback`). False for an https endpoint and
 * for one that is not a usable URL at all (`validateOptions` reports those).
 *
 * @since 0.2.0
 * @category guards
 */
export const isInsecureEndpoint = (
  endpoint: string,
  options: { readonly allowInsecureLoopback?: boolean | undefined } = {}
): boolean => EndpointCheck.check(endpoint, options.allowInsecureLoopback === true)._tag === "HttpNotAllowed"

/**
 * Checks options without building anything (`withTracker`: for `makeWithQuota` / `layerWithQuota`,
 * so `key` may be absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const validateOptions = (
  options: Options,
  context: { readonly withTracker?: boolean | undefined } = {}
): Result.Result<Options, InvalidClientOptions> =>
  Result.map(resolve(options, context.withTracker === true), () => options)

const bad = (option: string, detail: string) => Result.fail(new InvalidClientOptions({ option, detail }))

const resolve = (options: Options, trackerPresent: boolean): Result.Result<Resolved, InvalidClientOptions> => {
  if (options.key !== undefined && !Redacted.isRedacted(options.key)) {
    return bad("key", "must be a Redacted value (Redacted.make(key) or Config.Redacted)")
  }
  if (options.key !== undefined && Redacted.value(options.key).trim() === "") return bad("key", "is empty")
  // Checked here, not by the transport: fetch and undici would throw on every attempt, which reads
  // as a connection error and is retried.
  if (options.key !== undefined && !HeaderValue.isValid(Redacted.value(options.key))) {
    return bad("key", HeaderValue.problem)
  }
  if (options.userAgent !== undefined && !HeaderValue.isValid(options.userAgent)) {
    return bad("userAgent", HeaderValue.problem)
  }
  if (options.key === undefined && !trackerPresent) {
    return bad("key", "is required without a QuotaTracker (makeWithQuota / layerWithQuota take the tiers' keys)")
  }
  const endpoint = options.endpoint ?? defaultEndpoint
  const checked = EndpointCheck.check(endpoint, options.allowInsecureLoopback === true)
  if (checked._tag === "Invalid") return bad("endpoint", checked.detail)
  // An http:// endpoint is not an options error: every call fails with InvalidRequest/HttpNotAllowed
  // before sending anything, as Bing itself would answer.
  const timeout = Duration.fromInput(options.timeout ?? "10 seconds")
  if (Option.isNone(timeout)) return bad("timeout", "is not a duration")
  const timeoutMs = Duration.toMillis(timeout.value)
  if (!(timeoutMs > 0)) return bad("timeout", "must be a positive duration (or \"Infinity\" for none)")
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
  if (
    typeof maxResponseBytes !== "number" || !(maxResponseBytes >= 1) ||
    !(Number.isInteger(maxResponseBytes) || maxResponseBytes === Infinity)
  ) {
    return bad("maxResponseBytes", "must be a positive whole number of bytes")
  }
  const policy = RetryPolicy.make(options.retry)
  if (Result.isFailure(policy)) return bad("retry", policy.failure)
  if (options.safeSearch !== undefined && !["Off", "Moderate", "Strict"].includes(options.safeSearch)) {
    return bad("safeSearch", "must be Off, Moderate or Strict")
  }
  if (options.auth !== undefined && options.auth !== "subscription-key" && options.auth !== "bearer") {
    return bad("auth", "must be subscription-key or bearer")
  }
  return Result.succeed({
    key: options.key,
    auth: options.auth ?? "subscription-key",
    endpoint,
    market: options.market,
    language: options.language,
    safeSearch: options.safeSearch,
    userAgent: options.userAgent,
    timeoutMs,
    maxResponseBytes,
    policy: policy.success,
    allowInsecureLoopback: options.allowInsecureLoopback === true,
    propagateTrace: options.propagateTrace === true,
    httpSpans: options.httpSpans === true
  })
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

const webSearchOp: Operation.Operation<WebSearchParams.WebSearchParams, WebSearchValue> = Operation.make(
  "webSearch",
  "/v7.0/search",
  WebSearchParams,
  BingResponse.decodeWebSearch
)

const imageSearchOp: Operation.Operation<ImageSearchParams.ImageSearchParams, ImageSearchValue> = Operation.make(
  "imageSearch",
  "/v7.0/images/search",
  ImageSearchParams,
  BingResponse.decodeImageSearch
)

const trendingImagesOp: Operation.Operation<ImageSearchParams.TrendingImagesParams, TrendingImagesValue> = Operation
  .make(
    "trendingImages",
    "/v7.0/images/trending",
    { validate: ImageSearchParams.validateTrending, toQuery: ImageSearchParams.trendingToQuery },
    BingResponse.decodeTrendingImages
  )

/** What one successful attempt yields. */
interface Answer<A> {
  readonly value: A
  readonly status: number
  readonly traceId: string | undefined
  readonly market: string | undefined
  readonly clientId: string | undefined
}

type AttemptError = RetryLoop.AttemptError

const transportDetail = (error: HttpClientError.HttpClientError, secrets: ReadonlyArray<string>): string => {
  const reason = error.reason
  const cause = (reason as { readonly cause?: unknown }).cause
  return cause instanceof Error ? Scrub.causeText(cause, secrets) : Scrub.scrub(reason._tag, secrets)
}

/** A locally refused parameter: the validator's error, marked as refused before sending. */
const refusedLocally = (e: BingError.InvalidRequest): BingError.InvalidRequest =>
  new BingError.InvalidRequest({
    status: e.status,
    errors: e.errors,
    subCode: e.subCode,
    ...(e.parameter === undefined ? {} : { parameter: e.parameter }),
    ...(e.value === undefined ? {} : { value: e.value }),
    local: true
  })

/**
 * The warning for `cc` sent with `mkt`: Bing's documentation says not to send both (it documents no
 * error), and `mkt` wins. Sent anyway (Microsoft's SDK does), never refused.
 */
const bothMarkets = (operation: string, mkt: unknown, cc: unknown): string =>
  `BingClient.${operation}: cc=${String(cc)} is sent with mkt=${
    String(mkt)
  }; Bing's documentation says not to send both, and mkt decides the market (see BingAPIs-Market)`

/** The content type of a POST form body (Spell Check's long text). */
const formContentType = "application/x-www-form-urlencoded"

/** Makes sure a fetch-based client never follows a redirect: `redirect: "manual"` on every request. */
const manualRedirects = (init: globalThis.RequestInit | undefined): globalThis.RequestInit =>
  init?.redirect === "manual" ? init : { ...init, redirect: "manual" }

/**
 * Builds a client from options with the `HttpClient` of the context, sending the configured `key`
 * (for quota tracking and tier failover, see {@link makeWithQuota}).
 *
 * **When to use**: to hold the service yourself (a scoped client, two clients with different
 * options); otherwise {@link layer}.
 *
 * **Gotchas**: nothing is taken from the context silently. A `QuotaTracker` there is not used
 * (that is `makeWithQuota`), and without an `HttpClient` the program does not typecheck: provide
 * `BingHttp.layer` (`@bing-effect/client/undici`, the fastest on Node),
 * `NodeHttpClient.layerUndici` (`@effect/platform-node`) or `FetchHttpClient.layer` (`effect/http`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, InvalidClientOptions, HttpClient.HttpClient> =>
  build(options, undefined)

/**
 * Builds a client whose every call acquires a tier from the `QuotaTracker` of the context, sends
 * that tier's key (to its endpoint when it has one), reports the outcome, and moves to the next
 * tier within the same call when Bing answers that a quota is exhausted. `key` may be absent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeWithQuota = (
  options: Options
): Effect.Effect<Service, InvalidClientOptions, HttpClient.HttpClient | QuotaTracker.QuotaTracker> =>
  QuotaTracker.QuotaTracker.use((tracker) => build(options, tracker))

const build = (
  options: Options,
  trackerService: RetryLoop.Tracker | undefined
): Effect.Effect<Service, InvalidClientOptions, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const resolved = resolve(options, trackerService !== undefined)
    if (Result.isFailure(resolved)) return yield* Effect.fail(resolved.failure)
    const config = resolved.success
    const http = yield* HttpClient.HttpClient
    // `BingHttp`'s own HttpClient (@bing-effect/client/undici): GETs go through its raw dispatch.
    // Not with `httpSpans`, which asks for Effect's HTTP span.
    const direct = config.httpSpans ? undefined : Direct.make(http, config.timeoutMs)
    // A fetch `RequestInit` seen where the client is built is kept (with `redirect: "manual"`) for
    // calls whose own context has none.
    const builtInit = manualRedirects(Option.getOrUndefined(yield* Effect.serviceOption(FetchHttpClient.RequestInit)))
    let lastInit: globalThis.RequestInit | undefined
    let lastManual = builtInit
    const initFor = (init: globalThis.RequestInit | undefined): globalThis.RequestInit => {
      if (init === undefined) return builtInit
      if (init !== lastInit) {
        lastInit = init
        lastManual = manualRedirects(init)
      }
      return lastManual
    }
    const clientIds = ClientIds.make()
    const endpoints = new Map<string, EndpointCheck.Endpoint | EndpointCheck.EndpointProblem>()
    const endpointFor = (endpoint: string) => {
      let checked = endpoints.get(endpoint)
      if (checked === undefined) {
        checked = EndpointCheck.check(endpoint, config.allowInsecureLoopback)
        if (endpoints.size < 1_000) endpoints.set(endpoint, checked)
      }
      return checked
    }
    const staticHeaders: Record<string, string> = { accept: "application/json" }
    if (config.userAgent !== undefined) staticHeaders["user-agent"] = config.userAgent
    // The request headers of the last (key, client id) pair: the same on almost every call, and
    // `Headers` are never mutated, so one object serves them all (no copy per request).
    let lastKey: string | undefined
    let lastId: string | undefined
    let lastHeaders = Headers.empty
    const headersFor = (key: string, sentId: string | undefined): Headers.Headers => {
      if (key !== lastKey || sentId !== lastId) {
        const input: Record<string, string> = { ...staticHeaders, ...KeyHeader.of(config.auth, key) }
        if (sentId !== undefined) input["x-msedge-clientid"] = sentId
        lastHeaders = Headers.fromInput(input)
        lastKey = key
        lastId = sentId
      }
      return lastHeaders
    }

    const fallback = { key: config.key, endpoint: config.endpoint }

    const withDefaults = (params: object | undefined): Record<string, unknown> => {
      const input: Record<string, unknown> = { ...params }
      if (config.market !== undefined && input["mkt"] === undefined && input["cc"] === undefined) {
        input["mkt"] = config.market
      }
      if (config.language !== undefined && input["setLang"] === undefined) input["setLang"] = config.language
      if (config.safeSearch !== undefined && input["safeSearch"] === undefined) input["safeSearch"] = config.safeSearch
      return input
    }

    /** A response read whole: scrubbed, its client id remembered, decoded. */
    const answer = <A>(
      op: Operation.Operation<unknown, A>,
      status: number,
      received: Readonly<Record<string, string>>,
      text: string,
      key: string,
      scope: string,
      sentId: string | undefined,
      clock: Clock.Clock
    ): Effect.Effect<Answer<A>, AnyBingError> => {
      const headers = Scrub.headers(received, key)
      const returnedId = headers["x-msedge-clientid"]
      if (returnedId !== undefined && returnedId !== "") clientIds.set(scope, returnedId)
      // `now` only matters for a Retry-After given as an HTTP date.
      const decoded = op.decode(
        { status, headers, body: Scrub.body(text, key) },
        { now: clock.currentTimeMillisUnsafe() }
      )
      if (Result.isFailure(decoded)) return Effect.fail(decoded.failure)
      return Effect.succeed({
        value: decoded.success,
        status,
        traceId: headers["bingapis-traceid"],
        market: headers["bingapis-market"],
        clientId: returnedId ?? sentId
      })
    }

    const attempt = <A>(
      op: Operation.Operation<unknown, A>,
      query: string,
      scope: string,
      target: RetryLoop.Target,
      payload: Multipart.RequestBody | undefined
    ): Effect.Effect<Answer<A>, AttemptError> => {
      const checked = endpointFor(target.endpoint)
      if (checked._tag === "HttpNotAllowed") return Effect.fail(BingError.httpNotAllowed({ local: true }))
      // A tier's endpoint and key are first seen here (the tracker hands them over): refused
      // before sending, never retried (the client's own were checked when it was built).
      if (checked._tag === "Invalid") {
        return Effect.fail(
          new InvalidClientOptions({ option: "endpoint", detail: `of tier ${target.tier} ${checked.detail}` })
        )
      }
      const key = Redacted.value(target.key)
      if (target.tier !== undefined && !HeaderValue.isValid(key)) {
        return Effect.fail(
          new InvalidClientOptions({ option: "key", detail: `of tier ${target.tier} ${HeaderValue.problem}` })
        )
      }
      const display = checked.base + op.path
      // A query too long for a URL goes in a POST form body (Spell Check only, see `postsForm`).
      const asForm = op.postsForm !== undefined && op.postsForm(query)
      const url = query === "" || asForm ? display : `${display}?${query}`
      const sentId = clientIds.get(scope)
      // The direct path sends GETs only; a form or a body goes through the HttpClient.
      if (direct !== undefined && !asForm && payload === undefined) {
        return direct.get({
          origin: checked.origin,
          url,
          headers: headersFor(key, sentId),
          operation: op.name,
          endpoint: display,
          key,
          timeoutMs: config.timeoutMs,
          maxResponseBytes: config.maxResponseBytes
        }, (r, clock) => answer(op, r.status, r.headers, r.body, key, scope, sentId, clock))
      }
      // One request object (`get(url, { headers })` builds three and copies the headers again).
      const request = payload !== undefined
        ? HttpClientRequest.makeWith(
          "POST",
          url,
          UrlParams.empty,
          Option.none(),
          Headers.set(headersFor(key, sentId), "content-type", payload.contentType),
          HttpBody.uint8Array(payload.bytes, payload.contentType)
        )
        : asForm
        ? HttpClientRequest.makeWith(
          "POST",
          url,
          UrlParams.empty,
          Option.none(),
          Headers.set(headersFor(key, sentId), "content-type", formContentType),
          HttpBody.text(query, formContentType)
        )
        : HttpClientRequest.makeWith(
          "GET",
          url,
          UrlParams.empty,
          Option.none(),
          headersFor(key, sentId),
          HttpBody.empty
        )
      const failed = (phase: "request" | "response", error: HttpClientError.HttpClientError) =>
        new ConnectionFailed({ operation: op.name, endpoint: display, phase, detail: transportDetail(error, [key]) })
      const exchange = (clock: Clock.Clock): Effect.Effect<Answer<A>, AttemptError> =>
        Effect.matchEffect(http.execute(request), {
          onFailure: (error) => Effect.fail(failed("request", error)),
          onSuccess: (response): Effect.Effect<Answer<A>, AttemptError> => {
            // Whatever the HttpClient: a 3xx is never followed, and an answer from another origin
            // (a client that followed a redirect by itself) is never used.
            const redirect = Redirect.check(response, checked.origin, key)
            if (redirect !== undefined) {
              return Effect.andThen(
                Body.discard(response),
                Effect.fail(
                  new RedirectRefused({ operation: op.name, endpoint: display, status: response.status, ...redirect })
                )
              )
            }
            // Read once: some clients (undici) build a new Headers object on every access.
            const received = response.headers
            const body = Body.read(
              response,
              received,
              config.maxResponseBytes,
              () =>
                new ResponseTooLarge({
                  operation: op.name,
                  endpoint: display,
                  status: response.status,
                  maxResponseBytes: config.maxResponseBytes
                })
            )
            // Read, scrubbed and decoded in one step (one continuation per attempt, not three).
            return Effect.matchEffect(body, {
              onFailure: (e) => Effect.fail(e._tag === "ResponseTooLarge" ? e : failed("response", e)),
              onSuccess: (text) => answer(op, response.status, received, text, key, scope, sentId, clock)
            })
          }
        })
      // The per-attempt timeout (see internal/timeout.ts: one child fiber and a plain timer on the
      // live clock); skipped only when the caller chose none and relies on interruption instead.
      return Effect.clockWith((clock) =>
        Number.isFinite(config.timeoutMs)
          ? Timeout.bounded(
            exchange(clock),
            config.timeoutMs,
            () => new RequestTimeout({ operation: op.name, endpoint: display, timeoutMs: config.timeoutMs })
          )
          : exchange(clock)
      )
    }

    /** The end of a call: the loop's failure as the call's error, its success as a `BingResult`. */
    const ends = (traced: boolean) => ({
      onFailure: (
        failed: RetryLoop.Failed<AttemptError | QuotaError.QuotaError>
      ): Effect.Effect<never, ClientError> => {
        const error = Attempts.set(failed.error, failed.attempts)
        return traced ? Effect.andThen(annotateFailure(failed), Effect.fail(error)) : Effect.fail(error)
      },
      onSuccess: (served: RetryLoop.Served<Answer<unknown>>): Effect.Effect<BingResult<unknown>> => {
        const meta: Meta = {
          traceId: served.value.traceId,
          market: served.value.market,
          clientId: served.value.clientId,
          tier: served.tier,
          attempts: served.attempts,
          status: served.value.status
        }
        const result: BingResult<unknown> = { value: served.value.value, meta }
        if (!traced) return Effect.succeed(result)
        return Effect.as(
          Effect.annotateCurrentSpan({
            "bing.status": meta.status,
            "bing.attempts": meta.attempts,
            ...(meta.tier === undefined ? {} : { "bing.tier": meta.tier }),
            ...(meta.traceId === undefined ? {} : { "bing.trace_id": meta.traceId })
          }),
          result
        )
      }
    })
    // Built once per client, not per call (the handlers of `matchEffect` are otherwise three
    // allocations on every call).
    const tracedEnds = ends(true)
    const untracedEnds = ends(false)

    /**
     * One call. `traced`: a tracing backend is installed, so the call gets its span and the span its
     * attributes. Without one (Effect's `nativeTracer`, which exports nothing) the span is skipped:
     * nobody could observe it, and it cost about a fifth of the client's own time per call.
     */
    const run = <P, A>(
      op: Operation.Operation<P, A>,
      params: object | undefined,
      callOptions: CallOptions | undefined,
      traced: boolean
    ): Effect.Effect<BingResult<A>, ClientError> => {
      // Called when the call runs (inside `call`'s `withFiber`), so no `suspend` of its own.
      {
        const input = withDefaults(params)
        const validated = op.validate(input)
        if (Result.isFailure(validated)) return Effect.fail(Attempts.set(refusedLocally(validated.failure), 0))
        const query = op.toQuery(validated.success).toString()
        // Built once: every attempt of the call sends the same bytes.
        const payload = op.body?.(validated.success)
        const scope = callOptions?.userScope ?? ClientIds.defaultScope
        const loop = RetryLoop.run<Answer<A>>({
          policy: config.policy,
          tracker: trackerService,
          fallback,
          missingKey: BingError.authorizationMissing,
          attempt: (target) => attempt(op as Operation.Operation<unknown, A>, query, scope, target, payload)
        })
        const sent = input["cc"] !== undefined && input["mkt"] !== undefined
          ? Effect.andThen(Effect.logWarning(bothMarkets(op.name, input["mkt"], input["cc"])), loop)
          : loop
        // The shared handlers are written for any answer; this one's value is an `A`.
        return Effect.matchEffect(sent, traced ? tracedEnds : untracedEnds) as Effect.Effect<
          BingResult<A>,
          ClientError
        >
      }
    }

    // One context update per call: the key header joins the redacted names, a fetch-based
    // HttpClient gets `redirect: "manual"` (whichever HttpClient, the response is checked as well),
    // and Effect's HTTP span is off (or its propagation, see `httpSpans`). Contexts are immutable
    // and a caller's is the same object call after call, so the last result is kept: each change
    // of the fiber's context rebuilds its lookup cache, which cost more than the rest of the update.
    let lastContext: Context.Context<never> | undefined
    let lastCallContext: Context.Context<never> = Context.empty()
    const callContext = (context: Context.Context<never>): Context.Context<never> => {
      if (context === lastContext) return lastCallContext
      let next = Context.add(
        Context.add(
          context,
          Headers.CurrentRedactedNames,
          addKeyHeader(Context.get(context, Headers.CurrentRedactedNames))
        ),
        FetchHttpClient.RequestInit,
        initFor(Context.getOrUndefined(context, FetchHttpClient.RequestInit))
      )
      if (!config.httpSpans) next = Context.add(next, HttpClient.TracerDisabledWhen, constTrue)
      else if (!config.propagateTrace) next = Context.add(next, HttpClient.TracerPropagationEnabled, false)
      lastContext = context
      lastCallContext = next
      return next
    }

    const call = <P, A>(
      op: Operation.Operation<P, A>,
      params: object | undefined,
      callOptions: CallOptions | undefined
    ) => {
      const traced = Effect.withFiber((fiber) =>
        fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer
          ? run(op, params, callOptions, false)
          : run(op, params, callOptions, true).pipe(
            // No stack capture: it costs more than the rest of the span, and the caller's span says where.
            Effect.withSpan(`BingClient.${op.name}`, { attributes: { "bing.operation": op.name } }, {
              captureStackTrace: false
            })
          )
      )
      // The direct path reads none of what the context update sets (it is for Effect's HttpClient).
      return direct === undefined ? Effect.updateContext(traced, callContext) : traced
    }

    return BingClient.of({
      webSearch: (params, callOptions) => call(webSearchOp, params, callOptions),
      imageSearch: (params, callOptions) => call(imageSearchOp, params, callOptions),
      trendingImages: (params, callOptions) => call(trendingImagesOp, params, callOptions),
      videoSearch: (params, callOptions) => call(VideoOps.videoSearch, params, callOptions),
      trendingVideos: (params, callOptions) => call(VideoOps.trendingVideos, params, callOptions),
      videoDetails: (params, callOptions) => call(VideoOps.videoDetails, params, callOptions),
      suggestions: (params, callOptions) => call(SuggestionsOp.suggestions, params, callOptions),
      newsSearch: (params, callOptions) => call(NewsOps.newsSearch, params, callOptions),
      newsCategory: (params, callOptions) => call(NewsOps.newsCategory, params, callOptions),
      trendingTopics: (params, callOptions) => call(NewsOps.trendingTopics, params, callOptions),
      spellCheck: (params, callOptions) => call(SpellCheckOp.spellCheck, params, callOptions),
      entitySearch: (params, callOptions) => call(EntitiesOp.entitySearch, params, callOptions),
      imageInsights: (params, callOptions) => call(InsightsOps.imageInsights, params, callOptions),
      visualSearch: (params, callOptions) => call(InsightsOps.visualSearch, params, callOptions),
      clientId: (userScope) =>
        Effect.sync(() => Option.fromNullishOr(clientIds.get(userScope ?? ClientIds.defaultScope))),
      forward: ForwardOp.make({ ...config, http, direct, tracker: trackerService, fallback, endpointFor, callContext })
    })
  })

const annotateFailure = (failed: RetryLoop.Failed<AttemptError | QuotaError.QuotaError>): Effect.Effect<void> => {
  const error = failed.error
  const fromBing = BingError.isBingError(error) ? error : undefined
  return Effect.annotateCurrentSpan({
    "bing.attempts": failed.attempts,
    "bing.error": error._tag,
    ...(failed.tier === undefined ? {} : { "bing.tier": failed.tier }),
    ...(fromBing === undefined ? {} : { "bing.status": fromBing.status }),
    ...(fromBing?.traceId === undefined ? {} : { "bing.trace_id": fromBing.traceId })
  })
}

const addKeyHeader = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> =>
  names.includes(SubscriptionKeyHeader) && names.includes(KeyHeader.authorization)
    ? names
    : [
      ...names.filter((n) => n !== SubscriptionKeyHeader && n !== KeyHeader.authorization),
      SubscriptionKeyHeader,
      KeyHeader.authorization
    ]

// ---------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------

/**
 * A client layer sending the configured `key`. It needs an `HttpClient`: provide
 * `BingHttp.layer` from `@bing-effect/client/undici` (the fastest on Node),
 * `NodeHttpClient.layerUndici` from `@effect/platform-node` or `FetchHttpClient.layer` from `effect/http`. For quota tracking and tier failover use
 * {@link layerWithQuota}.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { BingClient } from "@bing-effect/client"
 *
 * const Live = BingClient.layer({ key: Redacted.make(process.env.BING_KEY ?? ""), market: "en-US" }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * const program = BingClient.webSearch({ q: "effect" }).pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<BingClient, InvalidClientOptions, HttpClient.HttpClient> =>
  Layer.effect(BingClient, make(options))

/**
 * A client layer backed by a quota tracker (see {@link makeWithQuota}): it needs an `HttpClient`
 * and a `QuotaTracker`, both by `Layer.provide`. The tracker's tiers bring their keys, so `key`
 * may be absent.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { BingClient } from "@bing-effect/client"
 * import { QuotaTracker, Tier } from "@bing-effect/quota-tracker"
 *
 * const Tracker = QuotaTracker.layer({
 *   tiers: [Tier.make({ name: "S1", key: Redacted.make(process.env.BING_KEY ?? ""), limits: { perMonth: 1_000 } })]
 * })
 * const Live = BingClient.layerWithQuota({ market: "en-US" }).pipe(
 *   Layer.provide(Tracker),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWithQuota = (
  options: Options
): Layer.Layer<BingClient, InvalidClientOptions, HttpClient.HttpClient | QuotaTracker.QuotaTracker> =>
  Layer.effect(BingClient, makeWithQuota(options))

/**
 * The options read from configuration (environment variables by default):
 * `BING_KEY` (redacted), `BING_ENDPOINT`, `BING_MARKET`, `BING_LANGUAGE`, `BING_SAFE_SEARCH`,
 * `BING_USER_AGENT`, `BING_TIMEOUT`, `BING_MAX_ATTEMPTS`, `BING_MAX_RETRY_AFTER`,
 * `BING_BASE_DELAY`, `BING_MAX_DELAY`, `BING_MAX_RESPONSE_BYTES`, `BING_ALLOW_INSECURE_LOOPBACK`,
 * `BING_AUTH` (`subscription-key` or `bearer`).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  key: Config.option(Config.Redacted("BING_KEY")),
  endpoint: Config.String("BING_ENDPOINT").pipe(Config.withDefault(defaultEndpoint)),
  market: Config.option(Config.String("BING_MARKET")),
  language: Config.option(Config.String("BING_LANGUAGE")),
  safeSearch: Config.option(Config.Literals(["Off", "Moderate", "Strict"], "BING_SAFE_SEARCH")),
  userAgent: Config.option(Config.String("BING_USER_AGENT")),
  timeout: Config.Duration("BING_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  maxAttempts: Config.option(Config.Int("BING_MAX_ATTEMPTS")),
  maxRetryAfter: Config.option(Config.Duration("BING_MAX_RETRY_AFTER")),
  baseDelay: Config.option(Config.Duration("BING_BASE_DELAY")),
  maxDelay: Config.option(Config.Duration("BING_MAX_DELAY")),
  maxResponseBytes: Config.option(Config.Int("BING_MAX_RESPONSE_BYTES")),
  allowInsecureLoopback: Config.Boolean("BING_ALLOW_INSECURE_LOOPBACK").pipe(Config.withDefault(false)),
  auth: Config.option(Config.Literals(["subscription-key", "bearer"], "BING_AUTH"))
}).pipe(
  Config.map((c): Options => ({
    key: Option.getOrUndefined(c.key),
    endpoint: c.endpoint,
    market: Option.getOrUndefined(c.market),
    language: Option.getOrUndefined(c.language),
    safeSearch: Option.getOrUndefined(c.safeSearch),
    userAgent: Option.getOrUndefined(c.userAgent),
    timeout: c.timeout,
    maxResponseBytes: Option.getOrUndefined(c.maxResponseBytes),
    retry: {
      maxAttempts: Option.getOrUndefined(c.maxAttempts),
      maxRetryAfter: Option.getOrUndefined(c.maxRetryAfter),
      baseDelay: Option.getOrUndefined(c.baseDelay),
      maxDelay: Option.getOrUndefined(c.maxDelay)
    },
    allowInsecureLoopback: c.allowInsecureLoopback,
    auth: Option.getOrUndefined(c.auth)
  }))
)

/**
 * A client layer whose options come from `Config` ({@link config} by default); like
 * {@link layer}, it needs an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config<Options> = config
): Layer.Layer<BingClient, InvalidClientOptions | Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(BingClient, Effect.flatMap(options, make))

/**
 * {@link layerWithQuota} with its options from `Config` ({@link config} by default).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfigWithQuota = (
  options: Config.Config<Options> = config
): Layer.Layer<
  BingClient,
  InvalidClientOptions | Config.ConfigError,
  HttpClient.HttpClient | QuotaTracker.QuotaTracker
> => Layer.effect(BingClient, Effect.flatMap(options, makeWithQuota))

// ---------------------------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------------------------

/**
 * Web Search (`GET /v7.0/search`) with the client from the context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const titles = BingClient.webSearch({ q: "effect typescript", count: 5 }).pipe(
 *   Effect.map(({ value }) => value.webPages?.value.map((page) => page.name) ?? [])
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const webSearch = (
  params: WebSearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<WebSearchValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.webSearch(params, options))

/**
 * Image Search (`GET /v7.0/images/search`) with the client from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const imageSearch = (
  params: ImageSearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<ImageSearchValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.imageSearch(params, options))

/**
 * Trending Images (`GET /v7.0/images/trending`) with the client from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const trendingImages = (
  params?: TrendingImagesInput,
  options?: CallOptions
): Effect.Effect<BingResult<TrendingImagesValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.trendingImages(params, options))

/**
 * Video Search (`GET /v7.0/videos/search`) with the client from the context.
 *
 * @since 0.5.0
 * @category accessors
 */
export const videoSearch = (
  params: VideoSearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<VideoSearchValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.videoSearch(params, options))

/**
 * Trending Videos (`GET /v7.0/videos/trending`) with the client from the context.
 *
 * @since 0.5.0
 * @category accessors
 */
export const trendingVideos = (
  params?: TrendingVideosInput,
  options?: CallOptions
): Effect.Effect<BingResult<TrendingVideosValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.trendingVideos(params, options))

/**
 * Video Details (`GET /v7.0/videos/details`) with the client from the context.
 *
 * @since 0.5.0
 * @category accessors
 */
export const videoDetails = (
  params: VideoDetailsInput,
  options?: CallOptions
): Effect.Effect<BingResult<VideoDetailsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.videoDetails(params, options))

/**
 * Autosuggest (`GET /v7.0/suggestions`) with the client from the context.
 *
 * @since 0.5.0
 * @category accessors
 */
export const suggestions = (
  params?: SuggestionsInput,
  options?: CallOptions
): Effect.Effect<BingResult<SuggestionsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.suggestions(params, options))

/**
 * News Search (`GET /v7.0/news/search`) with the client from the context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const headlines = BingClient.newsSearch({ q: "mars rover", count: 5, freshness: "Week" }).pipe(
 *   Effect.map(({ value }) => value.value.map((article) => article.name))
 * )
 * ```
 *
 * @since 0.3.0
 * @category accessors
 */
export const newsSearch = (
  params: NewsSearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<NewsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.newsSearch(params, options))

/**
 * News by category (`GET /v7.0/news`) with the client from the context.
 *
 * @since 0.3.0
 * @category accessors
 */
export const newsCategory = (
  params?: NewsCategoryInput,
  options?: CallOptions
): Effect.Effect<BingResult<NewsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.newsCategory(params, options))

/**
 * Trending news topics (`GET /v7.0/news/trendingtopics`) with the client from the context.
 *
 * @since 0.3.0
 * @category accessors
 */
export const trendingTopics = (
  params?: TrendingTopicsInput,
  options?: CallOptions
): Effect.Effect<BingResult<TrendingTopicsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.trendingTopics(params, options))

/**
 * Spell Check (`/v7.0/spellcheck`) with the client from the context: a GET while the encoded
 * parameters are under 1,500 characters (Bing's advice for a URL, capped at 2,048), else a POST
 * with them as an `application/x-www-form-urlencoded` body, so long text needs no choice.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const fixes = BingClient.spellCheck({ text: "Hollo, wrld!", mode: "spell" }).pipe(
 *   Effect.map(({ value }) => value.flaggedTokens.map((t) => [t.token, t.suggestions[0]?.suggestion]))
 * )
 * ```
 *
 * @since 0.3.0
 * @category accessors
 */
export const spellCheck = (
  params: SpellCheckInput,
  options?: CallOptions
): Effect.Effect<BingResult<SpellCheckValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.spellCheck(params, options))

/**
 * Entity Search (`GET /v7.0/entities`) with the client from the context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const dominant = BingClient.entitySearch({ q: "mount everest", mkt: "en-US" }).pipe(
 *   Effect.map(({ value }) =>
 *     value.entities?.value.find((e) => e.entityPresentationInfo?.entityScenario === "DominantEntity")
 *   )
 * )
 * ```
 *
 * @since 0.6.0
 * @category accessors
 */
export const entitySearch = (
  params: EntitySearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<EntitySearchValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.entitySearch(params, options))

/**
 * Image Insights (`GET /v7.0/images/details`) with the client from the context: what Bing knows
 * about an image named by the `imageInsightsToken` of an Image Search result (or by `imgUrl`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BingClient } from "@bing-effect/client"
 *
 * const similar = BingClient.imageSearch({ q: "espresso", count: 1 }).pipe(
 *   Effect.flatMap(({ value }) =>
 *     BingClient.imageInsights({ insightsToken: value.value[0]!.imageInsightsToken!, modules: ["SimilarImages"] })
 *   ),
 *   Effect.map(({ value }) => value.visuallySimilarImages?.value ?? [])
 * )
 * ```
 *
 * @since 0.6.0
 * @category accessors
 */
export const imageInsights = (
  params: ImageInsightsInput,
  options?: CallOptions
): Effect.Effect<BingResult<ImageInsightsValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.imageInsights(params, options))

/**
 * Visual Search (`POST /v7.0/images/visualsearch`) with the client from the context: an image by
 * URL or insights token (`knowledgeRequest.imageInfo`), or uploaded (`image`, at most 1 MB).
 *
 * @example
 * ```ts
 * import { BingClient } from "@bing-effect/client"
 *
 * const tags = BingClient.visualSearch({ knowledgeRequest: { imageInfo: { url: "https://example.org/red.jpg" } } })
 * ```
 *
 * @since 0.6.0
 * @category accessors
 */
export const visualSearch = (
  params: VisualSearchInput,
  options?: CallOptions
): Effect.Effect<BingResult<VisualSearchValue>, ClientError, BingClient> =>
  BingClient.use((client) => client.visualSearch(params, options))
