/**
 * Cost of @bing-effect/gateway per request (issue 13), side by side in one run on loopback with the
 * emulator as upstream:
 *
 * - (a) direct: the caller talks to the emulator itself;
 * - (b) a bare forwarding proxy: `node:http` server + `undici.request` to the same emulator, no
 *   checks at all (method, path, query and headers go through, status, headers and bytes come back);
 * - (c) the gateway (`bing-gateway`, memory store): authentication, validation, quota, the client.
 *
 * Figures: p50/p99 latency at concurrency 1 and the latency ADDED against (a); requests per second at
 * c=32 and the ratio (c) / (b). Targets: p50 added <= 0.25 ms, p99 added <= 1 ms, c=32 >= 0.8x the
 * bare proxy. Then, with a Redis store, the quota store round trips per forwarded request, counted on
 * the server with MONITOR (as bench/quota-tracker-redis.ts does): commands carrying this run's key
 * prefix, each `EVALSHA` named by the script it runs (the script's SHA-1 is computed from the
 * `SCRIPT LOAD` seen on the same monitor). Target: exactly one acquire and at most one report (two acquires
 * for a client with limits of its own: its tenant quota is counted by a tracker of its own).
 *
 * Every server runs in its own child process (the emulator as Bing would be another machine, each
 * proxy as it would be deployed), so none shares the load generator's event loop. Candidates run
 * interleaved in short alternating blocks over several rounds; medians of the rounds are reported.
 *
 * Besides the wall figures, the CPU time of each server process per request (all its threads, from
 * /proc/<pid>/task/<tid>/schedstat, in the blocks of that candidate only): less sensitive than wall
 * time to the other jobs of a shared machine, it shows what a proxy costs itself. For (a) it is the
 * emulator's; for (b) and (c) the proxy's alone (the emulator's share is the same for all three).
 *
 * Run after building:
 *   pnpm turbo run build --filter=@bing-effect/gateway... && node bench/gateway-http.ts [--check]
 * Env: BENCH_N1 (sequential requests per round, default 2000), BENCH_N32 (requests per round at
 * c=32, default 8000), BENCH_ROUNDS (default 3), BENCH_TRIPS (requests counted on Redis, default
 * 300), REDIS_URL (default redis://127.0.0.1:6379; the round-trip count is skipped, and says so,
 * when it does not answer), BENCH_GATEWAY_BEFORE (the `dist/bin.js` of another build of the
 * gateway, e.g. a copy of the tree before a change: run as a fourth candidate, interleaved with the
 * others, for an A/B in one run), BENCH_CPU_PROF (a directory: the gateways run with `--cpu-prof`
 * and write their profiles there when they stop). `--check` exits 1 when a target is missed.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Agent, request as undiciRequest } from "undici"

const N1 = Number(process.env.BENCH_N1 ?? 2_000)
const N32 = Number(process.env.BENCH_N32 ?? 8_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TRIPS = Number(process.env.BENCH_TRIPS ?? 300)
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const GATEWAY_BEFORE = process.env.BENCH_GATEWAY_BEFORE
const CPU_PROF = process.env.BENCH_CPU_PROF
const BLOCK1 = 100
const BLOCK32 = 2_000
const WARMUP = 300
const BIG = 1e12
const TIER_KEY = "bench-gateway-tier-key"
const CLIENT_KEY = "bench-gateway-client-key"
const LIMITED_KEY = "bench-gateway-limited-client-key"
const runId = `gwbench${process.pid}x${Date.now()}`
const loadBefore = loadavg()[0]!
const here = fileURLToPath(new URL(".", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "bench-gateway-"))
// the ~2 KB answer of the perf anchors (top 3 web pages)
const queries = Array.from(
  { length: 16 },
  (_, i) => `/v7.0/search?q=effect%20typescript%20${i}&count=3&responseFilter=Webpages`
)

// ---- child processes ----
interface Server {
  readonly url: string
  readonly pid: number
  readonly lines: Array<string>
  readonly stop: () => Promise<void>
}

/** Runs `node args...`, resolves once a stdout line matches `ready` (its first group is the URL). */
const startChild = async (
  name: string,
  args: ReadonlyArray<string>,
  ready: RegExp,
  env: Record<string, string> = {}
): Promise<Server> => {
  const child = spawn(process.execPath, args, {
    cwd: here,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...env }
  })
  const lines: Array<string> = []
  let err = ""
  child.stderr.on("data", (chunk: Buffer) => (err = (err + String(chunk)).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s: ${err}`)), 30_000)
    let buffer = ""
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += String(chunk)
      const parts = buffer.split("\n")
      buffer = parts.pop()!
      for (const line of parts) {
        if (lines.length < 10_000) lines.push(line)
        const m = ready.exec(line)
        if (m !== null) {
          clearTimeout(timer)
          resolve(m[1]!)
        }
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}: ${err}`))
    })
  })
  return {
    url,
    pid: child.pid!,
    lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    }
  }
}

