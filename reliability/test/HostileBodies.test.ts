/**
 * Oversize and endless bodies: one hostile call per child process (so its memory is measured
 * alone), over fetch (the Promise API default) and undici (the Effect API with
 * `NodeHttpClient.layerUndici`), against a real socket that sends an endless 200, 100 MB with a
 * Content-Length, 100 MB chunked, or a 1 GiB gzip bomb (about 1 MB on the wire). Each call must
 * end with `ResponseTooLarge` (or, for a compressed body undici does not decompress, a typed
 * error) well within the 10 s default timeout, after one attempt, with the connection closed, the
 * server having written a bounded number of bytes, and a peak RSS under 100 MB above the process's
 * resident set after a normal call.
 */
import { describe, expect, it } from "vitest"
import { afterAll, beforeAll } from "vitest"
import { answerSearch, endlessBytes, gzipBomb, httpServer, pumpZeros, type Recorded } from "./hostile-servers.js"
import { fixture, killChildren, printFigures, secret, spawnNode } from "./support.js"

const KEY = secret("hostile-bodies")
const MB = 1000 * 1000
const MiB = 1024 * 1024

type Hostile = "endless" | "huge-length" | "huge-chunked" | "gzip-bomb"
const hostiles: ReadonlyArray<Hostile> = ["endless", "huge-length", "huge-chunked", "gzip-bomb"]

let server: Recorded
let bomb: Buffer
beforeAll(async () => {
  bomb = await gzipBomb(16)
  server = await httpServer((req, res, seen) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams.get("q") as Hostile | "ok"
    switch (q) {
      case "endless":
        res.writeHead(200, { "content-type": "application/json" })
        return pumpZeros(res, seen, endlessBytes)
      case "huge-length":
        res.writeHead(200, { "content-type": "application/json", "content-length": 100 * MB })
        return pumpZeros(res, seen, 100 * MB)
      case "huge-chunked":
        res.writeHead(200, { "content-type": "application/json" })
        return pumpZeros(res, seen, 100 * MB)
      case "gzip-bomb":
        res.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": bomb.length
        })
        seen.written += bomb.length
        return res.end(bomb)
      default:
        return answerSearch(res)
    }
  })
}, 60_000)
afterAll(async () => {
  killChildren()
  await server.close()
})

interface Result {
  readonly tag: string
  readonly ms: number
  readonly baselineRss: number
  readonly peakRss: number
  readonly attempts: number | undefined
}

describe("hostile bodies: bounded time, memory and bytes", () => {
  for (const api of ["promise", "undici"] as const) {
    it(
      `${
        api === "promise" ? "Promise API, fetch" : "Effect API, undici"
      }: endless, 100 MB (length / chunked), 1 GiB gzip bomb`,
      async () => {
        const figures: Record<string, string | number> = {}
        for (const hostile of hostiles) {
          server.reset()
          const child = spawnNode(fixture("hostile-call.ts"), [server.url, api, hostile], { RELIABILITY_KEY: KEY })
          const line = await child.waitFor(/^RESULT (.*)$/m, 60_000)
          await child.exited
          expect(child.out + child.err).not.toContain(KEY)
          const result = JSON.parse(line[1]!) as Result
          const extraMB = (result.peakRss - result.baselineRss) / MiB
          figures[`${hostile}: outcome`] = `${result.tag} after ${result.attempts} attempt(s), ${
            result.ms.toFixed(0)
          } ms`
          figures[`${hostile}: peak RSS MB (after warm-up -> peak, +extra)`] = `${
            (result.baselineRss / MiB).toFixed(0)
          } -> ${(result.peakRss / MiB).toFixed(0)} (+${extraMB.toFixed(1)})`
          figures[`${hostile}: bytes written by the server (MB)`] = (server.written / MB).toFixed(1)
          // undici asks for no compression and does not decompress: the bomb arrives as 1 MB of gzip,
          // which is not JSON. Everything else is over the 4 MiB bound.
          const expected = api === "undici" && hostile === "gzip-bomb" ? "UnexpectedResponse" : "ResponseTooLarge"
          expect(result.tag, hostile).toBe(expected)
          expect(result.attempts, hostile).toBe(1)
          expect(result.ms, hostile).toBeLessThan(5_000)
          expect(extraMB, hostile).toBeLessThan(100)
          // 2 requests: the warm-up and the hostile one (not retried)
          expect(server.requests.length, hostile).toBe(2)
          // the client stopped reading: the server could not push the whole body through
          if (hostile !== "gzip-bomb") expect(server.written, hostile).toBeLessThan(64 * MB)
          expect(server.closed, hostile).toBe(server.connections)
        }
        printFigures(
          `hostile bodies (${
            api === "promise" ? "Promise API, fetch" : "Effect API, NodeHttpClient.layerUndici"
          }; bound 4 MiB)`,
          figures
        )
      },
      180_000
    )
  }
})
