/**
 * Bad input to the emulator: a bounded, seeded fuzz of paths, query strings (bad percent-encoding,
 * duplicates, oversized values), headers, methods and oversized URLs over `node:http`, plus raw
 * `net` sockets with malformed request lines and headers, against the emulator run as its own
 * command (`bing-emulator`). Every answer is one of Bing's documented errors (decoded by
 * @bing-effect/schema), Bing's empty 404 for unknown paths, the admin API's 401, or a success;
 * there is no 5xx, the process stays up, and its memory stays bounded. Set RELIABILITY_SEED to
 * replay a run.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` and `_type` are the field names of Effect's and Bing's values */
import { BingResponse, ErrorResponse } from "@bing-effect/schema"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Child, emulatorBin, killChildren, percentile, printFigures, rssOf, secret, spawnNode } from "./support.js"

const SEED = Number(process.env.RELIABILITY_SEED ?? 8_675_309)
const ROUNDS = 2
const HTTP_PER_ROUND = 2_000
const RAW_PER_ROUND = 300
const CONCURRENCY = 16

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
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

interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

type Verdict = "success" | "bing-error" | "not-found" | "admin-401" | "no-answer" | "bad"

/** The `_type` of a success of each endpoint the emulator serves (see its README's coverage table). */
const successTypes: ReadonlySet<string> = new Set([
  "SearchResponse",
  "Images",
  "TrendingImages",
  "News",
  "TrendingTopics",
  "SpellCheck",
  "Videos",
  "TrendingVideos",
  "Api.VideoDetails.VideoDetails",
  "Suggestions"
])

/** What an answer is: a success, a documented Bing error, Bing's empty 404, the admin API's 401, or bad. */
const judge = (answer: Answer | undefined, method: string, path: string): Verdict => {
  if (answer === undefined) return "no-answer"
  if (answer.status >= 500) return "bad"
  // the admin API refuses without its token; a request the HTTP parser rejects gets Bing's 400 first
  if (path.startsWith("/_emulator") && answer.status === 401) return "admin-401"
  if (answer.status === 404 && answer.body === "") return "not-found"
  if (answer.status === 200) {
    if (method === "HEAD") return answer.body === "" ? "success" : "bad"
    try {
      const type = (JSON.parse(answer.body) as { _type?: string })._type
      return type !== undefined && successTypes.has(type) ? "success" : "bad"
    } catch {
      return "bad"
    }
  }
  if (method === "HEAD") return [400, 401, 403, 405, 410, 429].includes(answer.status) ? "bing-error" : "bad"
  try {
    if (!ErrorResponse.isErrorResponse(JSON.parse(answer.body))) return "bad"
  } catch {
    return "bad"
  }
  const decoded = BingResponse.decodeError({ status: answer.status, headers: answer.headers, body: answer.body })
  return decoded._tag === "UnexpectedResponse" ? "bad" : "bing-error"
}

