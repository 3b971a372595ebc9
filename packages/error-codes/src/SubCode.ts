/**
 * The eleven sub-codes of a Bing v7 `Error`, and the code each belongs to.
 *
 * @since 0.1.0
 */
import type { ErrorCode } from "./ErrorCode.js"

/**
 * The `subCode` of an `Error` object in a Bing `ErrorResponse`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubCode = /* @__PURE__ */ Object.freeze(
  {
    UnexpectedError: "UnexpectedError",
    ResourceError: "ResourceError",
    NotImplemented: "NotImplemented",
    ParameterMissing: "ParameterMissing",
    ParameterInvalidValue: "ParameterInvalidValue",
    HttpNotAllowed: "HttpNotAllowed",
    Blocked: "Blocked",
    AuthorizationMissing: "AuthorizationMissing",
    AuthorizationRedundancy: "AuthorizationRedundancy",
    AuthorizationDisabled: "AuthorizationDisabled",
    AuthorizationExpired: "AuthorizationExpired"
  } as const
)

/**
 * @since 0.1.0
 * @category models
 */
export type SubCode = (typeof SubCode)[keyof typeof SubCode]

/**
 * The documented description of each sub-code.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubCodeDescription: Readonly<Record<SubCode, string>> = /* @__PURE__ */ Object.freeze({
  UnexpectedError: "An unexpected error occurred on the server.",
  ResourceError: "A data source the request needs failed.",
  NotImplemented: "The requested feature is not implemented.",
  ParameterMissing: "A required query parameter is missing or empty.",
  ParameterInvalidValue: "A query parameter has a value that is not valid.",
  HttpNotAllowed: "The request used HTTP; only HTTPS is allowed.",
  Blocked: "The request was blocked.",
  AuthorizationMissing: "The subscription key is missing or not recognized.",
  AuthorizationRedundancy: "More than one authentication method was specified.",
  AuthorizationDisabled: "The subscription key is disabled.",
  AuthorizationExpired: "The subscription key has expired."
})

/**
 * The code every sub-code belongs to.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubCodeParent = /* @__PURE__ */ Object.freeze(
  {
    UnexpectedError: "ServerError",
    ResourceError: "ServerError",
    NotImplemented: "ServerError",
    ParameterMissing: "InvalidRequest",
    ParameterInvalidValue: "InvalidRequest",
    HttpNotAllowed: "InvalidRequest",
    Blocked: "InvalidRequest",
    AuthorizationMissing: "InvalidAuthorization",
    AuthorizationRedundancy: "InvalidAuthorization",
    AuthorizationDisabled: "InsufficientAuthorization",
    AuthorizationExpired: "InsufficientAuthorization"
  } as const satisfies Record<SubCode, ErrorCode>
)

/**
 * The sub-codes that belong to a code, in documented order (`RateLimitExceeded` has none).
 *
 * @since 0.1.0
 * @category lookups
 */
export const subCodesOf = (code: ErrorCode): ReadonlyArray<SubCode> =>
  (Object.keys(SubCodeParent) as Array<SubCode>).filter((sub) => SubCodeParent[sub] === code)

/**
 * Whether a value is one of the eleven documented sub-codes.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSubCode = (u: unknown): u is SubCode => typeof u === "string" && Object.hasOwn(SubCode, u)

/**
 * Whether a sub-code belongs to a code, as documented.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSubCodeOf = (code: ErrorCode, subCode: SubCode): boolean => SubCodeParent[subCode] === code
