/**
 * The gateway in front of an upstream that fails: nobody listening, a server that never answers,
 * one that answers garbage (not JSON, the wrong JSON, bytes that are not HTTP, an endless body),
 * and the emulator disturbing 30% of its answers with its injected faults (every kind but the legacy
 * 403 body, which says the tier's quota is out and rightly turns the rest of a run into Bing's 403;
 * two tiers, so that a 429's hold on one moves requests to the other). Each variant
 * gets its own `bing-gateway` process. Every caller gets a documented Bing answer (a success with
 * the upstream's `_type`, or an ErrorResponse that @bing-effect/schema decodes) within a bound
 * computed from the client's timeout and retry budget; the gateway never hangs a caller, never
 * crashes, and its memory stays bounded; no tier key appears in any answer or in its output.
 */
import { Emulator, type FaultRule } from "@bing-effect/emulator"
import { createServer as createNet, type Server as NetServer, type Socket } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  call,
  type Gateway,
  isAnswer,
  judge,
  type Outcome,
  scratch,
  startGateway,
  stopGateway
} from "./GatewayFixture.js"
import { httpServer, pumpZeros, type Recorded } from "./hostile-servers.js"
import { freePort, killChildren, percentile, printFigures, rssOf, secret } from "./support.js"

// the gateway's upstream budget: 3 attempts of at most TIMEOUT_MS, at most 1 s between two (backoff
// or a Retry-After), plus 7 s of slack for a loaded machine
const TIMEOUT_MS = 2_000
const HANG_BOUND_MS = 3 * TIMEOUT_MS + 2 * 1_000 + 7_000
const RSS_GROWTH_BOUND = 150 * 1024 * 1024

const tierKey = secret("gw-upstream-tier")
const tierKey2 = secret("gw-upstream-tier2")
const clientKey = secret("gw-upstream-client")
const env = { REL_GW_TIER: tierKey, REL_GW_TIER2: tierKey2, REL_GW_CLIENT: clientKey }
const files = scratch()

const gatewayFor = (endpoint: string, tiers = 1): Promise<Gateway> =>
  startGateway(
    files.write({
      upstream: { endpoint, allowInsecureLoopback: true, timeoutMs: TIMEOUT_MS },
      tiers: [
        { name: "S15", keyEnv: "REL_GW_TIER", limits: { perSecond: 100_000, perDay: 10_000_000 } },
        { name: "S16", keyEnv: "REL_GW_TIER2", limits: { perSecond: 100_000, perDay: 10_000_000 } }
      ].slice(0, tiers),
      clients: [{ name: "caller", keyEnv: "REL_GW_CLIENT" }],
      store: "memory"
    }),
    env
  )

interface Run {
  readonly outcomes: ReadonlyArray<Outcome & { readonly path: string }>
  readonly rssBefore: number | undefined
  readonly rssAfter: number | undefined
}

/** `total` requests, `concurrency` at a time, over the three typed routes. */
const drive = async (gateway: Gateway, total: number, concurrency: number): Promise<Run> => {
  const paths = ["/v7.0/search?q=upstream&count=3", "/v7.0/images/search?q=upstream", "/bing/v7.0/images/trending"]
  const rssBefore = rssOf(gateway.child.pid)
  const outcomes: Array<Outcome & { readonly path: string }> = []
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const path = paths[next++ % paths.length]!
      const o = await call(gateway.url, path, { "ocp-apim-subscription-key": clientKey }, {
        timeoutMs: HANG_BOUND_MS + 15_000
      })
      outcomes.push({ ...o, path })
    }
  }))
  return { outcomes, rssBefore, rssAfter: rssOf(gateway.child.pid) }
}

const summary = (run: Run) => {
  const statuses: Record<string, number> = {}
  for (const o of run.outcomes) {
    const label = isAnswer(o)
      ? `${o.status}${
        o.status === 200
          ? ""
          : ` ${(JSON.parse(o.body || "{}") as { errors?: Array<{ code?: string }> }).errors?.[0]?.code ?? ""}`
      }`
      : o.status === 0
      ? "socket error"
      : "no answer"
    statuses[label] = (statuses[label] ?? 0) + 1
  }
  const bad = run.outcomes.filter((o) => !isAnswer(o) || judge(o, "GET", o.path) === "bad")
  const ms = run.outcomes.map((o) => o.ms)
  return {
    statuses,
    bad: bad.slice(0, 5).map((o) => `${o.path} -> ${isAnswer(o) ? `${o.status} ${o.body.slice(0, 200)}` : o.error}`),
    badCount: bad.length,
    p50: percentile(ms, 50),
    max: Math.max(...ms),
    rssGrowth: run.rssBefore === undefined || run.rssAfter === undefined ? 0 : run.rssAfter - run.rssBefore
  }
}

const expectDocumented = (gateway: Gateway, run: Run, title: string) => {
  const s = summary(run)
  printFigures(title, {
    requests: run.outcomes.length,
    answers: Object.entries(s.statuses).map(([k, v]) => `${k}: ${v}`).join(", "),
    "undocumented or missing answers": s.badCount,
    "p50 ms": s.p50,
    "max ms": s.max,
    "gateway RSS growth MiB": s.rssGrowth / 1024 / 1024,
    "gateway still running": gateway.child.process.exitCode === null && gateway.child.process.signalCode === null
  })
  expect(s.bad).toEqual([])
  expect(s.max).toBeLessThan(HANG_BOUND_MS)
  expect(gateway.child.process.exitCode).toBeNull()
  expect(gateway.child.process.signalCode).toBeNull()
  expect(s.rssGrowth).toBeLessThan(RSS_GROWTH_BOUND)
  const haystack = `${
    run.outcomes.map((o) => (isAnswer(o) ? `${JSON.stringify(o.headers)}${o.body}` : o.error)).join("\n")
  }${gateway.child.out}${gateway.child.err}`
  expect(haystack.includes(tierKey)).toBe(false)
  expect(haystack.includes(tierKey2)).toBe(false)
  return s
}

