/**
 * The request header that carries the key: Bing's `Ocp-Apim-Subscription-Key`, or
 * `Authorization: Bearer <key>` for resellers that kept the v7 shape. Both names are in the
 * client's redacted header names, so neither value reaches a span or a log.
 */

/** How a key is sent. */
export type Auth = "subscription-key" | "bearer"

/** The subscription-key header (lower case, as `Headers` keeps names). */
export const subscriptionKey = "ocp-apim-subscription-key"

/** The header of a bearer token. */
export const authorization = "authorization"

/** The header (name and value) that sends `key` the `auth` way. */
export const of = (auth: Auth, key: string): Record<string, string> =>
  auth === "bearer" ? { [authorization]: `Bearer ${key}` } : { [subscriptionKey]: key }
