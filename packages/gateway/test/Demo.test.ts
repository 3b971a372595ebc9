/**
 * `bing-gateway demo`, the built executable as a user runs it: the whole story (S15 -> S16 -> 403
 * -> S15 the next day), each refusal with Bing's status, exit 0, quickly, and none of the run's
 * random keys (`demo-<name>-...`) anywhere in what it writes.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

const runDemo = (args: ReadonlyArray<string>, options: { readonly closeAfterFirstChunk?: boolean } = {}) =>
  new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, "demo", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "" }
    })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c
      // as `| head -1` does: the reader goes away while the demo still writes
      if (options.closeAfterFirstChunk === true) child.stdout.destroy()
    })
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the demo did not end within 20 s; stdout=${out} stderr=${err}`))
    }, 20_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, out, err, ms: performance.now() - started })
    })
  })

/** The lines of the numbered step `n` (up to the next blank line). */
const stepOf = (out: string, n: number | string): string => {
  const start = out.indexOf(`\n${n}. `)
  expect(start, `step ${n} is printed`).toBeGreaterThan(-1)
  const end = out.indexOf("\n\n", start + 1)
  return out.slice(start, end === -1 ? undefined : end)
}

describe("bing-gateway demo", () => {
  it("tells the whole story, every refusal with Bing's status, exits 0 in seconds, and prints no key", async () => {
    const r = await runDemo([])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.ms).toBeLessThan(10_000)
    const out = r.out

    // S15 serves, then the same searches are served by S16, then S15 again the next day
    const s15 = stepOf(out, 1)
    expect(s15.match(/-> {2}200 SearchResponse/g)).toHaveLength(4)
    expect(s15.match(/upstream tier S15/g)).toHaveLength(4)
    const s16 = stepOf(out, 2)
    expect(s16.match(/-> {2}200 SearchResponse/g)).toHaveLength(4)
    expect(s16.match(/upstream tier S16/g)).toHaveLength(4)
    expect(s16).toContain("Switched from S15 to S16: S15 is exhausted")
    expect(s16).toContain("bing_gateway_quota_switches_total{from=\"S15\",to=\"S16\",reason=\"exhausted\"} 1")
    expect(s16).toContain("the emulator served S15 4, S16 4")
    const out403 = stepOf(out, 3)
    expect(out403).toMatch(/-> {2}403 ErrorResponse RateLimitExceeded: .*; Retry-After: \d+/)
    expect(out403).toContain("nothing sent upstream")
    const next = stepOf(out, 4)
    expect(next).toMatch(/emulator \S+ \S+ UTC -> \d{4}-\d\d-\d\d 00:00:0\d UTC/)
    expect(next.match(/upstream tier S15/g)).toHaveLength(2)
    expect(next).toContain("Switched from S16 to S15: S15's quota has reset (reason reset)")
    // the order of the story
    expect(out.indexOf("upstream tier S15")).toBeLessThan(out.indexOf("upstream tier S16"))
    expect(out.lastIndexOf("upstream tier S16")).toBeLessThan(out.indexOf("reason reset"))

    // the gateway's own refusals
    expect(stepOf(out, 5)).toMatch(/-> {2}400 ErrorResponse InvalidRequest\/ParameterInvalidValue/)
    expect(stepOf(out, 5)).toMatch(/before: (.+); after: \1$/m)
    expect(stepOf(out, 6)).toMatch(/-> {2}401 ErrorResponse InvalidAuthorization/)
    expect(stepOf(out, 7)).toMatch(
      /-> {2}200 SearchResponse[^\n]*\n[^\n]*\n[^\n]*-> {2}429 ErrorResponse RateLimitExceeded: [^\n]*; Retry-After: 1\n/
    )

    // the gateway's counters agree with what the caller saw
    for (
      const sample of [
        "bing_gateway_requests_total{route=\"search\",status=\"200\",tenant=\"app\",outcome=\"served\"} 10",
        "bing_gateway_requests_total{route=\"search\",status=\"403\",tenant=\"app\",outcome=\"exhausted\"} 1",
        "bing_gateway_requests_total{route=\"search\",status=\"400\",tenant=\"app\",outcome=\"invalid\"} 1",
        "bing_gateway_requests_total{route=\"search\",status=\"401\",tenant=\"none\",outcome=\"unauthorized\"} 1",
        "bing_gateway_requests_total{route=\"search\",status=\"429\",tenant=\"limited\",outcome=\"tenant-limited\"} 1",
        "bing_gateway_quota_switches_total{from=\"S16\",to=\"S15\",reason=\"reset\"} 1"
      ]
    ) expect(out).toContain(sample)
    expect(out).toContain("none of the run's keys appears")
    // it ends by telling how to see it on the dashboard
    expect(out.slice(out.indexOf("Done in"))).toContain("`bing-gateway demo --dashboard`")

    // the random keys are never printed
    expect(`${out}\n${r.err}`).not.toMatch(/demo-(s15|s16|app|limited|admin|unknown)-/)
  }, 30_000)

  it("demo | head: stops quietly at the first write that fails, exit 0, no stack trace", async () => {
    const r = await runDemo([], { closeAfterFirstChunk: true })
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("bing-gateway demo:")
    expect(r.out).not.toContain("Summary")
  }, 30_000)

  it("--dashboard: after the story the page's address (admin token in the fragment), up until Ctrl-C", async () => {
    const child = spawn(process.execPath, [bin, "demo", "--dashboard"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "" }
    })
    let out = ""
    let err = ""
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const killer = setTimeout(() => child.kill("SIGKILL"), 40_000)
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no dashboard address within 20 s; stdout=${out}`)), 20_000)
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
          out += c
          const found = /open {5}(http:\/\/127\.0\.0\.1:\d+\/_gateway\/#token=(\S+))\n/.exec(out)
          if (found !== null) {
            clearTimeout(timer)
            resolve(found[1]!)
          }
        })
      })
      const [page, token] = [url.slice(0, url.indexOf("#")), decodeURIComponent(url.slice(url.indexOf("=") + 1))]
      const html = await fetch(page, { signal: AbortSignal.timeout(5_000) })
      expect(html.status).toBe(200)
      expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8")
      const status = await fetch(page.replace(/\/$/, "/status"), {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000)
      })
      expect(status.status).toBe(200)
      expect(((await status.json()) as { activeTier: string }).activeTier).toBe("S15")
      // the story ran first, and only the admin token is printed: no tier or client key
      expect(out).toContain("none of the run's keys appears")
      expect(token).toMatch(/^demo-admin-/)
      expect(`${out}\n${err}`).not.toMatch(/demo-(s15|s16|app|limited|unknown)-/)
      child.kill("SIGINT")
      expect(await exited).toBe(0)
      expect(out).toContain("bing-gateway demo: stopped")
      expect(err).toBe("")
    } finally {
      clearTimeout(killer)
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  }, 45_000)

  it("takes no other option: a stray argument is a usage error", async () => {
    const r = await runDemo(["--port", "1"])
    expect(r.code).toBe(2)
    expect(r.err).toContain("Usage: bing-gateway demo")
    expect(r.out).toBe("")
  }, 30_000)
})
