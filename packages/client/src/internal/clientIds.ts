/**
 * The `X-MSEdge-ClientID` values Bing returned, per user scope, so later calls resend them.
 * One store per client instance (never module-level). Bounded: the oldest scope is forgotten
 * once `capacity` scopes are held.
 */

/** The scope used when a call names none. */
export const defaultScope = ""

/** A bounded map from user scope to client id. */
export interface ClientIds {
  readonly get: (scope: string) => string | undefined
  readonly set: (scope: string, id: string) => void
}

/** Makes an empty store. */
export const make = (capacity = 10_000): ClientIds => {
  const ids = new Map<string, string>()
  return {
    get: (scope) => ids.get(scope),
    set: (scope, id) => {
      if (ids.get(scope) === id) return
      ids.delete(scope)
      ids.set(scope, id)
      if (ids.size > capacity) {
        const oldest = ids.keys().next()
        if (oldest.done !== true) ids.delete(oldest.value)
      }
    }
  }
}
