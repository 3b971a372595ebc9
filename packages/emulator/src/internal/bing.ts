/**
 * The adapter to @bing-effect/schema: every error body the emulator sends and every parameter
 * check goes through here, so the wire format has exactly one definition (schema's).
 */
import type { ImageQuery, TrendingQuery, WebQuery } from "./query.js"
import { JSON_TYPE, jsonWire, Lru, type Wire } from "./wire.js"

// INTERIM: replaced by schema's BingError constructors + BingResponse.encodeError when they land.
interface ErrorObject {
  code: string
  subCode?: string
  message?: string
  moreDetails?: string
  parameter?: string
  value?: string
}
const encode = (status: number, error: ErrorObject, retryAfterMs?: number): Wire =>
  jsonWire(
    status,
    JSON.stringify({ _type: "ErrorResponse", errors: [error] }),
    retryAfterMs === undefined ? [] : ["Retry-After", String(Math.max(1, Math.ceil(retryAfterMs / 1000)))]
  )

export type ServerSubCode = "UnexpectedError" | "ResourceError" | "NotImplemented"

/** Builds error answers, each distinct one once. */
export class Errors {
  private readonly cache = new Lru<string, Wire>(512)
  constructor(private readonly blockedStatus: number) {}

  private memo(key: string, make: () => Wire): Wire {
    const hit = this.cache.get(key)
    if (hit !== undefined) return hit
    const w = make()
    this.cache.set(key, w)
    return w
  }

