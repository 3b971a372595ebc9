/**
 * The typed errors every Bing v7 failure decodes to, one per meaning, and constructors that build
 * them with Bing's exact codes, sub-codes, statuses and messages.
 *
 * Every error carries the HTTP `status`, the `BingAPIs-TraceId` of the response when there was one
 * (`traceId`), and all the `errors` of the body (the first decides the tag; the rest are kept).
 * `message` is a readable summary and `isRetryable` says whether sending the same request again
 * later can succeed.
 *
 * @since 0.1.0
 */
import { QuotaWindow as QuotaWindows, Retirement, type SubCode } from "@bing-effect/error-codes"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as ErrorResponse from "./ErrorResponse.js"
import { Open } from "./internal/open.js"

const common = {
  /** The HTTP status of the response. */
  status: Schema.Int,
  /** The `BingAPIs-TraceId` response header: quote it to Microsoft support. */
  traceId: Schema.optionalKey(Schema.String),
  /** Every `Error` object of the body, in order (empty when the body had none). */
  errors: Schema.Array(ErrorResponse.Error)
}

const RetryAfterMs = Schema.Number.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

/**
 * The documented sub-codes of each code.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidRequestSubCode = Extract<
  SubCode,
  "ParameterMissing" | "ParameterInvalidValue" | "HttpNotAllowed" | "Blocked"
>
/**
 * @since 0.1.0
 * @category models
 */
export type InvalidAuthorizationSubCode = Extract<SubCode, "AuthorizationMissing" | "AuthorizationRedundancy">
/**
 * @since 0.1.0
 * @category models
 */
export type InsufficientAuthorizationSubCode = Extract<SubCode, "AuthorizationDisabled" | "AuthorizationExpired">
/**
 * @since 0.1.0
 * @category models
 */
export type ServerErrorSubCode = Extract<SubCode, "UnexpectedError" | "ResourceError" | "NotImplemented">

/**
 * The brand every `BingError` carries, on its prototype. Registered with `Symbol.for`, so that an
 * error made by a second copy of this package (two versions in one tree, a bundled copy) still
 * passes {@link isBingError}.
 *
 * @since 0.2.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@bing-effect/schema/BingError")

/**
 * @since 0.2.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Which quota a `QuotaExhausted` error is about: the per-day or per-month window of
 * `@bing-effect/error-codes` (the per-second one answers 429, a `RateLimited`), or `"unknown"` when
 * the response does not say.
 *
 * @since 0.2.0
 * @category schemas
 */
export const QuotaWindow = Schema.Literals([QuotaWindows.day, QuotaWindows.month, "unknown"])

