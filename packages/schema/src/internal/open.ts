/**
 * Open enumerations: any string decodes, typed as the documented values `| (string & {})`, so that
 * editors still complete the known values and a value a newer server sends is kept, not rejected.
 */
import * as Schema from "effect/Schema"

/** The documented `known` values, or any other string. */
export const Open = <const L extends ReadonlyArray<string>>(known: L) =>
  Schema.Union([Schema.StringForLiteralAutocomplete, Schema.Literals(known)])
