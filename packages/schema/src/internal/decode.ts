/**
 * The total decoder: any (status, headers, body) to a `BingError`, or, for a success status, to
 * the value a schema decodes. Nothing in here may throw past `decodeError`/`decodeResponse`.
 */
import { isErrorCode, isRetirementCode, isSubCode, SubCodeParent } from "@bing-effect/error-codes"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaJITCompiler from "effect/schema/SchemaJITCompiler"
import * as BingError from "../BingError.js"
import type { DecodeOptions, ResponseInput } from "../BingResponse.js"
import type * as ErrorResponse from "../ErrorResponse.js"
import * as ImageSearch from "../ImageSearch.js"
import * as SearchResponse from "../SearchResponse.js"
import { fromCheckedFields } from "./construct.js"
import { bodyText, header, type HeadersInput, isBlank, parseObject, parseRetryAfter, parseTimeSpan } from "./wire.js"

/**
 * The response models are decoded on every call a client makes, so their parsers are compiled
 * (Effect's schema JIT compiler, once, on first use) instead of interpreted: a 16 KB search
 * response validates in a few microseconds instead of about thirty. Same checks, same output, same
 * issues; where `new Function` is blocked (strict CSP) Effect keeps the interpreter. Registered
 * for these ASTs only (and the schemas they contain), never globally.
 */
for (const model of [SearchResponse.SearchResponse, ImageSearch.Images, ImageSearch.TrendingImages]) {
  SchemaJITCompiler.enable(model.ast)
}

/** Limits that keep a hostile body from being kept whole in an error. */
const maxErrors = 64
const maxFieldLength = 2048
const maxHeaderLength = 1024

const clip = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max))

interface Context {
  readonly status: number
  readonly traceId: string | undefined
  readonly headers: HeadersInput | undefined
  readonly options: DecodeOptions | undefined
  readonly text: string
}

/** Read only where needed: most errors need neither. */
const contentTypeOf = (ctx: Context): string | undefined => {
  const v = header(ctx.headers, "content-type")
  return v === undefined ? undefined : clip(v, maxHeaderLength)
}

const common = (ctx: Context, errors: ReadonlyArray<ErrorResponse.Error>) =>
  ctx.traceId === undefined ? { status: ctx.status, errors } : { status: ctx.status, traceId: ctx.traceId, errors }

const unexpected = (
  ctx: Context,
  reason: string,
  errors: ReadonlyArray<ErrorResponse.Error> = []
): BingError.UnexpectedResponse =>
  fromCheckedFields(BingError.UnexpectedResponse, {
    _tag: "UnexpectedResponse",
    ...common(ctx, errors),
    ...withContentType(contentTypeOf(ctx)),
    bodyExcerpt: BingError.excerpt(ctx.text),
    reason
  })

const withContentType = (contentType: string | undefined) => (contentType === undefined ? {} : { contentType })

const optionalKeys = ["subCode", "message", "moreDetails", "parameter", "value"] as const

/** The well-formed `Error` objects of a body's `errors`, string fields only, bounded. */
const sanitizeErrors = (raw: unknown): Array<ErrorResponse.Error> => {
  const out: Array<ErrorResponse.Error> = []
  if (!Array.isArray(raw)) return out
  const n = Math.min(raw.length, maxErrors)
  for (let i = 0; i < n; i++) {
    const e: unknown = raw[i]
    if (typeof e !== "object" || e === null) continue
    const o = e as Record<string, unknown>
    const code = o["code"]
    if (typeof code !== "string") continue
    const error: Record<string, string> = { code: clip(code, maxFieldLength) }
    for (const k of optionalKeys) {
      const v = o[k]
      if (typeof v === "string") error[k] = clip(v, maxFieldLength)
    }
    out.push(error as unknown as ErrorResponse.Error)
  }
  return out
}

const texts = (e: ErrorResponse.Error | undefined): string =>
  e === undefined ? "" : `${e.message ?? ""} ${e.moreDetails ?? ""}`

/** Which quota a `RateLimitExceeded` text is about, when it says. */
const windowHint = (text: string): BingError.QuotaWindow => {
  const m = /\b(?:per[- ]?)?(day|daily|month|monthly)\b/i.exec(text)
  if (m === null) return "unknown"
  return m[1]!.toLowerCase().startsWith("da") ? "day" : "month"
}

/** A retry delay written in a message: a TimeSpan countdown, or "Try again in N seconds". */
const retryFromText = (text: string): number | undefined => {
  const replenish = /replenished in ([\d.:]+)/i.exec(text)
  if (replenish !== null) return parseTimeSpan(replenish[1]!)
  const again = /try again in (\d{1,10}) seconds?/i.exec(text)
  return again === null ? undefined : Number(again[1]) * 1000
}

const retryAfter = (ctx: Context, first: ErrorResponse.Error | undefined): { retryAfterMs?: number } => {
  const ms = parseRetryAfter(header(ctx.headers, "retry-after"), () => ctx.options?.now ?? Date.now()) ??
    retryFromText(texts(first))
  return ms === undefined ? {} : { retryAfterMs: ms }
}