/**
 * Which quota a `QuotaExhausted` error is about, when the response says so.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaWindow = typeof QuotaWindow.Type

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max)}…`)

const bingText = (errors: ReadonlyArray<ErrorResponse.Error>): string => {
  const first = errors[0]
  if (first === undefined) return ""
  const parts = [first.message, first.moreDetails].filter((s): s is string => s !== undefined && s !== "")
  const extra = errors.length > 1 ? ` (+${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : ""
  return parts.length === 0 ? extra : `: ${clip(parts.join(" "), 300)}${extra}`
}

const seconds = (ms: number | undefined): string =>
  ms === undefined ? "" : ` (retry after ${Math.max(0, Math.ceil(ms / 1000))} s)`

/**
 * A parameter is missing or not valid (400), HTTP was used instead of HTTPS (410), or the request
 * was blocked. Not retryable: fix the request.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  ...common,
  subCode: Open(["ParameterMissing", "ParameterInvalidValue", "HttpNotAllowed", "Blocked"]),
  /** The query parameter at fault. */
  parameter: Schema.optionalKey(Schema.String),
  /** The offending value. */
  value: Schema.optionalKey(Schema.String),
  /**
   * `true` when the client refused the request itself, before sending anything (a parameter it
   * checks, an `http://` endpoint); absent when the error is the server's answer.
   */
  local: Schema.optionalKey(Schema.Boolean)
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    const where = this.parameter === undefined
      ? ""
      : ` [parameter ${JSON.stringify(this.parameter)}${
        this.value === undefined ? "" : `, value ${JSON.stringify(clip(this.value, 100))}`
      }]`
    return this.local === true
      ? `Request refused locally, nothing was sent (InvalidRequest/${this.subCode})${bingText(this.errors)}${where}`
      : `Bing rejected the request (${this.status} InvalidRequest/${this.subCode})${bingText(this.errors)}${where}`
  }
  /** `false`: the same request fails the same way. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The queries-per-second quota is exceeded (429). Retryable after `retryAfterMs` (from the
 * `Retry-After` header, when there was one).
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...common,
  /** How long to wait before the next call, in milliseconds. */
  retryAfterMs: Schema.optionalKey(RetryAfterMs)
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing rate limit exceeded (${this.status} RateLimitExceeded)${bingText(this.errors)}${
      seconds(this.retryAfterMs)
    }`
  }
  /** `true`: wait `retryAfterMs` (or back off) and send again. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * The per-day or per-month quota is exhausted (403 with `RateLimitExceeded`). Not retryable in the
 * usual sense: the quota comes back only when its window resets (`retryAfterMs` when known), so
 * switch to another key or tier instead.
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaExhausted extends Schema.TaggedError<QuotaExhausted>()("QuotaExhausted", {
  ...common,
  /** Which quota, when the response tells it; else `"unknown"`. */
  window: QuotaWindow,
  /** Time until the quota is replenished, in milliseconds. */
  retryAfterMs: Schema.optionalKey(RetryAfterMs)
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    const which = this.window === "unknown" ? "quota" : `per-${this.window} quota`
    return `Bing ${which} exhausted (${this.status} RateLimitExceeded)${bingText(this.errors)}${
      seconds(this.retryAfterMs)
    }`
  }
  /** `false`: it needs a switch of key or tier, not a retry. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The subscription key is missing or not recognized, or more than one authentication method was
 * used (401).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidAuthorization extends Schema.TaggedError<InvalidAuthorization>()("InvalidAuthorization", {
  ...common,
  subCode: Open(["AuthorizationMissing", "AuthorizationRedundancy"])
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing refused the credentials (${this.status} InvalidAuthorization/${this.subCode})${bingText(this.errors)}`
  }
  /** `false`. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The subscription key is disabled or expired (403).
 *
 * @since 0.1.0
 * @category errors
 */
export class InsufficientAuthorization
  extends Schema.TaggedError<InsufficientAuthorization>()("InsufficientAuthorization", {
    ...common,
    subCode: Open(["AuthorizationDisabled", "AuthorizationExpired"])
  })
{
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing denied access (${this.status} InsufficientAuthorization/${this.subCode})${bingText(this.errors)}`
  }
  /** `false`. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * An unexpected server-side error (500).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  ...common,
  subCode: Open(["UnexpectedError", "ResourceError", "NotImplemented"])
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing server error (${this.status} ServerError/${this.subCode})${bingText(this.errors)}`
  }
  /** `true`: transient on Bing's side. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * A 200 with an empty body: Bing's answer when it suspects a denial-of-service attack.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmptyResponse extends Schema.TaggedError<EmptyResponse>()("EmptyResponse", common) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing answered ${this.status} with an empty body (suspected denial-of-service; slow down)`
  }
  /** `true`, after backing off. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * 404: the request URL is longer than 2,048 characters (or the path is not an endpoint).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", common) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing answered ${this.status} Not Found (is the URL longer than 2,048 characters?)${bingText(this.errors)}`
  }
  /** `false`. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * 410 `{"error":{"code":"Gone",…}}`: the endpoint answers that the Bing Search APIs were retired
 * (2025-08-11). Distinct from `InvalidRequest/HttpNotAllowed`, the other 410: no request to this
 * endpoint will ever succeed again, so it is never retried. Point the client at a Bing-compatible
 * endpoint (a reseller that kept the v7 shape, or this project's gateway) instead.
 *
 * @since 0.4.0
 * @category errors
 */
