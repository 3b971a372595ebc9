/**
 * The parameter check of the three typed endpoints, before any quota is spent: schema's
 * query-string codecs (`WebSearchParams.fromQuery`, `ImageSearchParams.fromQuery` and
 * `trendingFromQuery`, derived from the `*ParamsFromQuery` codecs), after the check Bing (and the
 * emulator) makes first, that every parameter is valid percent-encoded UTF-8. The caller's query
 * itself is what goes upstream; the decoded value is only the verdict.
 */
import { BingError, ImageSearchParams, WebSearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import type { Matched } from "./routes.js"

const badPercent = /%(?![0-9A-Fa-f]{2})/

const isMalformed = (s: string): boolean => {
  if (badPercent.test(s)) return true
  try {
    decodeURIComponent(s)
    return false
  } catch {
    return true
  }
}

/** The first parameter whose name or value is not valid percent-encoded UTF-8 (Bing's 400 for it). */
const malformed = (search: string): BingError.InvalidRequest | undefined => {
  if (!search.includes("%")) return undefined
  for (const part of search.split("&")) {
    if (!part.includes("%")) continue
    const eq = part.indexOf("=")
    const rawName = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? "" : part.slice(eq + 1)
    if (isMalformed(rawName) || isMalformed(rawValue)) {
      let name = rawName
      try {
        name = decodeURIComponent(rawName)
      } catch {
        // keep the raw name
      }
      return BingError.parameterInvalidValue(name, rawValue)
    }
  }
  return undefined
}

/** The query without its `subscription-key` parameters (how the emulator reads the parameters). */
const withoutKey = (search: string): string =>
  search.includes("subscription-key=")
    ? search.split("&").filter((p) => !p.startsWith("subscription-key=")).join("&")
    : search

/** `undefined` when the parameters of a typed route are valid (or the route is not typed), else Bing's 400. */
export const check = (route: Matched["route"], search: string): BingError.InvalidRequest | undefined => {
  if (route === "forward") return undefined
  const query = withoutKey(search)
  const bad = malformed(query)
  if (bad !== undefined) return bad
  const params = new URLSearchParams(query)
  const result = route === "search"
    ? WebSearchParams.fromQuery(params)
    : route === "images/search"
    ? ImageSearchParams.fromQuery(params)
    : ImageSearchParams.trendingFromQuery(params)
  return Result.isFailure(result) ? result.failure : undefined
}
