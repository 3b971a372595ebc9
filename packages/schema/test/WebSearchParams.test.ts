import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import * as P from "../src/internal/params.js"
import * as WebSearchParams from "../src/WebSearchParams.js"

const fromQuery = (qs: string) => WebSearchParams.fromQuery(new URLSearchParams(qs))
const failure = (
  r: Result.Result<
    unknown,
    { readonly subCode: string; readonly parameter?: string; readonly value?: string; readonly status: number }
  >
) =>
  Result.isFailure(r)
    ? { subCode: r.failure.subCode, parameter: r.failure.parameter, value: r.failure.value, status: r.failure.status }
    : "success"
const invalid = (parameter: string, value: string) => ({
  subCode: "ParameterInvalidValue",
  parameter,
  value,
  status: 400
})

describe("fromQuery (raw strings, the emulator's side)", () => {
  it("q missing, empty or blank -> ParameterMissing for q", () => {
    for (const qs of ["", "q=", "q=%20%20", "count=5"]) {
      expect(failure(fromQuery(qs))).toEqual({
        subCode: "ParameterMissing",
        parameter: "q",
        value: undefined,
        status: 400
      })
    }
  })

  it("count and offset are unsigned shorts; a count over Bing's maximum of 50 is accepted (Bing delivers 50)", () => {
    expect(failure(fromQuery("q=x&count=abc"))).toEqual(invalid("count", "abc"))
    expect(fromQuery("q=x&count=51")).toEqual(Result.succeed({ q: "x", count: 51 }))
    expect(fromQuery("q=x&count=100")).toEqual(Result.succeed({ q: "x", count: 100 }))
    expect(failure(fromQuery("q=x&count=65536"))).toEqual(invalid("count", "65536"))
    expect(WebSearchParams.maxCount).toBe(50)
    expect(failure(fromQuery("q=x&count=-1"))).toEqual(invalid("count", "-1"))
    expect(failure(fromQuery("q=x&count=1.5"))).toEqual(invalid("count", "1.5"))
    expect(failure(fromQuery("q=x&count="))).toEqual(invalid("count", ""))
    expect(failure(fromQuery("q=x&offset=65536"))).toEqual(invalid("offset", "65536"))
    expect(failure(fromQuery("q=x&answerCount=x"))).toEqual(invalid("answerCount", "x"))
    expect(fromQuery("q=x&count=50&offset=65535&answerCount=3")).toEqual(
      Result.succeed({ q: "x", count: 50, offset: 65535, answerCount: 3 })
    )
    expect(fromQuery("q=x&count=0")).toEqual(Result.succeed({ q: "x", count: 0 }))
  })

  it("enums are read case-insensitively and normalised; others fail", () => {
    expect(fromQuery("q=x&safeSearch=strict&textFormat=html&textDecorations=TRUE")).toEqual(
      Result.succeed({ q: "x", safeSearch: "Strict", textDecorations: true, textFormat: "HTML" })
    )
    expect(failure(fromQuery("q=x&safeSearch=Loose"))).toEqual(invalid("safeSearch", "Loose"))
    expect(failure(fromQuery("q=x&textFormat=Markdown"))).toEqual(invalid("textFormat", "Markdown"))
    expect(failure(fromQuery("q=x&textDecorations=yes"))).toEqual(invalid("textDecorations", "yes"))
  })

  it("freshness: Day/Week/Month in any case, a date, or an ordered date range", () => {
    expect(fromQuery("q=x&freshness=week")).toEqual(Result.succeed({ q: "x", freshness: "Week" }))
    expect(fromQuery("q=x&freshness=2019-02-01")).toEqual(Result.succeed({ q: "x", freshness: "2019-02-01" }))
    expect(fromQuery("q=x&freshness=2019-02-01..2019-05-30")).toEqual(
      Result.succeed({ q: "x", freshness: "2019-02-01..2019-05-30" })
    )
    for (const bad of ["Year", "2019-02-30", "2019-05-30..2019-02-01", "2019-02-01..", "19-02-01"]) {
      expect(failure(fromQuery(`q=x&freshness=${bad}`))).toEqual(invalid("freshness", bad))
    }
  })

  it("responseFilter: an include list or an exclude list, not both; promote: answer names", () => {
    expect(fromQuery("q=x&responseFilter=webpages,%20news")).toEqual(
      Result.succeed({ q: "x", responseFilter: ["Webpages", "News"] })
    )
    expect(fromQuery("q=x&responseFilter=-images,-videos")).toEqual(
      Result.succeed({ q: "x", responseFilter: ["-Images", "-Videos"] })
    )
    expect(failure(fromQuery("q=x&responseFilter=Webpages,-Images"))).toEqual(
      invalid("responseFilter", "Webpages,-Images")
    )
    expect(failure(fromQuery("q=x&responseFilter=Ads"))).toEqual(invalid("responseFilter", "Ads"))
    expect(fromQuery("q=x&promote=Videos,News&answerCount=2")).toEqual(
      Result.succeed({ q: "x", answerCount: 2, promote: ["Videos", "News"] })
    )
    expect(failure(fromQuery("q=x&promote=Places"))).toEqual(invalid("promote", "Places"))
  })

  it("cc with mkt is accepted (documented as not to send, with no error); cc is a 2-letter code", () => {
    // What Microsoft's web search SDK sends with its countryCode option: its default mkt=en-us and cc.
    expect(fromQuery("q=x&cc=DE&mkt=en-us")).toEqual(Result.succeed({ q: "x", cc: "DE", mkt: "en-us" }))
    expect(failure(fromQuery("q=x&cc=USA"))).toEqual(invalid("cc", "USA"))
    expect(fromQuery("q=x&cc=gb&setLang=en-GB")).toEqual(Result.succeed({ q: "x", cc: "gb", setLang: "en-GB" }))
  })

  it("ignores unknown parameters", () => {
    expect(fromQuery("q=x&frobnicate=1")).toEqual(Result.succeed({ q: "x" }))
  })
})

