/**
 * Redis Cluster against a single Redis node: ops/s and p99 per acquire of three windows (second, day,
 * month) at concurrency 1 and 64, commands per acquire on the wire, and the CPU per acquire of the
 * client, of the masters and of the replicas, in one run, on four servers of this run's own (free
 * loopback ports, no persistence, stopped by pid at the end, on failure and on SIGINT; the shared
 * 127.0.0.1:6379 is not used):
 *
 * - `cluster`: `redisCluster.shared.ts`'s cluster, six `redis-server --cluster-enabled yes`, 3 masters and
 *   3 replicas (as a production cluster runs);
 * - `cluster, no replicas`: 3 more `--cluster-enabled yes` nodes, 3 masters and no replica: a shard does
 *   the same server work as a bare node, so what separates them is the cluster itself (the client's
 *   routing, the server's cluster mode);
 * - `single + replica`: one `redis-server` with a replica of its own, the equal of one cluster shard;
 * - `bare single`: one `redis-server` without a replica.
 *
 * Every side runs the same QuotaTracker as a user writes it: `QuotaStore.layerRedis` on
 * `RedisCluster.layer({ rootNodes })` for a cluster, `RedisStore.layer({ url })` for a single node.
 *
 * Tiers: three tier names whose `{tier}` hash slots (`CLUSTER KEYSLOT`, checked against our CRC16) are served
 * by three different masters (both clusters get the same slot ranges from `redis-cli --cluster create`). Each
 * tier has its own tracker; all trackers of a side share one store (one connection, or one cluster client).
 *
 * Cases, in interleaved rounds (every case once per round, so that every side sees the same background load):
 * - `1 shard`: one tier, so every acquire goes to one master of a cluster, against the same tier on a single
 *   node; c=1 and c=64.
 * - `3 shards`: c=64 fibers over the three tiers (fiber i uses tier i mod 3), so a cluster spreads the load
 *   over its three masters; a single node serves the same three tiers alone.
 *
 * "Per shard", as this benchmark defines it (the target: >= 0.9x):
 * - per-shard ratio = (cluster ops/s / shards the case uses) / single-node ops/s, per round, then the median.
 * - Three pairs are printed: `cluster / single + replica` and `cluster, no replicas / bare single` hold the
 *   server work equal (both sides replicate, or neither does), so they show what the cluster costs a shard:
 *   the target reads these two, at 1 shard and c=64 (`--check` gates both). `cluster / bare single` also
 *   counts what replication costs (the replica's stream on the master, and on this machine the replica's CPU
 *   taken from the same 2 cores): printed with its two factors, never gated.
 * - With `3 shards` the same formula divides the cluster's total by 3. On this machine (2 cores shared by the
 *   client, 12 servers and other jobs) a cluster cannot scale: the Node client alone is near one core at c=64,
 *   so that per-shard ratio is bound near 1/3 by the cores, not by the cluster. Printed, never gated.
 * - CPU per acquire: the client's (`process.cpuUsage`), the masters' and the replicas' (INFO cpu, summed over
 *   a side's masters, resp. its replicas), and their total. Where the cores are shared, ops/s follow the total.
 *   Of the masters' CPU, the time spent running `EVALSHA` (INFO commandstats: the script, its `redis.call`s and
 *   in cluster mode their slot checks); the rest is reading, parsing, replying and feeding the replicas.
 *
 * ops/s, p99 and CPU are medians over the rounds; the ratios are medians of the per-round ratios (the sides of
 * one round ran back to back), so a ratio need not equal the quotient of the two medians.
 *
 * - `WAIT 1` (1 shard): the cluster side again on a store of its own, `RedisCluster.layer({ rootNodes,
 *   waitReplicas: { count: 1, timeoutMs: 500 } })` (opt-in: an admission is answered once a replica has it); c=1
 *   and c=64, beside the plain cluster case. "cost of WAIT" = the median of the per-round ratios WAIT / plain
 *   cluster (ops/s), with both p99s.
 *
 * Commands per acquire: MONITOR on every master of both clusters (and on the single node), every command a
 * client sent that carries this run's key prefix (a MOVED/ASK resend would count twice), not the commands a Lua
 * script runs inside Redis; outside the timed runs. Must be exactly 1 on both clusters (the default). With
 * `waitReplicas` the `WAIT` (which carries no key) is a second command per acquire, counted apart: printed, not
 * gated.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-redis-cluster.ts [--check]
 * Env: BENCH_ROUNDS (default 7, interleaved), BENCH_N1 (acquires per c=1 sample, default 2000), BENCH_N64 (per
 * c=64 sample, default 20000), REDIS_SERVER_BIN / REDIS_CLI_BIN (else PATH).
 * Flags: --check exits 1 unless both clusters send exactly 1 command per acquire and both equal pairs' 1-shard
 * per-shard ratios at c=64 are >= 0.9 (BENCH_MIN_SHARD overrides 0.9).
 */