export class ServiceRetired extends Schema.TaggedError<ServiceRetired>()("ServiceRetired", common) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    return `Bing answered ${this.status} Gone: the Bing Search APIs were retired on ${Retirement.date} (${Retirement.moreInformation}); use a Bing-compatible endpoint`
  }
  /** `false`: the endpoint is gone for good. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Anything Bing does not document: an HTML page from a proxy, a body that is not JSON, an
 * undocumented status, or a 200 whose body does not match the model. Keeps only a bounded excerpt
 * of the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  ...common,
  /** The `Content-Type` response header. */
  contentType: Schema.optionalKey(Schema.String),
  /** The first characters of the body (at most {@link excerptLength}, plus an ellipsis). */
  bodyExcerpt: Schema.String,
  /** Why the response was not understood. */
  reason: Schema.optionalKey(Schema.String)
}) {
  /** The brand {@link isBingError} checks. */
  get [TypeId](): TypeId {
    return TypeId
  }
  /** A readable summary. */
  override get message(): string {
    const type = this.contentType === undefined ? "" : ` ${this.contentType}`
    const why = this.reason === undefined ? "" : `: ${this.reason}`
    return `Unexpected response from Bing (${this.status}${type})${why}`
  }
  /**
   * `true` for a 5xx status: a server error without a Bing body (a proxy's or gateway's error page)
   * is transient like Bing's own `ServerError`. `false` otherwise: the response is not understood,
   * so a retry is a guess.
   */
  get isRetryable(): boolean {
    return this.status >= 500 && this.status < 600
  }
}

/**
 * The longest body excerpt an `UnexpectedResponse` keeps.
 *
 * @since 0.1.0
 * @category constants
 */
export const excerptLength = 512

/**
 * Cuts a body down to {@link excerptLength} characters (an ellipsis marks a cut).
 *
 * @since 0.1.0
 * @category constructors
 */
export const excerpt = (body: string): string => clip(body, excerptLength)

/**
 * Any Bing failure.
 *
 * @since 0.1.0
 * @category models
 */
export type BingError =
  | InvalidRequest
  | RateLimited
  | QuotaExhausted
  | InvalidAuthorization
  | InsufficientAuthorization
  | ServerError
  | EmptyResponse
  | NotFound
  | ServiceRetired
  | UnexpectedResponse

/**
 * Schema of the union, e.g. to send a `BingError` across a worker boundary or persist it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BingError = Schema.Union([
  InvalidRequest,
  RateLimited,
  QuotaExhausted,
  InvalidAuthorization,
  InsufficientAuthorization,
  ServerError,
  EmptyResponse,
  NotFound,
  ServiceRetired,
  UnexpectedResponse
])

/**
 * The `_tag` of every `BingError`.
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = BingError["_tag"]

/**
 * Every tag, in the order of the union.
 *
 * @since 0.1.0
 * @category constants
 */
export const tags: ReadonlyArray<Tag> = Object.freeze([
  "InvalidRequest",
  "RateLimited",
  "QuotaExhausted",
  "InvalidAuthorization",
  "InsufficientAuthorization",
  "ServerError",
  "EmptyResponse",
  "NotFound",
  "ServiceRetired",
  "UnexpectedResponse"
])

/**
 * Whether a value is a `BingError`: it carries the {@link TypeId} brand, so an error made by
 * another copy of this package passes, and a lookalike with the same `_tag` does not.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBingError = (u: unknown): u is BingError => Predicate.hasProperty(u, TypeId)

// ---------------------------------------------------------------------------------------------
// Constructors with Bing's exact wire content
// ---------------------------------------------------------------------------------------------

/**
 * Options every constructor takes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The `BingAPIs-TraceId` to carry. */
  readonly traceId?: string | undefined
}

/**
 * Options of the `InvalidRequest` constructors.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidRequestOptions extends Options {
  /** Mark the error as refused by the client before sending (`local: true`). */
  readonly local?: boolean | undefined
}

const trace = (options: Options | undefined): { traceId?: string } =>
  options?.traceId === undefined ? {} : { traceId: options.traceId }

const local = (options: InvalidRequestOptions | undefined): { local?: boolean } =>
  options?.local === true ? { local: true } : {}

const wireError = (fields: ErrorResponse.Error): ErrorResponse.Error => {
  const out: { -readonly [K in keyof ErrorResponse.Error]: ErrorResponse.Error[K] } = { code: fields.code }
  if (fields.subCode !== undefined) out.subCode = fields.subCode
  if (fields.message !== undefined) out.message = fields.message
  if (fields.moreDetails !== undefined) out.moreDetails = fields.moreDetails
  if (fields.parameter !== undefined) out.parameter = fields.parameter
  if (fields.value !== undefined) out.value = fields.value
  return out
}

/**
 * Bing's message texts. The two documented examples ("4.3 Errors" in docs/bing-v7-reference.md) are verbatim;
 * the others follow their style where the documentation shows no sample.
 *
 * @since 0.1.0
 * @category constants
 */
