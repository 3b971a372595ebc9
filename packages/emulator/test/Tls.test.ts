import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { connect as netConnect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connect as tlsConnect } from "node:tls"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { listen, type Listening, type Timeouts } from "../src/internal/listen.js"
import { get } from "./support.js"

// A throwaway self-signed certificate for 127.0.0.1, made with openssl for this run only.
const dir = mkdtempSync(join(tmpdir(), "bing-emulator-tls-"))
const certPath = join(dir, "cert.pem")
const keyPath = join(dir, "key.pem")
execFileSync("openssl", [
  "req",
  "-x509",
  "-newkey",
  "rsa:2048",
  "-nodes",
  "-keyout",
  keyPath,
  "-out",
  certPath,
  "-days",
  "1",
  "-subj",
  "/CN=127.0.0.1",
  "-addext",
  "subjectAltName=IP:127.0.0.1"
], { stdio: "ignore" })
const ca = readFileSync(certPath, "utf8")

const httpsGet = (
  url: string,
  headers: Record<string, string>
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { ca, headers, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (body += c))
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on("error", reject)
    req.end()
  })

let bing: Emulator.EmulatorHandle
const keys = [{ name: "k", key: "tls-key" }]

beforeAll(async () => {
  bing = await Emulator.start({ keys, tls: { cert: certPath, key: readFileSync(keyPath, "utf8") }, requireHttps: true })
})
afterAll(async () => {
  await bing.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe("TLS", () => {
  it("serves HTTPS with the given certificate (paths or PEM text)", async () => {
    expect(bing.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const r = await httpsGet(`${bing.url}/v7.0/search?q=coffee`, { "Ocp-Apim-Subscription-Key": "tls-key" })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)._type).toBe("SearchResponse")
    expect(r.headers["bingapis-market"]).toBe("en-US")
  })

  it("answers plain HTTP on the same port with 410 HttpNotAllowed", async () => {
    const plain = bing.url.replace("https://", "http://")
    const r = await get(`${plain}/v7.0/search?q=coffee`, { key: "tls-key" })
    expect(r.status).toBe(410)
    expect(r.json().errors[0]).toMatchObject({ code: "InvalidRequest", subCode: "HttpNotAllowed" })
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
  })

  it("serves plain HTTP too when HTTPS is not required", async () => {
    const h = await Emulator.start({ keys, tls: { cert: ca, key: readFileSync(keyPath, "utf8") } })
    try {
      const r = await get(`${h.url.replace("https://", "http://")}/v7.0/search?q=x`, { key: "tls-key" })
      expect(r.status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("resolves relative TLS paths of a config file against the file's folder", async () => {
    const config = join(dir, "emulator.json")
    writeFileSync(config, JSON.stringify({ keys, tls: { cert: "cert.pem", key: "key.pem" }, requireHttps: true }))
    const options = await Emulator.loadConfig(config)
    expect(options.tls).toEqual({ cert: certPath, key: keyPath })
    const h = await Emulator.start(options)
    try {
      expect((await httpsGet(`${h.url}/v7.0/images/trending`, { "Ocp-Apim-Subscription-Key": "tls-key" })).status).toBe(
        200
      )
    } finally {
      await h.stop()
    }
    writeFileSync(config, JSON.stringify({ keys, unknownOption: true }))
    await expect(Emulator.loadConfig(config)).rejects.toMatchObject({ _tag: "EmulatorStartError" })
    writeFileSync(config, "{ not json")
    await expect(Emulator.loadConfig(config)).rejects.toMatchObject({ _tag: "EmulatorStartError" })
  })

  it("fails to start with unreadable TLS files", async () => {
    await expect(Emulator.start({ keys, tls: { cert: join(dir, "missing.pem"), key: keyPath } })).rejects.toMatchObject(
      { _tag: "EmulatorStartError" }
    )
  })
})

describe("deadlines, the same with TLS as without", () => {
  // short deadlines for the test; the emulator's are 10 s for headers, 30 s per request, 5 s idle
  const short: Timeouts = { headersMs: 300, requestMs: 900, idleMs: 300, checkEveryMs: 50 }
  // a connection still open this long after its deadline is never closed
  const LIMIT = 3_000
  const servers: Array<Listening> = []
  const serve = (tls: boolean) =>
    listen({
      port: 0,
      host: "127.0.0.1",
      tls: tls ? { cert: ca, key: readFileSync(keyPath, "utf8") } : undefined,
      // answers once the whole request (body included) is in
      handle: (req, res) => {
        req.resume()
        req.on("end", () => res.end("ok"))
      },
      malformed: () => ({ status: 400, headers: [], body: Buffer.from("malformed") }),
      traceId: () => "0".repeat(32),
      timeouts: short
    }).then((l) => (servers.push(l), l))
  afterAll(() => Promise.all(servers.map((l) => l.close())))

  type Mode = "plain server" | "TLS port, HTTPS" | "TLS port, plain HTTP"
  const open = (mode: Mode, port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = mode === "TLS port, HTTPS"
        ? tlsConnect({ host: "127.0.0.1", port, ca }, () => resolve(socket))
        : netConnect({ host: "127.0.0.1", port }, () => resolve(socket))
      socket.on("error", reject)
    })

  /** Milliseconds until the server closes the socket, or undefined if it is still open after LIMIT. */
  const closedAfter = (socket: Socket, received: Array<string> = []): Promise<number | undefined> =>
    new Promise((resolve) => {
      const t0 = performance.now()
      const timer = setTimeout(() => {
        socket.destroy()
        resolve(undefined)
      }, LIMIT)
      socket.on("data", (d: Buffer) => received.push(d.toString("latin1")))
      socket.on("error", () => {})
      socket.on("close", () => {
        clearTimeout(timer)
        resolve(performance.now() - t0)
      })
    })

  /** Closed by the deadline: not left open, and not closed at once either. */
  const verdict = (ms: number | undefined, deadline: number): string =>
    ms === undefined
      ? `still open after ${LIMIT} ms`
      : ms < deadline / 2
      ? `closed after ${Math.round(ms)} ms, before its deadline`
      : "closed at its deadline"

  /** Writes `text` a byte at a time, every 100 ms, until the socket closes (bounded by its length). */
  const trickle = (socket: Socket, text: string): void => {
    let i = 0
    const tick = setInterval(() => {
      if (socket.destroyed || i >= text.length) return void clearInterval(tick)
      socket.write(text[i++]!)
    }, 100)
    socket.on("close", () => clearInterval(tick))
  }

  const head = "GET /v7.0/search?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "p".repeat(200) + "\r\n\r\n"
  const withBody = "POST /v7.0/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200\r\n\r\n"

  const scenarios = async (mode: Mode, port: number) => {
    const idle = await open(mode, port)
    const slowHeaders = await open(mode, port)
    const slowBody = await open(mode, port)
    const kept = await open(mode, port)
    const keptReplies: Array<string> = []
    const closed = Promise.all([
      closedAfter(idle),
      closedAfter(slowHeaders),
      closedAfter(slowBody),
      closedAfter(kept, keptReplies)
    ])
    trickle(slowHeaders, head)
    slowBody.write(withBody)
    trickle(slowBody, "b".repeat(200))
    kept.write("GET /v7.0/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    const [idleMs, slowHeadersMs, slowBodyMs, keptMs] = await closed
    return { idleMs, slowHeadersMs, slowBodyMs, keptMs, keptReplies: keptReplies.join("") }
  }

  it(
    "closes idle, slow-header, slow-body and idle kept-alive connections at their deadlines, with and without TLS",
    async () => {
      const plain = await serve(false)
      const tls = await serve(true)
      const results = await Promise.all([
        scenarios("plain server", plain.port),
        scenarios("TLS port, HTTPS", tls.port),
        scenarios("TLS port, plain HTTP", tls.port)
      ])
      for (const [i, mode] of (["plain server", "TLS port, HTTPS", "TLS port, plain HTTP"] as const).entries()) {
        const r = results[i]!
        expect(verdict(r.idleMs, short.headersMs), `${mode}: idle`).toBe("closed at its deadline")
        expect(verdict(r.slowHeadersMs, short.headersMs), `${mode}: headers a byte every 100 ms`).toBe(
          "closed at its deadline"
        )
        expect(verdict(r.slowBodyMs, short.requestMs), `${mode}: body a byte every 100 ms`).toBe(
          "closed at its deadline"
        )
        expect(verdict(r.keptMs, short.idleMs), `${mode}: idle after an answer`).toBe("closed at its deadline")
        expect(r.keptReplies, mode).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Connection: keep-alive/)
      }
    },
    15_000
  )

  it("closes a connection on the TLS port that sends no first byte, or no whole TLS handshake", async () => {
    const tls = await serve(true)
    const silent = await open("TLS port, plain HTTP", tls.port)
    const halfHello = await open("TLS port, plain HTTP", tls.port)
    const closed = Promise.all([closedAfter(silent), closedAfter(halfHello)])
    // the first bytes of a TLS record (a handshake), then nothing
    halfHello.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xf0, 0x01]))
    const [silentMs, halfHelloMs] = await closed
    expect(verdict(silentMs, short.headersMs), "no first byte").toBe("closed at its deadline")
    expect(verdict(halfHelloMs, short.headersMs), "half a TLS handshake").toBe("closed at its deadline")
  }, 15_000)
})
