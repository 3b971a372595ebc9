/**
 * Bad input to the gateway: a bounded, seeded fuzz of paths (both prefixes, the forwarded `/v7.0/*`
 * routes, the operations routes, traversal and encoding tricks), query strings (bad percent-encoding,
 * duplicates, oversized values, the `subscription-key` parameter), headers (the client key, a tier
 * key, both header and query, junk) and methods over `node:http`, plus raw sockets with malformed
 * request lines, against the `bing-gateway` command in front of a healthy emulator. Every answer is a
 * success, one of Bing's documented errors (decoded by @bing-effect/schema), Bing's empty 404, or an
 * operations route's answer; there is no 5xx (the upstream causes none here), no key in any answer,
 * the process stays up and its memory stays bounded. RELIABILITY_SEED replays a run.
 */
import { Emulator } from "@bing-effect/emulator"
import { Agent } from "node:http"
import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Answer,
  call,
  type Gateway,
  isAnswer,
  judge,
  scratch,
  startGateway,
  stopGateway,
  type Verdict
} from "./GatewayFixture.js"
import { httpServer } from "./hostile-servers.js"
import { killChildren, percentile, printFigures, rssOf, secret } from "./support.js"

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_213)
const HTTP_REQUESTS = 2_500
const RAW_REQUESTS = 300
const CONCURRENCY = 16

