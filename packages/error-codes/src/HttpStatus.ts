/**
 * The HTTP statuses the Bing Search API v7 answers with, and what each one means there.
 *
 * @since 0.1.0
 */

/**
 * Every status Bing v7 documents (404 is the answer to a URL over 2,048 characters).
 *
 * @since 0.1.0
 * @category constants
 */
export const HttpStatus = /* @__PURE__ */ Object.freeze(
  {
    OK: 200,
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Gone: 410,
    TooManyRequests: 429,
    InternalServerError: 500
  } as const
)

/**
 * @since 0.1.0
 * @category models
 */
export type HttpStatus = (typeof HttpStatus)[keyof typeof HttpStatus]

/**
 * The documented meaning of each status, worded as in Bing's error-codes reference.
 *
 * @since 0.1.0
 * @category constants
 */
export const HttpStatusMeaning: Readonly<Record<HttpStatus, string>> = /* @__PURE__ */ Object.freeze({
  200: "Success. A 200 with an empty body means Bing suspected a denial-of-service attack.",
  400: "One of the query parameters is missing or not valid.",
  401: "The subscription key is missing or is not valid.",
  403:
    "The user is authenticated but does not have permission to the requested resource, or the per-day or per-month quota is exhausted.",
  404: "The URL is longer than 2,048 characters.",
  410: "The request used HTTP instead of HTTPS; only HTTPS is supported.",
  429: "The queries-per-second quota of the subscription is exceeded.",
  500: "Unexpected server error."
})

/**
 * Whether a number is one of the statuses Bing documents.
 *
 * @since 0.1.0
 * @category guards
 */
export const isHttpStatus = (u: unknown): u is HttpStatus =>
  typeof u === "number" && Object.hasOwn(HttpStatusMeaning, u)
