/**
 * Decoding cost of @bing-effect/schema, in ns per operation, side by side in one run with
 * `JSON.parse` of the same text (the floor: any decoder has to parse) and Effect Schema's own ways
 * of decoding the same body (`decodeUnknownSync` after `JSON.parse`, and `fromJsonString`).
 * Target (issue 3): decoding a typical error body costs at most 3x `JSON.parse` of the same text.
 *
 * Run after building:
 *   pnpm turbo run build --filter=@bing-effect/schema... && node bench/schema-decode.ts [--max-ratio 3]
 * Env: BENCH_OPS (ops per batch, default 50000), BENCH_ROUNDS (default 9).
 * With --max-ratio, exits 1 when the error-body ratio is above it.
 */
import { BingResponse, ErrorResponse, SearchResponse } from "@bing-effect/schema"
import { Result, Schema } from "effect"

const OPS = Number(process.env.BENCH_OPS ?? 50_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const maxIndex = process.argv.indexOf("--max-ratio")
const maxRatio = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : Infinity

// ---- inputs ----
const errorText =
  "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}"
const errorHeaders = {
  "content-type": "application/json; charset=utf-8",
  "bingapis-traceid": "7A1B9C0D2E3F4A5B6C7D8E9F0A1B2C3D"
}
const rateText =
  "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"RateLimitExceeded\",\"message\":\"Rate limit is exceeded. Try again later.\"}]}"
const rateHeaders = { ...errorHeaders, "retry-after": "1" }

const page = (i: number) => ({
  id: `https://api.bing.microsoft.com/api/v7/#WebPages.${i}`,
  name: `Result ${i}: Effect, the missing standard library for TypeScript`,
  url: `https://example${i}.com/articles/effect-typescript-${i}`,
  isFamilyFriendly: true,
  displayUrl: `https://example${i}.com/articles/effect-typescript-${i}`,
  snippet:
    "Effect is a powerful TypeScript library designed to help developers easily create complex, synchronous, and asynchronous programs.",
  dateLastCrawled: "2025-07-20T11:04:00.0000000Z",
  language: "en",
  isNavigational: false,
  ...(i === 0
    ? {
      deepLinks: [{ name: "Docs", url: "https://example0.com/docs", snippet: "Read the documentation." }, {
        name: "Blog",
        url: "https://example0.com/blog"
      }]
    }
    : {})
})
const webText = JSON.stringify({
  _type: "SearchResponse",
  queryContext: { originalQuery: "effect typescript" },
  webPages: {
    webSearchUrl: "https://www.bing.com/search?q=effect+typescript",
    totalEstimatedMatches: 1_230_000,
    value: Array.from({ length: 10 }, (_, i) => page(i))
  },
  rankingResponse: {
    mainline: {
      items: Array.from(
        { length: 10 },
        (_, i) => ({
          answerType: "WebPages",
          resultIndex: i,
          value: { id: `https://api.bing.microsoft.com/api/v7/#WebPages.${i}` }
        })
      )
    }
  }
})

// ---- cases ----
const decodeErrorResponse = Schema.decodeUnknownSync(ErrorResponse.ErrorResponse)
const errorFromJson = Schema.decodeUnknownSync(Schema.fromJsonString(ErrorResponse.ErrorResponse))
const decodeSearch = Schema.decodeUnknownSync(SearchResponse.SearchResponse)
const searchFromJson = Schema.decodeUnknownSync(Schema.fromJsonString(SearchResponse.SearchResponse))

let sink: unknown
type Case = { readonly name: string; readonly floor: string; readonly op: () => void }
const cases: ReadonlyArray<Case> = [
  { name: "JSON.parse (error body)", floor: "error", op: () => void (sink = JSON.parse(errorText)) },
  {
    name: "BingResponse.decodeError (400 body)",
    floor: "error",
    op: () => {
      const e = BingResponse.decodeError({ status: 400, headers: errorHeaders, body: errorText })
      if (e._tag !== "InvalidRequest") throw new Error(`unexpected ${e._tag}`)
      sink = e
    }
  },
  {
    name: "BingResponse.decodeError (429 + Retry-After)",
    floor: "rate",
    op: () => {
      const e = BingResponse.decodeError({ status: 429, headers: rateHeaders, body: rateText })
      if (e._tag !== "RateLimited") throw new Error(`unexpected ${e._tag}`)
      sink = e
    }
  },
  { name: "JSON.parse (429 body)", floor: "rate", op: () => void (sink = JSON.parse(rateText)) },
  {
    name: "Effect: JSON.parse + decodeUnknownSync(ErrorResponse)",
    floor: "error",
    op: () => void (sink = decodeErrorResponse(JSON.parse(errorText)))
  },
  {
    name: "Effect: decodeUnknownSync(fromJsonString(ErrorResponse))",
    floor: "error",
    op: () => void (sink = errorFromJson(errorText))
  },
  { name: "JSON.parse (10-result web response)", floor: "web", op: () => void (sink = JSON.parse(webText)) },
  {
    name: "BingResponse.decodeWebSearch (10 results)",
    floor: "web",
    op: () => {
      const r = BingResponse.decodeWebSearch({ status: 200, headers: errorHeaders, body: webText })
      if (!Result.isSuccess(r) || r.success.webPages?.value.length !== 10) throw new Error("web decode failed")
      sink = r
    }
  },
  {
    name: "Effect: decodeUnknownSync(fromJsonString(SearchResponse))",
    floor: "web",
    op: () => void (sink = searchFromJson(webText))
  },
  {
    name: "Effect: JSON.parse + decodeUnknownSync(SearchResponse)",
    floor: "web",
    op: () => void (sink = decodeSearch(JSON.parse(webText)))
  }
]
const floors: Record<string, string> = {
  error: "JSON.parse (error body)",
  rate: "JSON.parse (429 body)",
  web: "JSON.parse (10-result web response)"
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const batch = (op: () => void): number => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < OPS; i++) op()
  return Number(process.hrtime.bigint() - start) / OPS
}

// warm up every case, then interleave rounds so drift on a shared machine hits all cases alike
for (const c of cases) batch(c.op)
const samples = new Map<string, Array<number>>(cases.map((c) => [c.name, []]))
for (let r = 0; r < ROUNDS; r++) for (const c of cases) samples.get(c.name)!.push(batch(c.op))
const ns = new Map([...samples].map(([name, xs]) => [name, median(xs)]))

console.log(`schema decoding, median of ${ROUNDS} rounds x ${OPS} ops (Node ${process.version})`)
console.log(`error body ${errorText.length} B, 429 body ${rateText.length} B, web response ${webText.length} B\n`)
console.log(`${"case".padEnd(60)}${"ns/op".padStart(10)}${"x JSON.parse".padStart(14)}`)
for (const c of cases) {
  const t = ns.get(c.name)!
  const ratio = t / ns.get(floors[c.floor]!)!
  console.log(`${c.name.padEnd(60)}${t.toFixed(0).padStart(10)}${ratio.toFixed(2).padStart(14)}`)
}
const errorRatio = ns.get("BingResponse.decodeError (400 body)")! / ns.get(floors.error!)!
console.log(
  `\ntarget: decodeError of an error body <= 3x JSON.parse: ${errorRatio.toFixed(2)}x ${
    errorRatio <= 3 ? "(met)" : "(MISSED)"
  }`
)
if (sink === undefined) console.log("")
if (errorRatio > maxRatio) {
  console.error(
    `schema: decoding an error body costs ${errorRatio.toFixed(2)}x JSON.parse, above --max-ratio ${maxRatio}`
  )
  process.exit(1)
}