export const Messages = Object.freeze(
  {
    ParameterMissing: "Required parameter is missing.",
    ParameterInvalidValue: "Parameter has invalid value.",
    HttpNotAllowed: "Http is not allowed. Use https instead.",
    Blocked: "The request is blocked.",
    RateLimitExceeded: "Rate limit is exceeded. Try again later.",
    QuotaExceeded: "Out of call volume quota.",
    QuotaExceededDay: "The per-day call volume quota is exhausted.",
    QuotaExceededMonth: "The per-month call volume quota is exhausted.",
    AuthorizationMissing: "Authorization is required.",
    SubscriptionKeyNotRecognized: "Subscription key is not recognized.",
    AuthorizationRedundancy: "Only one authorization method is allowed.",
    AuthorizationDisabled: "Authorization is disabled.",
    AuthorizationExpired: "Authorization has expired.",
    UnexpectedError: "An unexpected error has occurred.",
    ResourceError: "A resource that the request needs failed.",
    NotImplemented: "The feature is not implemented."
  } as const
)

/**
 * 400 `InvalidRequest`/`ParameterMissing` for a required parameter that is absent or empty.
 *
 * @example
 * import { BingError } from "@bing-effect/schema"
 * BingError.parameterMissing("q")
 * // errors: [{ code: "InvalidRequest", subCode: "ParameterMissing", message: "Required parameter is missing.", parameter: "q" }]
 *
 * @since 0.1.0
 * @category constructors
 */
export const parameterMissing = (parameter: string, options?: InvalidRequestOptions): InvalidRequest =>
  new InvalidRequest({
    status: 400,
    ...trace(options),
    ...local(options),
    errors: [
      wireError({ code: "InvalidRequest", subCode: "ParameterMissing", message: Messages.ParameterMissing, parameter })
    ],
    subCode: "ParameterMissing",
    parameter
  })

/**
 * 400 `InvalidRequest`/`ParameterInvalidValue` for a parameter whose value is not valid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parameterInvalidValue = (
  parameter: string,
  value: string,
  options?: InvalidRequestOptions
): InvalidRequest =>
  new InvalidRequest({
    status: 400,
    ...trace(options),
    ...local(options),
    errors: [
      wireError({
        code: "InvalidRequest",
        subCode: "ParameterInvalidValue",
        message: Messages.ParameterInvalidValue,
        parameter,
        value
      })
    ],
    subCode: "ParameterInvalidValue",
    parameter,
    value
  })

/**
 * 410 `InvalidRequest`/`HttpNotAllowed`: the request used HTTP instead of HTTPS.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpNotAllowed = (options?: InvalidRequestOptions): InvalidRequest =>
  new InvalidRequest({
    status: 410,
    ...trace(options),
    ...local(options),
    errors: [wireError({ code: "InvalidRequest", subCode: "HttpNotAllowed", message: Messages.HttpNotAllowed })],
    subCode: "HttpNotAllowed"
  })

/**
 * `InvalidRequest`/`Blocked`. Its status is not documented: 400 by default (the project's decision,
 * "11. Project decisions" in docs/bing-v7-reference.md), configurable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const blocked = (options?: Options & { readonly status?: number | undefined }): InvalidRequest =>
  new InvalidRequest({
    status: options?.status ?? 400,
    ...trace(options),
    errors: [wireError({ code: "InvalidRequest", subCode: "Blocked", message: Messages.Blocked })],
    subCode: "Blocked"
  })

/**
 * 429 `RateLimitExceeded`: the queries-per-second quota. `retryAfterMs` becomes the `Retry-After`
 * header (whole seconds, at least 1) when encoded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimited = (retryAfterMs?: number | undefined, options?: Options): RateLimited =>
  new RateLimited({
    status: 429,
    ...trace(options),
    errors: [wireError({ code: "RateLimitExceeded", message: Messages.RateLimitExceeded })],
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })

/**
 * 403 `RateLimitExceeded`: the per-day or per-month quota. `retryAfterMs` (time until the window
 * resets) becomes the `Retry-After` header when encoded; the window is named in `moreDetails`, which
 * is how the decoder tells it back.
 *
 * @since 0.1.0
 * @category constructors
 */
export const quotaExhausted = (
  window: QuotaWindow,
  retryAfterMs?: number | undefined,
  options?: Options
): QuotaExhausted =>
  new QuotaExhausted({
    status: 403,
    ...trace(options),
    errors: [
      wireError({
        code: "RateLimitExceeded",
        message: Messages.QuotaExceeded,
        ...(window === "day"
          ? { moreDetails: Messages.QuotaExceededDay }
          : window === "month"
          ? { moreDetails: Messages.QuotaExceededMonth }
          : {})
      })
    ],
    window,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })

