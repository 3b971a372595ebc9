/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's tagged errors and of Bing's JSON */
import { ErrorStatusTable, statusOfSubCode } from "@bing-effect/error-codes"
import { assert, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as BingError from "../src/BingError.js"

describe("constructors", () => {
  it("carry Bing's codes, sub-codes, statuses and documented messages", () => {
    expect(BingError.parameterMissing("q")).toMatchObject({
      _tag: "InvalidRequest",
      status: 400,
      subCode: "ParameterMissing",
      parameter: "q",
      errors: [{
        code: "InvalidRequest",
        subCode: "ParameterMissing",
        message: "Required parameter is missing.",
        parameter: "q"
      }]
    })
    expect(BingError.subscriptionKeyNotRecognized().errors).toEqual([
      {
        code: "InvalidAuthorization",
        subCode: "AuthorizationMissing",
        message: "Authorization is required.",
        moreDetails: "Subscription key is not recognized."
      }
    ])
    expect(BingError.authorizationMissing().errors[0]).not.toHaveProperty("moreDetails")
    expect(BingError.parameterInvalidValue("count", "abc", { traceId: "t" })).toMatchObject({
      parameter: "count",
      value: "abc",
      traceId: "t"
    })
  })

  it("use the status error-codes gives each sub-code", () => {
    const built: ReadonlyArray<BingError.BingError & { readonly subCode: string }> = [
      BingError.parameterMissing("q"),
      BingError.parameterInvalidValue("q", "x"),
      BingError.httpNotAllowed(),
      BingError.blocked(),
      BingError.authorizationMissing(),
      BingError.authorizationRedundancy(),
      BingError.authorizationDisabled(),
      BingError.authorizationExpired(),
      BingError.serverError("UnexpectedError"),
      BingError.serverError("ResourceError"),
      BingError.serverError("NotImplemented")
    ]
    const rows = ErrorStatusTable.filter((r) => r.subCode !== undefined)
    expect(built.map((e) => e.subCode).toSorted()).toEqual(rows.map((r) => r.subCode).toSorted())
    for (const e of built) {
      expect(e.status).toBe(statusOfSubCode(e.subCode as never))
      expect(e.errors[0]?.code).toBe(rows.find((r) => r.subCode === e.subCode)?.code)
    }
    expect(BingError.rateLimited().status).toBe(429)
    expect(BingError.quotaExhausted("day").status).toBe(403)
    expect(BingError.emptyResponse().status).toBe(200)
    expect(BingError.notFound().status).toBe(404)
  })

  it("validate their fields", () => {
    expect(() => new BingError.RateLimited({ status: 429, errors: [], retryAfterMs: -1 })).toThrow()
    expect(() => new BingError.QuotaExhausted({ status: 403, errors: [], window: "week" as never })).toThrow()
    expect(() => new BingError.NotFound({ status: 404.5, errors: [] })).toThrow()
  })

  it("unexpectedResponse keeps only an excerpt", () => {
    const e = BingError.unexpectedResponse({ status: 502, body: "x".repeat(10_000) })
    expect(e.bodyExcerpt).toHaveLength(BingError.excerptLength + 1)
    expect(e.bodyExcerpt.endsWith("…")).toBe(true)
  })
})

describe("isRetryable and message", () => {
  const samples: ReadonlyArray<[BingError.BingError, boolean]> = [
    [BingError.parameterMissing("q"), false],
    [BingError.rateLimited(1000), true],
    [BingError.quotaExhausted("month", 1000), false],
    [BingError.authorizationMissing(), false],
    [BingError.authorizationExpired(), false],
    [BingError.serverError(), true],
    [BingError.emptyResponse(), true],
    [BingError.notFound(), false],
    // a 5xx answer without a Bing body (a proxy's error page) is transient; anything else not understood is not
    [BingError.unexpectedResponse({ status: 502, body: "<html>" }), true],
    [BingError.unexpectedResponse({ status: 503, body: "" }), true],
    [BingError.unexpectedResponse({ status: 403, body: "<html>" }), false],
    [BingError.unexpectedResponse({ status: 200, body: "{}" }), false]
  ]
  it.each(samples)("%s", (e, retryable) => {
    expect(e.isRetryable).toBe(retryable)
    expect(e.message.length).toBeGreaterThan(20)
    expect(String(e)).toBe(`${e._tag}: ${e.message}`)
  })

  it("messages say what happened", () => {
    expect(BingError.parameterInvalidValue("count", "abc").message).toBe(
      "Bing rejected the request (400 InvalidRequest/ParameterInvalidValue): Parameter has invalid value. [parameter \"count\", value \"abc\"]"
    )
    expect(BingError.parameterInvalidValue("count", "abc", { local: true }).message).toBe(
      "Request refused locally, nothing was sent (InvalidRequest/ParameterInvalidValue): Parameter has invalid value. [parameter \"count\", value \"abc\"]"
    )
    expect(BingError.httpNotAllowed({ local: true }).local).toBe(true)
    expect(BingError.httpNotAllowed().local).toBeUndefined()
    expect(BingError.quotaExhausted("day", 3_600_000).message).toContain("per-day quota exhausted")
    expect(BingError.quotaExhausted("day", 3_600_000).message).toContain("retry after 3600 s")
  })
})

const search = (q: string): Effect.Effect<string, BingError.BingError> =>
  q === "" ? Effect.fail(BingError.parameterMissing("q")) : Effect.fail(BingError.rateLimited(2000))

const handled = (q: string) =>
  search(q).pipe(
    Effect.catchTags({
      InvalidRequest: (e) => Effect.succeed(`fix ${e.parameter}`),
      RateLimited: (e) => Effect.succeed(`wait ${e.retryAfterMs}`)
    })
  )

describe("the union", () => {
  it("isBingError recognises every tag and nothing else", () => {
    expect(BingError.isBingError(BingError.notFound())).toBe(true)
    expect(BingError.isBingError(new Error("x"))).toBe(false)
    expect(BingError.isBingError({ _tag: "NotFound", status: 404, errors: [] })).toBe(false)
    expect(BingError.tags).toHaveLength(10)
  })

  it("isBingError goes by the brand: an error from a second copy of the package passes, a lookalike fails", async () => {
    vi.resetModules()
    const copy: typeof BingError = await import("../src/BingError.js")
    const other = copy.rateLimited(1000)
    expect(copy.RateLimited).not.toBe(BingError.RateLimited) // really a second copy
    expect(other).not.toBeInstanceOf(BingError.RateLimited)
    expect(BingError.isBingError(other)).toBe(true)
    expect(BingError.isBingError(copy.quotaExhausted("day"))).toBe(true)
    expect(copy.isBingError(BingError.notFound())).toBe(true)
    const lookalike = Object.assign(new Error("Bing rate limit exceeded"), {
      _tag: "RateLimited",
      status: 429,
      errors: [],
      isRetryable: true
    })
    expect(BingError.isBingError(lookalike)).toBe(false)
    expect(BingError.isBingError({ [Symbol("@bing-effect/schema/BingError")]: true, _tag: "NotFound" })).toBe(false)
    expect(BingError.isBingError(null)).toBe(false)
    expect(BingError.isBingError("NotFound")).toBe(false)
  })

  it("the BingError schema round-trips every error through its encoded form", () => {
    const all = [
      BingError.parameterInvalidValue("q", "x", { traceId: "t" }),
      BingError.rateLimited(2000),
      BingError.quotaExhausted("unknown"),
      BingError.authorizationRedundancy(),
      BingError.authorizationDisabled(),
      BingError.serverError("ResourceError"),
      BingError.emptyResponse(),
      BingError.notFound(),
      BingError.unexpectedResponse({ status: 0, body: "", reason: "r" })
    ]
    for (const e of all) {
      const encoded = Schema.encodeSync(BingError.BingError)(e)
      const back = Schema.decodeUnknownSync(BingError.BingError)(JSON.parse(JSON.stringify(encoded)))
      expect(back).toBeInstanceOf(e.constructor)
      expect({ ...back }).toEqual({ ...e })
    }
  })

  it.effect("fails the Effect and is caught by tag", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* handled(""), "fix q")
      assert.strictEqual(yield* handled("x"), "wait 2000")
      const yielded = yield* Effect.flip(Effect.gen(function*() {
        return yield* BingError.notFound()
      }))
      assert.strictEqual(yielded._tag, "NotFound")
    }))
})
