/**
 * Which HTTP status carries which (code, sub-code) pair, in both directions.
 *
 * @since 0.1.0
 */
import type { ErrorCode } from "./ErrorCode.js"
import type { HttpStatus } from "./HttpStatus.js"
import type { QuotaWindow } from "./QuotaWindow.js"
import type { SubCode } from "./SubCode.js"

/**
 * One row of the documented error table.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorStatusRow {
  readonly code: ErrorCode
  /** Absent for `RateLimitExceeded`, which has no sub-code. */
  readonly subCode?: SubCode
  /** Present only for `RateLimitExceeded`. */
  readonly window?: QuotaWindow
  readonly status: HttpStatus
  /** `false` where the documentation is silent and the status is this project's decision. */
  readonly documented: boolean
}

/**
 * The whole table: every sub-code with its status, and `RateLimitExceeded` once per window.
 * `InvalidRequest`/`Blocked` has no documented status; 400 is the project's decision.
 *
 * @since 0.1.0
 * @category constants
 */
export const ErrorStatusTable: ReadonlyArray<ErrorStatusRow> = /* @__PURE__ */ Object.freeze(
  [
    { code: "ServerError", subCode: "UnexpectedError", status: 500, documented: true },
    { code: "ServerError", subCode: "ResourceError", status: 500, documented: true },
    { code: "ServerError", subCode: "NotImplemented", status: 500, documented: true },
    { code: "InvalidRequest", subCode: "ParameterMissing", status: 400, documented: true },
    { code: "InvalidRequest", subCode: "ParameterInvalidValue", status: 400, documented: true },
    { code: "InvalidRequest", subCode: "HttpNotAllowed", status: 410, documented: true },
    { code: "InvalidRequest", subCode: "Blocked", status: 400, documented: false },
    { code: "RateLimitExceeded", window: "second", status: 429, documented: true },
    { code: "RateLimitExceeded", window: "day", status: 403, documented: true },
    { code: "RateLimitExceeded", window: "month", status: 403, documented: true },
    { code: "InvalidAuthorization", subCode: "AuthorizationMissing", status: 401, documented: true },
    { code: "InvalidAuthorization", subCode: "AuthorizationRedundancy", status: 401, documented: true },
    { code: "InsufficientAuthorization", subCode: "AuthorizationDisabled", status: 403, documented: true },
    { code: "InsufficientAuthorization", subCode: "AuthorizationExpired", status: 403, documented: true }
  ] satisfies ReadonlyArray<ErrorStatusRow>
)

/**
 * The status Bing answers with for each sub-code.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubCodeStatus: Readonly<Record<SubCode, HttpStatus>> = /* @__PURE__ */ Object.freeze({
  UnexpectedError: 500,
  ResourceError: 500,
  NotImplemented: 500,
  ParameterMissing: 400,
  ParameterInvalidValue: 400,
  HttpNotAllowed: 410,
  Blocked: 400,
  AuthorizationMissing: 401,
  AuthorizationRedundancy: 401,
  AuthorizationDisabled: 403,
  AuthorizationExpired: 403
})

/**
 * The status Bing answers with for a sub-code.
 *
 * @since 0.1.0
 * @category lookups
 */
export const statusOfSubCode = (subCode: SubCode): HttpStatus => SubCodeStatus[subCode]

/**
 * The status of a `RateLimitExceeded` error for the window it is about: 429 for the per-second
 * quota, 403 for the per-day and per-month quotas.
 *
 * @since 0.1.0
 * @category lookups
 */
export const statusOfRateLimit = (window: QuotaWindow): 429 | 403 => (window === "second" ? 429 : 403)

/**
 * The rows a status can carry, for reading a response whose body is ambiguous. 200 and 404 carry
 * no error code and give an empty list.
 *
 * @example
 * errorsForStatus(403).map((row) => row.subCode ?? row.code)
 * // ["RateLimitExceeded", "RateLimitExceeded", "AuthorizationDisabled", "AuthorizationExpired"]
 *
 * @since 0.1.0
 * @category lookups
 */
export const errorsForStatus = (status: number): ReadonlyArray<ErrorStatusRow> =>
  ErrorStatusTable.filter((row) => row.status === status)

/**
 * The distinct codes a status can carry, in table order.
 *
 * @since 0.1.0
 * @category lookups
 */
export const codesForStatus = (status: number): ReadonlyArray<ErrorCode> => [
  ...new Set(errorsForStatus(status).map((row) => row.code))
]