const rateLimited = (ctx: Context, errors: ReadonlyArray<ErrorResponse.Error>): BingError.RateLimited =>
  fromCheckedFields(BingError.RateLimited, {
    _tag: "RateLimited",
    ...common(ctx, errors),
    ...retryAfter(ctx, errors[0])
  })

const quotaExhausted = (
  ctx: Context,
  errors: ReadonlyArray<ErrorResponse.Error>,
  window: BingError.QuotaWindow
): BingError.QuotaExhausted =>
  fromCheckedFields(BingError.QuotaExhausted, {
    _tag: "QuotaExhausted",
    ...common(ctx, errors),
    window,
    ...retryAfter(ctx, errors[0])
  })

const withSubCode = <T extends BingError.BingError>(
  self: new(props: {
    readonly status: number
    readonly traceId?: string
    readonly errors: ReadonlyArray<ErrorResponse.Error>
    readonly subCode: string
  }) => T,
  tag: T["_tag"],
  ctx: Context,
  errors: ReadonlyArray<ErrorResponse.Error>,
  fallback: string
): T => fromCheckedFields(self, { _tag: tag, ...common(ctx, errors), subCode: errors[0]?.subCode ?? fallback })

const invalidRequest = (ctx: Context, errors: ReadonlyArray<ErrorResponse.Error>): BingError.InvalidRequest => {
  const first = errors[0]
  const subCode = first?.subCode ??
    (ctx.status === 410
      ? "HttpNotAllowed"
      : first?.parameter !== undefined && first.value === undefined
      ? "ParameterMissing"
      : "ParameterInvalidValue")
  return fromCheckedFields(BingError.InvalidRequest, {
    _tag: "InvalidRequest",
    ...common(ctx, errors),
    subCode,
    ...(first?.parameter === undefined ? {} : { parameter: first.parameter }),
    ...(first?.value === undefined ? {} : { value: first.value })
  })
}

/** The tag an error body gets from its status alone, when its code says nothing we know. */
const byStatus = (ctx: Context, errors: ReadonlyArray<ErrorResponse.Error>): BingError.BingError => {
  const s = ctx.status
  if (s === 400 || s === 410) return invalidRequest(ctx, errors)
  if (s === 401) {
    return withSubCode(BingError.InvalidAuthorization, "InvalidAuthorization", ctx, errors, "AuthorizationMissing")
  }
  if (s === 403) {
    const text = texts(errors[0])
    const window = windowHint(text)
    if (window !== "unknown" || /quota/i.test(text)) return quotaExhausted(ctx, errors, window)
    return withSubCode(
      BingError.InsufficientAuthorization,
      "InsufficientAuthorization",
      ctx,
      errors,
      "AuthorizationDisabled"
    )
  }
  if (s === 404) return fromCheckedFields(BingError.NotFound, { _tag: "NotFound", ...common(ctx, errors) })
  if (s === 429) return rateLimited(ctx, errors)
  if (s >= 500 && s <= 599) return withSubCode(BingError.ServerError, "ServerError", ctx, errors, "UnexpectedError")
  return unexpected(ctx, `status ${s} is not one Bing documents`, errors)
}

/** The tag an error body gets from the code of its first error (the status only splits `RateLimitExceeded`). */
const byCode = (ctx: Context, errors: ReadonlyArray<ErrorResponse.Error>): BingError.BingError => {
  const first = errors[0]!
  const code = isErrorCode(first.code)
    ? first.code
    : first.subCode !== undefined && isSubCode(first.subCode)
    ? SubCodeParent[first.subCode]
    : undefined
  switch (code) {
    case "InvalidRequest":
      return invalidRequest(ctx, errors)
    case "RateLimitExceeded": {
      if (ctx.status === 429) return rateLimited(ctx, errors)
      const window = windowHint(texts(first))
      if (ctx.status === 403 || window !== "unknown") return quotaExhausted(ctx, errors, window)
      return rateLimited(ctx, errors)
    }
    case "InvalidAuthorization":
      return withSubCode(BingError.InvalidAuthorization, "InvalidAuthorization", ctx, errors, "AuthorizationMissing")
    case "InsufficientAuthorization":
      return withSubCode(
        BingError.InsufficientAuthorization,
        "InsufficientAuthorization",
        ctx,
        errors,
        "AuthorizationDisabled"
      )
    case "ServerError":
      return withSubCode(BingError.ServerError, "ServerError", ctx, errors, "UnexpectedError")
    default:
      return byStatus(ctx, errors)
  }
}

