/**
 * Cheap construction of error instances on the decoder's hot path.
 *
 * A `Schema.TaggedError` constructor validates its fields with the class struct and captures a
 * JavaScript stack trace. For an error decoded from the wire neither is useful: the decoder has
 * just checked every field itself, and the stack would point into the decoder, not at the caller
 * (the Effect span trace says where the call came from). Measured on Node 24, `new` costs about
 * ten times a `JSON.parse` of a 150-byte error body (most of it the stack capture), so the decoder
 * materialises its errors from the class prototype instead, as a deserialiser does. The result is
 * the same object a constructor builds (same prototype, getters, `_tag` and fields, `instanceof`,
 * `catchTag`, schema encoding), minus the own `stack` property.
 */

type Ctor<A> = abstract new(...args: never) => A

/**
 * Builds an instance of `self` from fields that already satisfy its schema (including `_tag`).
 *
 * @internal
 */
export const fromCheckedFields = <A>(self: Ctor<A>, fields: object): A =>
  Object.assign(Object.create(self.prototype as object) as object, fields) as A
