/**
 * A/B of the client's Effect API over `BingHttp.layer` at concurrency 1: this workspace's build
 * against another build of the client (a copy of an earlier `dist`, see below) and the floor
 * (`undici.request`, the body read as bytes), interleaved in short blocks in one process against one
 * emulator, so that drift on a shared machine lands on every candidate alike. Reports p50 and the
 * CPU time of this process per call (less sensitive to other jobs than wall time).
 *
 *   pnpm turbo run build --filter=@bing-effect/client... && node bench/client-ab.ts
 *   BENCH_BASE=/tmp/base node bench/client-ab.ts   # also the client found under /tmp/base/node_modules
 *
 * A base is made by copying `packages/client` and `packages/schema` (package.json + dist) to
 * `$BENCH_BASE/node_modules/@bing-effect/`, with symlinks there to the workspace's `effect`, `undici`,
 * `@bing-effect/error-codes` and `@bing-effect/quota-tracker` (one `effect` for both builds).
 * Env: BENCH_N1 (calls per candidate per round, default 3000), BENCH_ROUNDS (default 5), BENCH_PROFILE=1
 * (only the workspace's client, BENCH_N1 calls, for `node --cpu-prof`).
 */
import { BingClient } from "@bing-effect/client"
import { BingHttp } from "@bing-effect/client/undici"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { pathToFileURL } from "node:url"
import { request as undiciRequest } from "undici"
import { startEmulator } from "./_emulator.ts"
import { KEY, queries, type Shape, shapes } from "./_searches.ts"

const N1 = Number(process.env.BENCH_N1 ?? 3_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BLOCK = 100

const emulator = await startEmulator(KEY)

let shape: Shape = shapes[0]!

interface Candidate {
  readonly name: string
  readonly sequential: (n: number, out: Array<number>) => Promise<void>
  readonly dispose: () => Promise<void>
}

const floor: Candidate = {
  name: "floor: undici.request",
  sequential: async (n, out) => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const res = await undiciRequest(
        `${emulator.url}/v7.0/search?q=${encodeURIComponent(queries[i % queries.length]!)}${shape.query}`,
        { headers: { "ocp-apim-subscription-key": KEY, accept: "application/json" } }
      )
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`)
      await res.body.arrayBuffer()
      out.push(performance.now() - t0)
    }
  },
  dispose: async () => {}
}

type ClientModule = typeof import("@bing-effect/client")
type UndiciModule = typeof import("@bing-effect/client/undici")

const clientCandidate = (name: string, client: ClientModule, undici: UndiciModule): Candidate => {
  const runtime = ManagedRuntime.make(
    client.BingClient.layer({ key: Redacted.make(KEY), endpoint: emulator.url, allowInsecureLoopback: true }).pipe(
      Layer.provide(undici.BingHttp.layer)
    ) as Layer.Layer<BingClient.BingClient, unknown>
  )
  return {
    name,
    sequential: (n, out) =>
      runtime.runPromise(Effect.gen(function*() {
        const bing = yield* BingClient.BingClient
        for (let i = 0; i < n; i++) {
          const t0 = performance.now()
          yield* bing.webSearch({ q: queries[i % queries.length]!, ...shape.params })
          out.push(performance.now() - t0)
        }
      })),
    dispose: () => runtime.dispose()
  }
}

const current = clientCandidate("client (this workspace)", { BingClient } as ClientModule, { BingHttp } as UndiciModule)

if (process.env.BENCH_PROFILE === "1") {
  shape = shapes[Number(process.env.BENCH_SHAPE ?? 0)]!
  await current.sequential(N1, [])
  await current.dispose()
  emulator.stop()
  process.exit(0)
}

const candidates: Array<Candidate> = [floor, current]
const baseDir = process.env.BENCH_BASE
if (baseDir !== undefined) {
  // Same class identity as this workspace's service tag: the key is a string, so the base build's
  // `BingClient` is found in the runtime under the same key.
  const root = pathToFileURL(`${baseDir}/node_modules/@bing-effect/client/dist/`)
  const baseClient = (await import(new URL("index.js", root).href)) as ClientModule
  const baseUndici = (await import(new URL("undici.js", root).href)) as UndiciModule
  candidates.push(clientCandidate("client (base)", baseClient, baseUndici))
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

for (const s of shapes) {
  shape = s
  for (const c of candidates) await c.sequential(500, [])
  const p50 = new Map(candidates.map((c) => [c.name, [] as Array<number>]))
  const cpu = new Map(candidates.map((c) => [c.name, [] as Array<number>]))
  for (let round = 0; round < ROUNDS; round++) {
    const lat = new Map(candidates.map((c) => [c.name, [] as Array<number>]))
    const used = new Map(candidates.map((c) => [c.name, 0]))
    for (let block = 0; block * BLOCK < N1; block++) {
      for (const c of block % 2 === 0 ? candidates : [...candidates].reverse()) {
        const u0 = process.cpuUsage()
        await c.sequential(BLOCK, lat.get(c.name)!)
        const u = process.cpuUsage(u0)
        used.set(c.name, used.get(c.name)! + u.user + u.system)
      }
    }
    for (const c of candidates) {
      p50.get(c.name)!.push(median(lat.get(c.name)!))
      cpu.get(c.name)!.push(used.get(c.name)! / lat.get(c.name)!.length)
    }
  }
  const floorP50 = median(p50.get(floor.name)!)
  const floorCpu = median(cpu.get(floor.name)!)
  console.log(`\n${s.name}: ${ROUNDS} rounds x ${N1} calls per candidate (medians of rounds)`)
  console.log(
    `${"candidate".padEnd(26)} ${"p50 ms".padStart(8)} ${"x floor".padStart(8)} ${"CPU us".padStart(8)} ${
      "x floor".padStart(8)
    }  per-round p50 x floor`
  )
  for (const c of candidates) {
    const p = median(p50.get(c.name)!)
    const u = median(cpu.get(c.name)!)
    const rounds = p50.get(c.name)!.map((x, i) => (x / p50.get(floor.name)![i]!).toFixed(2)).join(" ")
    console.log(
      `${c.name.padEnd(26)} ${p.toFixed(4).padStart(8)} ${(p / floorP50).toFixed(2).padStart(8)} ${
        u.toFixed(1).padStart(8)
      } ${(u / floorCpu).toFixed(2).padStart(8)}  ${rounds}`
    )
  }
}

for (const c of candidates) await c.dispose()
emulator.stop()