/** An API Management body `{"statusCode":…,"message":…}` ("9. Real-world gotchas" in docs/bing-v7-reference.md). */
const legacyStatusCode = (ctx: Context, json: Record<string, unknown>): BingError.BingError => {
  const message = clip(json["message"] as string, maxFieldLength)
  const s = ctx.status
  const code = s === 401
    ? "InvalidAuthorization"
    : s === 403
    ? (/quota/i.test(message) ? "RateLimitExceeded" : "InsufficientAuthorization")
    : s === 429
    ? "RateLimitExceeded"
    : s === 400 || s === 410
    ? "InvalidRequest"
    : s >= 500 && s <= 599
    ? "ServerError"
    : undefined
  if (code === undefined) return byStatus(ctx, [])
  const errors: ReadonlyArray<ErrorResponse.Error> = [{ code, message }]
  if (code === "RateLimitExceeded" && s === 403) {
    // A countdown longer than a day can only be the monthly quota.
    const hinted = windowHint(message)
    const ms = retryFromText(message)
    const window = hinted !== "unknown" ? hinted : ms !== undefined && ms > 86_400_000 ? "month" : "unknown"
    return quotaExhausted(ctx, errors, window)
  }
  return byCode(ctx, errors)
}

/** Decodes any non-success response. Total: never throws. */
export const decodeError = (input: ResponseInput, options?: DecodeOptions): BingError.BingError => {
  const status = typeof input?.status === "number" && Number.isInteger(input.status) ? input.status : 0
  let ctx: Context = { status, traceId: undefined, headers: undefined, options: undefined, text: "" }
  try {
    ctx = context(input, status, options)
    return classifyError(ctx, parseObject(ctx.text))
  } catch (cause) {
    return unexpected(ctx, `the decoder could not read the response (${describeCause(cause)})`)
  }
}

const describeCause = (cause: unknown): string => {
  try {
    return clip(cause instanceof globalThis.Error ? cause.name : typeof cause, 100)
  } catch {
    return "unknown"
  }
}

const context = (input: ResponseInput, status: number, options: DecodeOptions | undefined): Context => {
  const traceId = header(input.headers, "bingapis-traceid")
  return {
    status,
    traceId: traceId === undefined ? undefined : clip(traceId, maxHeaderLength),
    headers: input.headers,
    options,
    text: bodyText(input.body)
  }
}

const classifyError = (ctx: Context, json: Record<string, unknown> | undefined): BingError.BingError => {
  if (json !== undefined) {
    const errors = sanitizeErrors(json["errors"])
    if (errors.length > 0) return byCode(ctx, errors)
    if (typeof json["statusCode"] === "number" && typeof json["message"] === "string") {
      return legacyStatusCode(ctx, json)
    }
    const legacy = json["error"]
    if (typeof legacy === "object" && legacy !== null) {
      const inner = sanitizeErrors([legacy])
      // The retirement answer: its own error, not the other 410 (`HttpNotAllowed`) byStatus would give.
      if (inner.length > 0 && isRetirementCode(inner[0]!.code)) {
        return fromCheckedFields(BingError.ServiceRetired, { _tag: "ServiceRetired", ...common(ctx, inner) })
      }
      if (inner.length > 0) return byCode(ctx, inner)
    }
  }
  if (ctx.status === 404) return fromCheckedFields(BingError.NotFound, { _tag: "NotFound", ...common(ctx, []) })
  if (ctx.status === 429) return rateLimited(ctx, [])
  if (ctx.status >= 200 && ctx.status <= 299 && isBlank(ctx.text)) {
    return fromCheckedFields(BingError.EmptyResponse, { _tag: "EmptyResponse", ...common(ctx, []) })
  }
  return unexpected(
    ctx,
    isBlank(ctx.text)
      ? "empty body"
      : json === undefined
      ? "body is not a JSON object"
      : "body is not a Bing error"
  )
}

/** Decodes any response: a success body with `schema`, anything else as a `BingError`. Total. */
export const decodeResponse = <A>(
  decode: (u: unknown) => Result.Result<A, Schema.SchemaError>,
  model: string,
  input: ResponseInput,
  options?: DecodeOptions
): Result.Result<A, BingError.BingError> => {
  const status = typeof input?.status === "number" && Number.isInteger(input.status) ? input.status : 0
  if (status < 200 || status > 299) return Result.fail(decodeError(input, options))
  let ctx: Context = { status, traceId: undefined, headers: undefined, options: undefined, text: "" }
  try {
    ctx = context(input, status, options)
    if (isBlank(ctx.text)) {
      return Result.fail(fromCheckedFields(BingError.EmptyResponse, { _tag: "EmptyResponse", ...common(ctx, []) }))
    }
    const json = parseObject(ctx.text)
    if (json === undefined) return Result.fail(unexpected(ctx, "body is not a JSON object"))
    if (json["_type"] === "ErrorResponse") return Result.fail(classifyError(ctx, json))
    const decoded = decode(json)
    if (Result.isSuccess(decoded)) return Result.succeed(decoded.success)
    return Result.fail(unexpected(ctx, `body does not match ${model}: ${issueText(decoded.failure)}`))
  } catch (cause) {
    return Result.fail(unexpected(ctx, `the decoder could not read the response (${describeCause(cause)})`))
  }
}

const issueText = (error: Schema.SchemaError): string => {
  try {
    return clip(error.message.replace(/\s+/g, " "), 300)
  } catch {
    return "schema mismatch"
  }
}