/** mulberry32, as in Fuzz.test.ts: the same sequence for the same seed everywhere. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe("bad input to the gateway", () => {
  const tierKey = secret("gw-fuzz-tier")
  const clientKey = secret("gw-fuzz-client")
  const adminToken = secret("gw-fuzz-admin")
  const files = scratch()
  let emulator: Emulator.EmulatorHandle
  let gateway: Gateway

  beforeAll(async () => {
    emulator = await Emulator.start({ keys: [{ name: "S15", key: tierKey }], requestLogSize: 1_000 })
    gateway = await startGateway(
      files.write({
        upstream: { endpoint: emulator.url, allowInsecureLoopback: true },
        tiers: [{ name: "S15", keyEnv: "REL_GW_TIER", limits: { perSecond: 100_000, perDay: 10_000_000 } }],
        clients: [
          { name: "caller", keyEnv: "REL_GW_CLIENT" },
          { name: "small", keyEnv: "REL_GW_SMALL", limits: { perSecond: 5 } }
        ],
        store: "memory",
        adminTokenEnv: "REL_GW_ADMIN"
      }),
      { REL_GW_TIER: tierKey, REL_GW_CLIENT: clientKey, REL_GW_SMALL: `${clientKey}-small`, REL_GW_ADMIN: adminToken }
    )
  })
  afterAll(async () => {
    if (gateway !== undefined) await stopGateway(gateway)
    killChildren()
    await emulator?.stop()
    files.remove()
  })

  it(
    `${
      HTTP_REQUESTS + RAW_REQUESTS
    } fuzzed requests: documented answers only, no 5xx, no key, the process stays up (seed ${SEED})`,
    async () => {
      const random = prng(SEED)
      const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
      const int = (n: number) => Math.floor(random() * n)
      const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(33 + int(94))).join("")
      const paths = [
        "/v7.0/search",
        "/v7.0/images/search",
        "/v7.0/images/trending",
        "/bing/v7.0/search",
        "/bing/v7.0/images/search",
        "/bing/v7.0/images/trending",
        "/v7.0/news/search",
        "/v7.0/videos/search",
        "/v7.0/suggestions",
        // the two POST endpoints: a POST's body is forwarded (junk bodies included)
        "/v7.0/spellcheck",
        "/v7.0/images/visualsearch",
        "/v7.0/search/",
        "/V7.0/Search",
        "/v7.0//search",
        "/v7.0/../v7.0/search",
        "/v7.0/%2e%2e/_emulator/keys",
        "/v7.0/_emulator/keys",
        "/_emulator/keys",
        "/",
        "/favicon.ico",
        "/_gateway/status",
        "/_gateway/healthz",
        "/_gateway/readyz",
        "/_gateway/",
        "/metrics",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/v7.0/search%00",
        "/v7.0/im%C3%A1genes",
        "/v7.0/im%E1genes"
      ]
      const params = [
        "q",
        "count",
        "offset",
        "mkt",
        "cc",
        "setLang",
        "safeSearch",
        "responseFilter",
        "freshness",
        "textDecorations",
        "answerCount",
        "imageType",
        "size",
        "color",
        "minWidth",
        "id",
        "subscription-key",
        "Subscription-Key"
      ]
      const values = () =>
        pick([
          "coffee",
          "",
          " ",
          "-1",
          "0",
          "51",
          "999999999999",
          "NaN",
          "en-US",
          "xx-XX",
          "Strict",
          "Webpages,Images",
          "%zz",
          "%",
          "%FF%FE",
          "%C0%AF",
          "caf%C3%A9",
          "%00",
          "\u00e9t\u00e9",
          "<script>",
          junk(1 + int(40)),
          "x".repeat(int(3_000)),
          clientKey,
          tierKey,
          adminToken
        ])
      const encode = (v: string) =>
        random() < 0.5
          ? encodeURIComponent(v)
          : v.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[#?&\s]/g, "_")
      const methods = ["GET", "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]

      const verdicts: Record<Verdict | "parser-refusal" | "no-answer", number> = {
        success: 0,
        "bing-error": 0,
        "not-found": 0,
        ops: 0,
        bad: 0,
        "parser-refusal": 0,
        "no-answer": 0
      }
      const statuses: Record<string, number> = {}
      const bad: Array<string> = []
      const badKinds = new Map<string, number>()
      const serverErrors: Array<string> = []
      const misattributed: Array<string> = []
      const leaks: Array<string> = []
      const noAnswer: Array<string> = []
      const ms: Array<number> = []
      const rss: Array<number> = []
      const secrets = [tierKey, clientKey, adminToken]
      /**
       * `size`: what Node's HTTP parser counts against its 16 KiB limit (request line and headers);
       * `parserOnly`: a raw payload that is not a well-formed request. Node's parser answers those
       * itself with an empty 400 or 431 before any gateway code runs: counted apart, and allowed only
       * for such requests.
       */
      const record = (
        answer: Answer,
        method: string,
        path: string,
        raw: boolean,
        size: number,
        parserOnly: boolean
      ) => {
        const refusedByParser = (answer.status === 400 || answer.status === 431) && answer.body === "" &&
          answer.headers["bingapis-traceid"] === undefined
        const v = refusedByParser ? "parser-refusal" : judge(answer, method, path)
        verdicts[v]++
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1
        if (refusedByParser && !parserOnly && size < 15 * 1024 && misattributed.length < 5) {
          misattributed.push(`${raw ? "raw " : ""}${method} ${path.slice(0, 100)} (${size} bytes) -> ${answer.status}`)
        }
        if (answer.status >= 500 && serverErrors.length < 5) {
          serverErrors.push(
            `${raw ? "raw " : ""}${method} ${path.slice(0, 160)} -> ${answer.status} ${answer.body.slice(0, 300)}`
          )
        }
        if (v === "bad") {
          // a few examples of each kind of bad answer
          const kind = `${raw ? "raw " : ""}${answer.status}`
          const seen = badKinds.get(kind) ?? 0
          badKinds.set(kind, seen + 1)
          if (seen < 3) {
            bad.push(
              `${raw ? "raw " : ""}${method} ${path.slice(0, 100)} -> ${answer.status} ${answer.body.slice(0, 200)}`
            )
          }
        }
        // a 400 names the caller's own bad value (as Bing does): a secret the caller put in the query
        // may come back; a secret it did not send there, never
        const text = `${JSON.stringify(answer.headers)} ${answer.body}`
        for (const hidden of secrets) {
          if (text.includes(hidden) && !path.includes(hidden)) {
            leaks.push(`${method} ${path.slice(0, 80)}: ${hidden.slice(4, 12)}…`)
          }
        }
      }

      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
      let next = 0
      const rssBefore = rssOf(gateway.child.pid)
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < HTTP_REQUESTS) {
          next++
          const method = pick(methods)
          let path = pick(paths)
          const query = Array.from(
            { length: int(6) },
            () => `${random() < 0.9 ? pick(params) : encode(junk(1 + int(8)))}=${encode(values())}`
          )
          if (random() < 0.04) query.push(`q=${"y".repeat(1_000 + int(20_000))}`) // oversized URL
          if (query.length > 0) path += `?${query.join("&")}`
          const headers: Record<string, string> = {}
          const r = random()
          if (r < 0.55) headers["ocp-apim-subscription-key"] = clientKey
          else if (r < 0.6) headers["ocp-apim-subscription-key"] = `${clientKey}-small`
          else if (r < 0.7) headers["ocp-apim-subscription-key"] = tierKey // refused like an unknown key
          else if (r < 0.8) {
            headers["ocp-apim-subscription-key"] = pick(["", "wrong", junk(200), "k".repeat(8_000), adminToken])
          }
          if (random() < 0.15) headers["authorization"] = pick([`Bearer ${adminToken}`, "Bearer wrong", junk(30)])
          if (random() < 0.3) headers["accept-language"] = pick(["en-US", "fr;q=0.5,de", "*", junk(60)])
          if (random() < 0.2) headers["x-msedge-clientid"] = pick(["ABC", junk(300), ""])
          if (random() < 0.1) headers["x-search-location"] = pick(["lat:47.6;long:-122.3;re:22", "lat:abc", junk(50)])
          if (random() < 0.1) headers["x-msedge-clientip"] = pick(["203.0.113.7", "::1", junk(40)])
          if (random() < 0.05) headers["content-type"] = "application/json"
          const body = method !== "GET" && method !== "HEAD" && random() < 0.5 ? junk(int(2_000)) : undefined
          const outcome = await call(gateway.url, path, headers, {
            method,
            agent,
            timeoutMs: 15_000,
            ...(body === undefined ? {} : { body })
          })
          ms.push(outcome.ms)
          if (!isAnswer(outcome)) {
            verdicts["no-answer"]++
            if (noAnswer.length < 10) {
              noAnswer.push(`${method} ${path.slice(0, 100)} (${path.length} chars): ${outcome.error}`)
            }
          } else {
            const size = method.length + path.length +
              Object.entries(headers).reduce((n, [name, v]) => n + name.length + Buffer.byteLength(v), 0)
            record(outcome, method, path, false, size, false)
          }
          if (next % 250 === 0) rss.push(rssOf(gateway.child.pid) ?? 0)
        }
      }))
      agent.destroy()

      // raw sockets: malformed request lines and headers; every complete request gets an answer
      const host = `Host: ${new URL(gateway.url).host}\r\n`
      const keyLine = `Ocp-Apim-Subscription-Key: ${clientKey}\r\n`
      const payloads = [
        `GET /v7.0/search?q=x HTTP/1.1\r\n${host}${keyLine}\r\n`,
        `GET /v7.0/search?q=x HTTP/9.9\r\n${host}\r\n`,
        `G\u00c9T /v7.0/search HTTP/1.1\r\n${host}\r\n`,
        `GET /v7.0/search?q=a b HTTP/1.1\r\n${host}${keyLine}\r\n`,
        `GET\r\n\r\n`,
        `GET /v7.0/search HTTP/1.1\r\n${host}Bad Header: x\r\n\r\n`,
        `GET /v7.0/search HTTP/1.1\r\n${host}X: ${"h".repeat(20_000)}\r\n\r\n`,
        `GET /v7.0/search HTTP/1.1\r\n${host}${keyLine}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
        `GET /v7.0/search?q=pipelined HTTP/1.1\r\n${host}${keyLine}\r\nGET /bing/v7.0/images/search?q=two HTTP/1.1\r\n${host}${keyLine}\r\n`,
        `GET /v7.0/search?q=x HTTP/1.1\r\n${host}Ocp-Apim-Subscription-Key: ${tierKey}\r\n\r\n`
      ]
      // the payloads any HTTP/1.1 server must answer itself (the others are not well-formed HTTP)
      const wellFormed = new Set([payloads[0]!, payloads[8]!, payloads[9]!])
      const raw = (payload: string) =>
        new Promise<{ answers: Array<Answer>; bytes: string }>((resolve) => {
          const socket = connect({ host: "127.0.0.1", port: gateway.port })
          const chunks: Array<Buffer> = []
          // the requests in the payload: once each has its answer, the socket is done
          const expected = Math.max(1, (payload.match(/ HTTP\/1\.1\r\n/g) ?? []).length)
          const parse = () => {
            const text = Buffer.concat(chunks).toString("latin1")
            const answers: Array<Answer> = []
            let rest = text
            for (let guard = 0; guard < 4 && rest.startsWith("HTTP/"); guard++) {
              const end = rest.indexOf("\r\n\r\n")
              if (end < 0) break
              const head = rest.slice(0, end).split("\r\n")
              const headers: Record<string, string> = {}
              for (const line of head.slice(1)) {
                const i = line.indexOf(":")
                headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
              }
              const length = Number(headers["content-length"] ?? 0)
              if (rest.length < end + 4 + length) break
              answers.push({
                status: Number(head[0]!.split(" ")[1]),
                headers,
                body: Buffer.from(rest.slice(end + 4, end + 4 + length), "latin1").toString("utf8"),
                ms: 0
              })
              rest = rest.slice(end + 4 + length)
            }
            return { answers, rest, text }
          }
          let finished = false
          const done = () => {
            if (finished) return
            finished = true
            clearTimeout(timer)
            socket.destroy()
            const { answers, text } = parse()
            resolve({ answers, bytes: text })
          }
          const timer = setTimeout(done, 5_000)
          socket.on("data", (c: Buffer) => {
            chunks.push(c)
            const { answers, rest } = parse()
            if (answers.length >= expected && rest === "") done()
          })
          socket.on("end", done)
          socket.on("close", done)
          socket.on("error", done)
          socket.write(Buffer.from(payload, "latin1"))
        })
      let rawNoAnswer = 0
      let rawNext = 0
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (rawNext < RAW_REQUESTS) {
          const payload = payloads[rawNext++ % payloads.length]!
          const { answers, bytes } = await raw(payload)
          if (answers.length === 0) rawNoAnswer++
          for (const a of answers) {
            record(a, "GET", payload.split(" ")[1] ?? "/", true, payload.length, !wellFormed.has(payload))
          }
          for (const hidden of secrets) {
            if (bytes.includes(hidden)) leaks.push(`raw ${JSON.stringify(payload.slice(0, 60))}`)
          }
        }
      }))
      const rssAfter = rssOf(gateway.child.pid)
      const health = await call(gateway.url, "/_gateway/healthz", {})
      const output = `${gateway.child.out}${gateway.child.err}`

      printFigures(`gateway fuzz: ${HTTP_REQUESTS} over node:http + ${RAW_REQUESTS} raw (seed ${SEED})`, {
        ...Object.fromEntries(Object.entries(verdicts).map(([v, n]) => [`verdict ${v}`, n])),
        statuses: Object.entries(statuses).map(([s, n]) => `${s}:${n}`).join(" "),
        "bad answers by kind": [...badKinds].map(([k, n]) => `${k}:${n}`).join(" ") || "none",
        "raw payloads with no answer": rawNoAnswer,
        "p50 ms": percentile(ms, 50),
        "p99 ms": percentile(ms, 99),
        "max ms": Math.max(...ms),
        "gateway RSS before / after MiB": `${((rssBefore ?? 0) / 2 ** 20).toFixed(0)} / ${
          ((rssAfter ?? 0) / 2 ** 20).toFixed(0)
        }`,
        "gateway RSS max during MiB": Math.max(...rss) / 2 ** 20,
        "health after": health.status
      })
      expect.soft(bad).toEqual([])
      expect.soft(noAnswer).toEqual([])
      expect(verdicts.success).toBeGreaterThan(100)
      expect(verdicts["bing-error"]).toBeGreaterThan(100)
      expect.soft(serverErrors).toEqual([])
      expect.soft(misattributed).toEqual([])
      expect.soft(leaks).toEqual([])
      for (const s of [tierKey, adminToken]) expect(output.includes(s)).toBe(false)
      expect(health.status).toBe(200)
      expect(gateway.child.process.exitCode).toBeNull()
      expect((rssAfter ?? 0) - (rssBefore ?? 0)).toBeLessThan(150 * 2 ** 20)
    },
    240_000
  )
})

describe("the forwarded routes stay under /v7.0/", () => {
  const tierKey = secret("gw-traversal-tier")
  const clientKey = secret("gw-traversal-client")
  const files = scratch()
  afterAll(() => {
    killChildren()
    files.remove()
  })

  it("a percent-encoded dot segment never takes a request, nor the tier key, outside /v7.0/ upstream", async () => {
    const seen: Array<string> = []
    const upstream = await httpServer((req, res) => {
      seen.push(req.url ?? "")
      res.writeHead(404).end()
    })
    const gateway = await startGateway(
      files.write({
        upstream: { endpoint: upstream.url, allowInsecureLoopback: true },
        tiers: [{ name: "S15", keyEnv: "REL_GW_TIER" }],
        clients: [{ name: "caller", keyEnv: "REL_GW_CLIENT" }],
        store: "memory"
      }),
      { REL_GW_TIER: tierKey, REL_GW_CLIENT: clientKey }
    )
    const paths = [
      "/v7.0/%2e%2e/_emulator/keys",
      "/v7.0/%2E%2E/admin",
      "/v7.0/news/%2e%2e/%2e%2e/favicon.ico",
      "/bing/v7.0/%2e%2e/%2e%2e/x",
      "/v7.0/.%2e/y",
      "/v7.0/%2e./z"
    ]
    const answers: Array<string> = []
    for (const path of paths) {
      const o = await call(gateway.url, path, { "ocp-apim-subscription-key": clientKey })
      answers.push(`${path} -> ${o.status}`)
    }
    await stopGateway(gateway)
    await upstream.close()
    printFigures("gateway: encoded dot segments in forwarded paths", {
      "caller answers": answers.join(", "),
      "upstream saw": seen.join(", ") || "nothing"
    })
    // Bing's paths are all under /v7.0/: anything the upstream sees elsewhere went there with a tier key
    expect(seen.filter((url) => !url.startsWith("/v7.0/"))).toEqual([])
  })
})