describe("validate (typed input, the client's side)", () => {
  it("accepts typed parameters and rejects out-of-range values with Bing's error", () => {
    expect(WebSearchParams.validate({ q: "effect", count: 10, safeSearch: "Off", responseFilter: ["Webpages"] }))
      .toEqual(
        Result.succeed({ q: "effect", count: 10, safeSearch: "Off", responseFilter: ["Webpages"] })
      )
    expect(WebSearchParams.validate({ q: "x", count: 60 })).toEqual(Result.succeed({ q: "x", count: 60 }))
    expect(failure(WebSearchParams.validate({ q: "x", count: 70000 }))).toEqual(invalid("count", "70000"))
    expect(failure(WebSearchParams.validate({ q: "x", count: "10" }))).toEqual(invalid("count", "10"))
    expect(failure(WebSearchParams.validate({ q: "x", safeSearch: "strict" }))).toEqual(invalid("safeSearch", "strict"))
    expect(failure(WebSearchParams.validate({ q: "x", responseFilter: ["Webpages", "-News"] }))).toEqual(
      invalid("responseFilter", "Webpages,-News")
    )
    expect(WebSearchParams.validate({ q: "x", cc: "DE", mkt: "de-DE" })).toEqual(
      Result.succeed({ q: "x", cc: "DE", mkt: "de-DE" })
    )
    expect(failure(WebSearchParams.validate({ q: 5 }))).toEqual(invalid("q", "5"))
    expect(failure(WebSearchParams.validate({ q: " " }))).toMatchObject({ subCode: "ParameterMissing", parameter: "q" })
    expect(failure(WebSearchParams.validate(undefined))).toMatchObject({ subCode: "ParameterMissing", parameter: "q" })
  })
})

describe("toQuery", () => {
  it("writes Bing's parameter forms", () => {
    const qs = WebSearchParams.toQuery({
      q: "sailing dinghies",
      count: 20,
      textDecorations: false,
      responseFilter: ["-Images", "-Videos"],
      freshness: "2019-02-01..2019-05-30"
    })
    expect(qs.toString()).toBe(
      "q=sailing+dinghies&count=20&freshness=2019-02-01..2019-05-30&responseFilter=-Images%2C-Videos&textDecorations=false"
    )
  })

  it("fromQuery(toQuery(p)) gives back every valid p", () => {
    const arb = fc.record({
      q: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ""),
      answerCount: fc.nat({ max: 100 }),
      count: fc.nat({ max: 50 }),
      offset: fc.nat({ max: 65535 }),
      safeSearch: fc.constantFrom("Off", "Moderate", "Strict"),
      textFormat: fc.constantFrom("Raw", "HTML"),
      textDecorations: fc.boolean(),
      freshness: fc.constantFrom("Day", "Week", "Month", "2020-02-29", "2020-01-01..2020-12-31"),
      promote: fc.uniqueArray(fc.constantFrom(...WebSearchParams.PromoteAnswer.literals), { minLength: 1 }),
      responseFilter: fc.oneof(
        fc.uniqueArray(fc.constantFrom(...WebSearchParams.FilterAnswer.literals), { minLength: 1 }),
        fc.uniqueArray(fc.constantFrom(...WebSearchParams.FilterAnswer.literals), { minLength: 1 }).map((xs) =>
          xs.map((x) => `-${x}`)
        )
      ),
      mkt: fc.constantFrom("en-US", "de-DE"),
      setLang: fc.constantFrom("en", "fr-FR")
    }, { requiredKeys: ["q"] })
    fc.assert(
      fc.property(arb, (p) => {
        const valid = WebSearchParams.validate(p)
        expect(Result.isSuccess(valid)).toBe(true)
        expect(WebSearchParams.fromQuery(WebSearchParams.toQuery(valid.pipe(Result.getOrThrow)))).toEqual(
          Result.succeed(p)
        )
      }),
      { numRuns: 500 }
    )
  })
})