import { QuotaStore, QuotaTracker, RedisCluster, Tier } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createClient } from "redis"
import { keySlot, TestCluster } from "../redisCluster.shared.ts"
import { drive, type Tracker } from "./_drive.ts"
import { fmt, interleaved, median, p99 } from "./_stats.ts"

const CHECK = process.argv.includes("--check")
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const N1 = Number(process.env.BENCH_N1 ?? 2000)
const N64 = Number(process.env.BENCH_N64 ?? 20_000)
const MIN_SHARD = Number(process.env.BENCH_MIN_SHARD ?? 0.9)
const runId = `qtclusterbench${process.pid}x${Date.now()}`
const BIG = 1e12

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

// ---- the servers: two clusters, and two single nodes (one with a replica) of this run's own; stopped by pid ----
const singles: Array<ChildProcess> = []
const clusters: Array<TestCluster> = []
let singleDir: string | undefined
const killAll = () => {
  for (const child of singles) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  for (const node of clusters.flatMap((c) => c.nodes)) {
    if (node.alive && node.pid !== undefined) process.kill(node.pid, "SIGKILL")
  }
}
// a last resort when the process ends any other way (the async stop below is the normal path)
process.on("exit", killAll)
process.on("SIGINT", () => {
  killAll()
  for (const dir of [...clusters.map((c) => c.dir), singleDir]) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  }
  process.exit(130)
})

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const startSingle = async (server: string, dir: string, replicaOf?: number): Promise<number> => {
  const port = await freePort()
  const child = spawn(server, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--dbfilename",
    `dump-${port}.rdb`,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    ...(replicaOf === undefined ? [] : ["--replicaof", "127.0.0.1", String(replicaOf)])
  ], { stdio: "ignore" })
  singles.push(child)
  const client = createClient({ url: `redis://127.0.0.1:${port}` })
  client.on("error", () => {})
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`)
    try {
      await client.connect()
      await client.ping()
      break
    } catch {
      await sleep(50)
    }
  }
  if (replicaOf !== undefined) {
    for (let i = 0; i < 200 && !String(await client.info("replication")).includes("master_link_status:up"); i++) {
      await sleep(50)
    }
  }
  client.destroy()
  return port
}

// MONITOR on one server: the commands sent by clients that carry `marker` (not those a script runs)
const monitor = async (port: number, marker: string) => {
  const socket = connect(port, "127.0.0.1")
  let buffer = ""
  let commands = 0
  let waits = 0
  socket.on("data", (chunk) => {
    buffer += String(chunk)
    const lines = buffer.split("\r\n")
    buffer = lines.pop()!
    for (const line of lines) {
      if (line.includes(" lua]")) continue
      if (line.includes(marker)) commands++
      else if (line.includes(`"WAIT"`) || line.includes(`"wait"`)) waits++
    }
  })
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
  socket.write("MONITOR\r\n")
  return {
    stop: async () => {
      await sleep(300)
      socket.destroy()
      return { commands, waits }
    }
  }
}

// a plain connection to one server, for INFO
const infoClientOf = async (url: string) => {
  const client = createClient({ url })
  client.on("error", () => {})
  await client.connect()
  return client
}
type InfoClient = Awaited<ReturnType<typeof infoClientOf>>

// the CPU a redis-server has used so far, µs (INFO cpu: used_cpu_user + used_cpu_sys)
const cpuOf = async (client: InfoClient): Promise<number> => {
  const info = String(await client.info("cpu"))
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN)
  return (field("used_cpu_user") + field("used_cpu_sys")) * 1e6
}

// the time a redis-server has spent running EVALSHA so far, µs (INFO commandstats: the script itself,
// its redis.call()s and, in cluster mode, their slot checks; not the reading, parsing, replying or the
// replication stream of the command)
const scriptTimeOf = async (client: InfoClient): Promise<number> => {
  const info = String(await client.info("commandstats"))
  return Number(/cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(info)?.[1] ?? 0)
}

let failed = false
const scope = Effect.runSync(Scope.make())
const infoClients: Array<InfoClient> = []
const infoOf = async (port: number) => {
  const client = await infoClientOf(`redis://127.0.0.1:${port}`)
  infoClients.push(client)
  return client
}
try {
  const started = Date.now()
  const replicated = await TestCluster.start()
  clusters.push(replicated)
  const unreplicated = await TestCluster.start({ replicas: 0 })
  clusters.push(unreplicated)
  const server = replicated.bins.server
  singleDir = mkdtempSync(join(tmpdir(), "bing-single-"))
  const singlePort = await startSingle(server, singleDir)
  const singleReplicaPort = await startSingle(server, singleDir, singlePort)
  const barePort = await startSingle(server, singleDir)
  console.error(`servers up in ${Date.now() - started} ms`)

  // ---- three tiers on three masters (both clusters get the same slot ranges) ----
  const mastersOf = async (c: TestCluster) => {
    const topology = await c.topology()
    const masters = topology.filter((n) => n.role === "master" && n.slots.length > 0)
    const replicas = topology.filter((n) => n.role === "replica")
    const masterOf = (slot: number) => masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!.port
    return { masters: masters.map((m) => m.port), replicas: replicas.map((r) => r.port), masterOf }
  }
  const withReplicas = await mastersOf(replicated)
  const withoutReplicas = await mastersOf(unreplicated)
  const tierNames: Array<string> = []
  for (let i = 0; tierNames.length < 3 && i < 1000; i++) {
    const name = `T${i}`
    const slot = keySlot(`{${name}}`)
    const taken = (side: typeof withReplicas) => tierNames.map((n) => side.masterOf(keySlot(`{${n}}`)))
    if (
      !taken(withReplicas).includes(withReplicas.masterOf(slot)) &&
      !taken(withoutReplicas).includes(withoutReplicas.masterOf(slot))
    ) tierNames.push(name)
  }
  for (const name of tierNames) {
    const slot = Number(
      await replicated.cli(withReplicas.masters[0]!, "CLUSTER", "KEYSLOT", `${runId}:{${name}}:second`)
    )
    if (slot !== keySlot(`{${name}}`)) throw new Error(`CLUSTER KEYSLOT of ${name} is ${slot}, ours ${keySlot(name)}`)
  }
  const tierOf = (name: string) =>
    Tier.make({ name, key: Redacted.make(`bench-${name}`), limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } })

  // ---- the sides: one store each, one tracker per tier ----
  const prefix = `${runId}:`
  const trackersOver = async (store: Layer.Layer<QuotaStore.QuotaStore, unknown>) => {
    const context = await Effect.runPromise(Layer.buildWithScope(store, scope))
    const trackers: Array<Tracker> = []
    for (const name of tierNames) {
      trackers.push(
        await Effect.runPromise(
          QuotaTracker.make({ tiers: [tierOf(name)] }).pipe(Effect.provideContext(context), Scope.provide(scope))
        )
      )
    }
    return trackers
  }
  const overCluster = (c: TestCluster, waitReplicas?: { count: number; timeoutMs: number }) =>
    trackersOver(
      QuotaStore.layerRedis({ prefix }).pipe(
        Layer.provide(RedisCluster.layer({ rootNodes: c.rootNodes, waitReplicas }))
      )
    )
  type Side = "cluster" | "clusterBare" | "single" | "bare" | "wait"
  const trackers: Record<Side, Array<Tracker>> = {
    cluster: await overCluster(replicated),
    clusterBare: await overCluster(unreplicated),
    single: await trackersOver(RedisStore.layer({ url: `redis://127.0.0.1:${singlePort}`, prefix })),
    bare: await trackersOver(RedisStore.layer({ url: `redis://127.0.0.1:${barePort}`, prefix })),
    wait: await overCluster(replicated, { count: 1, timeoutMs: 500 })
  }
  const one = (t: ReadonlyArray<Tracker>) => [t[0]!]

  // ---- commands per acquire, on the wire ----
  const countCommands = async (ports: ReadonlyArray<number>, over: ReadonlyArray<Tracker>, c: number) => {
    await drive(over, 60, c, []) // scripts loaded, connections up
    const monitors = await Promise.all(ports.map((p) => monitor(p, prefix)))
    await sleep(100)
    const ops = await drive(over, 600, c, [])
    const stopped = await Promise.all(monitors.map((m) => m.stop()))
    const counts = stopped.map((x) => x.commands)
    return {
      perAcquire: counts.reduce((a, b) => a + b, 0) / ops,
      waitsPerAcquire: stopped.reduce((a, x) => a + x.waits, 0) / ops,
      counts
    }
  }
  const trips = {
    cluster1: await countCommands(withReplicas.masters, trackers.cluster, 1),
    cluster64: await countCommands(withReplicas.masters, trackers.cluster, 64),
    clusterBare1: await countCommands(withoutReplicas.masters, trackers.clusterBare, 1),
    clusterBare64: await countCommands(withoutReplicas.masters, trackers.clusterBare, 64),
    single1: await countCommands([singlePort], trackers.single, 1),
    wait1: await countCommands(withReplicas.masters, one(trackers.wait), 1),
    wait64: await countCommands(withReplicas.masters, one(trackers.wait), 64)
  }

  // ---- throughput, p99, CPU ----
  const replicatedServers = {
    masters: await Promise.all(withReplicas.masters.map(infoOf)),
    replicas: await Promise.all(withReplicas.replicas.map(infoOf))
  }
  const servers: Record<Side, { masters: Array<InfoClient>; replicas: Array<InfoClient> }> = {
    cluster: replicatedServers,
    clusterBare: { masters: await Promise.all(withoutReplicas.masters.map(infoOf)), replicas: [] },
    single: { masters: [await infoOf(singlePort)], replicas: [await infoOf(singleReplicaPort)] },
    bare: { masters: [await infoOf(barePort)], replicas: [] },
    // the WAIT side runs on the replicated cluster
    wait: replicatedServers
  }
  const sum = async (clients: ReadonlyArray<InfoClient>, of: (client: InfoClient) => Promise<number>) =>
    (await Promise.all(clients.map(of))).reduce((a, b) => a + b, 0)
  const cpuSum = (clients: ReadonlyArray<InfoClient>) => sum(clients, cpuOf)

  type Sample = { rate: number; p99: number; client: number; server: number; script: number; replica: number }
  const once = async (side: Side, over: ReadonlyArray<Tracker>, total: number, c: number): Promise<Sample> => {
    const latencies: Array<number> = []
    const master0 = await cpuSum(servers[side].masters)
    const script0 = await sum(servers[side].masters, scriptTimeOf)
    const replica0 = await cpuSum(servers[side].replicas)
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    const ops = await drive(over, total, c, latencies)
    const elapsed = performance.now() - start
    const used = process.cpuUsage(cpu0)
    const master1 = await cpuSum(servers[side].masters)
    const script1 = await sum(servers[side].masters, scriptTimeOf)
    const replica1 = await cpuSum(servers[side].replicas)
    return {
      rate: ops / (elapsed / 1000),
      p99: p99(latencies),
      client: (used.user + used.system) / ops,
      server: (master1 - master0) / ops,
      script: (script1 - script0) / ops,
      replica: (replica1 - replica0) / ops
    }
  }
  const cases = {
    cluster1: () => once("cluster", one(trackers.cluster), N1, 1),
    clusterBare1: () => once("clusterBare", one(trackers.clusterBare), N1, 1),
    single1: () => once("single", one(trackers.single), N1, 1),
    bare1: () => once("bare", one(trackers.bare), N1, 1),
    cluster64: () => once("cluster", one(trackers.cluster), N64, 64),
    clusterBare64: () => once("clusterBare", one(trackers.clusterBare), N64, 64),
    single64: () => once("single", one(trackers.single), N64, 64),
    bare64: () => once("bare", one(trackers.bare), N64, 64),
    cluster64x3: () => once("cluster", trackers.cluster, N64, 64),
    clusterBare64x3: () => once("clusterBare", trackers.clusterBare, N64, 64),
    single64x3: () => once("single", trackers.single, N64, 64),
    bare64x3: () => once("bare", trackers.bare, N64, 64),
    wait1: () => once("wait", one(trackers.wait), N1, 1),
    wait64: () => once("wait", one(trackers.wait), N64, 64)
  }
  type Case = keyof typeof cases
  // interleaved rounds, so that every side sees the same background load
  const samples = await interleaved(cases, ROUNDS)
  const s = (name: Case): Sample => {
    const of = (f: (x: Sample) => number) => median(samples[name].map(f))
    return {
      rate: of((x) => x.rate),
      p99: of((x) => x.p99),
      client: of((x) => x.client),
      server: of((x) => x.server),
      script: of((x) => x.script),
      replica: of((x) => x.replica)
    }
  }
  // ratios per round (both sides of a round saw the same load), then their median
  const ratio = (a: Case, b: Case, shards = 1) =>
    median(samples[a].map((x, i) => x.rate / shards / samples[b][i]!.rate))
  const x = (n: number) => `${n.toFixed(2)}x`

  const load = (await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")
  console.log(
    `quota-tracker redis cluster: 3 windows per acquire; a cluster (3 masters + 3 replicas), a cluster without ` +
      `replicas (3 masters), a single node with a replica and a bare single node; median of ${ROUNDS} interleaved ` +
      `rounds (node ${process.version}, load ${load})`
  )
  console.log(
    `tiers ${
      tierNames.map((n) => {
        const slot = keySlot(`{${n}}`)
        return `${n} (slot ${slot}, masters :${withReplicas.masterOf(slot)} / :${withoutReplicas.masterOf(slot)})`
      }).join(", ")
    }`
  )
  const tripsOf = (a: typeof trips.cluster1, b: typeof trips.cluster1) =>
    `c=1 ${a.perAcquire.toFixed(2)} (per master ${a.counts.join("/")}), c=64 ${b.perAcquire.toFixed(2)} (${
      b.counts.join("/")
    })`
  console.log(
    `commands per acquire: cluster ${tripsOf(trips.cluster1, trips.cluster64)}; cluster, no replicas ${
      tripsOf(trips.clusterBare1, trips.clusterBare64)
    }; single node c=1 ${trips.single1.perAcquire.toFixed(2)}`
  )
  console.log(
    "| case | ops/s | p99 ms | CPU µs/acquire: client | masters | (of which EVALSHA) | replicas | total | vs single + replica | vs bare single |"
  )
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
  const rows: Array<[string, Case, Case | undefined, Case | undefined, number]> = [
    ["1 shard, c=1: cluster", "cluster1", "single1", "bare1", 1],
    ["1 shard, c=1: cluster, no replicas", "clusterBare1", "single1", "bare1", 1],
    ["1 shard, c=1: single + replica", "single1", undefined, "bare1", 1],
    ["1 shard, c=1: bare single", "bare1", undefined, undefined, 1],
    ["1 shard, c=64: cluster", "cluster64", "single64", "bare64", 1],
    ["1 shard, c=64: cluster, no replicas", "clusterBare64", "single64", "bare64", 1],
    ["1 shard, c=64: single + replica", "single64", undefined, "bare64", 1],
    ["1 shard, c=64: bare single", "bare64", undefined, undefined, 1],
    ["3 shards, c=64: cluster (per shard)", "cluster64x3", "single64x3", "bare64x3", 3],
    ["3 shards, c=64: cluster, no replicas (per shard)", "clusterBare64x3", "single64x3", "bare64x3", 3],
    ["3 tiers, c=64: single + replica", "single64x3", undefined, "bare64x3", 1],
    ["3 tiers, c=64: bare single", "bare64x3", undefined, undefined, 1],
    ["1 shard, c=1: cluster, WAIT 1", "wait1", "single1", "bare1", 1],
    ["1 shard, c=64: cluster, WAIT 1", "wait64", "single64", "bare64", 1]
  ]
  for (const [label, name, vsReplica, vsBare, shards] of rows) {
    const v = s(name)
    console.log(
      `| ${label} | ${fmt(v.rate)} | ${v.p99.toFixed(2)} | ${v.client.toFixed(1)} | ${v.server.toFixed(1)} | ${
        v.script.toFixed(1)
      } | ${v.replica.toFixed(1)} | ${(v.client + v.server + v.replica).toFixed(1)} | ${
        vsReplica === undefined ? "" : x(ratio(name, vsReplica, shards))
      } | ${vsBare === undefined ? "" : x(ratio(name, vsBare, shards))} |`
    )
  }
  // the target reads the two equal pairs; the cross pair is their product with what replication costs
  const pairs = (c: 1 | 64) => {
    const [cl, cb, si, ba] = c === 1
      ? ["cluster1", "clusterBare1", "single1", "bare1"] as const
      : ["cluster64", "clusterBare64", "single64", "bare64"] as const
    return {
      replicated: ratio(cl, si),
      unreplicated: ratio(cb, ba),
      cross: ratio(cl, ba),
      replicationSingle: ratio(si, ba),
      replicationCluster: ratio(cl, cb)
    }
  }
  for (const c of [1, 64] as const) {
    const p = pairs(c)
    console.log(
      `per shard at c=${c} (1 shard): cluster / single + replica ${x(p.replicated)}, cluster without replicas / bare ` +
        `single ${x(p.unreplicated)} (the target, >= ${MIN_SHARD}x, reads these two); cluster / bare single ${
          x(p.cross)
        } = the cluster's own cost times replication's (single + replica / bare ${
          x(p.replicationSingle)
        }, cluster / cluster without replicas ${x(p.replicationCluster)})`
    )
  }
  const cost = (c: 1 | 64) => {
    const [w, p] = c === 1 ? ["wait1", "cluster1"] as const : ["wait64", "cluster64"] as const
    return `c=${c} ${x(ratio(w, p))} the ops/s (${fmt(s(w).rate)} vs ${fmt(s(p).rate)}), p99 ${
      s(w).p99.toFixed(2)
    } vs ${s(p).p99.toFixed(2)} ms`
  }
  console.log(
    `cost of WAIT 1 (waitReplicas { count: 1, timeoutMs: 500 }, 1 shard), WAIT / plain cluster: ${cost(1)}; ${cost(64)}`
  )
  console.log(
    `commands per acquire with WAIT: c=1 ${trips.wait1.perAcquire.toFixed(2)} script + ${
      trips.wait1.waitsPerAcquire.toFixed(2)
    } WAIT, c=64 ${trips.wait64.perAcquire.toFixed(2)} + ${trips.wait64.waitsPerAcquire.toFixed(2)} WAIT (plain: ${
      trips.cluster1.waitsPerAcquire.toFixed(2)
    } WAIT)`
  )
  const plain = [trips.cluster1, trips.cluster64, trips.clusterBare1, trips.clusterBare64]
  if (plain.some((t) => t.perAcquire !== 1)) {
    console.log("FAIL: a cluster does not send exactly 1 command per acquire")
    failed = true
  }
  const gated = pairs(64)
  for (
    const [name, value] of [["cluster / single + replica", gated.replicated], [
      "cluster without replicas / bare single",
      gated.unreplicated
    ]] as const
  ) {
    if (CHECK && value < MIN_SHARD) {
      console.log(`FAIL: per shard ${name} ${x(value)} < ${MIN_SHARD}x`)
      failed = true
    }
  }
} catch (cause) {
  console.error(cause)
  failed = true
} finally {
  for (const client of infoClients) client.destroy()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  for (const c of clusters) await c.stop()
  for (const child of singles) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    child.kill("SIGKILL")
    await gone
  }
  if (singleDir !== undefined) rmSync(singleDir, { recursive: true, force: true })
}
if (failed) process.exitCode = 1
