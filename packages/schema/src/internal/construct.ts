/**
 * Construction of error instances on the decoder's hot path.
 *
 * Every decoded error is a real instance of its class: the `Error` constructor builds it with the
 * class as `new.target` (what the `super()` chain of `new` ends in), so it is a native `Error`
 * (`util.types.isNativeError`, an own `stack`, `Error.isError`) with the class's prototype, getters,
 * `instanceof`, `catchTag` and schema encoding, and its fields are assigned as Effect's `Data.Error`
 * constructor assigns them. Two costs of `new` are left out:
 *
 * - the stack capture, most of what a bare `new Error` costs with the default limit, and useless
 *   here (it would point into the decoder; the Effect span says where a call came from). The
 *   limit is set to 0 around the construction only and put back in `finally`, as Effect does for
 *   its own errors (`SchemaError`, `HttpClientError`);
 * - the class's schema pass over the fields, which the decoder has just checked itself. `new`
 *   runs it even with `disableChecks` (that option skips filters, not parsing), and it costs
 *   several times the whole decode: measured on Node 24, CPU time per decoded 400 body, 1.8 µs
 *   with this construction against 6.5 µs with `new Class(fields, { disableChecks: true })` under
 *   the same limit (`JSON.parse` of the body: 0.9 µs; the benchmark's target is 3x).
 *
 * `test/BingResponse.test.ts` checks that a decoded error and a constructed one agree in class,
 * own properties, message, encoding and `catchTag`.
 */

/**
 * Whether `Error.stackTraceLimit` can be set (it cannot under a hardened `Error`, e.g. SES lockdown,
 * where assigning it in strict code would throw). Read once: it does not change at run time.
 */
const limitWritable = ((): boolean => {
  const desc = Object.getOwnPropertyDescriptor(Error, "stackTraceLimit")
  if (desc === undefined) return Object.isExtensible(Error)
  return Object.hasOwn(desc, "writable") ? desc.writable === true : desc.set !== undefined
})()

/**
 * Builds an instance of the error class `self` from fields that already satisfy its schema
 * (including `_tag`), without a stack.
 *
 * @internal
 */
export const fromCheckedFields = <P, A extends Error & { readonly _tag: string }>(
  self: new(props: P) => A,
  fields: P & { readonly _tag: A["_tag"] }
): A => {
  const limit = Error.stackTraceLimit
  if (limitWritable) Error.stackTraceLimit = 0
  let error: A
  try {
    // `new.target` is `self`, so the object has `self.prototype`: an `A`, which TypeScript's
    // signature of `Reflect.construct` (the target's instance type) cannot say.
    error = Reflect.construct(Error, [], self) as A
  } finally {
    if (limitWritable) Error.stackTraceLimit = limit
  }
  return Object.assign(error, fields)
}
