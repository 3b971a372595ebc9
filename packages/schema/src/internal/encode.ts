/**
 * Typed errors to the exact wire responses Bing (or the API Management gateway in front of the
 * old Cognitive Services endpoints) sends.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's tagged errors and of Bing's JSON */
import type * as BingError from "../BingError.js"
import type * as ErrorResponse from "../ErrorResponse.js"
import { formatTimeSpan, retryAfterSeconds } from "./wire.js"

/** A response as the emulator writes it. */
export interface WireResponse {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Options of the encoders. */
export interface EncodeOptions {
  /** The `BingAPIs-TraceId` to send (default: the error's own `traceId`). */
  readonly traceId?: string | undefined
}

const json = "application/json; charset=utf-8"

/** The code each tag stands for on the wire. */
const codeOf = (error: BingError.BingError): string | undefined => {
  switch (error._tag) {
    case "InvalidRequest":
    case "InvalidAuthorization":
    case "InsufficientAuthorization":
    case "ServerError":
      return error._tag
    case "RateLimited":
    case "QuotaExhausted":
      return "RateLimitExceeded"
    default:
      return undefined
  }
}

/** The `Error` objects to send: the error's own, or one made from its fields when it has none. */
export const wireErrors = (error: BingError.BingError): ReadonlyArray<ErrorResponse.Error> => {
  if (error.errors.length > 0) return error.errors
  const code = codeOf(error)
  if (code === undefined) return []
  const out: Record<string, string> = { code }
  if ("subCode" in error) out["subCode"] = error.subCode
  if (error._tag === "InvalidRequest") {
    if (error.parameter !== undefined) out["parameter"] = error.parameter
    if (error.value !== undefined) out["value"] = error.value
  }
  return [out as unknown as ErrorResponse.Error]
}

/** `Error` objects with their keys in documented order (what `JSON.stringify` then writes). */
const ordered = (e: ErrorResponse.Error): ErrorResponse.Error => {
  const o: Record<string, string> = { code: e.code }
  if (e.subCode !== undefined) o["subCode"] = e.subCode
  if (e.message !== undefined) o["message"] = e.message
  if (e.moreDetails !== undefined) o["moreDetails"] = e.moreDetails
  if (e.parameter !== undefined) o["parameter"] = e.parameter
  if (e.value !== undefined) o["value"] = e.value
  return o as unknown as ErrorResponse.Error
}

const baseHeaders = (error: BingError.BingError, options: EncodeOptions | undefined): Record<string, string> => {
  const traceId = options?.traceId ?? error.traceId
  return traceId === undefined ? {} : { "BingAPIs-TraceId": traceId }
}

const retryHeader = (error: BingError.BingError, headers: Record<string, string>): void => {
  if (error._tag === "RateLimited" && error.retryAfterMs !== undefined) {
    headers["Retry-After"] = retryAfterSeconds(error.retryAfterMs, 1)
  }
  if (error._tag === "QuotaExhausted" && error.retryAfterMs !== undefined) {
    headers["Retry-After"] = retryAfterSeconds(error.retryAfterMs, 0)
  }
}

/** See `BingResponse.encodeError`. */
export const encodeError = (error: BingError.BingError, options?: EncodeOptions): WireResponse => {
  const headers = baseHeaders(error, options)
  if (error._tag === "EmptyResponse") return { status: error.status, headers, body: "" }
  if (error._tag === "UnexpectedResponse") {
    if (error.contentType !== undefined) headers["Content-Type"] = error.contentType
    return { status: error.status, headers, body: error.bodyExcerpt }
  }
  if (error._tag === "ServiceRetired") {
    // Not an ErrorResponse: the ARM-style body the retired endpoint sends, without `_type`.
    const first = error.errors[0]
    headers["Content-Type"] = json
    const body = { error: { code: first?.code ?? "Gone", message: first?.message ?? error.message } }
    return { status: error.status, headers, body: JSON.stringify(body) }
  }
  const errors = wireErrors(error)
  if (errors.length === 0) return { status: error.status, headers, body: "" }
  headers["Content-Type"] = json
  retryHeader(error, headers)
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ _type: "ErrorResponse", errors: errors.map(ordered) })
  }
}

/** The messages API Management wrote ("9. Real-world gotchas" in docs/bing-v7-reference.md), verbatim. */
export const legacyMessages = Object.freeze({
  invalidKey:
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
  quota: "Out of call volume quota.",
  rateLimit: (seconds: number) => `Rate limit is exceeded. Try again in ${seconds} seconds.`
})

const legacyMessage = (error: BingError.BingError): string => {
  switch (error._tag) {
    case "InvalidAuthorization":
      return legacyMessages.invalidKey
    case "QuotaExhausted":
      return error.retryAfterMs === undefined
        ? legacyMessages.quota
        : `${legacyMessages.quota} Quota will be replenished in ${formatTimeSpan(error.retryAfterMs)}.`
    case "RateLimited":
      return legacyMessages.rateLimit(Number(retryAfterSeconds(error.retryAfterMs ?? 1000, 1)))
    default:
      return error.errors[0]?.message ?? error.message
  }
}

/** See `BingResponse.encodeLegacyGateway`. */
export const encodeLegacyGateway = (
  error: BingError.BingError,
  shape: "statusCode" | "error",
  options?: EncodeOptions
): WireResponse => {
  if (
    error._tag === "EmptyResponse" || error._tag === "NotFound" || error._tag === "UnexpectedResponse" ||
    error._tag === "ServiceRetired"
  ) {
    return encodeError(error, options)
  }
  const headers = baseHeaders(error, options)
  headers["Content-Type"] = json
  retryHeader(error, headers)
  const message = legacyMessage(error)
  const status = error.status
  const body = shape === "statusCode"
    ? { statusCode: status, message }
    : { error: { code: error.errors[0]?.code ?? codeOf(error) ?? error._tag, message } }
  return { status, headers, body: JSON.stringify(body) }
}