describe("one codec: WebSearchParamsFromQuery", () => {
  const codec = WebSearchParams.WebSearchParamsFromQuery

  it("is a Schema codec from the query-string form to the typed form, and back", () => {
    expect(
      Schema.decodeUnknownSync(codec)({
        q: "sailing",
        count: "20",
        safeSearch: "strict",
        textDecorations: "TRUE",
        promote: "videos, news",
        responseFilter: "-images,-Videos"
      })
    ).toEqual({
      q: "sailing",
      count: 20,
      safeSearch: "Strict",
      textDecorations: true,
      promote: ["Videos", "News"],
      responseFilter: ["-Images", "-Videos"]
    })
    expect(
      Schema.encodeSync(codec)({
        q: "sailing",
        count: 20,
        textDecorations: false,
        responseFilter: ["Webpages", "News"]
      })
    ).toEqual({ q: "sailing", count: "20", textDecorations: "false", responseFilter: "Webpages,News" })
    expect(Schema.is(WebSearchParams.WebSearchParams)({ q: "x", count: 65536 })).toBe(false)
    expect(Schema.is(WebSearchParams.WebSearchParams)({ q: "x", cc: "US", mkt: "en-US" })).toBe(true)
    expect(Schema.is(WebSearchParams.WebSearchParams)({ q: "x", freshness: "2019-02-01..2019-05-30" })).toBe(true)
  })

  it("the first parameter at fault, in documented order, is the one reported", () => {
    expect(failure(fromQuery("count=abc&safeSearch=Loose"))).toEqual({
      subCode: "ParameterMissing",
      parameter: "q",
      value: undefined,
      status: 400
    })
    expect(failure(fromQuery("safeSearch=Loose&q=x&count=abc"))).toEqual(invalid("count", "abc"))
    expect(failure(fromQuery("q=x&cc=US&mkt=en-US&textFormat=md"))).toEqual(invalid("textFormat", "md"))
    expect(failure(WebSearchParams.validate({ safeSearch: "Loose", q: "x", count: -1 }))).toEqual(
      invalid("count", "-1")
    )
    expect(failure(fromQuery("q=x&count=1&count=abc"))).toBe("success") // the first of a repeated parameter counts
    expect(failure(fromQuery("count=abc&q=x&count=1"))).toEqual(invalid("count", "abc")) // wherever it stands
    expect(failure(fromQuery("q=&q=x"))).toEqual({
      subCode: "ParameterMissing",
      parameter: "q",
      value: undefined,
      status: 400
    })
  })

  // What the codec says, for raw values drawn near each parameter's edges.
  const rawValue = fc.oneof(
    fc.constantFrom("", " ", "0", "1", "50", "51", "65535", "65536", "-1", "1.5", "1e3", "abc", "true", "FALSE", "yes"),
    fc.constantFrom(
      "Off",
      "strict",
      "HTML",
      "raw",
      "Day",
      "week",
      "2020-02-29",
      "2019-02-30",
      "2020-01-01..2019-01-01"
    ),
    fc.constantFrom("Webpages", "-images,-videos", "news,-images", "Ads", "Videos,News", "en-US", "US", "USA", "gb"),
    fc.string({ maxLength: 6 })
  )
  const names = Object.keys(codec.fields)
  const rawQuery = fc.dictionary(fc.constantFrom(...names), rawValue, { maxKeys: 6 })

  // Schema's own decoding of the codec, its first issue made Bing's error by the one mapping.
  const bySchema = <A>(schema: Schema.Codec<A, unknown>, input: Record<string, unknown>) => {
    const r = Schema.decodeUnknownResult(schema)(input)
    return Result.isSuccess(r)
      ? Result.succeed(r.success)
      : Result.fail(P.toInvalidRequest(r.failure.issue, (name) => input[name], new Set(["q"])))
  }

  it("fromQuery is Schema's decoding of the codec: same value or same error, on any input (2,000 runs)", () => {
    fc.assert(
      fc.property(rawQuery, (record) => {
        expect(WebSearchParams.fromQuery(new URLSearchParams(record))).toEqual(bySchema(codec, record))
      }),
      { numRuns: 2000 }
    )
  })

  it("validate is the codec's type side, toQuery its encoding (2,000 runs)", () => {
    const encode = Schema.encodeSync(codec)
    const typedValue = fc.oneof(rawValue, fc.integer({ min: -2, max: 70 }), fc.boolean(), fc.constant(["Webpages"]))
    const typedInput = fc.dictionary(fc.constantFrom(...names), typedValue, { maxKeys: 6 })
    fc.assert(
      fc.property(rawQuery, typedInput, (record, input) => {
        expect(WebSearchParams.validate(input)).toEqual(bySchema(WebSearchParams.WebSearchParams, input))
        const typed = Schema.decodeUnknownResult(codec)(record)
        if (Result.isSuccess(typed)) {
          expect(WebSearchParams.validate(typed.success)).toEqual(Result.succeed(typed.success))
          expect(Object.fromEntries(WebSearchParams.toQuery(typed.success))).toEqual(encode(typed.success))
        }
      }),
      { numRuns: 2000 }
    )
  })
})
