/**
 * The five top-level error codes of a Bing v7 `ErrorResponse`.
 *
 * @since 0.1.0
 */

/**
 * The `code` of an `Error` object in a Bing `ErrorResponse`.
 *
 * @example
 * import { ErrorCode } from "@bing-effect/error-codes"
 * if (body.errors[0].code === ErrorCode.RateLimitExceeded) backOff()
 *
 * @since 0.1.0
 * @category constants
 */
export const ErrorCode = /* @__PURE__ */ Object.freeze(
  {
    ServerError: "ServerError",
    InvalidRequest: "InvalidRequest",
    RateLimitExceeded: "RateLimitExceeded",
    InvalidAuthorization: "InvalidAuthorization",
    InsufficientAuthorization: "InsufficientAuthorization"
  } as const
)

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/**
 * The documented description of each code.
 *
 * @since 0.1.0
 * @category constants
 */
export const ErrorCodeDescription: Readonly<Record<ErrorCode, string>> = /* @__PURE__ */ Object.freeze({
  ServerError: "An unexpected server-side error; the sub-code says which.",
  InvalidRequest:
    "The request is not valid: a parameter is missing or has a value that is not valid, or HTTP was used instead of HTTPS.",
  RateLimitExceeded:
    "A quota is exceeded: the queries-per-second quota (HTTP 429) or the per-day or per-month quota (HTTP 403).",
  InvalidAuthorization:
    "The subscription key is missing or not recognized, or more than one authentication method was used.",
  InsufficientAuthorization: "The subscription key is disabled or expired."
})

/**
 * Whether a value is one of the five documented codes (a newer server may send others).
 *
 * @since 0.1.0
 * @category guards
 */
// Keys equal values, so an own-key check is the membership test, with no lookup table to bundle.
export const isErrorCode = (u: unknown): u is ErrorCode => typeof u === "string" && Object.hasOwn(ErrorCode, u)
