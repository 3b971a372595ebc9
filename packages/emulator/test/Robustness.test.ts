import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get, raw } from "./support.js"

let bing: Emulator.EmulatorHandle
const key = "robust-key"

beforeAll(async () => {
  bing = await Emulator.start({ keys: [{ name: "k", key }] })
})
afterAll(() => bing.stop())

const statusOf = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)
const bodyOf = (reply: string): string => reply.slice(reply.indexOf("\r\n\r\n") + 4)

describe("malformed requests get Bing's error, never a crash", () => {
  it("a garbage request line", async () => {
    const reply = await raw(bing.port, "THIS IS NOT HTTP\r\n\r\n")
    expect(statusOf(reply)).toBe(400)
    expect(JSON.parse(bodyOf(reply))).toMatchObject({
      _type: "ErrorResponse",
      errors: [{ code: "InvalidRequest", subCode: "ParameterInvalidValue" }]
    })
    expect(reply).toMatch(/BingAPIs-TraceId: [0-9A-F]{32}/)
  })

  it("an unknown method", async () => {
    const reply = await raw(
      bing.port,
      `FROBNICATE /v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: ${key}\r\n\r\n`
    )
    expect(statusOf(reply)).toBe(400)
  })

  it("known non-GET methods on an endpoint", async () => {
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const r = await get(`${bing.url}/v7.0/images/search?q=x`, { key, method })
      expect(r.status, method).toBe(400)
      expect(r.json().errors[0], method).toMatchObject({ parameter: "method", value: method })
    }
  })

  it("HEAD is answered like GET, without a body", async () => {
    const reply = await raw(
      bing.port,
      `HEAD /v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: ${key}\r\nConnection: close\r\n\r\n`
    )
    expect(statusOf(reply)).toBe(200)
    expect(reply).toMatch(/Content-Length: \d+/)
    expect(bodyOf(reply)).toBe("")
  })

  it("huge headers", async () => {
    const reply = await raw(
      bing.port,
      `GET /v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`
    )
    expect(statusOf(reply)).toBe(400)
    expect(JSON.parse(bodyOf(reply)).errors[0].code).toBe("InvalidRequest")
  })

  it("a HEAD the parser refuses gets its 400 without a body", async () => {
    // a body here would be read by a keep-alive client as garbage after the answer
    const reply = await raw(
      bing.port,
      `HEAD /v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`
    )
    expect(statusOf(reply)).toBe(400)
    expect(reply).toMatch(/Content-Length: [1-9]\d*/)
    expect(bodyOf(reply)).toBe("")
  })

  it("bad percent-encoding in the query", async () => {
    for (const q of ["q=%", "q=%ZZ", "q=%C3%28", "q%=x"]) {
      const reply = await raw(
        bing.port,
        `GET /v7.0/search?${q} HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: ${key}\r\nConnection: close\r\n\r\n`
      )
      expect(statusOf(reply), q).toBe(400)
      expect(JSON.parse(bodyOf(reply)).errors[0], q).toMatchObject({
        code: "InvalidRequest",
        subCode: "ParameterInvalidValue"
      })
    }
  })

  it("a body on a GET is ignored and the connection closes after the answer", async () => {
    const reply = await raw(
      bing.port,
      `GET /v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: ${key}\r\nContent-Length: 100000000\r\n\r\n${
        "z".repeat(1000)
      }`
    )
    expect(statusOf(reply)).toBe(200)
    expect(reply).toMatch(/Connection: close/i)
    expect(JSON.parse(bodyOf(reply))._type).toBe("SearchResponse")
  })

  it("odd paths and keys", async () => {
    expect((await get(`${bing.url}/`)).status).toBe(404)
    expect((await get(`${bing.url}/v7.0/search/`, { key })).status).toBe(404)
    expect((await get(`${bing.url}/v7.0/search?q=x&subscription-key=%E0`)).status).toBe(401)
    const reply = await raw(bing.port, `GET //v7.0/search?q=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    expect(statusOf(reply)).toBe(404)
    const star = await raw(bing.port, `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    expect(statusOf(star)).toBe(404)
  })

  it("keeps serving after all of the above", async () => {
    const r = await get(`${bing.url}/v7.0/search?q=still alive`, { key })
    expect(r.status).toBe(200)
  })
})
