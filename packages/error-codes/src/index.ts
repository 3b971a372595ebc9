/**
 * @bing-effect/error-codes: every HTTP status, error code and sub-code of the Bing Search API v7.
 * Zero dependencies; each constant tree-shakes on its own.
 *
 * @since 0.1.0
 */
export * from "./ErrorCode.js"
export * from "./ErrorStatus.js"
export * from "./HttpStatus.js"
export * from "./QuotaWindow.js"
export * from "./Retirement.js"
export * from "./SubCode.js"