afterAll(() => {
  killChildren()
  files.remove()
})

describe("the gateway when its upstream fails", () => {
  it("nobody listening upstream: Bing errors, no hang", async () => {
    const gateway = await gatewayFor(`http://127.0.0.1:${await freePort()}`)
    const run = await drive(gateway, 60, 20)
    const s = expectDocumented(gateway, run, "gateway: upstream down (connection refused)")
    expect(s.statuses["200"]).toBeUndefined()
    await stopGateway(gateway)
  })

  it("an upstream that accepts and never answers: Bing errors within the bound", async () => {
    const held: Array<Socket> = []
    const silent: NetServer = createNet((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    const port = (silent.address() as { port: number }).port
    const gateway = await gatewayFor(`http://127.0.0.1:${port}`)
    const run = await drive(gateway, 12, 12)
    expectDocumented(gateway, run, "gateway: upstream never answers")
    await stopGateway(gateway)
    for (const s of held) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }, 120_000)

  describe("an upstream answering garbage", () => {
    let servers: Array<Recorded> = []
    let raw: NetServer
    const rawSockets = new Set<Socket>()
    beforeAll(async () => {
      servers = await Promise.all([
        httpServer((_req, res) => {
          res.writeHead(200, { "content-type": "application/json; charset=utf-8" })
          res.end("<html>not json at all</html>")
        }),
        httpServer((_req, res) => {
          const body = JSON.stringify({ _type: "SearchResponse", webPages: "not an object", rankingResponse: 42 })
          res.writeHead(200, { "content-type": "application/json; charset=utf-8" })
          res.end(body)
        }),
        httpServer((_req, res, seen) => {
          res.writeHead(200, { "content-type": "application/json; charset=utf-8" })
          pumpZeros(res, seen, 8 * 1024 * 1024 * 1024)
        }),
        httpServer((_req, res) => {
          res.writeHead(418, { "content-type": "text/plain" })
          res.end("I'm a teapot")
        })
      ])
      raw = createNet((socket) => {
        rawSockets.add(socket)
        socket.on("close", () => rawSockets.delete(socket))
        socket.on("error", () => {})
        socket.end("\u0000\u00ffHTTP/9 garbage\r\n\r\n\u0001\u0002")
      })
      await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve))
    })
    afterAll(async () => {
      for (const s of servers) await s.close()
      for (const s of rawSockets) s.destroy()
      await new Promise((resolve) => raw.close(resolve))
    })

    const variants = [
      ["200 with an HTML body", 0],
      ["200 with JSON of the wrong shape", 1],
      ["200 with an endless body", 2],
      ["418 text/plain", 3],
      ["bytes that are not HTTP", -1]
    ] as const
    for (const [label, index] of variants) {
      it(label, async () => {
        const url = index < 0 ? `http://127.0.0.1:${(raw.address() as { port: number }).port}` : servers[index]!.url
        const gateway = await gatewayFor(url)
        const run = await drive(gateway, 15, 5)
        expectDocumented(gateway, run, `gateway: upstream answers ${label}`)
        await stopGateway(gateway)
      }, 120_000)
    }
  })

  it("the emulator's injected faults at 30%, 9 kinds: documented answers only", async () => {
    const emulator = await Emulator.start({
      keys: [{ name: "S15", key: tierKey }, { name: "S16", key: tierKey2 }],
      seed: 11,
      requestLogSize: 10_000
    })
    const kinds: ReadonlyArray<FaultRule.Fault> = [
      { kind: "error", status: 500, code: "ServerError", subCode: "UnexpectedError" },
      { kind: "empty200" },
      { kind: "delay", ms: 150 },
      { kind: "drop" },
      { kind: "truncate" },
      { kind: "legacy", shape: "statusCode401" },
      { kind: "legacy", shape: "error" },
      { kind: "html502" },
      { kind: "error", status: 429, code: "RateLimitExceeded", retryAfter: 1 }
    ]
    // rule i is tried only when the ones before it did not apply: p_i = share / rest gives each kind
    // the same share (30% / 9) of all requests
    let rest = 1
    for (const fault of kinds) {
      const share = 0.3 / kinds.length
      emulator.injectFault({ match: { probability: share / rest }, fault })
      rest -= share
    }
    const gateway = await gatewayFor(emulator.url, 2)
    const run = await drive(gateway, 600, 25)
    const s = expectDocumented(gateway, run, "gateway: the emulator's injected faults at 30% (9 kinds), two tiers")
    const faulted = emulator.requests(10_000).filter((r) => r.fault !== undefined).length
    const ok = run.outcomes.filter((o) => o.status === 200)
    console.log(`[reliability] faults applied upstream: ${faulted}; callers answered 200: ${ok.length}`)
    expect(faulted).toBeGreaterThan(60)
    // every 200 is a real answer: the empty 200 and the truncated body never reach a caller as success
    expect(ok.every((o) => isAnswer(o) && o.body.length > 0)).toBe(true)
    expect(s.statuses["200"] ?? 0).toBeGreaterThan(300)
    await stopGateway(gateway)
    await emulator.stop()
  }, 180_000)
})
