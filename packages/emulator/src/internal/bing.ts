/**
 * The adapter to @bing-effect/schema: every error body the emulator sends is a schema `BingError`
 * encoded by `BingResponse.encodeError` / `encodeLegacyGateway`, and every parameter check is the
 * schema's `fromQuery`. The emulator only maps the decoded parameters onto its generator's input.
 */
import type { VolumeQuotaWindow } from "@bing-effect/error-codes"
import { BingError, BingResponse, ImageSearchParams, WebSearchParams } from "@bing-effect/schema"
import * as Result from "effect/Result"
import type { ImageQuery, TrendingQuery, WebQuery } from "./query.js"
import { Lru, type Wire } from "./wire.js"

/** Encodes a schema error into a reusable answer (the per-request trace id is added later). */
const toWire = (wire: BingResponse.WireResponse): Wire => {
  const headers: Array<string> = []
  for (const [name, value] of Object.entries(wire.headers)) {
    if (name.toLowerCase() !== "bingapis-traceid") headers.push(name, value)
  }
  return { status: wire.status, headers, body: Buffer.from(wire.body, "utf8") }
}

const encode = (error: BingError.BingError): Wire => toWire(BingResponse.encodeError(error))

const HTML502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

export type ServerSubCode = BingError.ServerErrorSubCode

const messageOf = (subCode: string | undefined): string | undefined =>
  subCode !== undefined && subCode in BingError.Messages
    ? BingError.Messages[subCode as keyof typeof BingError.Messages]
    : undefined

/**
 * Query terms that answer a documented error deterministically, like an advanced operator
 * (`site:`): a `q` holding one of them as a word, in any case, gets that error after its
 * parameters and quotas have passed. Listed in the README ("Natural causes of every error").
 */
export const reservedTerms = Object.freeze(
  {
    "emulator:blocked": "Blocked",
    "emulator:unexpected-error": "UnexpectedError",
    "emulator:resource-error": "ResourceError",
    "emulator:not-implemented": "NotImplemented"
  } as const
)

type ReservedSubCode = (typeof reservedTerms)[keyof typeof reservedTerms]

const reservedOf = (q: string): ReservedSubCode | undefined => {
  if (!q.includes(":")) return undefined
  for (const word of q.toLowerCase().split(/\s+/)) {
    if (Object.hasOwn(reservedTerms, word)) return reservedTerms[word as keyof typeof reservedTerms]
  }
  return undefined
}

/**
 * Whether an `Accept` header asks for JSON-LD only (`application/ld+json`, documented, which the
 * emulator does not produce): no `application/json`, `application/*` or `*\/*` alongside it.
 */