  parameterMissing(parameter: string): Wire {
    return this.memo(`pm:${parameter}`, () =>
      encode(400, { code: "InvalidRequest", subCode: "ParameterMissing", message: "Required parameter is missing.", parameter }))
  }
  parameterInvalidValue(parameter: string, value: string): Wire {
    return this.memo(`pv:${parameter}=${value}`, () =>
      encode(400, { code: "InvalidRequest", subCode: "ParameterInvalidValue", message: "Parameter has invalid value.", parameter, value }))
  }
  /** A method other than GET/HEAD: 400 InvalidRequest/ParameterInvalidValue naming the method. */
  methodNotAllowed(method: string): Wire {
    return this.memo(`method:${method.slice(0, 32)}`, () => this.parameterInvalidValue("method", method.slice(0, 32)))
  }
  /** A request the HTTP parser rejected (bad request line, oversized headers, unknown method). */
  malformed(): Wire {
    return this.memo("malformed", () =>
      encode(400, { code: "InvalidRequest", subCode: "ParameterInvalidValue", message: "The request is malformed." }))
  }
  httpNotAllowed(): Wire {
    return this.memo("http", () => encode(410, { code: "InvalidRequest", subCode: "HttpNotAllowed", message: "Http is not allowed. Use https instead." }))
  }
  blocked(status?: number): Wire {
    const s = status ?? this.blockedStatus
    return this.memo(`blocked:${s}`, () => encode(s, { code: "InvalidRequest", subCode: "Blocked", message: "The request is blocked." }))
  }
  authorizationMissing(): Wire {
    return this.memo("am", () => encode(401, { code: "InvalidAuthorization", subCode: "AuthorizationMissing", message: "Authorization is required." }))
  }
  keyNotRecognized(): Wire {
    return this.memo("unknown", () =>
      encode(401, {
        code: "InvalidAuthorization",
        subCode: "AuthorizationMissing",
        message: "Authorization is required.",
        moreDetails: "Subscription key is not recognized."
      }))
  }
  authorizationRedundancy(): Wire {
    return this.memo("ar", () =>
      encode(401, { code: "InvalidAuthorization", subCode: "AuthorizationRedundancy", message: "Only one authorization method is allowed." }))
  }
  authorizationDisabled(): Wire {
    return this.memo("ad", () =>
      encode(403, { code: "InsufficientAuthorization", subCode: "AuthorizationDisabled", message: "Authorization is disabled." }))
  }
  authorizationExpired(): Wire {
    return this.memo("ae", () =>
      encode(403, { code: "InsufficientAuthorization", subCode: "AuthorizationExpired", message: "Authorization has expired." }))
  }
  rateLimited(retryAfterSeconds: number): Wire {
    return this.memo(`rl:${retryAfterSeconds}`, () =>
      encode(429, { code: "RateLimitExceeded", message: "Rate limit is exceeded. Try again later." }, retryAfterSeconds * 1000))
  }
  quotaExhausted(window: "day" | "month", retryAfterSeconds: number): Wire {
    return this.memo(`qe:${window}:${retryAfterSeconds}`, () =>
      encode(403, {
        code: "RateLimitExceeded",
        message: "Out of call volume quota.",
        moreDetails: window === "day" ? "The per-day call volume quota is exhausted." : "The per-month call volume quota is exhausted."
      }, retryAfterSeconds * 1000))
  }
  serverError(subCode: ServerSubCode): Wire {
    return this.memo(`se:${subCode}`, () => encode(500, { code: "ServerError", subCode, message: "An unexpected error has occurred." }))
  }
  /** Any status/code/sub-code (fault injection). */
  custom(input: { status?: number | undefined; code: string; subCode?: string | undefined; message?: string | undefined; retryAfterSeconds?: number | undefined }): Wire {
    const status = input.status ?? defaultStatus(input.code, input.subCode, this.blockedStatus)
    const err: ErrorObject = { code: input.code }
    if (input.subCode !== undefined) err.subCode = input.subCode
    err.message = input.message ?? "An error was injected by the emulator."
    return encode(status, err, input.retryAfterSeconds === undefined ? undefined : input.retryAfterSeconds * 1000)
  }
  /** The API-Management gateway shapes of section 9. */
  legacy(shape: "statusCode401" | "statusCode403" | "error"): Wire {
    return this.memo(`legacy:${shape}`, () => {
      if (shape === "statusCode401") {
        return jsonWire(401, JSON.stringify({ statusCode: 401, message: "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }))
      }
      if (shape === "statusCode403") {
        return jsonWire(403, JSON.stringify({ statusCode: 403, message: "Out of call volume quota. Quota will be replenished in 22.14:18:12." }))
      }
      return jsonWire(401, JSON.stringify({ error: { code: "MissingSubscription", message: "The request did not have a subscription or a valid tenant level resource provider." } }))
    })
  }
}

const defaultStatus = (code: string, subCode: string | undefined, blocked: number): number => {
  switch (subCode) {
    case "ParameterMissing":
    case "ParameterInvalidValue":
      return 400
    case "HttpNotAllowed":
      return 410
    case "Blocked":
      return blocked
    case "AuthorizationMissing":
    case "AuthorizationRedundancy":
      return 401
    case "AuthorizationDisabled":
    case "AuthorizationExpired":
      return 403
  }
  switch (code) {
    case "InvalidRequest":
      return 400
    case "InvalidAuthorization":
      return 401
    case "InsufficientAuthorization":
      return 403
    case "RateLimitExceeded":
      return 429
  }
  return 500
}

/** The content type of every JSON answer. */
export const contentType = JSON_TYPE

// ---------------------------------------------------------------------------------------------
// INTERIM parameter checks: replaced by schema's WebSearchParams / ImageSearchParams.fromQuery.

type Check<A> = A | Wire
export const isWire = (u: unknown): u is Wire => typeof u === "object" && u !== null && "body" in u && "status" in u

const enumOf = (values: ReadonlyArray<string>) => {
  const m = new Map(values.map((v) => [v.toLowerCase(), v]))
  return (s: string): string | undefined => m.get(s.toLowerCase())
}
const safeSearchOf = enumOf(["Off", "Moderate", "Strict"])
const answersOf = enumOf(["Computation", "Entities", "Images", "News", "Places", "RelatedSearches", "SpellSuggestions", "TimeZone", "Translations", "Videos", "Webpages"])

const uint = (s: string, max: number): number | undefined => (/^\d{1,6}$/.test(s) && Number(s) <= max ? Number(s) : undefined)

export const parseWeb = (sp: URLSearchParams, errors: Errors): Check<WebQuery> => {
  const q = sp.get("q")
  if (q === null || q.trim() === "") return errors.parameterMissing("q")
  const out: { -readonly [K in keyof WebQuery]: WebQuery[K] } = {
    q,
    count: 10,
    offset: 0,
    safeSearch: "Moderate",
    textDecorations: false,
    textFormat: "Raw"
  }
  for (const [name, value] of sp) {
    switch (name) {
      case "count": {
        const n = uint(value, 50)
        if (n === undefined) return errors.parameterInvalidValue(name, value)
        out.count = n
        break
      }
      case "offset": {
        const n = uint(value, 65535)
        if (n === undefined) return errors.parameterInvalidValue(name, value)
        out.offset = n
        break
      }
      case "answerCount": {
        const n = uint(value, 65535)
        if (n === undefined) return errors.parameterInvalidValue(name, value)
        out.answerCount = n
        break
      }
      case "safeSearch": {
        const v = safeSearchOf(value)
        if (v === undefined) return errors.parameterInvalidValue(name, value)
        out.safeSearch = v as WebQuery["safeSearch"]
        break
      }
      case "textDecorations":
        if (!/^(true|false)$/i.test(value)) return errors.parameterInvalidValue(name, value)
        out.textDecorations = value.toLowerCase() === "true"
        break
      case "textFormat":
        if (!/^(raw|html)$/i.test(value)) return errors.parameterInvalidValue(name, value)
        out.textFormat = value.toLowerCase() === "html" ? "HTML" : "Raw"
        break
      case "responseFilter": {
        const parts = value.split(",").map((p) => p.trim())
        const excl = parts.map((p) => p.startsWith("-"))
        if (excl.some((e) => e) && excl.some((e) => !e)) return errors.parameterInvalidValue(name, value)
        const set = new Set<string>()
        for (const p of parts) {
          const a = answersOf(p.replace(/^-/, ""))
          if (a === undefined) return errors.parameterInvalidValue(name, value)
          set.add(a.toLowerCase())
        }
        out.responseFilter = { mode: excl[0] === true ? "exclude" : "include", answers: set }
        break
      }
      case "promote": {
        const list: Array<string> = []
        for (const p of value.split(",")) {
          const a = answersOf(p.trim())
          if (a === undefined) return errors.parameterInvalidValue(name, value)
          list.push(a)
        }
        out.promote = list
        break
      }
      case "mkt":
        out.mkt = value
        break
      case "cc":
        out.cc = value
        break
      case "setLang":
        out.setLang = value
        break
    }
  }
  return out
}

const imageEnums: Record<string, (s: string) => string | undefined> = {
  aspect: enumOf(["Square", "Wide", "Tall", "All"]),
  color: enumOf(["ColorOnly", "Monochrome", "Black", "Blue", "Brown", "Gray", "Green", "Orange", "Pink", "Purple", "Red", "Teal", "White", "Yellow"]),
  freshness: enumOf(["Day", "Week", "Month"]),
  imageContent: enumOf(["Face", "Portrait"]),
  imageType: enumOf(["AnimatedGif", "AnimatedGifHttps", "Clipart", "Line", "Photo", "Shopping", "Transparent"]),
  license: enumOf(["Any", "Public", "Share", "ShareCommercially", "Modify", "ModifyCommercially", "All"]),
  size: enumOf(["Small", "Medium", "Large", "Wallpaper", "All"])
}
const imageInts = ["height", "width", "minHeight", "maxHeight", "minWidth", "maxWidth", "minFileSize", "maxFileSize"]

export const parseImages = (sp: URLSearchParams, errors: Errors): Check<ImageQuery> => {
  const q = sp.get("q")
  if (q === null || q.trim() === "") return errors.parameterMissing("q")
  const out: Record<string, unknown> = { q, count: 35, offset: 0, safeSearch: "Moderate" }
  for (const [name, value] of sp) {
    if (name === "count" || name === "offset") {
      const n = uint(value, name === "count" ? 150 : 65535)
      if (n === undefined) return errors.parameterInvalidValue(name, value)
      out[name] = n
    } else if (name === "safeSearch") {
      const v = safeSearchOf(value)
      if (v === undefined) return errors.parameterInvalidValue(name, value)
      out[name] = v
    } else if (imageEnums[name] !== undefined) {
      const v = imageEnums[name]!(value)
      if (v === undefined) return errors.parameterInvalidValue(name, value)
      out[name] = v
    } else if (imageInts.includes(name)) {
      const n = uint(value, 100_000_000)
      if (n === undefined) return errors.parameterInvalidValue(name, value)
      out[name] = n
    } else if (name === "mkt" || name === "cc" || name === "setLang" || name === "id") {
      out[name] = value
    }
  }
  return out as unknown as ImageQuery
}

export const parseTrending = (sp: URLSearchParams, errors: Errors): Check<TrendingQuery> => {
  const out: Record<string, unknown> = { safeSearch: "Moderate" }
  for (const [name, value] of sp) {
    if (name === "safeSearch") {
      const v = safeSearchOf(value)
      if (v === undefined) return errors.parameterInvalidValue(name, value)
      out[name] = v
    } else if (name === "mkt" || name === "cc" || name === "setLang") out[name] = value
  }
  return out as unknown as TrendingQuery
}
