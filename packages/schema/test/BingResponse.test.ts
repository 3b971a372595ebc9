/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's tagged errors and of Bing's JSON */
import { ErrorStatusTable } from "@bing-effect/error-codes"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import * as fc from "fast-check"
import { readFileSync } from "node:fs"
import { types } from "node:util"
import * as BingError from "../src/BingError.js"
import * as BingResponse from "../src/BingResponse.js"
import * as SearchResponse from "../src/SearchResponse.js"

const json = "application/json; charset=utf-8"
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")
const errorBody = (...errors: ReadonlyArray<Record<string, string>>) =>
  JSON.stringify({ _type: "ErrorResponse", errors })
const decode = (status: number, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  BingResponse.decodeError({ status, headers, body })
/** Own fields of an error (what a round trip must preserve), with its class. */
const fieldsOf = (e: BingError.BingError) => ({ class: e.constructor.name, ...e })
/** `Schema.is` of a class only checks `instanceof`; encoding checks every field against the schema. */
const encodeBingError = Schema.encodeUnknownResult(BingError.BingError)
const isValidBingError = (e: BingError.BingError) => Result.isSuccess(encodeBingError(e))

const tagOf = (row: (typeof ErrorStatusTable)[number]) =>
  row.code === "RateLimitExceeded" ? (row.window === "second" ? "RateLimited" : "QuotaExhausted") : row.code

describe("decodeError: the documented table", () => {
  for (const row of ErrorStatusTable) {
    const label = `${row.status} ${row.code}${row.subCode ? `/${row.subCode}` : ""}${
      row.window ? ` (${row.window})` : ""
    }`
    it(`${label} decodes to ${tagOf(row)}`, () => {
      const e = decode(
        row.status,
        errorBody({ code: row.code, ...(row.subCode ? { subCode: row.subCode } : {}), message: "m" }),
        {
          "BingAPIs-TraceId": "TRACE-1"
        }
      )
      expect(e._tag).toBe(tagOf(row))
      expect(e.status).toBe(row.status)
      expect(e.traceId).toBe("TRACE-1")
      expect(e.errors).toEqual([{ code: row.code, ...(row.subCode ? { subCode: row.subCode } : {}), message: "m" }])
      if (row.subCode !== undefined) expect((e as { subCode?: string }).subCode).toBe(row.subCode)
      if (e._tag === "QuotaExhausted") expect(e.window).toBe("unknown")
    })
  }

  it("a quota 403 names its window when the text does", () => {
    const day = decode(403, errorBody({ code: "RateLimitExceeded", message: "Daily quota exceeded." }))
    const month = decode(
      403,
      errorBody({ code: "RateLimitExceeded", message: "x", moreDetails: "The per-month quota is exhausted." })
    )
    expect(day._tag === "QuotaExhausted" && day.window).toBe("day")
    expect(month._tag === "QuotaExhausted" && month.window).toBe("month")
  })

  it("keeps every error of the body; the first decides the tag", () => {
    const e = decode(
      400,
      errorBody({ code: "InvalidRequest", subCode: "ParameterMissing", parameter: "q" }, {
        code: "ServerError",
        subCode: "ResourceError"
      })
    )
    expect(e._tag).toBe("InvalidRequest")
    expect(e.errors).toHaveLength(2)
    expect(e.errors[1]).toEqual({ code: "ServerError", subCode: "ResourceError" })
  })

  it("an unknown code or sub-code still decodes, falling back on the status", () => {
    const e = decode(400, errorBody({ code: "SomethingNew", subCode: "Newer", parameter: "x", value: "y" }))
    expect(e._tag).toBe("InvalidRequest")
    expect(e._tag === "InvalidRequest" && [e.subCode, e.parameter, e.value]).toEqual(["Newer", "x", "y"])
    expect(decode(500, errorBody({ code: "None" }))._tag).toBe("ServerError")
    expect(decode(503, errorBody({ code: "ServerError", subCode: "Overloaded" }))).toMatchObject({
      _tag: "ServerError",
      subCode: "Overloaded",
      status: 503
    })
    expect(decode(418, errorBody({ code: "Teapot" }))).toMatchObject({
      _tag: "UnexpectedResponse",
      errors: [{ code: "Teapot" }]
    })
    // a known sub-code under an unknown code names its parent
    expect(decode(401, errorBody({ code: "None", subCode: "AuthorizationExpired" }))._tag).toBe(
      "InsufficientAuthorization"
    )
  })

  it("fills a missing sub-code with the documented one closest to the status", () => {
    expect(decode(410, errorBody({ code: "InvalidRequest" }))).toMatchObject({ subCode: "HttpNotAllowed" })
    expect(decode(400, errorBody({ code: "InvalidRequest", parameter: "q" }))).toMatchObject({
      subCode: "ParameterMissing"
    })
    expect(decode(400, errorBody({ code: "InvalidRequest", parameter: "count", value: "x" }))).toMatchObject({
      subCode: "ParameterInvalidValue"
    })
    expect(decode(401, errorBody({ code: "InvalidAuthorization" }))).toMatchObject({ subCode: "AuthorizationMissing" })
    expect(decode(403, errorBody({ code: "InsufficientAuthorization" }))).toMatchObject({
      subCode: "AuthorizationDisabled"
    })
    expect(decode(500, errorBody({ code: "ServerError" }))).toMatchObject({ subCode: "UnexpectedError" })
  })

  it("tolerates wrong types inside errors: bad fields are dropped, bad entries skipped", () => {
    const body = JSON.stringify({
      _type: "ErrorResponse",
      errors: [5, { code: 7 }, { code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: 3, value: "v" }]
    })
    expect(decode(400, body)).toMatchObject({
      _tag: "InvalidRequest",
      errors: [{ code: "InvalidRequest", subCode: "ParameterInvalidValue", value: "v" }]
    })
    expect(decode(400, JSON.stringify({ _type: "ErrorResponse", errors: "nope" }))).toMatchObject({
      _tag: "UnexpectedResponse",
      reason: "body is not a Bing error"
    })
  })
})

describe("decoded errors behave as constructed ones", () => {
  it("an instance with a field its schema rejects is caught by the check the property below uses", () => {
    const bad = Object.assign(Object.create(BingError.RateLimited.prototype), {
      _tag: "RateLimited",
      status: 1.5,
      errors: [],
      retryAfterMs: -3
    })
    expect(isValidBingError(bad)).toBe(false)
    expect(isValidBingError(BingError.rateLimited(3))).toBe(true)
  })

  it("same class, fields, message, schema encoding and catchTag", async () => {
    const decoded = decode(400, BingResponse.encodeError(BingError.parameterInvalidValue("count", "abc")).body)
    const built = BingError.parameterInvalidValue("count", "abc")
    expect(decoded).toBeInstanceOf(BingError.InvalidRequest)
    expect(decoded).toBeInstanceOf(Error)
    expect({ ...decoded }).toEqual({ ...built })
    expect(decoded.message).toBe(built.message)
    expect(String(decoded)).toBe(String(built))
    expect(Schema.encodeSync(BingError.BingError)(decoded)).toEqual(Schema.encodeSync(BingError.BingError)(built))
    const caught = await Effect.runPromise(
      Effect.fail(decoded).pipe(Effect.catchTag("InvalidRequest", (e) => Effect.succeed(`${e.parameter}=${e.value}`)))
    )
    expect(caught).toBe("count=abc")
  })
})

describe("decoded errors are real instances", () => {
  it("native Errors of their class, with a constructed one's own properties and no stack into the decoder", () => {
    const limit = Error.stackTraceLimit
    const pairs = [
      [BingError.parameterInvalidValue("count", "abc"), 400],
      [BingError.rateLimited(1000), 429],
      [BingError.quotaExhausted("month"), 403],
      [BingError.authorizationDisabled(), 403],
      [BingError.serverError("ResourceError"), 500]
    ] as const
    for (const [built, status] of pairs) {
      const wire = BingResponse.encodeError(built)
      const decoded = decode(status, wire.body, wire.headers)
      expect(decoded).toBeInstanceOf(built.constructor)
      expect(types.isNativeError(decoded)).toBe(true)
      expect(Object.getOwnPropertyNames(decoded).toSorted()).toEqual(Object.getOwnPropertyNames(built).toSorted())
      expect(decoded.stack).not.toMatch(/\n\s+at /)
    }
    for (const decoded of [decode(404, ""), decode(502, "<html>bad gateway</html>"), decode(200, "")]) {
      expect(types.isNativeError(decoded)).toBe(true)
      expect(Object.hasOwn(decoded, "stack")).toBe(true)
    }
    expect(Error.stackTraceLimit).toBe(limit)
  })
})

describe("decodeError: legacy gateway shapes (docs/bing-v7-reference.md, 9. Real-world gotchas)", () => {
  it("401 statusCode/message -> InvalidAuthorization", () => {
    const body =
      "{\"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.\"}"
    expect(decode(401, body)).toMatchObject({
      _tag: "InvalidAuthorization",
      status: 401,
      subCode: "AuthorizationMissing",
      errors: [{ code: "InvalidAuthorization", message: expect.stringContaining("invalid subscription key") }]
    })
    const regional =
      "{\"statusCode\":401,\"message\":\"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.\"}"
    expect(decode(401, regional)._tag).toBe("InvalidAuthorization")
  })

  it("403 'Out of call volume quota' -> QuotaExhausted with the countdown as retryAfterMs", () => {
    const e = decode(
      403,
      "{\"statusCode\":403,\"message\":\"Out of call volume quota. Quota will be replenished in 22.14:18:12.\"}"
    )
    expect(e).toMatchObject({
      _tag: "QuotaExhausted",
      window: "month",
      retryAfterMs: ((22 * 24 + 14) * 3600 + 18 * 60 + 12) * 1000
    })
    const short = decode(
      403,
      "{\"statusCode\":403,\"message\":\"Out of call volume quota. Quota will be replenished in 05:00:01.\"}"
    )
    expect(short).toMatchObject({ _tag: "QuotaExhausted", window: "unknown", retryAfterMs: (5 * 3600 + 1) * 1000 })
    // a Retry-After header wins over the text
    expect(
      decode(
        403,
        "{\"statusCode\":403,\"message\":\"Out of call volume quota. Quota will be replenished in 05:00:01.\"}",
        { "Retry-After": "7" }
      )
    )
      .toMatchObject({ retryAfterMs: 7000 })
  })

  it("429 statusCode/message -> RateLimited with 'Try again in N seconds'", () => {
    expect(decode(429, "{\"statusCode\":429,\"message\":\"Rate limit is exceeded. Try again in 26 seconds.\"}"))
      .toMatchObject({ _tag: "RateLimited", retryAfterMs: 26_000 })
  })

  it("other statusCode bodies follow the status", () => {
    expect(decode(403, "{\"statusCode\":403,\"message\":\"Forbidden\"}")).toMatchObject({
      _tag: "InsufficientAuthorization",
      subCode: "AuthorizationDisabled"
    })
    expect(decode(500, "{\"statusCode\":500,\"message\":\"Internal server error\"}")._tag).toBe("ServerError")
    expect(decode(404, "{\"statusCode\":404,\"message\":\"Resource not found\"}")._tag).toBe("NotFound")
    expect(decode(302, "{\"statusCode\":302,\"message\":\"Moved\"}")._tag).toBe("UnexpectedResponse")
  })

  it("ARM {error:{code,message}} -> by code, else by status", () => {
    const e = decode(
      401,
      "{\"error\":{\"code\":\"MissingSubscription\",\"message\":\"The request did not have a subscription or a valid tenant level resource provider.\"}}"
    )
    expect(e).toMatchObject({
      _tag: "InvalidAuthorization",
      errors: [{ code: "MissingSubscription", message: expect.stringMatching(/^The request did not have/) }]
    })
    expect(decode(400, "{\"error\":{\"code\":\"InvalidRequest\",\"message\":\"bad\"}}")._tag).toBe("InvalidRequest")
    expect(decode(403, "{\"error\":{\"code\":\"RateLimitExceeded\",\"message\":\"x\"}}")._tag).toBe("QuotaExhausted")
  })
})

describe("decodeError: bodies Bing would not send", () => {
  it("empty 404 -> NotFound, empty 429 -> RateLimited, HTML -> UnexpectedResponse with an excerpt", () => {
    expect(decode(404, "")).toMatchObject({ _tag: "NotFound", status: 404, errors: [] })
    expect(decode(429, "", { "Retry-After": "3" })).toMatchObject({ _tag: "RateLimited", retryAfterMs: 3000 })
    const html = `<html><body>${"x".repeat(5000)}</body></html>`
    const e = decode(502, html, { "Content-Type": "text/html" })
    expect(e).toMatchObject({
      _tag: "UnexpectedResponse",
      status: 502,
      contentType: "text/html",
      reason: "body is not a JSON object"
    })
    expect(e._tag === "UnexpectedResponse" && e.bodyExcerpt.length).toBe(BingError.excerptLength + 1)
    // a gateway's 502 page is transient: the error says so, and the client's retry reads only this
    expect(e.isRetryable).toBe(true)
  })

  it("a megabyte body is never kept whole", () => {
    const big = errorBody({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "q",
      value: "v".repeat(1_000_000)
    })
    const e = decode(400, big)
    expect(e._tag === "InvalidRequest" && e.value!.length).toBe(2048)
    const junk = decode(500, "z".repeat(2_000_000))
    expect(junk._tag === "UnexpectedResponse" && junk.bodyExcerpt.length).toBeLessThanOrEqual(513)
    expect(JSON.stringify(junk).length).toBeLessThan(2000)
  })

  it("100k nested arrays and objects neither blow the stack nor decode to anything but a typed error", () => {
    const n = 100_000
    expect(decode(500, "[".repeat(n) + "]".repeat(n))._tag).toBe("UnexpectedResponse")
    expect(decode(500, "{\"a\":".repeat(n) + "1" + "}".repeat(n))._tag).toBe("UnexpectedResponse")
    const deepErrors = `{"_type":"ErrorResponse","errors":${"[".repeat(n)}${"]".repeat(n)}}`
    expect(decode(400, deepErrors)._tag).toBe("UnexpectedResponse")
    const deepField = `{"_type":"ErrorResponse","errors":[{"code":"ServerError","message":${"[".repeat(n)}${
      "]".repeat(n)
    }}]}`
    expect(decode(500, deepField)).toMatchObject({ _tag: "ServerError", errors: [{ code: "ServerError" }] })
    const deepSuccess = `{"_type":"SearchResponse","extra":${"{\"a\":".repeat(n)}1${"}".repeat(n)}}`
    expect(Result.isSuccess(BingResponse.decodeWebSearch({ status: 200, headers: {}, body: deepSuccess }))).toBe(true)
    const deepKnown = `{"_type":"SearchResponse","webPages":{"value":[${"[".repeat(n)}${"]".repeat(n)}]}}`
    const r = BingResponse.decodeWebSearch({ status: 200, headers: {}, body: deepKnown })
    expect(Result.isFailure(r) && r.failure._tag).toBe("UnexpectedResponse")
  })

  it("reads bytes as UTF-8, invalid sequences included", () => {
    const bytes = new TextEncoder().encode(
      errorBody({ code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "q", value: "é" })
    )
    expect(decode(400, bytes)).toMatchObject({ value: "é" })
    const invalid = Uint8Array.from([0x7b, 0xff, 0xfe, 0x22])
    expect(decode(400, invalid)._tag).toBe("UnexpectedResponse")
    const bom = "\uFEFF" + errorBody({ code: "ServerError", subCode: "ResourceError" })
    expect(decode(500, bom)).toMatchObject({ _tag: "ServerError", subCode: "ResourceError" })
  })
})

describe("headers", () => {
  const body = errorBody({ code: "RateLimitExceeded" })
  it("Retry-After as seconds, as an HTTP date, or garbage", () => {
    const now = Date.UTC(2025, 6, 1, 12, 0, 0)
    const at = (h: string) => BingResponse.decodeError({ status: 429, headers: { "retry-after": h }, body }, { now })
    expect(at("0")).toMatchObject({ retryAfterMs: 0 })
    expect(at(" 120 ")).toMatchObject({ retryAfterMs: 120_000 })
    expect(at(new Date(now + 90_000).toUTCString())).toMatchObject({ retryAfterMs: 90_000 })
    expect(at(new Date(now - 90_000).toUTCString())).toMatchObject({ retryAfterMs: 0 })
    for (const garbage of ["soon", "-1", "1.5", "1e3", "", "Tue, 99 Foo 2025 99:99:99 GMT", "99999999999"]) {
      expect(at(garbage)).not.toHaveProperty("retryAfterMs")
    }
  })

  it("are matched case-insensitively, in records, arrays or a Headers object", () => {
    const h = new Headers({ "Retry-After": "4", "BingAPIs-TraceId": "abc" })
    expect(BingResponse.decodeError({ status: 429, headers: h, body })).toMatchObject({
      retryAfterMs: 4000,
      traceId: "abc"
    })
    expect(
      BingResponse.decodeError({
        status: 429,
        headers: { "RETRY-AFTER": ["5", "6"], "bingapis-traceid": undefined },
        body
      })
    )
      .toMatchObject({ retryAfterMs: 5000 })
  })
})

describe("decodeResponse (success)", () => {
  it("decodes a 10-result web response", () => {
    const r = BingResponse.decodeWebSearch({
      status: 200,
      headers: { "content-type": json },
      body: fixture("web-search.json")
    })
    expect(Result.isSuccess(r)).toBe(true)
    if (Result.isSuccess(r)) expect(r.success.webPages?.value).toHaveLength(10)
  })

  it("a 200 with an empty body is EmptyResponse, retryable", () => {
    for (const body of ["", "  \r\n", new Uint8Array()]) {
      const r = BingResponse.decodeWebSearch({ status: 200, headers: { "BingAPIs-TraceId": "t" }, body })
      expect(Result.isFailure(r) && r.failure).toMatchObject({
        _tag: "EmptyResponse",
        status: 200,
        traceId: "t",
        errors: []
      })
      expect(Result.isFailure(r) && r.failure.isRetryable).toBe(true)
    }
  })

  it("a 200 whose body fails the model is UnexpectedResponse, saying where", () => {
    const r = BingResponse.decodeWebSearch({
      status: 200,
      headers: {},
      body: "{\"_type\":\"SearchResponse\",\"webPages\":{\"value\":[{\"name\":1,\"url\":\"u\"}]}}"
    })
    expect(Result.isFailure(r) && r.failure).toMatchObject({
      _tag: "UnexpectedResponse",
      reason: expect.stringContaining("[\"webPages\"][\"value\"][0][\"name\"]")
    })
    const images = BingResponse.decodeImageSearch({ status: 200, headers: {}, body: fixture("web-search.json") })
    expect(Result.isFailure(images) && images.failure._tag).toBe("UnexpectedResponse")
    const html = BingResponse.decodeTrendingImages({ status: 200, headers: {}, body: "<html>" })
    expect(Result.isFailure(html) && html.failure).toMatchObject({
      _tag: "UnexpectedResponse",
      reason: "body is not a JSON object"
    })
  })

  it("a 200 carrying an ErrorResponse is that error; other statuses go through decodeError", () => {
    const r = BingResponse.decodeResponse(SearchResponse.SearchResponse, {
      status: 200,
      headers: {},
      body: errorBody({ code: "ServerError", subCode: "ResourceError" })
    })
    expect(Result.isFailure(r) && r.failure._tag).toBe("ServerError")
    const q = BingResponse.decodeResponse(SearchResponse.SearchResponse, {
      status: 400,
      headers: {},
      body: errorBody({ code: "InvalidRequest", subCode: "ParameterMissing", parameter: "q" })
    })
    expect(Result.isFailure(q) && q.failure).toMatchObject({ _tag: "InvalidRequest", parameter: "q" })
  })
})

describe("encodeError", () => {
  it("writes Bing's exact responses", () => {
    expect(BingResponse.encodeError(BingError.parameterMissing("q"), { traceId: "T" })).toEqual({
      status: 400,
      headers: { "BingAPIs-TraceId": "T", "Content-Type": json },
      body:
        "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}"
    })
    expect(BingResponse.encodeError(BingError.subscriptionKeyNotRecognized()).body).toBe(
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidAuthorization\",\"subCode\":\"AuthorizationMissing\",\"message\":\"Authorization is required.\",\"moreDetails\":\"Subscription key is not recognized.\"}]}"
    )
    expect(BingResponse.encodeError(BingError.parameterInvalidValue("count", "abc")).body).toBe(
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterInvalidValue\",\"message\":\"Parameter has invalid value.\",\"parameter\":\"count\",\"value\":\"abc\"}]}"
    )
    expect(BingResponse.encodeError(BingError.httpNotAllowed()).status).toBe(410)
    expect(BingResponse.encodeError(BingError.blocked()).status).toBe(400)
    expect(BingResponse.encodeError(BingError.blocked({ status: 403 })).status).toBe(403)
    expect(BingResponse.encodeError(BingError.authorizationExpired()).status).toBe(403)
    expect(BingResponse.encodeError(BingError.serverError("NotImplemented")).status).toBe(500)
  })

  it("Retry-After: whole seconds, at least 1 for 429; seconds to the reset for a 403 quota; absent when unknown", () => {
    expect(BingResponse.encodeError(BingError.rateLimited(1)).headers["Retry-After"]).toBe("1")
    expect(BingResponse.encodeError(BingError.rateLimited(0)).headers["Retry-After"]).toBe("1")
    expect(BingResponse.encodeError(BingError.rateLimited(1500)).headers["Retry-After"]).toBe("2")
    expect(BingResponse.encodeError(BingError.rateLimited()).headers).not.toHaveProperty("Retry-After")
    const quota = BingResponse.encodeError(BingError.quotaExhausted("day", 3_600_000))
    expect(quota).toMatchObject({ status: 403, headers: { "Retry-After": "3600" } })
    expect(BingResponse.encodeError(BingError.quotaExhausted("day", 0)).headers["Retry-After"]).toBe("0")
  })

  it("EmptyResponse and NotFound have empty bodies; UnexpectedResponse sends its excerpt", () => {
    expect(BingResponse.encodeError(BingError.emptyResponse())).toEqual({ status: 200, headers: {}, body: "" })
    expect(BingResponse.encodeError(BingError.notFound({ traceId: "x" }))).toEqual({
      status: 404,
      headers: { "BingAPIs-TraceId": "x" },
      body: ""
    })
    const u = BingError.unexpectedResponse({ status: 502, body: "<h1>Bad gateway</h1>", contentType: "text/html" })
    expect(BingResponse.encodeError(u)).toEqual({
      status: 502,
      headers: { "Content-Type": "text/html" },
      body: "<h1>Bad gateway</h1>"
    })
  })

  it("an error built without errors gets one from its fields", () => {
    const e = new BingError.InvalidRequest({
      status: 400,
      errors: [],
      subCode: "ParameterInvalidValue",
      parameter: "count",
      value: "99"
    })
    expect(JSON.parse(BingResponse.encodeError(e).body)).toEqual({
      _type: "ErrorResponse",
      errors: [{ code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "count", value: "99" }]
    })
  })
})

describe("encodeLegacyGateway", () => {
  it("writes the API Management shapes of docs/bing-v7-reference.md (9. Real-world gotchas)", () => {
    expect(BingResponse.encodeLegacyGateway(BingError.subscriptionKeyNotRecognized(), "statusCode")).toEqual({
      status: 401,
      headers: { "Content-Type": json },
      body:
        "{\"statusCode\":401,\"message\":\"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.\"}"
    })
    const quota = BingError.quotaExhausted("month", ((22 * 24 + 14) * 3600 + 18 * 60 + 12) * 1000)
    expect(BingResponse.encodeLegacyGateway(quota, "statusCode").body).toBe(
      "{\"statusCode\":403,\"message\":\"Out of call volume quota. Quota will be replenished in 22.14:18:12.\"}"
    )
    expect(BingResponse.encodeLegacyGateway(BingError.quotaExhausted("day", 61_000), "statusCode").body).toContain(
      "replenished in 00:01:01."
    )
    expect(BingResponse.encodeLegacyGateway(BingError.rateLimited(26_000), "statusCode").body).toBe(
      "{\"statusCode\":429,\"message\":\"Rate limit is exceeded. Try again in 26 seconds.\"}"
    )
    expect(BingResponse.encodeLegacyGateway(BingError.authorizationMissing(), "error").body).toBe(
      "{\"error\":{\"code\":\"InvalidAuthorization\",\"message\":\"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.\"}}"
    )
    expect(BingResponse.encodeLegacyGateway(BingError.emptyResponse(), "statusCode")).toEqual({
      status: 200,
      headers: {},
      body: ""
    })
  })

  it("decodes back to the same kind of error", () => {
    for (
      const e of [
        BingError.subscriptionKeyNotRecognized(),
        BingError.quotaExhausted("month", 90_000_000),
        BingError.rateLimited(3000),
        BingError.authorizationDisabled(),
        BingError.serverError()
      ]
    ) {
      for (const shape of ["statusCode", "error"] as const) {
        const back = BingResponse.decodeError(BingResponse.encodeLegacyGateway(e, shape))
        expect(back._tag).toBe(e._tag)
        expect(back.status).toBe(e.status)
        if ("retryAfterMs" in e) expect((back as { retryAfterMs?: number }).retryAfterMs).toBe(e.retryAfterMs)
      }
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const text = fc.string({ maxLength: 40 })
const arbTraceId = fc.option(fc.stringMatching(/^[0-9A-F]{8,32}$/), { nil: undefined })
const anyError = fc.record(
  {
    code: fc.oneof(fc.constantFrom("InvalidRequest", "ServerError", "Other"), text),
    subCode: text,
    message: text,
    moreDetails: text,
    parameter: text,
    value: text
  },
  { requiredKeys: ["code"] }
)
const extraErrors = fc.array(anyError, { maxLength: 3 })
const maybe = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })
type Defined<T> =
  & { [K in keyof T as undefined extends T[K] ? never : K]: T[K] }
  & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> }
/** Drops the keys whose value is `undefined` (exactOptionalPropertyTypes). */
const defined = <T extends object>(o: T): Defined<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>

/** Every kind of error, with fields consistent with the first of its `errors` (as decoding makes them). */
const arbitraryError: fc.Arbitrary<BingError.BingError> = fc.oneof(
  fc.record({
    status: fc.constantFrom(400, 410),
    subCode: fc.oneof(fc.constantFrom("ParameterMissing", "ParameterInvalidValue", "HttpNotAllowed", "Blocked"), text),
    parameter: maybe(text),
    value: maybe(text),
    message: maybe(text),
    traceId: arbTraceId,
    extra: extraErrors
  })
    .map(({ status, subCode, parameter, value, message, traceId, extra }) =>
      new BingError.InvalidRequest(
        defined({
          status,
          traceId,
          subCode,
          parameter,
          value,
          errors: [defined({ code: "InvalidRequest", subCode, message, parameter, value }), ...extra]
        })
      )
    ),
  fc.record({
    ms: maybe(fc.integer({ min: 1, max: 100_000 }).map((s) => s * 1000)),
    traceId: arbTraceId,
    extra: extraErrors
  })
    .map(({ ms, traceId, extra }) =>
      new BingError.RateLimited(
        defined({ status: 429, traceId, retryAfterMs: ms, errors: [{ code: "RateLimitExceeded" }, ...extra] })
      )
    ),
  fc.record({
    window: fc.constantFrom("day", "month", "unknown") as fc.Arbitrary<BingError.QuotaWindow>,
    ms: maybe(fc.integer({ min: 0, max: 40 * 86400 }).map((s) => s * 1000)),
    traceId: arbTraceId
  })
    .map(({ window, ms, traceId }) => BingError.quotaExhausted(window, ms, { traceId })),
  fc.record({
    subCode: fc.oneof(fc.constantFrom("AuthorizationMissing", "AuthorizationRedundancy"), text),
    message: maybe(text),
    traceId: arbTraceId,
    extra: extraErrors
  })
    .map(({ subCode, message, traceId, extra }) =>
      new BingError.InvalidAuthorization(
        defined({
          status: 401,
          traceId,
          subCode,
          errors: [defined({ code: "InvalidAuthorization", subCode, message }), ...extra]
        })
      )
    ),
  fc.record({
    subCode: fc.oneof(fc.constantFrom("AuthorizationDisabled", "AuthorizationExpired"), text),
    traceId: arbTraceId
  })
    .map(({ subCode, traceId }) =>
      new BingError.InsufficientAuthorization(
        defined({ status: 403, traceId, subCode, errors: [{ code: "InsufficientAuthorization", subCode }] })
      )
    ),
  fc.record({
    status: fc.integer({ min: 500, max: 599 }),
    subCode: fc.oneof(fc.constantFrom("UnexpectedError", "ResourceError", "NotImplemented"), text),
    traceId: arbTraceId,
    extra: extraErrors
  })
    .map(({ status, subCode, traceId, extra }) =>
      new BingError.ServerError(
        defined({ status, traceId, subCode, errors: [{ code: "ServerError", subCode }, ...extra] })
      )
    ),
  arbTraceId.map((t) => BingError.emptyResponse({ traceId: t })),
  arbTraceId.map((t) => BingError.notFound({ traceId: t })),
  fc.record({
    status: fc.constantFrom(0, 204, 302, 418, 502, 503),
    body: fc.string({ maxLength: 700 }).map((s) => `<html>${s}`),
    contentType: maybe(fc.constantFrom("text/html", "text/plain")),
    traceId: arbTraceId
  })
    .map(({ status, body, contentType, traceId }) =>
      BingResponse.decodeError({
        status,
        body,
        headers: defined({ "Content-Type": contentType, "BingAPIs-TraceId": traceId }) as Record<string, string>
      })
    )
)

describe("properties", () => {
  it("decode(encode(e)) equals e for every error", () => {
    fc.assert(
      fc.property(arbitraryError, (e) => {
        const back = BingResponse.decodeError(BingResponse.encodeError(e))
        expect(fieldsOf(back)).toEqual(fieldsOf(e))
      }),
      { numRuns: 2000 }
    )
  })

  const statuses = fc.oneof(
    fc.constantFrom(200, 204, 400, 401, 403, 404, 410, 429, 500, 502, 503),
    fc.integer({ min: -10, max: 1000 }),
    fc.constantFrom(Number.NaN, 1.5, Infinity, -0)
  )
  const retryAfter = fc.oneof(
    fc.nat({ max: 1e6 }).map(String),
    fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toUTCString()),
    fc.string({ maxLength: 30 })
  )
  const headerValue = fc.oneof(retryAfter, fc.array(retryAfter, { maxLength: 2 }), fc.constant(undefined))
  const headers = fc.oneof(
    fc.record({ "Retry-After": headerValue, "BingAPIs-TraceId": headerValue, "Content-Type": headerValue }, {
      requiredKeys: []
    }),
    fc.dictionary(fc.string({ maxLength: 15 }), headerValue, { maxKeys: 4 }),
    fc.record({ "retry-after": retryAfter }).map((h) => {
      try {
        return new Headers(h)
      } catch {
        return new Headers()
      }
    })
  )
  const bingJson = fc.oneof(
    fc.record({
      _type: fc.constantFrom("ErrorResponse", "SearchResponse", "Images"),
      errors: fc.array(fc.oneof(anyError, fc.anything()), { maxLength: 3 })
    }),
    fc.record({ statusCode: fc.oneof(fc.integer(), fc.anything()), message: fc.oneof(text, fc.anything()) }),
    fc.record({ error: fc.oneof(anyError, fc.anything()) }),
    fc.jsonValue()
  ).map((v) => JSON.stringify(v) ?? "")
  const megabytes = [
    "x".repeat(1 << 20),
    errorBody({ code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "q", value: "v".repeat(1 << 20) }),
    JSON.stringify({
      _type: "SearchResponse",
      webPages: { value: Array.from({ length: 4000 }, (_, i) => ({ name: `n${i}`, url: "u".repeat(250) })) }
    }),
    new TextEncoder().encode(
      JSON.stringify({
        errors: Array.from({ length: 20_000 }, () => ({ code: "ServerError", message: "m".repeat(40) }))
      })
    )
  ]
  const deep = [
    "[".repeat(5000),
    "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
    `{"errors":${"[".repeat(3000)}${"]".repeat(3000)}}`
  ]
  const bodies = fc.oneof(
    { weight: 4, arbitrary: bingJson },
    { weight: 2, arbitrary: bingJson.chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))) }, // truncated JSON
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) }, // random bytes, mostly invalid UTF-8
    { weight: 1, arbitrary: bingJson.map((s) => new TextEncoder().encode(s)) },
    { weight: 1, arbitrary: fc.constantFrom(...deep) },
    // megabytes, about one run in 250 (each costs milliseconds to parse)
    {
      weight: 1,
      arbitrary: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...megabytes) }, {
        weight: 20,
        arbitrary: fc.constant("{")
      })
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "null", "[]", "{}", "\"x\"", "1", "<html></html>") }
  )

  it("the decoder is total: any status, headers and body give a bounded typed error or a value (10,000 runs)", () => {
    fc.assert(
      fc.property(statuses, headers, bodies, fc.boolean(), (status, h, body, success) => {
        const input = { status, headers: h, body } as BingResponse.ResponseInput
        const e = success
          ? (() => {
            const r = BingResponse.decodeWebSearch(input)
            return Result.isFailure(r) ? r.failure : undefined
          })()
          : BingResponse.decodeError(input)
        if (e === undefined) return
        expect(BingError.isBingError(e)).toBe(true)
        // built without the constructor's checks, so check them here: every field satisfies the schema
        expect(isValidBingError(e)).toBe(true)
        expect(BingError.tags).toContain(e._tag)
        expect(Number.isInteger(e.status)).toBe(true)
        expect(e.errors.length).toBeLessThanOrEqual(64)
        for (const err of e.errors) {
          for (const v of Object.values(err)) expect((v as string).length).toBeLessThanOrEqual(2048)
        }
        if (e._tag === "UnexpectedResponse") {
          expect(e.bodyExcerpt.length).toBeLessThanOrEqual(BingError.excerptLength + 1)
        }
        if ("retryAfterMs" in e && e.retryAfterMs !== undefined) expect(e.retryAfterMs).toBeGreaterThanOrEqual(0)
        expect(typeof e.message).toBe("string")
        expect(typeof e.isRetryable).toBe("boolean")
      }),
      { numRuns: 10_000 }
    )
    // a bound, not a speed target: 10,000 runs take about 2 s alone, and 7 s on a loaded 2-core machine
  }, 60_000)
})

