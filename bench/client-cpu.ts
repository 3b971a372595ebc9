/**
 * The client's own CPU per call, without a socket: the Effect API's `webSearch` over an `HttpClient`
 * that carries the direct dispatch capability of `BingHttp` (see packages/client/src/internal/direct.ts)
 * but answers every request itself, on the next turn of the event loop, with a recorded emulator
 * answer (status, headers and body bytes as undici hands them over). What is left is the client:
 * parameter check, query, headers, the dispatch call, the handler, decoding and the Effect around
 * it. Optionally side by side with another build of the client (`BENCH_BASE`, as in client-ab.ts),
 * interleaved in rounds; the minimum of the rounds is reported.
 *
 *   pnpm turbo run build --filter=@bing-effect/client... && node bench/client-cpu.ts
 *   BENCH_BASE=/tmp/base node bench/client-cpu.ts
 * Env: BENCH_N (calls per round, default 5000), BENCH_ROUNDS (default 9), BENCH_PROFILE=1 (one
 * candidate, BENCH_ONLY, BENCH_N calls of BENCH_SHAPE 0 or 1: see below).
 */
import { BingClient } from "@bing-effect/client"
import { Emulator } from "@bing-effect/emulator"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { HttpClient } from "effect/http"
import { pathToFileURL } from "node:url"

const N = Number(process.env.BENCH_N ?? 5_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const KEY = "bench-secret-key"

// ---- recorded answers: the emulator's, for the two shapes of client-http.ts ----
interface Recorded {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: Buffer
}
const emulator = await Emulator.start({ keys: [{ name: "bench", key: KEY }], requestLogSize: 1 })
const record = async (query: string): Promise<Recorded> => {
  const res = await fetch(`${emulator.url}/v7.0/search?q=effect%20typescript${query}`, {
    headers: { "ocp-apim-subscription-key": KEY }
  })
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => (headers[name] = value))
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) }
}
const shapes = [
  {
    name: "~2 KB",
    params: { count: 3, responseFilter: ["Webpages"] } as const,
    answer: await record("&count=3&responseFilter=Webpages")
  },
  { name: "~16 KB", params: {}, answer: await record("") }
]
await emulator.stop()
let shape = shapes[0]!

// ---- an HttpClient with the direct capability, answering by itself ----
interface Handler {
  onRequestStart(controller: unknown, context: unknown): void
  onResponseStart(controller: unknown, status: number, headers: Record<string, string>): void
  onResponseData(controller: unknown, chunk: Uint8Array): void
  onResponseEnd(controller: unknown, trailers: unknown): void
}
const controller = { abort: () => {} }
const stubHttp = (): HttpClient.HttpClient => {
  const http = HttpClient.make(() => Effect.die("the stub answers the direct path only"))
  Object.defineProperty(http, Symbol.for("@bing-effect/client/DirectDispatch"), {
    value: (_request: unknown, handler: Handler) => {
      handler.onRequestStart(controller, {})
      setImmediate(() => {
        const { status, headers, body } = shape.answer
        // a fresh object and a fresh chunk per response, as undici gives them
        handler.onResponseStart(controller, status, { ...headers })
        handler.onResponseData(controller, Buffer.from(body))
        handler.onResponseEnd(controller, {})
      })
    }
  })
  return http
}

type ClientModule = typeof import("@bing-effect/client")
interface Candidate {
  readonly name: string
  readonly loop: (n: number) => Promise<void>
  readonly dispose: () => Promise<void>
}
const candidate = (name: string, client: ClientModule): Candidate => {
  const runtime = ManagedRuntime.make(
    (client.BingClient.layer({ key: Redacted.make(KEY), endpoint: "http://127.0.0.1:9", allowInsecureLoopback: true })
      .pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, stubHttp())))) as Layer.Layer<
        BingClient.BingClient,
        unknown
      >
  )
  return {
    name,
    loop: (n) =>
      runtime.runPromise(Effect.gen(function*() {
        const bing = yield* BingClient.BingClient
        for (let i = 0; i < n; i++) yield* bing.webSearch({ q: `effect typescript ${i & 15}`, ...shape.params })
      })),
    dispose: () => runtime.dispose()
  }
}
// The empty loop: the same `setImmediate` per call and nothing else.
const idle: Candidate = {
  name: "setImmediate alone",
  loop: async (n) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
  },
  dispose: async () => {}
}

const current = candidate("client (this workspace)", { BingClient } as ClientModule)
const candidates: Array<Candidate> = [idle, current]
if (process.env.BENCH_BASE !== undefined) {
  const url = pathToFileURL(`${process.env.BENCH_BASE}/node_modules/@bing-effect/client/dist/index.js`).href
  candidates.push(candidate("client (base)", (await import(url)) as ClientModule))
}
if (process.env.BENCH_PROFILE === "1") {
  // One candidate (BENCH_ONLY: 0 the empty loop, 1 this workspace, 2 the base), 1,000 calls of
  // warm-up and BENCH_N calls: for `node --cpu-prof`, or an instruction count under
  // `valgrind --tool=cachegrind` (taken at two values of BENCH_N, the difference is per call and
  // does not depend on other jobs on the machine).
  shape = shapes[Number(process.env.BENCH_SHAPE ?? 0)]!
  const only = candidates[Number(process.env.BENCH_ONLY ?? 1)]!
  await only.loop(1_000)
  await only.loop(N)
  process.exit(0)
}

for (const s of shapes) {
  shape = s
  for (const c of candidates) await c.loop(1_000)
  const best = new Map(candidates.map((c) => [c.name, Infinity]))
  const all = new Map(candidates.map((c) => [c.name, [] as Array<number>]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of round % 2 === 0 ? candidates : [...candidates].reverse()) {
      const u0 = process.cpuUsage()
      await c.loop(N)
      const u = process.cpuUsage(u0)
      const us = (u.user + u.system) / N
      best.set(c.name, Math.min(best.get(c.name)!, us))
      all.get(c.name)!.push(us)
    }
  }
  console.log(`\n${s.name} (${s.answer.body.length} bytes): CPU us per call, min of ${ROUNDS} rounds of ${N}`)
  const idleUs = best.get(idle.name)!
  for (const c of candidates) {
    const sorted = [...all.get(c.name)!].sort((a, b) => a - b)
    console.log(
      `${c.name.padEnd(26)} min ${best.get(c.name)!.toFixed(2).padStart(7)}  median ${
        sorted[Math.floor(sorted.length / 2)]!.toFixed(2).padStart(7)
      }  min minus setImmediate ${(best.get(c.name)! - idleUs).toFixed(2).padStart(7)}`
    )
  }
}
for (const c of candidates) await c.dispose()