describe("bad input to the emulator", () => {
  const key = secret("fuzz")
  const dir = mkdtempSync(join(tmpdir(), "bing-fuzz-"))
  let emulator: Child
  let base: URL

  beforeAll(async () => {
    const config = join(dir, "emulator.json")
    writeFileSync(
      config,
      JSON.stringify({
        keys: [{ name: "fuzz", key, limits: { perSecond: 100_000 } }, {
          name: "off",
          key: `${key}-off`,
          disabled: true
        }]
      })
    )
    emulator = spawnNode(emulatorBin, ["--port", "0", "--config", config, "--seed", "7"])
    base = new URL((await emulator.waitFor(/listening on (http:\/\/\S+)/))[1]!)
  })
  afterAll(async () => {
    emulator?.kill("SIGTERM")
    await emulator?.exited
    killChildren()
    rmSync(dir, { recursive: true, force: true })
  })

  it(
    `${
      ROUNDS * (HTTP_PER_ROUND + RAW_PER_ROUND)
    } fuzzed requests: documented answers only, no 5xx, the process stays up, memory bounded (seed ${SEED})`,
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
        "/v7.0/search/",
        "/V7.0/Search",
        "/v7.0//search",
        "/v7.0/news/search",
        "/v7.0/../v7.0/search",
        "/",
        "/favicon.ico",
        "/_emulator/keys",
        "/_emulator/reset",
        "/_emulator/faults",
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
        "textFormat",
        "answerCount",
        "promote",
        "imageType",
        "size",
        "color",
        "aspect",
        "license",
        "minWidth",
        "maxFileSize",
        "id",
        "subscription-key"
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
          "1e3",
          "NaN",
          "en-US",
          "xx-XX",
          "true",
          "Off",
          "Strict",
          "Webpages,Images",
          "%zz",
          "%E0%A4%A",
          "%",
          "%%",
          "%FF%FE",
          "%C0%AF",
          "caf%C3%A9",
          "%00",
          "a+b+c",
          "\u00e9t\u00e9",
          "<script>",
          "' OR 1=1 --",
          junk(1 + int(40)),
          "x".repeat(int(3_000)),
          key,
          `${key}-off`
        ])
      const encode = (
        v: string
      ) => (random() < 0.5
        ? encodeURIComponent(v)
        : v.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[#?&\s]/g, "_"))
      const methods = ["GET", "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]

      const httpRequest = (
        agent: Agent
      ): Promise<{ answer: Answer | undefined; path: string; method: string; size: number }> => {
        const method = pick(methods)
        let path = pick(paths)
        const query = Array.from(
          { length: int(6) },
          () => `${random() < 0.9 ? pick(params) : encode(junk(1 + int(8)))}=${encode(values())}`
        )
        if (random() < 0.05) query.push(`q=${"y".repeat(1_000 + int(20_000))}`) // oversized URL
        if (query.length > 0) path += `?${query.join("&")}`
        const headers: Record<string, string> = {}
        const r = random()
        if (r < 0.6) headers["ocp-apim-subscription-key"] = key
        else if (r < 0.7) {
          headers["ocp-apim-subscription-key"] = pick(["", "wrong", `${key}-off`, junk(200), "k".repeat(8_000)])
        }
        if (random() < 0.3) headers["accept-language"] = pick(["en-US", "fr;q=0.5,de", "*", junk(60), "q=;;;,,,"])
        if (random() < 0.2) headers["x-msedge-clientid"] = pick(["ABC", junk(300), ""])
        if (random() < 0.1) headers["x-search-location"] = pick(["lat:47.6;long:-122.3;re:22", "lat:abc", junk(50)])
        if (random() < 0.05) headers["content-type"] = "application/json"
        const body = method !== "GET" && method !== "HEAD" && random() < 0.5 ? junk(int(2_000)) : undefined
        // Node's client sends a DELETE, OPTIONS or TRACE body without Content-Length (nor chunked
        // framing): the server, rightly, reads those bytes as the next request on the connection, and
        // its 400 for them is then read as the answer to whichever request reuses the socket next (a
        // HEAD cannot parse it at all). Every body is framed.
        if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body))
        // what the emulator's parser counts against its 16 KiB limit: the URL, and every header's name and value
        const size = path.length +
          Object.entries({ ...headers, host: base.host, connection: "keep-alive" }).reduce(
            (n, [k, v]) => n + k.length + Buffer.byteLength(v),
            0
          )
        return new Promise((resolve) => {
          const req = request(
            { host: base.hostname, port: base.port, method, path, headers, agent, timeout: 10_000 },
            (res) => {
              const chunks: Array<Buffer> = []
              res.on("data", (c: Buffer) => chunks.push(c))
              res.on("end", () =>
                resolve({
                  method,
                  path,
                  size,
                  answer: {
                    status: res.statusCode ?? 0,
                    headers: res.headers as Record<string, string>,
                    body: Buffer.concat(chunks).toString("utf8")
                  }
                }))
              res.on("error", () => resolve({ method, path, size, answer: undefined }))
            }
          )
          req.on("error", () => resolve({ method, path, size, answer: undefined }))
          req.on("timeout", () => req.destroy())
          req.end(body)
        })
      }

      const rawPayload = (): Buffer => {
        const host = `Host: ${base.host}\r\n`
        const k = `Ocp-Apim-Subscription-Key: ${key}\r\n`
        return Buffer.from(
          pick([
            `GET /v7.0/search?q=x HTTP/1.1\r\n${host}${k}\r\n`,
            `GET /v7.0/search?q=x HTTP/9.9\r\n${host}\r\n`,
            `G\u00c9T /v7.0/search HTTP/1.1\r\n${host}\r\n`,
            `GET /v7.0/search?q=${"%".repeat(int(50))} HTTP/1.1\r\n${host}${k}\r\n`,
            `GET /v7.0/search?q=a b HTTP/1.1\r\n${host}\r\n`,
            `GET\r\n\r\n`,
            `${junk(1 + int(200))}\r\n\r\n`,
            `GET /v7.0/search HTTP/1.1\r\n${host}Bad Header: x\r\n\r\n`,
            `GET /v7.0/search HTTP/1.1\r\n${host}X: ${"h".repeat(20_000)}\r\n\r\n`,
            `GET /v7.0/search?q=${"u".repeat(20_000)} HTTP/1.1\r\n${host}${k}\r\n`,
            `GET /v7.0/search HTTP/1.1\r\n${host}Content-Length: -5\r\n\r\n`,
            `GET /v7.0/search HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
            `GET /v7.0/search HTTP/1.1\r\n${host}${k}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
            `GET /v7.0/search?q=nul\u0000 HTTP/1.1\r\n${host}\r\n`,
            `GET /v7.0/search?q=pipelined HTTP/1.1\r\n${host}${k}\r\nGET /v7.0/images/search?q=two HTTP/1.1\r\n${host}${k}\r\n`,
            `GET /v7.0/search?q=half HTTP/1.1\r\n${host}`
          ]),
          "latin1"
        )
      }

      const rawRequest = (): Promise<{ answers: Array<Answer>; payload: string; leftover: string }> =>
        new Promise((resolve) => {
          const payload = rawPayload()
          const socket = connect({ host: base.hostname, port: Number(base.port) })
          const chunks: Array<Buffer> = []
          const expected = Math.max(1, (payload.toString("latin1").match(/ HTTP\/1\.1\r\n/g) ?? []).length)
          const parse = () => {
            const answers: Array<Answer> = []
            let rest = Buffer.concat(chunks).toString("latin1")
            // split pipelined answers by Content-Length
            for (let guard = 0; guard < 4 && rest.startsWith("HTTP/"); guard++) {
              const end = rest.indexOf("\r\n\r\n")
              if (end < 0) break
              const head = rest.slice(0, end).split("\r\n")
              const status = Number(head[0]!.split(" ")[1])
              const headers: Record<string, string> = {}
              for (const line of head.slice(1)) {
                const i = line.indexOf(":")
                headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
              }
              const length = Number(headers["content-length"] ?? 0)
              if (rest.length < end + 4 + length) break
              answers.push({
                status,
                headers,
                body: Buffer.from(rest.slice(end + 4, end + 4 + length), "latin1").toString("utf8")
              })
              rest = rest.slice(end + 4 + length)
            }
            return { answers, rest }
          }
          let finished = false
          const done = () => {
            if (finished) return
            finished = true
            clearTimeout(timer)
            socket.destroy()
            const { answers, rest } = parse()
            resolve({ answers, payload: payload.toString("latin1").slice(0, 120), leftover: rest })
          }
          // a complete request is answered at once, however loaded the machine (10 s bound); a
          // half-sent one gets nothing for 10 s (the emulator's header deadline), so 1 s tells enough
          const timer = setTimeout(done, payload.includes("q=half ") ? 1_000 : 10_000)
          socket.on("data", (c: Buffer) => {
            chunks.push(c)
            const { answers, rest } = parse()
            if (answers.length >= expected && rest === "") done()
          })
          socket.on("close", done)
          socket.on("error", done)
          socket.write(payload)
        })

      const verdicts: Record<Verdict, number> = {
        success: 0,
        "bing-error": 0,
        "not-found": 0,
        "admin-401": 0,
        "no-answer": 0,
        bad: 0
      }
      const statuses: Record<string, number> = {}
      const bad: Array<string> = []
      const leaks: Array<string> = []
      const noAnswer: Array<string> = []
      const misattributed: Array<string> = []
      let parserRefused = 0
      const ms: Array<number> = []
      const rss: Array<number> = []
      const record = (answer: Answer | undefined, method: string, path: string, raw: boolean) => {
        const v = judge(answer, method, path)
        verdicts[v]++
        if (answer !== undefined) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1
        if (v === "bad" && bad.length < 10) {
          bad.push(
            `${raw ? "raw " : ""}${method} ${path.slice(0, 120)} -> ${answer?.status} ${answer?.body.slice(0, 200)}`
          )
        }
        if (answer !== undefined && (answer.body.includes(key) || JSON.stringify(answer.headers).includes(key))) {
          leaks.push(`${method} ${path.slice(0, 80)}`)
        }
      }

      for (let round = 0; round < ROUNDS; round++) {
        // one pool per round, closed before the raw requests: no kept-alive socket idles towards the
        // emulator's idle deadline, where closing and reusing it would race
        const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
        let next = 0
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (next < HTTP_PER_ROUND) {
            next++
            const t = performance.now()
            const { answer, method, path, size } = await httpRequest(agent)
            ms.push(performance.now() - t)
            if (answer === undefined) noAnswer.push(`${method} ${path.slice(0, 100)} (${path.length} chars)`)
            // The parser's 400 (the only one without X-MSEdge-ClientID) for a request far below its
            // 16 KiB limit was meant for another request on the same connection.
            if (answer?.status === 400 && answer.headers["x-msedge-clientid"] === undefined) {
              parserRefused++
              if (size < 15 * 1024) {
                misattributed.push(`${method} ${path.slice(0, 100)} (${size} bytes of URL and headers)`)
              }
            }
            record(answer, method, path, false)
          }
        }))
        agent.destroy()
        let rawNext = 0
        await Promise.all(Array.from({ length: 8 }, async () => {
          while (rawNext < RAW_PER_ROUND) {
            rawNext++
            const { answers, leftover, payload } = await rawRequest()
            if (answers.length === 0) {
              // the only payloads allowed to get no answer: a request we never finished sending
              if (payload.includes("q=half ")) verdicts["no-answer"]++
              else {
                verdicts.bad++
                if (bad.length < 10) bad.push(`raw ${JSON.stringify(payload)} -> no answer`)
              }
            }
            for (const a of answers) {
              const path = /^\S+ (\S+)/.exec(payload)?.[1] ?? payload
              record(a, "RAW", path, true)
            }
            if (leftover !== "" && bad.length < 10) {
              bad.push(`raw ${payload} -> unparsable answer ${leftover.slice(0, 100)}`)
            }
            if (leftover !== "") verdicts.bad++
          }
        }))
        rss.push(rssOf(emulator.pid) ?? 0)
      }

      // still up, still serving
      const alive = await new Promise<number>((resolve) => {
        const req = request({
          host: base.hostname,
          port: base.port,
          path: "/v7.0/search?q=still+up",
          headers: { "ocp-apim-subscription-key": key }
        }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on("error", () => resolve(0))
        req.end()
      })
      const total = ROUNDS * (HTTP_PER_ROUND + RAW_PER_ROUND)
      printFigures(`fuzz of the emulator (bing-emulator child process, seed ${SEED})`, {
        requests: total,
        ...Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [k, v])),
        statuses: Object.entries(statuses).map(([s, n]) => `${s}:${n}`).join(" "),
        "5xx": Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, v]) => n + v, 0),
        "p99 ms (http)": percentile(ms, 99),
        "RSS after round 1 MB": rss[0]! / 2 ** 20,
        "RSS after round 2 MB": rss[1]! / 2 ** 20,
        "still serving (status)": alive,
        "refused by the HTTP parser (over 16 KiB of URL and headers)": parserRefused,
        "key in answers": leaks.length
      })
      expect(noAnswer).toEqual([])
      expect(misattributed).toEqual([])
      expect(bad).toEqual([])
      expect(verdicts.bad).toBe(0)
      expect(Object.keys(statuses).filter((s) => Number(s) >= 500)).toEqual([])
      expect(verdicts.success).toBeGreaterThan(100)
      expect(verdicts["bing-error"]).toBeGreaterThan(100)
      expect(emulator.process.exitCode).toBeNull()
      expect(alive).toBe(200)
      expect(leaks).toEqual([])
      // memory: the second round, with the caches already full, grows RSS by less than 48 MB
      if (rss[0]! > 0) {
        expect(rss[1]! - rss[0]!).toBeLessThan(48 * 2 ** 20)
        expect(rss[1]!).toBeLessThan(512 * 2 ** 20)
      }
      expect(emulator.out + emulator.err).not.toContain(key)
    },
    120_000
  )
})