export const wantsOnlyJsonLd = (accept: string | undefined): boolean => {
  if (accept === undefined || !/application\/ld\+json/i.test(accept)) return false
  return !accept.split(",").some((part) => {
    const type = (part.split(";")[0] ?? "").trim().toLowerCase()
    return type === "application/json" || type === "application/*" || type === "*/*"
  })
}

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

  /** Any schema error (e.g. a parameter check's failure). */
  of(error: BingError.BingError): Wire {
    return encode(error)
  }
  parameterInvalidValue(parameter: string, value: string): Wire {
    return this.memo(`pv:${parameter}=${value}`, () => encode(BingError.parameterInvalidValue(parameter, value)))
  }
  /** A method other than GET/HEAD: 400 InvalidRequest/ParameterInvalidValue naming the method. */
  methodNotAllowed(method: string): Wire {
    return this.parameterInvalidValue("method", method.slice(0, 32))
  }
  /** A request the HTTP parser rejected (bad request line, oversized headers, unknown method). */
  malformed(): Wire {
    return this.memo("malformed", () =>
      encode(
        new BingError.InvalidRequest({
          status: 400,
          errors: [{ code: "InvalidRequest", subCode: "ParameterInvalidValue", message: "The request is malformed." }],
          subCode: "ParameterInvalidValue"
        })
      ))
  }
  /** 404 with an empty body (unknown path, URL over 2,048 characters). */
  notFound(): Wire {
    return this.memo("404", () => encode(BingError.notFound()))
  }
  /** 200 with an empty body (Bing's denial-of-service answer). */
  emptyResponse(): Wire {
    return this.memo("empty200", () => encode(BingError.emptyResponse()))
  }
  /** A `text/html` 502 page, as a reverse proxy in front of Bing would send it. */
  proxyBadGateway(): Wire {
    return this.memo(
      "html502",
      () =>
        encode(
          BingError.unexpectedResponse({ status: 502, body: HTML502, contentType: "text/html", reason: "bad gateway" })
        )
    )
  }
  /** The error a reserved query term stands for (see {@link reservedTerms}), or undefined. */
  reserved(q: string): Wire | undefined {
    const subCode = reservedOf(q)
    if (subCode === undefined) return undefined
    return this.memo(
      `reserved:${subCode}`,
      () =>
        encode(
          subCode === "Blocked" ? BingError.blocked({ status: this.blockedStatus }) : BingError.serverError(subCode)
        )
    )
  }
  /** 500 `ServerError`/`NotImplemented`: a documented feature the emulator does not implement (JSON-LD). */
  notImplemented(): Wire {
    return this.memo("ni", () => encode(BingError.serverError("NotImplemented")))
  }
  /** 410 `{"error":{"code":"Gone",…}}`: the answer of the retired service. */
  serviceRetired(): Wire {
    return this.memo("gone", () => encode(BingError.serviceRetired()))
  }
  httpNotAllowed(): Wire {
    return this.memo("http", () => encode(BingError.httpNotAllowed()))
  }
  authorizationMissing(): Wire {
    return this.memo("am", () => encode(BingError.authorizationMissing()))
  }
  keyNotRecognized(): Wire {
    return this.memo("unknown", () => encode(BingError.subscriptionKeyNotRecognized()))
  }
  authorizationRedundancy(): Wire {
    return this.memo("ar", () => encode(BingError.authorizationRedundancy()))
  }
  authorizationDisabled(): Wire {
    return this.memo("ad", () => encode(BingError.authorizationDisabled()))
  }
  authorizationExpired(): Wire {
    return this.memo("ae", () => encode(BingError.authorizationExpired()))
  }
  rateLimited(retryAfterSeconds: number): Wire {
    return this.memo(`rl:${retryAfterSeconds}`, () => encode(BingError.rateLimited(retryAfterSeconds * 1000)))
  }
  quotaExhausted(window: VolumeQuotaWindow, retryAfterSeconds: number): Wire {
    return this.memo(
      `qe:${window}:${retryAfterSeconds}`,
      () => encode(BingError.quotaExhausted(window, retryAfterSeconds * 1000))
    )
  }

  /** Any status/code/sub-code (fault injection), carried by the schema class its code maps to. */
  custom(
    input: {
      readonly status?: number | undefined
      readonly code: string
      readonly subCode?: string | undefined
      readonly message?: string | undefined
      readonly retryAfter?: number | undefined
    }
  ): Wire {
    const status = input.status ?? defaultStatus(input.code, input.subCode, this.blockedStatus)
    const wireError: { code: string; subCode?: string; message: string } = {
      code: input.code,
      message: input.message ?? messageOf(input.subCode) ??
        (input.code === "RateLimitExceeded"
          ? BingError.Messages.RateLimitExceeded
          : "An error was injected by the emulator.")
    }
    if (input.subCode !== undefined) wireError.subCode = input.subCode
    const common = { status, errors: [wireError] }
    const subCode = input.subCode ?? ""
    const retryAfterMs = input.retryAfter === undefined ? {} : { retryAfterMs: input.retryAfter * 1000 }
    let error: BingError.BingError
    switch (input.code) {
      case "InvalidRequest":
        error = new BingError.InvalidRequest({ ...common, subCode })
        break
      case "InvalidAuthorization":
        error = new BingError.InvalidAuthorization({ ...common, subCode })
        break
      case "InsufficientAuthorization":
        error = new BingError.InsufficientAuthorization({ ...common, subCode })
        break
      case "RateLimitExceeded":
        error = status === 429
          ? new BingError.RateLimited({ ...common, ...retryAfterMs })
          : new BingError.QuotaExhausted({ ...common, window: "unknown", ...retryAfterMs })
        break
      default:
        // ServerError and any code a newer server might send
        error = new BingError.ServerError({ ...common, subCode })
    }
    const wire = encode(error)
    if (input.retryAfter !== undefined && !wire.headers.some((h) => h.toLowerCase() === "retry-after")) {
      return { ...wire, headers: [...wire.headers, "Retry-After", String(input.retryAfter)] }
    }
    return wire
  }

  /** The API-Management / ARM gateway shapes of "9. Real-world gotchas" in docs/bing-v7-reference.md. */
  legacy(shape: "statusCode401" | "statusCode403" | "error"): Wire {
    return this.memo(`legacy:${shape}`, () => {
      if (shape === "statusCode401") {
        return toWire(BingResponse.encodeLegacyGateway(BingError.subscriptionKeyNotRecognized(), "statusCode"))
      }
      if (shape === "statusCode403") {
        // "Quota will be replenished in 22.14:18:12", as in the reported body
        const ms = (((22 * 24 + 14) * 60 + 18) * 60 + 12) * 1000
        return toWire(BingResponse.encodeLegacyGateway(BingError.quotaExhausted("unknown", ms), "statusCode"))
      }
      const arm = new BingError.InsufficientAuthorization({
        status: 401,
        errors: [{
          code: "MissingSubscription",
          message: "The request did not have a subscription or a valid tenant level resource provider."
        }],
        subCode: ""
      })
      return toWire(BingResponse.encodeLegacyGateway(arm, "error"))
    })
  }
}

