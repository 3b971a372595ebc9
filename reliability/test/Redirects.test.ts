/**
 * Redirects: a real HTTPS "Bing" (a self-signed certificate made for this run, trusted by the
 * child processes through NODE_EXTRA_CA_CERTS) answers 301, 302, 303, 307 and 308 to a plain-HTTP
 * target (`http://127.0.0.1:<port>`) and to an HTTPS one (`https://localhost:<port>`). Through the
 * Promise API default, the Effect API without an HttpClient layer, `FetchHttpClient.layer`,
 * `NodeHttpClient.layerUndici` and `bing-search web`, every call must fail with `RedirectRefused`
 * (status and target origin, never the key) after one attempt, and the targets must receive
 * nothing. A custom HttpClient that follows redirects by itself sends the request before the
 * client sees anything (no library can stop that): its answer must still be refused, never returned.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  answerSearch,
  type Certificate,
  httpServer,
  httpsServer,
  makeCertificate,
  type Recorded
} from "./hostile-servers.js"
import { fixture, killChildren, printFigures, root, secret, spawnNode } from "./support.js"

const KEY = secret("redirects")
const statuses = [301, 302, 303, 307, 308] as const
const targets = ["http", "https"] as const
const cliBin = join(root, "apps/search-cli/dist/bin.js")

let tls: Certificate
let bing: Recorded
let plain: Recorded
let secure: Recorded
const location = (target: (typeof targets)[number]) =>
  target === "http"
    ? `http://127.0.0.1:${plain.port}/v7.0/search?q=x`
    : `https://localhost:${secure.port}/v7.0/search?q=x`
const origin = (target: (typeof targets)[number]) =>
  target === "http" ? `http://127.0.0.1:${plain.port}` : `https://localhost:${secure.port}`

beforeAll(async () => {
  tls = makeCertificate()
  plain = await httpServer((_req, res) => answerSearch(res))
  secure = await httpsServer(tls, (_req, res) => answerSearch(res))
  // q=<status>-<target>, e.g. q=302-http
  bing = await httpsServer(tls, (req, res) => {
    const [status, target] = (new URL(req.url ?? "/", "https://x").searchParams.get("q") ?? "").split("-")
    res.writeHead(Number(status), { location: location(target === "https" ? "https" : "http"), "content-length": 0 })
    res.end()
  })
})
afterAll(async () => {
  killChildren()
  await Promise.all([bing.close(), plain.close(), secure.close()])
  tls.remove()
})

const env = () => ({ RELIABILITY_KEY: KEY, NODE_EXTRA_CA_CERTS: tls.certPath })

interface Outcome {
  readonly tag: string
  readonly status?: number
  readonly target?: string
  readonly followed?: boolean
  readonly attempts?: number
  readonly message?: string
}

const keyReached = (server: Recorded) =>
  server.requests.filter((r) => r.headers["ocp-apim-subscription-key"] === KEY).length

describe("redirects are never followed with the key", () => {
  it("every transport, every 3xx, both targets: refused, one attempt, nothing reaches the target", async () => {
    const figures: Record<string, string> = {}
    const queries = targets.flatMap((t) => statuses.map((s) => `${s}-${t}`))
    for (const transport of ["promise", "fetch", "undici"] as const) {
      for (const s of [bing, plain, secure]) s.reset()
      const child = spawnNode(fixture("redirect-call.ts"), [bing.url, transport, ...queries], env())
      const line = await child.waitFor(/^RESULT (.*)$/m, 60_000)
      await child.exited
      expect(child.out + child.err).not.toContain(KEY)
      const results = JSON.parse(line[1]!) as Record<string, Outcome>
      for (const q of queries) {
        const [status, target] = q.split("-") as [string, (typeof targets)[number]]
        const r = results[q]!
        expect(r, `${transport} ${q}`).toMatchObject({
          tag: "RedirectRefused",
          status: Number(status),
          target: origin(target),
          followed: false,
          attempts: 1
        })
        expect(r.message).toContain(status)
      }
      const tags = new Set(Object.values(results).map((r) => r.tag))
      figures[transport] = `${
        [...tags].join(", ")
      }; requests to Bing ${bing.requests.length} (${queries.length} calls); connections to the targets ${
        plain.connections + secure.connections
      }; key seen by a target ${keyReached(plain) + keyReached(secure)}`
      expect(bing.requests.length).toBe(queries.length)
      expect(plain.connections + secure.connections).toBe(0)
    }
    printFigures("redirects (5 statuses x 2 targets per transport)", figures)
  }, 120_000)

  it("bing-search web: exit 21, the status and the target named, nothing sent there", async () => {
    const figures: Record<string, string> = {}
    for (const target of targets) {
      for (const s of [bing, plain, secure]) s.reset()
      const child = spawnNode(cliBin, ["web", `302-${target}`, "--endpoint", bing.url], {
        BING_SEARCH_KEY: KEY,
        NODE_EXTRA_CA_CERTS: tls.certPath
      })
      const { code } = await child.exited
      const output = child.out + child.err
      expect(output).not.toContain(KEY)
      expect(code, output).toBe(21)
      expect(child.err).toContain("RedirectRefused")
      expect(child.err).toContain(origin(target))
      expect(plain.connections + secure.connections).toBe(0)
      figures[`302 to ${target}://`] = `exit ${code}; ${child.err.split("\n")[0]}`
    }
    printFigures("bing-search web against a redirecting endpoint", figures)
  }, 60_000)

  it(
    "a custom HttpClient that follows redirects: the answer from the other origin is refused, never returned",
    async () => {
      for (const s of [bing, plain, secure]) s.reset()
      const queries = targets.map((t) => `302-${t}`)
      const child = spawnNode(fixture("redirect-call.ts"), [bing.url, "follow", ...queries], env())
      const line = await child.waitFor(/^RESULT (.*)$/m, 60_000)
      await child.exited
      const results = JSON.parse(line[1]!) as Record<string, Outcome>
      for (const target of targets) {
        expect(results[`302-${target}`]).toMatchObject({
          tag: "RedirectRefused",
          status: 200,
          target: origin(target),
          followed: true,
          attempts: 1
        })
      }
      printFigures("a custom HttpClient that follows redirects (HttpClient.followRedirects over fetch)", {
        outcome: [...new Set(Object.values(results).map((r) => r.tag))].join(", "),
        "requests reaching the targets (the client cannot stop them)": String(
          plain.requests.length + secure.requests.length
        ),
        "key seen by a target": String(keyReached(plain) + keyReached(secure)),
        "results returned from the other origin": "0"
      })
    },
    60_000
  )
})
