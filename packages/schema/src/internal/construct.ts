/**
 * Cheap construction of error instances on the decoder's hot path.
 *
 * A `Schema.TaggedError` constructor validates its fields with the class struct and captures a
 * JavaScript stack trace. For an error decoded from the wire both are waste: the decoder has just
 * checked every field itself, and the stack would point into the decoder, not at the caller (the
 * Effect span trace says where the call came from). Measured on Node 24, the stack capture alone
 * costs about ten times a `JSON.parse` of a 150-byte error body, and the struct pass about one and
 * a half times, so the decoder builds its errors here.
 */
import * as Schema from "effect/Schema"

type Ctor<A> = new(props: never) => A

/**
 * Effect's own decoders build class instances from already validated fields with
 * `Schema.makeClassTrusted` (exported at runtime, marked internal in the typings). Use it when it
 * is there and fall back to the validating constructor otherwise, so an Effect release that drops
 * it costs speed, not correctness.
 */
const trusted: (<A>(self: Ctor<A>, fields: object) => A) | undefined = (() => {
  const f = (Schema as unknown as Record<string, unknown>)["makeClassTrusted"]
  return typeof f === "function" ? (f as <A>(self: Ctor<A>, fields: object) => A) : undefined
})()

/**
 * Builds an instance of `self` from fields that already satisfy its schema (including `_tag`),
 * without a stack trace.
 *
 * @internal
 */
export const fromCheckedFields = <A>(self: Ctor<A>, fields: object): A => {
  const limit = Error.stackTraceLimit
  // Synchronous and restored before returning: no other code can observe the change.
  Error.stackTraceLimit = 0
  try {
    if (trusted !== undefined) return trusted(self, fields)
    const { _tag: _, ...props } = fields as { readonly _tag?: unknown }
    return new (self as unknown as new(props: object) => A)(props)
  } finally {
    Error.stackTraceLimit = limit
  }
}
