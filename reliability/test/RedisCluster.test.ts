/**
 * Exactness on a Redis Cluster (six `redis-server`s of the scenario's own on loopback, three
 * masters with a replica each, `cluster-node-timeout` 1000 ms): 4 processes x 300 concurrent
 * acquires over three tiers whose keys live on three different masters; the same during a
 * graceful failover (`CLUSTER FAILOVER` on a replica); a hard failover (SIGKILL of a master under
 * load) with the time to resume and the over-admission measured, without and with
 * `waitReplicas: { count: 1 }` (WAIT after every script). Each prints its figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keySlot, skipClusterTests, TestCluster } from "../../redisCluster.shared.js"
import { type Child, fixture, killChildren, printFigures, runId, spawnNode } from "./support.js"

const PROCESSES = 4
const PER_PROCESS = 300
const skip = skipClusterTests("the Redis Cluster scenarios")

interface Tally {
  readonly admitted: number
  readonly refused: number
  readonly failed: number
  readonly retries: number
  readonly admittedAt: ReadonlyArray<number>
  readonly failedAt: ReadonlyArray<number>
  readonly errors: ReadonlyArray<string>
  readonly refusals: Readonly<Record<string, number>>
}

describe.skipIf(skip)("exactness on a Redis Cluster, with failovers", () => {
  let cluster: TestCluster
  // three tier names whose `{tier}` hash tags live on three different masters
  const names: Array<string> = []

  beforeAll(async () => {
    cluster = await TestCluster.start({ nodeTimeout: 1000 })
    const masters = new Set<number>()
    for (let i = 0; names.length < 3 && i < 500; i++) {
      const master = await cluster.masterOfSlot(keySlot(`{C${i}}`))
      if (!masters.has(master)) {
        masters.add(master)
        names.push(`C${i}`)
      }
    }
  }, 60_000)
  afterAll(async () => {
    killChildren()
    await cluster?.stop()
  })

  let run = 0
  const burst = async (options: {
    readonly limits: ReadonlyArray<number>
    readonly spreadMs: number
    readonly retryUntilMs: number
    readonly waitReplicas?: { readonly count: number; readonly timeoutMs: number }
    readonly during?: (goAt: number) => Promise<void>
  }) => {
    const prefix = `rel-cluster:${runId}:${run++}:`
    const tiers = names.map((name, i) => ({ name, perDay: options.limits[i]! }))
    const workers: Array<Child> = []
    for (let p = 0; p < PROCESSES; p++) {
      workers.push(spawnNode(fixture("cluster-worker.ts"), [], {
        RELIABILITY_WORKER: JSON.stringify({
          rootNodes: cluster.rootNodes.filter((_, i) => cluster.nodes[i]!.alive),
          prefix,
          tiers,
          total: PER_PROCESS,
          spreadMs: options.spreadMs,
          retryUntilMs: options.retryUntilMs,
          waitReplicas: options.waitReplicas
        })
      }))
    }
    await Promise.all(workers.map((w) => w.waitFor(/^READY$/m)))
    const goAt = Date.now()
    for (const w of workers) w.process.stdin!.write("GO\n")
    const during = options.during?.(goAt)
    const results = await Promise.all(
      workers.map(async (w) => JSON.parse((await w.waitFor(/^RESULT (.*)\n/m, 90_000))[1]!) as Record<string, Tally>)
    )
    const ms = Date.now() - goAt
    await during
    await Promise.all(workers.map((w) => w.exited))
    const sum = (name: string) => {
      const all = results.map((r) => r[name]!)
      return {
        admitted: all.reduce((n, t) => n + t.admitted, 0),
        refused: all.reduce((n, t) => n + t.refused, 0),
        failed: all.reduce((n, t) => n + t.failed, 0),
        retries: all.reduce((n, t) => n + t.retries, 0),
        admittedAt: all.flatMap((t) => t.admittedAt).sort((a, b) => a - b),
        failedAt: all.flatMap((t) => t.failedAt).sort((a, b) => a - b),
        errors: all.flatMap((t) => t.errors),
        refusals: all.reduce<Record<string, number>>((acc, t) => {
          for (const [k, v] of Object.entries(t.refusals)) acc[k] = (acc[k] ?? 0) + v
          return acc
        }, {})
      }
    }
    // the day counter of each tier, read from the master that serves it now
    const counters: Array<number> = []
    for (const name of names) {
      const master = await cluster.masterOfSlot(keySlot(`{${name}}`))
      const keys = (await cluster.cli(master, "--scan", "--pattern", `${prefix}{${name}}:day:*`)).split("\n")
        .filter((k) => k !== "" && !k.includes(":fired:"))
      counters.push(keys.length === 0 ? 0 : Number(await cluster.cli(master, "GET", keys[0]!)))
    }
    return { tiers: names.map(sum), counters, ms, goAt }
  }

  it("4 processes x 300 concurrent acquires over three masters admit exactly each tier's limit", async () => {
    const limits = [150, 200, 250]
    const { counters, ms, tiers } = await burst({ limits, spreadMs: 0, retryUntilMs: 0 })
    const masters = await Promise.all(names.map((n) => cluster.masterOfSlot(keySlot(`{${n}}`))))
    printFigures("Redis Cluster: 4 processes x 300 concurrent, three tiers on three masters", {
      "tiers (master port)": names.map((n, i) => `${n} (${masters[i]})`).join(", "),
      "limits": limits.join(", "),
      "admitted": tiers.map((t) => t.admitted).join(", "),
      "refused": tiers.map((t) => t.refused).join(", "),
      "failed": tiers.map((t) => t.failed).join(", "),
      "day counters": counters.join(", "),
      "wall ms": ms
    })
    expect(new Set(masters).size).toBe(3)
    expect(tiers.map((t) => Object.keys(t.refusals))).toEqual(limits.map(() => ["AllTiersExhausted"]))
    expect(tiers.map((t) => t.admitted)).toEqual(limits)
    expect(tiers.map((t) => t.admitted + t.refused)).toEqual(limits.map(() => PROCESSES * PER_PROCESS / 3))
    expect(counters).toEqual(limits)
  }, 120_000)

  it("a graceful failover (CLUSTER FAILOVER on a replica) in the middle of the run: still exact", async () => {
    const limits = [300, 300, 300]
    let failedOver: { from: number; to: number; at: number; took: number } | undefined
    const { counters, ms, tiers } = await burst({
      limits,
      spreadMs: 3000,
      retryUntilMs: 20_000,
      during: async (goAt) => {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const from = await cluster.masterOfSlot(keySlot(`{${names[0]}}`))
        const at = Date.now()
        const to = await cluster.failover(from)
        failedOver = { from, to, at: at - goAt, took: Date.now() - at }
      }
    })
    printFigures("Redis Cluster: graceful failover mid-run (4 x 300 spread over 3 s)", {
      "failover": `${failedOver?.from} -> ${failedOver?.to} at +${failedOver?.at} ms, took ${failedOver?.took} ms`,
      "limits": limits.join(", "),
      "admitted": tiers.map((t) => t.admitted).join(", "),
      "refused": tiers.map((t) => t.refused).join(", "),
      "retried after StoreUnavailable": tiers.map((t) => t.retries).join(", "),
      "failed for good": tiers.map((t) => t.failed).join(", "),
      "day counters": counters.join(", "),
      "wall ms": ms
    })
    expect(failedOver).toBeDefined()
    expect(tiers.map((t) => t.admitted)).toEqual(limits)
    expect(tiers.map((t) => t.failed)).toEqual([0, 0, 0])
    expect(counters).toEqual(limits)
  }, 120_000)

  const hardFailover = async (waitReplicas?: { readonly count: number; readonly timeoutMs: number }) => {
    const limits = [300, 300, 300]
    let killed: { port: number; at: number } | undefined
    const result = await burst({
      limits,
      spreadMs: 4000,
      retryUntilMs: 30_000,
      ...(waitReplicas === undefined ? {} : { waitReplicas }),
      during: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const port = await cluster.masterOfSlot(keySlot(`{${names[0]}}`))
        cluster.signal(port, "SIGKILL")
        killed = { port, at: Date.now() }
        // the shard's new master has no replica until the killed node comes back: WAIT 1 refuses to
        // admit until then, so the node is started again (as an orchestrator would) once replaced
        if (waitReplicas !== undefined) {
          await cluster.masterOfSlot(keySlot(`{${names[0]}}`))
          await cluster.restart(port)
        }
      }
    })
    const hit = result.tiers[0]!
    const at = killed!.at
    const resumedAt = hit.admittedAt.find((t) => t > at && hit.failedAt.some((f) => f >= at && f <= t))
    const firstAfter = hit.admittedAt.find((t) => t > at)
    const resumeMs = (resumedAt ?? firstAfter ?? Number.NaN) - at
    const over = hit.admitted - limits[0]!
    // admissions the killed master answered in the 100 ms before its death: the most it can have
    // acknowledged without its replica having the write (loopback replication lags well below it)
    const recent = hit.admittedAt.filter((t) => t <= at && t > at - 100).length
    return { ...result, limits, killed: killed!, resumeMs, over, recent }
  }

  it(
    "a hard failover (SIGKILL of a master under load): resumes by itself, over-admission bounded; WAIT 1 admits none over the limit",
    async () => {
      const plain = await hardFailover()
      // the killed master comes back as the replica of the one that took its slots
      await cluster.restart(plain.killed.port)
      names.push(names.shift()!) // and the next kill hits another shard
      const waited = await hardFailover({ count: 1, timeoutMs: 500 })
      for (const [label, r] of [["no WAIT", plain], ["WAIT 1 500", waited]] as const) {
        printFigures(
          `Redis Cluster: hard failover (SIGKILL master ${r.killed.port} at +1 s, 4 x 300 over 4 s), ${label}`,
          {
            "limits": r.limits.join(", "),
            "admitted": r.tiers.map((t) => t.admitted).join(", "),
            "day counters after": r.counters.join(", "),
            "admitted but lost with the master (admitted - counter)": r.tiers[0]!.admitted - r.counters[0]!,
            "over-admission on the killed shard": r.over,
            "admissions in the 100 ms before the kill": r.recent,
            "resumed after (ms)": r.resumeMs,
            "retried after StoreUnavailable": r.tiers.map((t) => t.retries).join(", "),
            "failed for good": r.tiers.map((t) => t.failed).join(", "),
            "refusals": JSON.stringify(r.tiers.map((t) => t.refusals)),
            "first errors": r.tiers[0]!.errors.slice(0, 2).join(" | ").slice(0, 300),
            "wall ms": r.ms
          }
        )
      }
      // without WAIT: the shard resumes by itself once the replica is promoted, the other shards are
      // exact, and what is over-admitted is at most what the dead master had answered but not replicated
      expect(plain.resumeMs).toBeLessThan(10_000)
      expect(plain.tiers.map((t) => t.failed)).toEqual([0, 0, 0])
      expect(plain.tiers.slice(1).map((t) => t.admitted)).toEqual(plain.limits.slice(1))
      expect(plain.over).toBeLessThanOrEqual(plain.recent)
      // with WAIT 1: never over the limit (every admission was on a replica before it was answered),
      // and the shards that kept their master stay exact; the shard that lost its master admits
      // nothing until it has a replica again (its WAITs fall short and fail closed, their counts stay)
      expect(waited.over).toBeLessThanOrEqual(0)
      expect(waited.tiers.slice(1).map((t) => t.admitted)).toEqual(waited.limits.slice(1))
    },
    180_000
  )
})