/**
 * 401 `InvalidAuthorization`/`AuthorizationMissing`: no subscription key was sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationMissing = (
  options?: Options & { readonly moreDetails?: string | undefined }
): InvalidAuthorization =>
  new InvalidAuthorization({
    status: 401,
    ...trace(options),
    errors: [
      wireError({
        code: "InvalidAuthorization",
        subCode: "AuthorizationMissing",
        message: Messages.AuthorizationMissing,
        ...(options?.moreDetails === undefined ? {} : { moreDetails: options.moreDetails })
      })
    ],
    subCode: "AuthorizationMissing"
  })

/**
 * 401 `InvalidAuthorization`/`AuthorizationMissing` with moreDetails "Subscription key is not
 * recognized.": the documented answer to an unknown key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscriptionKeyNotRecognized = (options?: Options): InvalidAuthorization =>
  authorizationMissing({ ...options, moreDetails: Messages.SubscriptionKeyNotRecognized })

/**
 * 401 `InvalidAuthorization`/`AuthorizationRedundancy`: more than one authentication method.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationRedundancy = (options?: Options): InvalidAuthorization =>
  new InvalidAuthorization({
    status: 401,
    ...trace(options),
    errors: [
      wireError({
        code: "InvalidAuthorization",
        subCode: "AuthorizationRedundancy",
        message: Messages.AuthorizationRedundancy
      })
    ],
    subCode: "AuthorizationRedundancy"
  })

/**
 * 403 `InsufficientAuthorization`/`AuthorizationDisabled`: the key is disabled.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationDisabled = (options?: Options): InsufficientAuthorization =>
  new InsufficientAuthorization({
    status: 403,
    ...trace(options),
    errors: [
      wireError({
        code: "InsufficientAuthorization",
        subCode: "AuthorizationDisabled",
        message: Messages.AuthorizationDisabled
      })
    ],
    subCode: "AuthorizationDisabled"
  })

/**
 * 403 `InsufficientAuthorization`/`AuthorizationExpired`: the key has expired.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationExpired = (options?: Options): InsufficientAuthorization =>
  new InsufficientAuthorization({
    status: 403,
    ...trace(options),
    errors: [
      wireError({
        code: "InsufficientAuthorization",
        subCode: "AuthorizationExpired",
        message: Messages.AuthorizationExpired
      })
    ],
    subCode: "AuthorizationExpired"
  })

/**
 * 500 `ServerError` with the given sub-code (`UnexpectedError` by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError = (subCode: ServerErrorSubCode = "UnexpectedError", options?: Options): ServerError =>
  new ServerError({
    status: 500,
    ...trace(options),
    errors: [wireError({ code: "ServerError", subCode, message: Messages[subCode] })],
    subCode
  })

/**
 * 200 with an empty body (suspected denial-of-service).
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyResponse = (options?: Options): EmptyResponse =>
  new EmptyResponse({ status: 200, ...trace(options), errors: [] })

/**
 * 404 with an empty body (URL over 2,048 characters; "11. Project decisions" in docs/bing-v7-reference.md).
 *
 * @since 0.1.0
 * @category constructors
 */
export const notFound = (options?: Options): NotFound => new NotFound({ status: 404, ...trace(options), errors: [] })

/**
 * 410 with the retirement body `{"error":{"code":"Gone","message":…}}` (Microsoft's message, verbatim).
 *
 * @since 0.4.0
 * @category constructors
 */
export const serviceRetired = (options?: Options): ServiceRetired =>
  new ServiceRetired({
    status: Retirement.status,
    ...trace(options),
    errors: [{ code: Retirement.code, message: Retirement.message }]
  })

/**
 * A response nobody documents, e.g. an HTML page from a proxy. The body is cut to an excerpt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unexpectedResponse = (
  input: Options & {
    readonly status: number
    readonly body: string
    readonly contentType?: string | undefined
    readonly reason?: string | undefined
  }
): UnexpectedResponse =>
  new UnexpectedResponse({
    status: input.status,
    ...trace(input),
    errors: [],
    bodyExcerpt: excerpt(input.body),
    ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
    ...(input.reason === undefined ? {} : { reason: input.reason })
  })