const emulator = await startChild("emulator", [
  "--input-type=module",
  "-e",
  `import { Emulator } from "@bing-effect/emulator"
   const e = await Emulator.start({ keys: [{ name: "S15", key: ${
    JSON.stringify(TIER_KEY)
  } }], requestLogSize: 1, adminToken: "bench-admin" })
   console.log("EMULATOR " + e.url)
   process.on("SIGTERM", () => e.stop().then(() => process.exit(0)))`
], /^EMULATOR (\S+)/)

// (b): everything through, nothing checked; hop-by-hop headers are the only ones left out
const bareProxy = await startChild("bare proxy", [
  "--input-type=module",
  "-e",
  `import { createServer } from "node:http"
   import { pipeline } from "node:stream"
   import { request } from "undici"
   const upstream = ${JSON.stringify(emulator.url)}
   const hop = new Set(["connection", "keep-alive", "transfer-encoding", "host", "upgrade", "proxy-connection"])
   const server = createServer(async (req, res) => {
     const headers = {}
     for (const [k, v] of Object.entries(req.headers)) if (!hop.has(k)) headers[k] = v
     try {
       const up = await request(upstream + req.url, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : req })
       const out = {}
       for (const [k, v] of Object.entries(up.headers)) if (!hop.has(k)) out[k] = v
       res.writeHead(up.statusCode, out)
       pipeline(up.body, res, () => {})
     } catch {
       res.writeHead(502).end()
     }
   })
   server.keepAliveTimeout = 60_000
   server.listen(0, "127.0.0.1", () => console.log("PROXY http://127.0.0.1:" + server.address().port))
   process.on("SIGTERM", () => server.close(() => process.exit(0)))`
], /^PROXY (\S+)/)

// (c): the gateway's own command, as an operator starts it
const gatewayPackage = dirname(fileURLToPath(import.meta.resolve("@bing-effect/gateway/package.json")))
const gatewayBinField = (JSON.parse(readFileSync(join(gatewayPackage, "package.json"), "utf8")) as {
  bin?: Record<string, string>
}).bin?.["bing-gateway"]
const gatewayBin = gatewayBinField === undefined ? undefined : join(gatewayPackage, gatewayBinField)
if (gatewayBin === undefined || !existsSync(gatewayBin)) {
  console.log(`no built bing-gateway command (${gatewayBin ?? "no bin in package.json"}): only (a) and (b) run`)
}
const startGateway = async (
  label: string,
  store: string,
  storePrefix?: string,
  bin: string = gatewayBin!
): Promise<Server> => {
  const config = join(dir, `${label}.json`)
  writeFileSync(
    config,
    JSON.stringify({
      upstream: { endpoint: emulator.url, allowInsecureLoopback: true },
      // not a catalogue name (S15's published 250/s would cap the c=32 case): explicit, unreachable limits
      tiers: [{ name: "bench", keyEnv: "BENCH_TIER_KEY", limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } }],
      // "limited": a client with limits of its own (a tenant quota, unreachable here), for the round trips
      clients: [
        { name: "bench", keyEnv: "BENCH_CLIENT_KEY" },
        { name: "limited", keyEnv: "BENCH_LIMITED_KEY", limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } }
      ],
      store,
      ...(storePrefix === undefined ? {} : { storePrefix })
    })
  )
  return startChild(
    `gateway (${label})`,
    [
      ...(CPU_PROF === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", CPU_PROF]),
      bin,
      "--config",
      config,
      "--port",
      "0"
    ],
    /(http:\/\/127\.0\.0\.1:\d+)/,
    {
      BENCH_TIER_KEY: TIER_KEY,
      BENCH_CLIENT_KEY: CLIENT_KEY,
      BENCH_LIMITED_KEY: LIMITED_KEY
    }
  )
}
const hasGateway = gatewayBin !== undefined && existsSync(gatewayBin)
const gateway = hasGateway ? await startGateway("memory", "memory") : undefined
if (GATEWAY_BEFORE !== undefined && !existsSync(GATEWAY_BEFORE)) throw new Error(`no ${GATEWAY_BEFORE}`)
const gatewayBefore = hasGateway && GATEWAY_BEFORE !== undefined
  ? await startGateway("before", "memory", undefined, GATEWAY_BEFORE)
  : undefined

