/**
 * The attempts a failed call made, carried on the error itself so that it travels with it
 * (through the Promise API, `Cause.squash`, a re-throw) without a field on every error class.
 * A non-enumerable property under a global symbol: invisible to `JSON.stringify` and to equality,
 * and read the same by two copies of this package.
 */
const key = Symbol.for("@bing-effect/client/attempts")

/** Records the attempts on an error and returns the error. */
export const set = <E>(error: E, attempts: number): E => {
  if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, key, { value: attempts, configurable: true, enumerable: false, writable: false })
  }
  return error
}

/** The attempts recorded on an error, if any. */
export const get = (error: unknown): number | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const value = (error as { readonly [key]?: unknown })[key]
  return typeof value === "number" ? value : undefined
}
