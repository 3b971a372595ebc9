/**
 * Redis Cluster against a single Redis node: ops/s and p99 per acquire of three windows (second, day,
 * month) at concurrency 1 and 64, commands per acquire on the wire, and the CPU per acquire of the
 * client and of the servers, in one run:
 *
 * - cluster: a QuotaTracker over `QuotaStore.layerRedis` on `RedisCluster.layer({ rootNodes })`, as a user
 *   writes it, on a real cluster started here (`redisCluster.shared.ts`: six `redis-server --cluster-enabled
 *   yes` on free loopback ports, 3 masters + 3 replicas), stopped by pid at the end (and on failure, SIGINT);
 * - single: the same tracker over `RedisStore.layer({ url })` on a `redis-server` of this run's own, on a free
 *   loopback port with the cluster nodes' settings (no persistence, `--save ""`, `--appendonly no`), and a
 *   replica of its own (as every cluster master has one), so that both sides pay for replication. The shared
 *   127.0.0.1:6379 is not used.
 *
 * Tiers: three tier names whose `{tier}` hash slots (`CLUSTER KEYSLOT`, checked against our CRC16) are served
 * by three different masters. Each tier has its own tracker; all trackers of a side share one store (one
 * connection, or one cluster client).
 *
 * Cases, in interleaved rounds (every case once per round, so that both sides see the same background load):
 * - `1 shard`: one tier, so every acquire goes to one master of the cluster, against the same tier on the
 *   single node; c=1 and c=64.
 * - `3 shards`: c=64 fibers over the three tiers (fiber i uses tier i mod 3), so the cluster spreads the load
 *   over its three masters; the single node serves the same three tiers alone.
 *
 * "Per shard", as this benchmark defines it (the target: >= 0.9x):
 * - per-shard ratio = (cluster ops/s / shards the case uses) / single-node ops/s, at c=64. With `1 shard` it is
 *   what one shard keeps of a single node's throughput once the cluster client routes its commands: the figure
 *   the target is checked on (`--check`). With `3 shards` the same formula divides the cluster's total by 3.
 * - On this machine (2 cores shared by the client, 6 cluster servers, the single node and its replica, and other
 *   jobs) a cluster cannot scale: the Node client alone is near one core at c=64, so the `3 shards` total cannot
 *   be 3x a single node and its per-shard ratio is bound near 1/3 by the cores, not by the cluster. It is printed
 *   with the total ratio, never gated. The capacity of a shard where the servers have their own cores shows in
 *   the servers' CPU per acquire (INFO cpu, the sum over the three masters; the single node's own; replicas not
 *   counted on either side): single node / cluster masters = the fraction of a single node's server-bound
 *   throughput each shard keeps.
 *
 * ops/s, p99 and CPU are medians over the rounds; the ratios are medians of the per-round ratios (the two sides of
 * one round ran back to back), so a ratio need not equal the quotient of the two medians.
 *
 * - `WAIT 1` (1 shard): the cluster side again on a store of its own, `RedisCluster.layer({ rootNodes,
 *   waitReplicas: { count: 1, timeoutMs: 500 } })` (opt-in: an admission is answered once a replica has it); c=1
 *   and c=64, beside the plain cluster case. "cost of WAIT" = the median of the per-round ratios WAIT / plain
 *   cluster (ops/s), with both p99s.
 *
 * Commands per acquire: MONITOR on every master (and on the single node), every command a client sent that
 * carries this run's key prefix (a MOVED/ASK resend would count twice), not the commands a Lua script runs
 * inside Redis; outside the timed runs. Must be exactly 1 on the cluster (the default). With `waitReplicas` the
 * `WAIT` (which carries no key) is a second command per acquire, counted apart: printed, not gated.
 *
 * Run after building: pnpm turbo run build --filter=@bing-effect/quota-tracker && node bench/quota-tracker-redis-cluster.ts [--check]
 * Env: BENCH_ROUNDS (default 7, interleaved), BENCH_N1 (acquires per c=1 sample, default 2000), BENCH_N64 (per
 * c=64 sample, default 20000), BENCH_SINGLE_REPLICA (default 1; 0 runs the single node without a replica),
 * REDIS_SERVER_BIN / REDIS_CLI_BIN (else PATH).
 * Flags: --check exits 1 unless the cluster sends exactly 1 command per acquire and the 1-shard per-shard ratio
 * at c=64 is >= 0.9 (BENCH_MIN_SHARD overrides 0.9).
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { RedisCluster, RedisStore } from "@bing-effect/quota-tracker/redis"
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
const SINGLE_REPLICA = process.env.BENCH_SINGLE_REPLICA !== "0"
const MIN_SHARD = Number(process.env.BENCH_MIN_SHARD ?? 0.9)
const runId = `qtclusterbench${process.pid}x${Date.now()}`
const BIG = 1e12

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

// ---- the servers: the cluster, and a single node (with a replica) of this run's own; stopped by pid ----
const singles: Array<ChildProcess> = []
let cluster: TestCluster | undefined
let singleDir: string | undefined
const killAll = () => {
  for (const child of singles) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  for (const node of cluster?.nodes ?? []) {
    if (node.alive && node.pid !== undefined) process.kill(node.pid, "SIGKILL")
  }
}
// a last resort when the process ends any other way (the async stop below is the normal path)
process.on("exit", killAll)
process.on("SIGINT", () => {
  killAll()
  for (const dir of [cluster?.dir, singleDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
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

let failed = false
const scope = Effect.runSync(Scope.make())
const infoClients: Array<InfoClient> = []
try {
  const started = Date.now()
  cluster = await TestCluster.start()
  const server = cluster.bins.server
  singleDir = mkdtempSync(join(tmpdir(), "bing-single-"))
  const singlePort = await startSingle(server, singleDir)
  if (SINGLE_REPLICA) await startSingle(server, singleDir, singlePort)
  const singleUrl = `redis://127.0.0.1:${singlePort}`
  console.error(`servers up in ${Date.now() - started} ms`)

  // ---- three tiers on three masters ----
  const topology = await cluster.topology()
  const masters = topology.filter((n) => n.role === "master" && n.slots.length > 0)
  const masterOf = (slot: number) => masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!.port
  const tierNames: Array<string> = []
  const tierMasters: Array<number> = []
  for (let i = 0; tierNames.length < masters.length && i < 1000; i++) {
    const name = `T${i}`
    const port = masterOf(keySlot(`{${name}}`))
    if (!tierMasters.includes(port)) {
      tierNames.push(name)
      tierMasters.push(port)
    }
  }
  for (const name of tierNames) {
    const slot = Number(await cluster.cli(masters[0]!.port, "CLUSTER", "KEYSLOT", `${runId}:{${name}}:second`))
    if (slot !== keySlot(`{${name}}`)) throw new Error(`CLUSTER KEYSLOT of ${name} is ${slot}, ours ${keySlot(name)}`)
  }
  const tierOf = (name: string) =>
    Tier.make({ name, key: Redacted.make(`bench-${name}`), limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } })

  // ---- the two sides: one store each, one tracker per tier ----
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
  const clusterTrackers = await trackersOver(
    QuotaStore.layerRedis({ prefix }).pipe(Layer.provide(RedisCluster.layer({ rootNodes: cluster.rootNodes })))
  )
  const waitReplicas = { count: 1, timeoutMs: 500 }
  const waitTrackers = await trackersOver(
    QuotaStore.layerRedis({ prefix }).pipe(
      Layer.provide(RedisCluster.layer({ rootNodes: cluster.rootNodes, waitReplicas }))
    )
  )
  const singleTrackers = await trackersOver(RedisStore.layer({ url: singleUrl, prefix }))

  const one = (t: ReadonlyArray<Tracker>) => [t[0]!]

  // ---- commands per acquire, on the wire ----
  const countCommands = async (ports: ReadonlyArray<number>, trackers: ReadonlyArray<Tracker>, c: number) => {
    await drive(trackers, 60, c, []) // scripts loaded, connections up
    const monitors = await Promise.all(ports.map((p) => monitor(p, prefix)))
    await sleep(100)
    const ops = await drive(trackers, 600, c, [])
    const stopped = await Promise.all(monitors.map((m) => m.stop()))
    const counts = stopped.map((x) => x.commands)
    return {
      perAcquire: counts.reduce((a, b) => a + b, 0) / ops,
      waitsPerAcquire: stopped.reduce((a, x) => a + x.waits, 0) / ops,
      counts
    }
  }
  const masterPorts = masters.map((m) => m.port)
  const trips = {
    cluster1: await countCommands(masterPorts, clusterTrackers, 1),
    cluster64: await countCommands(masterPorts, clusterTrackers, 64),
    single1: await countCommands([singlePort], singleTrackers, 1),
    wait1: await countCommands(masterPorts, one(waitTrackers), 1),
    wait64: await countCommands(masterPorts, one(waitTrackers), 64)
  }

  // ---- throughput, p99, CPU ----
  const masterInfos: Array<InfoClient> = []
  for (const master of masters) masterInfos.push(await infoClientOf(`redis://127.0.0.1:${master.port}`))
  const singleInfo = await infoClientOf(singleUrl)
  infoClients.push(...masterInfos, singleInfo)
  const serverCpu = async (side: "cluster" | "single" | "wait") =>
    side === "single" ? cpuOf(singleInfo) : (await Promise.all(masterInfos.map(cpuOf))).reduce((a, b) => a + b, 0)

  type Sample = { rate: number; p99: number; client: number; server: number }
  const once = async (
    side: "cluster" | "single" | "wait",
    trackers: ReadonlyArray<Tracker>,
    total: number,
    c: number
  ): Promise<Sample> => {
    const latencies: Array<number> = []
    const server0 = await serverCpu(side)
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    const ops = await drive(trackers, total, c, latencies)
    const elapsed = performance.now() - start
    const used = process.cpuUsage(cpu0)
    const server1 = await serverCpu(side)
    return {
      rate: ops / (elapsed / 1000),
      p99: p99(latencies),
      client: (used.user + used.system) / ops,
      server: (server1 - server0) / ops
    }
  }
  const cases = {
    cluster1: () => once("cluster", one(clusterTrackers), N1, 1),
    single1: () => once("single", one(singleTrackers), N1, 1),
    cluster64: () => once("cluster", one(clusterTrackers), N64, 64),
    single64: () => once("single", one(singleTrackers), N64, 64),
    cluster64x3: () => once("cluster", clusterTrackers, N64, 64),
    single64x3: () => once("single", singleTrackers, N64, 64),
    wait1: () => once("wait", one(waitTrackers), N1, 1),
    wait64: () => once("wait", one(waitTrackers), N64, 64)
  }
  type Case = keyof typeof cases
  // interleaved rounds, so that every side sees the same background load
  const samples = await interleaved(cases, ROUNDS)
  const s = (name: Case): Sample => ({
    rate: median(samples[name].map((x) => x.rate)),
    p99: median(samples[name].map((x) => x.p99)),
    client: median(samples[name].map((x) => x.client)),
    server: median(samples[name].map((x) => x.server))
  })
  // ratios per round (both sides of a round saw the same load), then their median
  const ratio = (a: Case, b: Case, shards: number) =>
    median(samples[a].map((x, i) => x.rate / shards / samples[b][i]!.rate))

  const load = (await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")
  console.log(
    `quota-tracker redis cluster: 3 windows per acquire, a 3-master + 3-replica cluster vs a single node${
      SINGLE_REPLICA ? " with a replica" : ""
    }, median of ${ROUNDS} interleaved rounds (node ${process.version}, load ${load})`
  )
  console.log(
    `tiers ${tierNames.map((n, i) => `${n} (slot ${keySlot(`{${n}}`)}, master :${tierMasters[i]})`).join(", ")}`
  )
  console.log(
    `commands per acquire: cluster c=1 ${trips.cluster1.perAcquire.toFixed(2)} (per master ${
      trips.cluster1.counts.join("/")
    }), c=64 ${trips.cluster64.perAcquire.toFixed(2)} (${trips.cluster64.counts.join("/")}); single node c=1 ${
      trips.single1.perAcquire.toFixed(2)
    }`
  )
  console.log(
    "| case | ops/s | p99 ms | client CPU µs/acquire | server CPU µs/acquire (masters) | cluster / single | per shard |"
  )
  console.log("|---|---:|---:|---:|---:|---:|---:|")
  const rows: Array<[string, Case, Case | undefined, number]> = [
    ["1 shard, c=1: cluster", "cluster1", "single1", 1],
    ["1 shard, c=1: single node", "single1", undefined, 1],
    ["1 shard, c=64: cluster", "cluster64", "single64", 1],
    ["1 shard, c=64: single node", "single64", undefined, 1],
    ["3 shards, c=64: cluster", "cluster64x3", "single64x3", 3],
    ["3 tiers, c=64: single node", "single64x3", undefined, 1],
    ["1 shard, c=1: cluster, WAIT 1", "wait1", "single1", 1],
    ["1 shard, c=64: cluster, WAIT 1", "wait64", "single64", 1]
  ]
  for (const [label, name, vs, shards] of rows) {
    const x = s(name)
    console.log(
      `| ${label} | ${fmt(x.rate)} | ${x.p99.toFixed(2)} | ${x.client.toFixed(1)} | ${x.server.toFixed(1)} | ${
        vs === undefined ? "" : `${ratio(name, vs, 1).toFixed(2)}x`
      } | ${vs === undefined ? "" : `${ratio(name, vs, shards).toFixed(2)}x`} |`
    )
  }
  const shardRatio = ratio("cluster64", "single64", 1)
  const serverShard = s("single64").server / s("cluster64").server
  console.log(
    `per shard at c=64 (1 shard): ${shardRatio.toFixed(2)}x of the single node's ops/s (target >= ${MIN_SHARD}x); ` +
      `server CPU per acquire, single / cluster master: ${serverShard.toFixed(2)}x (1 shard), ${
        (s("single64x3").server / s("cluster64x3").server).toFixed(2)
      }x (3 shards)`
  )
  const cost = (c: 1 | 64) => {
    const [w, p] = c === 1 ? ["wait1", "cluster1"] as const : ["wait64", "cluster64"] as const
    return `c=${c} ${ratio(w, p, 1).toFixed(2)}x the ops/s (${fmt(s(w).rate)} vs ${fmt(s(p).rate)}), p99 ${
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
  if (trips.cluster1.perAcquire !== 1 || trips.cluster64.perAcquire !== 1) {
    console.log("FAIL: the cluster does not send exactly 1 command per acquire")
    failed = true
  }
  if (CHECK && shardRatio < MIN_SHARD) {
    console.log(`FAIL: per shard ${shardRatio.toFixed(2)}x < ${MIN_SHARD}x`)
    failed = true
  }
} catch (cause) {
  console.error(cause)
  failed = true
} finally {
  for (const client of infoClients) client.destroy()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await cluster?.stop()
  for (const child of singles) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    child.kill("SIGKILL")
    await gone
  }
  if (singleDir !== undefined) rmSync(singleDir, { recursive: true, force: true })
}
if (failed) process.exitCode = 1