/** CPU time (ns) of a process so far, all its threads (the scheduler's own count, not clock ticks). */
const cpuNs = (pid: number): number => {
  let total = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0])
    } catch {
      // a thread that ended meanwhile
    }
  }
  return total
}
const hasSchedstat = existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`)

// ---- candidates ----
interface Candidate {
  readonly name: string
  readonly url: string
  readonly key: string
  readonly agent: Agent
  /** The process whose CPU time is this candidate's. */
  readonly pid: number
}
const candidate = (name: string, server: Server, key: string): Candidate => ({
  name,
  url: server.url,
  key,
  agent: new Agent({ connections: 32, keepAliveTimeout: 60_000, pipelining: 1 }),
  pid: server.pid
})
const direct = candidate("(a) direct to the emulator", emulator, TIER_KEY)
const proxy = candidate("(b) bare proxy (node:http + undici)", bareProxy, TIER_KEY)
const viaGateway = gateway === undefined
  ? undefined
  : candidate("(c) bing-gateway, memory store", gateway, CLIENT_KEY)
const viaBefore = gatewayBefore === undefined
  ? undefined
  : candidate("(c0) bing-gateway, BENCH_GATEWAY_BEFORE", gatewayBefore, CLIENT_KEY)
const candidates = [
  direct,
  proxy,
  ...(viaGateway === undefined ? [] : [viaGateway]),
  ...(viaBefore === undefined ? [] : [viaBefore])
]

const one = async (c: Candidate, i: number) => {
  const res = await undiciRequest(c.url + queries[i % queries.length]!, {
    dispatcher: c.agent,
    headers: { "ocp-apim-subscription-key": c.key, accept: "application/json" }
  })
  const body = await res.body.arrayBuffer()
  if (res.statusCode !== 200) throw new Error(`${c.name}: status ${res.statusCode} ${Buffer.from(body).toString()}`)
}
const sequential = async (c: Candidate, n: number) => {
  const out: Array<number> = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await one(c, i)
    out.push(performance.now() - t0)
  }
  return out
}
const concurrent = async (c: Candidate, n: number) => {
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) await one(c, next++)
  }))
  return performance.now() - t0
}

// ---- rounds ----
const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

for (const c of candidates) {
  await sequential(c, WARMUP)
  await concurrent(c, WARMUP * 4)
}
const results = new Map(
  candidates.map((
    c
  ) => [c.name, {
    p50: [] as Array<number>,
    p99: [] as Array<number>,
    rps: [] as Array<number>,
    cpu1: [] as Array<number>,
    cpu32: [] as Array<number>
  }])
)
for (let round = 0; round < ROUNDS; round++) {
  // short blocks, candidates alternating forwards and backwards: on a shared 2-core machine the
  // drift of other jobs lands on every candidate alike (see client-http.ts)
  const latencies = new Map(candidates.map((c) => [c.name, [] as Array<number>]))
  const wall = new Map(candidates.map((c) => [c.name, 0]))
  const cpu1 = new Map(candidates.map((c) => [c.name, 0]))
  const cpu32 = new Map(candidates.map((c) => [c.name, 0]))
  const order = (block: number) => (block % 2 === 0 ? candidates : [...candidates].reverse())
  for (let block = 0; block * BLOCK1 < N1; block++) {
    for (const c of order(block)) {
      const before = hasSchedstat ? cpuNs(c.pid) : 0
      latencies.get(c.name)!.push(...(await sequential(c, Math.min(BLOCK1, N1 - block * BLOCK1))))
      if (hasSchedstat) cpu1.set(c.name, cpu1.get(c.name)! + cpuNs(c.pid) - before)
    }
  }
  for (let block = 0; block * BLOCK32 < N32; block++) {
    for (const c of order(block)) {
      const before = hasSchedstat ? cpuNs(c.pid) : 0
      wall.set(c.name, wall.get(c.name)! + (await concurrent(c, Math.min(BLOCK32, N32 - block * BLOCK32))))
      if (hasSchedstat) cpu32.set(c.name, cpu32.get(c.name)! + cpuNs(c.pid) - before)
    }
  }
  for (const c of candidates) {
    const r = results.get(c.name)!
    const lat = latencies.get(c.name)!.sort((a, b) => a - b)
    r.p50.push(percentile(lat, 0.5))
    r.p99.push(percentile(lat, 0.99))
    r.rps.push((N32 / wall.get(c.name)!) * 1000)
    r.cpu1.push(cpu1.get(c.name)! / N1 / 1000)
    r.cpu32.push(cpu32.get(c.name)! / N32 / 1000)
  }
}
for (const c of candidates) await c.agent.close()
await gateway?.stop()
await gatewayBefore?.stop()

// ---- quota store round trips per forwarded request (Redis) ----
/** Redis' MONITOR quoting (sdscatrepr) undone: the script text as the store sent it. */
const unquote = (s: string) =>
  s.replace(
    /\\(x[0-9a-f]{2}|.)/g,
    (_m, e: string) =>
      e.length === 3
        ? String.fromCharCode(parseInt(e.slice(1), 16))
        : ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b" } as Record<string, string>)[e] ?? e
  )
const scriptKind = (lua: string) =>
  lua.includes("local nexts = {}")
    ? "acquire"
    : lua.includes("store(i, kind, nx")
    ? "report (add)"
    : lua.includes("store(1, kind, amount")
    ? "report (set)"
    : "other script"

interface Trips {
  readonly phase: string
  readonly requests: number
  readonly byKind: Record<string, number>
  /** Acquires expected per request: one (the tier chain), two for a client with limits of its own. */
  readonly acquires: number
}
/** The emulator's admin API: inject a fault rule (the bench's emulator has a known admin token). */
const injectFault = async (rule: unknown) => {
  const res = await fetch(`${emulator.url}/_emulator/faults`, {
    method: "POST",
    headers: { authorization: "Bearer bench-admin", "content-type": "application/json" },
    body: JSON.stringify(rule)
  })
  if (res.status !== 201) throw new Error(`fault rule refused: ${res.status} ${await res.text()}`)
}
const countTrips = async (): Promise<ReadonlyArray<Trips> | string> => {
  const { hostname, port } = new URL(REDIS_URL)
  const socket = connect(Number(port || 6379), hostname || "127.0.0.1")
  const ok = await new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true))
    socket.once("error", () => resolve(false))
  })
  if (!ok) return `no Redis at ${REDIS_URL}`
  const shas = new Map<string, string>()
  let commands: Array<{ name: string; sha: string }> = []
  let buffer = ""
  socket.on("data", (chunk) => {
    buffer += String(chunk)
    const lines = buffer.split("\r\n")
    buffer = lines.pop()!
    for (const line of lines) {
      if (line.includes(" lua]")) continue // commands a script runs inside Redis
      const load = /"SCRIPT" "LOAD" "((?:[^"\\]|\\.)*)"/i.exec(line)
      if (load !== null) {
        const lua = unquote(load[1]!)
        shas.set(createHash("sha1").update(lua).digest("hex"), scriptKind(lua))
      }
      if (!line.includes(runId)) continue
      const m = /\] "(\w+)"(?: "([0-9a-f]{40})")?/i.exec(line)
      if (m !== null) commands.push({ name: m[1]!.toUpperCase(), sha: m[2] ?? "" })
    }
  })
  socket.write("MONITOR\r\n")
  await new Promise((resolve) => setTimeout(resolve, 100))
  // started after the monitor, so that its SCRIPT LOADs are seen
  const gw = await startGateway("redis", REDIS_URL, `${runId}:`)
  const c = candidate("gateway, redis store", gw, CLIENT_KEY)
  const out: Array<Trips> = []
  const phase = async (name: string, expected: number, key = c.key, acquires = 1) => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    commands = []
    for (let i = 0; i < TRIPS; i++) {
      const res = await undiciRequest(c.url + queries[i % queries.length]!, {
        dispatcher: c.agent,
        headers: { "ocp-apim-subscription-key": key }
      })
      await res.body.arrayBuffer()
      if (res.statusCode !== expected) throw new Error(`${name}: the gateway answered ${res.statusCode}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const byKind: Record<string, number> = {}
    for (const { name: command, sha } of commands) {
      const kind = command === "EVALSHA" || command === "EVAL"
        ? shas.get(sha) ?? `${command} (unknown script)`
        : command
      byKind[kind] = (byKind[kind] ?? 0) + 1
    }
    out.push({ phase: name, requests: TRIPS, byKind, acquires })
  }
  await phase("answered 200", 200)
  // the tenant's own windows are another tracker's (its own keys, on any store, a cluster's other
  // slots included): one acquire more, and a 200 settles both without a store call
  await phase("answered 200, a client with limits of its own", 200, LIMITED_KEY, 2)
  // a failure the upstream answers (not retryable): the acquire is settled by a report
  await injectFault({
    match: { path: "/v7.0/search", count: TRIPS },
    fault: { kind: "error", status: 400, code: "InvalidRequest", subCode: "ParameterInvalidValue" }
  })
  await phase("upstream answered 400", 400)
  socket.destroy()
  await c.agent.close()
  await gw.stop()
  return out
}
const trips = !hasGateway ? "no gateway" : TRIPS === 0 ? "BENCH_TRIPS=0" : await countTrips()