describe("the retirement answer (410 Gone, since 2025-08-11)", () => {
  // The body the retired endpoint sends, verbatim ("12." in docs/bing-v7-reference.md).
  const gone =
    "{\"error\":{\"code\":\"Gone\",\"message\":\"The requested API endpoint is no longer available. This Bing service has been retired. More information at https://aka.ms/BingAPIsRetirement.\"}}"

  it("decodes to ServiceRetired, not the other 410 (HttpNotAllowed), and is not retryable", () => {
    const e = decode(410, gone, { "Content-Type": "application/json" })
    expect(e._tag).toBe("ServiceRetired")
    if (e._tag !== "ServiceRetired") return
    expect(e.isRetryable).toBe(false)
    expect(e.status).toBe(410)
    expect(e.errors[0]?.code).toBe("Gone")
    expect(e.message).toContain("retired")
    expect(BingError.isBingError(e)).toBe(true)
    // the documented HttpNotAllowed answer stays what it was
    expect(decode(410, errorBody({ code: "InvalidRequest", subCode: "HttpNotAllowed" }))).toMatchObject({
      _tag: "InvalidRequest",
      subCode: "HttpNotAllowed"
    })
    // a success decoder fails with it too
    expect(BingResponse.decodeWebSearch({ status: 410, headers: {}, body: gone })).toMatchObject({
      failure: { _tag: "ServiceRetired" }
    })
  })

  it("encodes back to the exact body (no _type, error not errors) and survives a schema round trip", () => {
    const wire = BingResponse.encodeError(BingError.serviceRetired({ traceId: "T" }))
    expect(wire.status).toBe(410)
    expect(wire.body).toBe(gone)
    expect(wire.headers["BingAPIs-TraceId"]).toBe("T")
    const e = BingError.serviceRetired()
    const back = Schema.decodeUnknownSync(BingError.BingError)(Schema.encodeSync(BingError.BingError)(e))
    expect(back._tag).toBe("ServiceRetired")
    expect(decode(wire.status, wire.body)).toMatchObject({ _tag: "ServiceRetired" })
  })
})
