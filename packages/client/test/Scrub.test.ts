/**
 * A server that echoes the key back (in its error message, an HTML page, a header, a result,
 * even spelt with JSON escapes) gets it into no error, result, span or client id: everything
 * taken from a response is scrubbed of the key the request used.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Tracer } from "effect"
import type { ServerResponse } from "node:http"
import { afterAll, beforeAll } from "vitest"
import { BingClient } from "../src/index.js"
import { clientLayer, KEY } from "./fixtures.js"
import { httpServer, type Seen } from "./hostile.js"

const escaped = [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}

const echo = {
  "bingapis-traceid": `trace-${KEY}`,
  "bingapis-market": `en-${KEY}`,
  "x-msedge-clientid": `id-${KEY}`
}

let server: Seen
beforeAll(async () => {
  server = await httpServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams.get("q")
    switch (q) {
      case "error":
        return send(
          res,
          400,
          JSON.stringify({
            _type: "ErrorResponse",
            errors: [{
              code: "InvalidRequest",
              subCode: "ParameterInvalidValue",
              message: `bad key ${KEY}`,
              moreDetails: KEY,
              parameter: KEY,
              value: KEY
            }]
          }),
          echo
        )
      case "html":
        return send(res, 502, `<html>proxy saw Ocp-Apim-Subscription-Key: ${KEY}</html>`, {
          ...echo,
          "content-type": `text/html; k=${KEY}`
        })
      case "escaped":
        return send(res, 200, `{"_type":"SearchResponse","queryContext":{"originalQuery":"${escaped}"}}`, echo)
      case "bad-model":
        return send(
          res,
          200,
          JSON.stringify({ _type: "SearchResponse", queryContext: { originalQuery: 42 }, note: KEY }),
          echo
        )
      default:
        return send(
          res,
          200,
          JSON.stringify({ _type: "SearchResponse", queryContext: { originalQuery: `echo ${KEY}` } }),
          echo
        )
    }
  })
})
afterAll(() => server.close())

const spans: Array<Record<string, unknown>> = []
const tracer = Tracer.make({
  span(options) {
    const span = Tracer.nativeTracer.span(options)
    const end = span.end.bind(span)
    span.end = (endTime, exit) => {
      end(endTime, exit)
      spans.push({
        name: span.name,
        ...Object.fromEntries(span.attributes),
        exit: Exit.isFailure(exit) ? String(exit.cause) : ""
      })
    }
    return span
  }
})

const all = (u: unknown) => `${String(u)} ${JSON.stringify(u)} ${(u as Error).message ?? ""}`

describe("a key echoed back by the server is scrubbed", () => {
  it.live("from results and their metadata, the client id store and the span", () =>
    Effect.gen(function*() {
      spans.length = 0
      const client = yield* BingClient.BingClient
      for (const q of ["literal", "escaped"]) {
        const result = yield* client.webSearch({ q })
        assert.notInclude(all(result), KEY, q)
        assert.include(result.value.queryContext?.originalQuery, "<redacted>")
        assert.strictEqual(result.meta.traceId, "trace-<redacted>")
        assert.strictEqual(result.meta.clientId, "id-<redacted>")
        assert.strictEqual(result.meta.market, "en-<redacted>")
      }
      const id = yield* client.clientId()
      assert.strictEqual(id._tag === "Some" ? id.value : "", "id-<redacted>")
      // the scrubbed id is what is sent back, never the key
      assert.strictEqual(server.requests.at(-1)?.headers["x-msedge-clientid"], "id-<redacted>")
      assert.strictEqual(spans.length, 2)
      assert.strictEqual(spans[0]?.["bing.trace_id"], "trace-<redacted>")
      assert.notInclude(JSON.stringify(spans), KEY)
    }).pipe(Effect.provide(clientLayer(server.url)), Effect.provideService(Tracer.Tracer, tracer)))

  it.live("from errors: Bing's messages, an HTML excerpt, a content type, a model mismatch, the trace id", () =>
    Effect.gen(function*() {
      spans.length = 0
      for (const q of ["error", "html", "bad-model"]) {
        const error = yield* Effect.flip(BingClient.webSearch({ q }))
        assert.notInclude(all(error), KEY, q)
        assert.strictEqual((error as { readonly traceId?: string }).traceId, "trace-<redacted>", q)
      }
      const html = yield* Effect.flip(BingClient.webSearch({ q: "html" }))
      assert.strictEqual(html._tag, "UnexpectedResponse")
      assert.include(html._tag === "UnexpectedResponse" ? html.bodyExcerpt : "", "<redacted>")
      assert.strictEqual(spans.length, 4)
      assert.notInclude(JSON.stringify(spans), KEY)
      assert.strictEqual(spans[0]?.["bing.trace_id"], "trace-<redacted>")
    }).pipe(
      Effect.provide(clientLayer(server.url, { retry: { maxAttempts: 1 } })),
      Effect.provideService(Tracer.Tracer, tracer)
    ))
})