await bareProxy.stop()
await emulator.stop()
rmSync(dir, { recursive: true, force: true })

// ---- report ----
const row = (c: Candidate) => {
  const r = results.get(c.name)!
  return { p50: median(r.p50), p99: median(r.p99), rps: median(r.rps), cpu1: median(r.cpu1), cpu32: median(r.cpu32) }
}
const base = row(direct)
const bare = row(proxy)
const num = (x: number, d = 3) => x.toFixed(d).padStart(8)
console.log(
  `\ngateway-http: ${N1} sequential + ${N32} at c=32 per round, ${ROUNDS} rounds (medians), ~2 KB answers, Node ${process.version}, load average ${
    loadBefore.toFixed(1)
  } before / ${loadavg()[0]!.toFixed(1)} after on ${availableParallelism()} cores`
)
console.log(
  `${"candidate".padEnd(40)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"p50 +ms".padStart(8)} ${
    "p99 +ms".padStart(8)
  } ${"req/s c32".padStart(10)} ${"x bare".padStart(7)} ${"CPU µs/req c1".padStart(14)} ${"c32".padStart(6)}`
)
for (const c of candidates) {
  const r = row(c)
  console.log(
    `${c.name.padEnd(40)} ${num(r.p50)} ${num(r.p99)} ${num(r.p50 - base.p50)} ${num(r.p99 - base.p99)} ${
      r.rps.toFixed(0).padStart(10)
    } ${(r.rps / bare.rps).toFixed(2).padStart(7)} ${
      hasSchedstat ? r.cpu1.toFixed(1).padStart(14) : "n/a".padStart(14)
    } ${hasSchedstat ? r.cpu32.toFixed(1).padStart(6) : "n/a".padStart(6)}`
  )
}
const checks: Array<[string, boolean]> = []
if (viaGateway === undefined) checks.push(["the gateway was measured", false])
else {
  const gw = row(viaGateway)
  checks.push(
    [`p50 added by the gateway ${(gw.p50 - base.p50).toFixed(3)} ms <= 0.25 ms`, gw.p50 - base.p50 <= 0.25],
    [
      `p99 added by the gateway ${(gw.p99 - base.p99).toFixed(3)} ms <= 1 ms (the bare proxy's: ${
        (bare.p99 - base.p99).toFixed(3)
      } ms)`,
      gw.p99 - base.p99 <= 1
    ],
    [`c=32 gateway / bare proxy ${(gw.rps / bare.rps).toFixed(2)}x >= 0.8x`, gw.rps / bare.rps >= 0.8]
  )
}
if (typeof trips === "string") {
  console.log(`\nquota store round trips: SKIPPED (${trips})`)
  checks.push(["quota store round trips counted", false])
} else {
  for (const t of trips) {
    const per = (kind: string) => (t.byKind[kind] ?? 0) / t.requests
    const reports = Object.keys(t.byKind).filter((k) => k.startsWith("report")).reduce((n, k) => n + per(k), 0)
    const total = Object.values(t.byKind).reduce((n, v) => n + v, 0) / t.requests
    console.log(
      `\nquota store round trips, Redis store, ${t.requests} forwarded requests ${t.phase}, counted by MONITOR:`
    )
    for (const [kind, n] of Object.entries(t.byKind)) {
      console.log(`  ${kind.padEnd(28)} ${(n / t.requests).toFixed(2)} per request`)
    }
    console.log(`  ${"all commands".padEnd(28)} ${total.toFixed(2)} per request`)
    checks.push(
      [
        `${t.phase}: acquires per forwarded request ${per("acquire").toFixed(2)} = ${t.acquires}`,
        per("acquire") === t.acquires
      ],
      [`${t.phase}: reports per forwarded request ${reports.toFixed(2)} <= 1`, reports <= 1],
      [
        `${t.phase}: nothing else sent to the store (${(total - per("acquire") - reports).toFixed(2)} per request)`,
        Math.abs(total - per("acquire") - reports) < 1e-9
      ]
    )
  }
}
console.log("")
for (const [what, ok] of checks) console.log(`  ${ok ? "meets" : "MISSES"}: ${what}`)
if (process.argv.includes("--check") && checks.some(([, ok]) => !ok)) process.exit(1)
