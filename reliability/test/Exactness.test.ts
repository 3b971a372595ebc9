/**
 * Exactness under load across processes: 4 worker processes fire 250 concurrent calls each through
 * the client, with one Redis-backed quota tracker per process, at one emulator key whose daily
 * limit is 500. Exactly 500 calls succeed, the others fail with QuotaError/AllTiersExhausted before
 * anything is sent, and the emulator confirms it served exactly 500 (and refused none).
 */
import { Emulator } from "@bing-effect/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Child,
  fixture,
  killChildren,
  printFigures,
  redisKeys,
  redisUrl,
  runId,
  secret,
  skipRedis,
  spawnNode
} from "./support.js"

const PROCESSES = 4
const PER_PROCESS = 250
const LIMIT = 500

describe.skipIf(skipRedis)("exactness under load across processes (Redis store)", () => {
  let emulator: Emulator.EmulatorHandle
  const keyA = secret("exact-a")
  const keyB = secret("exact-b")
  const prefixes: Array<string> = []

  beforeAll(async () => {
    emulator = await Emulator.start({
      keys: [
        { name: "A", key: keyA, limits: { perDay: LIMIT } },
        { name: "B", key: keyB, limits: { perDay: 300 } }
      ],
      requestLogSize: 10_000
    })
  })
  afterAll(async () => {
    killChildren()
    await emulator.stop()
    for (const prefix of prefixes) await redisKeys(redisUrl, `${prefix}*`, true)
  })

  const burst = async (tiers: ReadonlyArray<{ name: string; limits: { perDay: number } }>) => {
    emulator.reset()
    const prefix = `bing-effect-reliability:${runId}:exact-${tiers.length}:`
    prefixes.push(prefix)
    const workers: Array<Child> = []
    for (let p = 0; p < PROCESSES; p++) {
      workers.push(spawnNode(fixture("client-worker.ts"), [], {
        RELIABILITY_WORKER: JSON.stringify({
          mode: "burst",
          endpoint: emulator.url,
          store: { kind: "redis", url: redisUrl, prefix },
          tiers,
          total: PER_PROCESS,
          concurrency: PER_PROCESS
        }),
        RELIABILITY_KEYS: JSON.stringify({ A: keyA, B: keyB })
      }))
    }
    await Promise.all(workers.map((w) => w.waitFor(/^READY$/m)))
    const started = performance.now()
    for (const w of workers) w.process.stdin!.write("GO\n")
    const results = await Promise.all(
      workers.map(async (w) =>
        JSON.parse((await w.waitFor(/^RESULT (.*)$/m, 60_000))[1]!) as {
          tally: Record<string, number>
          tiersServed: Record<string, number>
        }
      )
    )
    const ms = performance.now() - started
    await Promise.all(workers.map((w) => w.exited))
    const tally: Record<string, number> = {}
    const byTier: Record<string, number> = {}
    for (const r of results) {
      for (const [k, v] of Object.entries(r.tally)) tally[k] = (tally[k] ?? 0) + v
      for (const [k, v] of Object.entries(r.tiersServed)) byTier[k] = (byTier[k] ?? 0) + v
    }
    const stored = await redisKeys(redisUrl, `${prefix}*`)
    const outputs = workers.map((w) => w.out + w.err).join("\n")
    return { tally, byTier, ms, stored, outputs }
  }

  it("admits exactly the daily limit of one tier: 500 of 1,000", async () => {
    const { byTier, ms, outputs, stored, tally } = await burst([{ name: "A", limits: { perDay: LIMIT } }])
    const served = emulator.usage("A")
    const dayKeys = Object.entries(stored).filter(([k]) => k.includes(":day:") && !k.includes(":fired:")) // not the threshold marks
    printFigures("exactness: 4 processes x 250 concurrent, one tier of 500/day, Redis store", {
      calls: PROCESSES * PER_PROCESS,
      admitted: tally["ok"] ?? 0,
      "refused (AllTiersExhausted)": tally["QuotaError/AllTiersExhausted"] ?? 0,
      "other outcomes": PROCESSES * PER_PROCESS - (tally["ok"] ?? 0) - (tally["QuotaError/AllTiersExhausted"] ?? 0),
      "emulator served": served.served,
      "emulator refused (403)": served.throttled,
      "redis day counter": dayKeys.map(([, v]) => v).join(",") || "none",
      "wall ms": Math.round(ms),
      "worker output lines scanned for keys": outputs.split("\n").length
    })
    expect(tally).toEqual({ ok: LIMIT, "QuotaError/AllTiersExhausted": PROCESSES * PER_PROCESS - LIMIT })
    expect(byTier).toEqual({ A: LIMIT })
    expect(served.served).toBe(LIMIT)
    expect(served.requests).toBe(LIMIT)
    expect(served.throttled).toBe(0)
    expect(dayKeys.map(([, v]) => Number(v))).toEqual([LIMIT])
    for (const k of [keyA, keyB]) expect(outputs).not.toContain(k)
  }, 90_000)

  it("switches tier when the first runs out: 500 on A, 300 on B, 200 refused", async () => {
    const { byTier, ms, outputs, tally } = await burst([
      { name: "A", limits: { perDay: LIMIT } },
      { name: "B", limits: { perDay: 300 } }
    ])
    const a = emulator.usage("A")
    const b = emulator.usage("B")
    printFigures("exactness: 4 processes x 250 concurrent, tiers A 500/day then B 300/day, Redis store", {
      calls: PROCESSES * PER_PROCESS,
      "admitted on A": byTier["A"] ?? 0,
      "admitted on B": byTier["B"] ?? 0,
      "refused (AllTiersExhausted)": tally["QuotaError/AllTiersExhausted"] ?? 0,
      "emulator served A": a.served,
      "emulator served B": b.served,
      "emulator refused (403)": a.throttled + b.throttled,
      "wall ms": Math.round(ms)
    })
    expect(tally).toEqual({ ok: 800, "QuotaError/AllTiersExhausted": 200 })
    expect(byTier).toEqual({ A: 500, B: 300 })
    expect([a.served, b.served, a.throttled + b.throttled]).toEqual([500, 300, 0])
    for (const k of [keyA, keyB]) expect(outputs).not.toContain(k)
  }, 90_000)
})
