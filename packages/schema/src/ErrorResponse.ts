/**
 * The wire form of a Bing v7 failure: an `ErrorResponse` carrying one or more `Error` objects.
 * Codes and sub-codes are open: a value a newer server sends still decodes, kept as a string.
 *
 * @since 0.1.0
 */
/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's tagged errors and of Bing's JSON */
import { ErrorCode, SubCode } from "@bing-effect/error-codes"
import * as Schema from "effect/Schema"
import { Open } from "./internal/open.js"

/**
 * The `code` of an `Error`: one of the five documented codes, or whatever a newer server sends.
 *
 * @since 0.1.0
 * @category models
 */
export type Code = ErrorCode | (string & {})

/**
 * The `subCode` of an `Error`: one of the eleven documented sub-codes, or any other string.
 *
 * @since 0.1.0
 * @category models
 */
export type SubCodeValue = SubCode | (string & {})

/**
 * Schema of an `Error` object of an `ErrorResponse` ("4.3 Errors" in docs/bing-v7-reference.md).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Error = Schema.Struct({
  code: Open(Object.values(ErrorCode)),
  subCode: Schema.optionalKey(Open(Object.values(SubCode))),
  message: Schema.optionalKey(Schema.String),
  moreDetails: Schema.optionalKey(Schema.String),
  parameter: Schema.optionalKey(Schema.String),
  value: Schema.optionalKey(Schema.String)
})

/**
 * One `Error` object: `code` always, the rest when Bing sends them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Error extends Schema.Schema.Type<typeof Error> {}

/**
 * Schema of the body Bing sends with every documented failure.
 *
 * @example
 * import { ErrorResponse } from "@bing-effect/schema"
 * import { Schema } from "effect"
 * Schema.decodeUnknownSync(ErrorResponse.ErrorResponse)({
 *   _type: "ErrorResponse",
 *   errors: [{ code: "InvalidRequest", subCode: "ParameterMissing", message: "Required parameter is missing.", parameter: "q" }]
 * })
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorResponse = Schema.Struct({
  _type: Schema.Literal("ErrorResponse"),
  errors: Schema.NonEmptyArray(Error)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorResponse extends Schema.Schema.Type<typeof ErrorResponse> {}

/**
 * Whether a value has the shape of an `ErrorResponse` (a cheap structural check, no allocation).
 *
 * @since 0.1.0
 * @category guards
 */
export const isErrorResponse = (u: unknown): u is ErrorResponse => {
  if (typeof u !== "object" || u === null) return false
  const o = u as { readonly _type?: unknown; readonly errors?: unknown }
  if (o._type !== "ErrorResponse" || !Array.isArray(o.errors) || o.errors.length === 0) return false
  for (const e of o.errors as ReadonlyArray<unknown>) if (!isError(e)) return false
  return true
}

const optionalKeys = ["subCode", "message", "moreDetails", "parameter", "value"] as const

/**
 * Whether a value has the shape of an `Error` object: a string `code`, and strings where the
 * optional fields are present.
 *
 * @since 0.1.0
 * @category guards
 */
export const isError = (u: unknown): u is Error => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const o = u as Record<string, unknown>
  if (typeof o["code"] !== "string") return false
  for (const k of optionalKeys) {
    const v = o[k]
    if (v !== undefined && typeof v !== "string") return false
  }
  return true
}