const defaultStatus = (code: string, subCode: string | undefined, blocked: number): number => {
  if (subCode === "Blocked") return blocked
  switch (subCode) {
    case "ParameterMissing":
    case "ParameterInvalidValue":
      return 400
    case "HttpNotAllowed":
      return 410
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

// ---------------------------------------------------------------------------------------------
// parameters: schema's request schemas, mapped onto the generator's input

export type Check<A> = { readonly ok: true; readonly value: A } | {
  readonly ok: false
  readonly error: BingError.InvalidRequest
}

const ok = <A>(value: A): Check<A> => ({ ok: true, value })

export const parseWeb = (sp: URLSearchParams): Check<WebQuery> => {
  const r = WebSearchParams.fromQuery(sp)
  if (Result.isFailure(r)) return { ok: false, error: r.failure }
  const p = r.success
  const filter = p.responseFilter
  const exclude = filter !== undefined && filter[0].startsWith("-")
  return ok({
    q: p.q,
    // Bing delivers at most `maxCount` ("the actual number delivered may be less than requested").
    count: Math.min(p.count ?? 10, WebSearchParams.maxCount),
    offset: p.offset ?? 0,
    safeSearch: p.safeSearch ?? "Moderate",
    textDecorations: p.textDecorations ?? false,
    textFormat: p.textFormat ?? "Raw",
    freshness: p.freshness,
    mkt: p.mkt,
    cc: p.cc,
    setLang: p.setLang,
    answerCount: p.answerCount,
    promote: p.promote,
    responseFilter: filter === undefined
      ? undefined
      : {
        mode: exclude ? "exclude" : "include",
        answers: new Set(filter.map((a) => a.replace(/^-/, "").toLowerCase()))
      }
  })
}

export const parseImages = (sp: URLSearchParams): Check<ImageQuery> => {
  const r = ImageSearchParams.fromQuery(sp)
  if (Result.isFailure(r)) return { ok: false, error: r.failure }
  const p = r.success
  return ok({
    ...p,
    count: Math.min(p.count ?? 35, ImageSearchParams.maxCount),
    offset: p.offset ?? 0,
    safeSearch: p.safeSearch ?? "Moderate"
  })
}

export const parseTrending = (sp: URLSearchParams): Check<TrendingQuery> => {
  const r = ImageSearchParams.trendingFromQuery(sp)
  if (Result.isFailure(r)) return { ok: false, error: r.failure }
  const p = r.success
  return ok({ ...p, safeSearch: p.safeSearch ?? "Moderate" })
}
