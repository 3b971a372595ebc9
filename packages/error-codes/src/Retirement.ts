/**
 * The answer Bing's endpoint gives since the Bing Search APIs were retired (2025-08-11): HTTP 410
 * with an ARM-style body `{"error":{"code":"Gone","message":…}}`, not an `ErrorResponse`. It shares
 * its status with `InvalidRequest/HttpNotAllowed`, so only the code tells the two apart.
 *
 * @since 0.4.0
 */

/**
 * The retirement answer: its status, code and message (verbatim), the retirement date and the link
 * Microsoft gives.
 *
 * @example
 * import { Retirement } from "@bing-effect/error-codes"
 * const retired = status === Retirement.status && body.error?.code === Retirement.code
 *
 * @since 0.4.0
 * @category constants
 */
export const Retirement = /* @__PURE__ */ Object.freeze(
  {
    status: 410,
    code: "Gone",
    message:
      "The requested API endpoint is no longer available. This Bing service has been retired. More information at https://aka.ms/BingAPIsRetirement.",
    date: "2025-08-11",
    moreInformation: "https://aka.ms/BingAPIsRetirement"
  } as const
)

/**
 * Whether an error `code` is the retirement's `Gone`.
 *
 * @since 0.4.0
 * @category guards
 */
export const isRetirementCode = (u: unknown): u is typeof Retirement.code => u === Retirement.code
