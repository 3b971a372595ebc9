/**
 * Endpoint checks: HTTPS only, except plain HTTP to a loopback host when explicitly allowed
 * (the emulator). Results are cached per endpoint string by the caller's `Map`.
 */

/**
 * A usable endpoint: its base (no trailing slash), a display form without credentials or query,
 * and its origin (every response must come from it).
 */
export interface Endpoint {
  readonly _tag: "Ok"
  readonly base: string
  readonly display: string
  readonly origin: string
}

/** Why an endpoint cannot be used. */
export type EndpointProblem =
  | { readonly _tag: "HttpNotAllowed"; readonly display: string }
  | { readonly _tag: "Invalid"; readonly detail: string }

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

/** Whether a host name is a loopback address we accept plain HTTP for. */
export const isLoopback = (hostname: string): boolean => loopbackHosts.has(hostname.toLowerCase())

/** Checks one endpoint string. */
export const check = (endpoint: string, allowInsecureLoopback: boolean): Endpoint | EndpointProblem => {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return { _tag: "Invalid", detail: "is not an absolute URL" }
  }
  if (url.username !== "" || url.password !== "") return { _tag: "Invalid", detail: "must not carry credentials" }
  if (url.search !== "" || url.hash !== "") return { _tag: "Invalid", detail: "must not carry a query or a fragment" }
  const path = url.pathname.replace(/\/+$/, "")
  const origin = `${url.protocol}//${url.host}`
  const base = `${origin}${path}`
  if (url.protocol === "https:") return { _tag: "Ok", base, display: base, origin }
  if (url.protocol === "http:") {
    return allowInsecureLoopback && isLoopback(url.hostname)
      ? { _tag: "Ok", base, display: base, origin }
      : { _tag: "HttpNotAllowed", display: base }
  }
  return { _tag: "Invalid", detail: `uses ${url.protocol.replace(/:$/, "")}; only https is allowed` }
}
