/**
 * Which part of the gateway answers a path: the three typed endpoints, any other v7 path
 * (forwarded as-is), or nothing (404). Both prefixes are served, `/v7.0/...` (Bing Search
 * Services) and `/bing/v7.0/...` (the old Cognitive Services path); upstream every request goes
 * to `/v7.0/...`.
 */
import { Forward } from "@bing-effect/client"
import { VisualSearchParams } from "@bing-effect/schema"
import type { Route } from "./observe.js"

/** A Bing route and the path to send upstream. */
export interface Matched {
  readonly route: Exclude<Route, "ops" | "unknown">
  readonly upstreamPath: string
}

const typed: ReadonlyMap<string, Matched["route"]> = new Map([
  ["/v7.0/search", "search"],
  ["/v7.0/images/search", "images/search"],
  ["/v7.0/images/trending", "images/trending"]
])

const v7 = "/v7.0/"

/** The route of a path (without its query), or `undefined` when it is not a Bing v7 path. */
export const match = (pathname: string): Matched | undefined => {
  const path = pathname.startsWith("/bing/v7.0/") ? pathname.slice(5) : pathname
  const route = typed.get(path)
  if (route !== undefined) return { route, upstreamPath: path }
  // the client's own rule for `forward` (no dot segment, `%2e` read as a dot), refused here as 404
  if (!path.startsWith(v7) || path.length === v7.length || !Forward.isForwardablePath(path)) return undefined
  return { route: "forward", upstreamPath: path }
}

/** Bing answers a URL over 2,048 characters with 404 and an empty body; so does the gateway. */
export const maxUrlLength = 2048

/**
 * The v7 paths Bing answers a `POST` on, with the largest body the gateway reads for each (read
 * bounded before anything is spent): Spell Check's form (its text past what a URL holds, which
 * Microsoft's Spell Check SDK always sends this way) and Visual Search's multipart (an image of
 * at most 1 MB and its `knowledgeRequest`, as the emulator bounds it).
 */
const postBodyLimits: ReadonlyMap<string, number> = new Map([
  ["/v7.0/spellcheck", 256 * 1024],
  ["/v7.0/images/visualsearch", VisualSearchParams.maxImageBytes + 64 * 1024]
])

/** The largest `POST` body of an upstream path, or `undefined` when Bing answers it no `POST`. */
export const postBodyLimit = (upstreamPath: string): number | undefined => postBodyLimits.get(upstreamPath)
