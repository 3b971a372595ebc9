/**
 * The redirect check every response goes through, whatever the `HttpClient`: a 3xx is refused
 * (the client asks fetch for `redirect: "manual"`, and undici does not follow by default), and
 * so is a response whose URL left the endpoint's origin (a client that followed a redirect by
 * itself). Only the target's origin is kept, scrubbed of the key: a path or a query could hold
 * anything.
 */
import type { HttpClientResponse } from "effect/http"
import { redact } from "./scrub.js"

/** Why a response is refused as a redirect. */
export interface Refused {
  readonly target: string
  readonly followed: boolean
}

const originOf = (location: string, base: string | undefined): string => {
  try {
    const url = new URL(location, base)
    return `${url.protocol}//${url.host}`
  } catch {
    return "(invalid)"
  }
}

/** A 3xx answer to a request for `url`: refused, with the origin of its `Location` (if any). */
export const refused = (location: string | undefined, url: string, key: string): Refused => {
  const target = location === undefined || location === "" ? "(none)" : originOf(location, url)
  return { target: redact(target, key), followed: false }
}

/** `undefined` when the response may be used. `origin`: the endpoint's, e.g. `https://api.bing.microsoft.com`. */
export const check = (
  response: HttpClientResponse.HttpClientResponse,
  origin: string,
  key: string
): Refused | undefined => {
  const status = response.status
  if (status >= 300 && status < 400) return refused(response.headers["location"], response.request.url, key)
  const url = response.url
  // Empty: the client does not know (then nothing was followed that it could see).
  if (url === "" || url.startsWith(`${origin}/`) || url === origin) return undefined
  const target = originOf(url, undefined)
  return target === origin ? undefined : { target: redact(target, key), followed: true }
}
