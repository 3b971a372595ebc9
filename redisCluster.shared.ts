/**
 * A real Redis Cluster on loopback for the tests and benchmarks that need one: six `redis-server
 * --cluster-enabled yes` children on free ports (three masters, three replicas) joined by
 * `redis-cli --cluster create`, stopped by pid. One module, shared by quota-tracker's tests, the
 * reliability scenarios and the benchmark (as `vitest.shared.ts` is shared by every test project);
 * it needs no npm package, only `redis-server` and `redis-cli` (PATH, or REDIS_SERVER_BIN and
 * REDIS_CLI_BIN).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const findBin = (env: string | undefined, name: string): string | undefined => {
  const candidates = [env, ...(process.env["PATH"] ?? "").split(delimiter).map((d) => join(d, name))]
  for (const c of candidates) {
    if (c === undefined || c === "") continue
    try {
      accessSync(c, constants.X_OK)
      return c
    } catch {
      // next
    }
  }
  return undefined
}

/** `redis-server` and `redis-cli`, when both are installed. */
export const clusterBins = (): { readonly server: string; readonly cli: string } | undefined => {
  const server = findBin(process.env["REDIS_SERVER_BIN"], "redis-server")
  const cli = findBin(process.env["REDIS_CLI_BIN"], "redis-cli") ??
    (server === undefined ? undefined : findBin(undefined, join(dirname(server), "redis-cli")))
  return server === undefined || cli === undefined ? undefined : { server, cli }
}

/**
 * Whether the cluster tests of a file are skipped: only off CI (where `redis-server` and
 * `redis-cli` are installed, so a missing one fails), when either is missing, with a warning
 * naming `what` is skipped.
 */
export const skipClusterTests = (what: string): boolean => {
  const skip = clusterBins() === undefined && process.env["CI"] !== "true"
  if (skip) {
    const bar = "!".repeat(78)
    console.warn(`\n${bar}\n!! redis-server/redis-cli not found: SKIPPING ${what}\n${bar}\n`)
  }
  return skip
}

const listenable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

// a node needs its port and the cluster bus port (port + 10000) free
const freeClusterPort = async (): Promise<number> => {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    if (await listenable(port) && await listenable(port + 10_000)) return port
  }
  throw new Error("no free pair of loopback ports for a cluster node")
}

// CRC16/XMODEM, as Redis Cluster hashes keys
const CRC_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let j = 0; j < 8; j++) crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

/** The hash slot of a key, as `CLUSTER KEYSLOT` computes it (hash tags included). */
export const keySlot = (key: string): number => {
  const bytes = Buffer.from(key)
  let start = 0
  let end = bytes.length
  const open = bytes.indexOf(0x7b) // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1) // }
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!
  return crc % 16384
}

/** One `redis-server` of the cluster. */
export interface ClusterNode {
  readonly port: number
  readonly url: string
  readonly pid: number | undefined
  readonly alive: boolean
}

/** A node of `CLUSTER NODES`: its port, role, and for a master its slot ranges. */
export interface NodeInfo {
  readonly id: string
  readonly port: number
  readonly role: "master" | "replica"
  readonly masterId: string | undefined
  readonly failed: boolean
  readonly slots: ReadonlyArray<readonly [number, number]>
}

class Node implements ClusterNode {
  child: ChildProcess | undefined
  readonly port: number
  constructor(port: number) {
    this.port = port
  }
  get url() {
    return `redis://127.0.0.1:${this.port}`
  }
  get pid() {
    return this.child?.pid
  }
  get alive() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }
}

export interface StartOptions {
  /** `cluster-node-timeout` (ms): how long a master may be unreachable before its replica takes over (default 1000). */
  readonly nodeTimeout?: number | undefined
  /** Replicas per master: 1 (default, six nodes) or 0 (three masters alone, for the benchmark's comparison). */
  readonly replicas?: 0 | 1 | undefined
}

/** A cluster of the caller's own. `stop` kills every node by pid and removes the node files. */
export class TestCluster {
  readonly bins: { readonly server: string; readonly cli: string }
  readonly dir: string
  readonly nodeTimeout: number
  private readonly all: Array<Node>

  private constructor(bins: TestCluster["bins"], dir: string, all: Array<Node>, nodeTimeout: number) {
    this.bins = bins
    this.dir = dir
    this.all = all
    this.nodeTimeout = nodeTimeout
  }

  get nodes(): ReadonlyArray<ClusterNode> {
    return this.all
  }

  /** The seed URLs, as `RedisCluster.layer({ rootNodes })` takes them. */
  get rootNodes(): ReadonlyArray<string> {
    return this.all.map((n) => n.url)
  }

  /** Six nodes, three masters with a replica each (or three masters alone), `cluster_state:ok` on every node. */
  static async start(options: StartOptions = {}): Promise<TestCluster> {
    const bins = clusterBins()
    if (bins === undefined) throw new Error("redis-server and redis-cli are needed for a Redis Cluster")
    const replicas = options.replicas ?? 1
    const dir = mkdtempSync(join(tmpdir(), "bing-cluster-"))
    const nodes: Array<Node> = []
    for (let i = 0; i < 3 * (1 + replicas); i++) nodes.push(new Node(await freeClusterPort()))
    const cluster = new TestCluster(bins, dir, nodes, options.nodeTimeout ?? 1000)
    try {
      for (const node of nodes) await cluster.spawn(node)
      await cluster.cliAt(undefined, [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes"
      ])
      await cluster.waitOk(30_000)
      if (replicas > 0) await cluster.waitReplicasInSync(30_000)
      return cluster
    } catch (cause) {
      await cluster.stop()
      throw cause
    }
  }

  private async spawn(node: Node): Promise<void> {
    const child = spawn(this.bins.server, [
      "--port",
      String(node.port),
      "--bind",
      "127.0.0.1",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(this.dir, `nodes-${node.port}.conf`),
      "--cluster-node-timeout",
      String(this.nodeTimeout),
      // a replica takes over however long ago it last heard from its master
      "--cluster-replica-validity-factor",
      "0",
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no"
    ], { stdio: "ignore" })
    node.child = child
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${node.port}`)
      if ((await this.cli(node.port, "PING").catch(() => "")) === "PONG") return
      await sleep(50)
    }
    throw new Error(`redis-server did not answer on port ${node.port}`)
  }

  private cliAt(port: number | undefined, args: ReadonlyArray<string>, timeout = 30_000): Promise<string> {
    const argv = port === undefined ? [...args] : ["-h", "127.0.0.1", "-p", String(port), ...args]
    return new Promise((resolve, reject) =>
      execFile(this.bins.cli, argv, { timeout }, (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`redis-cli ${args.join(" ")}: ${error.message} ${stderr}`))
        else resolve(stdout.trim())
      })
    )
  }

  /** One command on one node through `redis-cli` (its text answer, trimmed). */
  cli(port: number, ...args: ReadonlyArray<string>): Promise<string> {
    return this.cliAt(port, args, 5_000)
  }

  /** `CLUSTER NODES` as seen by a live node. */
  async topology(): Promise<ReadonlyArray<NodeInfo>> {
    let lastError: unknown
    for (const node of this.all.filter((n) => n.alive)) {
      try {
        const text = await this.cli(node.port, "CLUSTER", "NODES")
        return text.split("\n").filter((l) => l.trim() !== "").map((line) => {
          const [id, address, flags, master, , , , , ...slots] = line.split(" ")
          return {
            id: id!,
            port: Number(/:(\d+)@/.exec(address!)![1]),
            role: flags!.includes("master") ? "master" : "replica",
            masterId: master === "-" ? undefined : master,
            failed: flags!.includes("fail"),
            slots: slots.filter((s) => !s.startsWith("[")).map((s) => {
              const [a, b] = s.split("-")
              return [Number(a), Number(b ?? a)] as const
            })
          } satisfies NodeInfo
        })
      } catch (cause) {
        lastError = cause
      }
    }
    throw new Error(`no node answers CLUSTER NODES: ${String(lastError)}`)
  }

  /** The port of the master serving a hash slot (per the live nodes' view). */
  async masterOfSlot(slot: number, ms = 15_000): Promise<number> {
    // waits (bounded) while a failover is in progress
    const until = Date.now() + ms
    for (;;) {
      const nodes = await this.topology()
      const master = nodes.find((n) =>
        n.role === "master" && !n.failed && this.all.some((x) => x.port === n.port && x.alive) &&
        n.slots.some(([a, b]) => slot >= a && slot <= b)
      )
      if (master !== undefined) return master.port
      if (Date.now() > until) throw new Error(`no live master serves slot ${slot}`)
      await sleep(100)
    }
  }

  /** The port of a replica of the master on `port`. */
  async replicaOf(port: number): Promise<number> {
    const nodes = await this.topology()
    const master = nodes.find((n) => n.port === port)
    const replica = nodes.find((n) => n.role === "replica" && !n.failed && n.masterId === master?.id)
    if (replica === undefined) throw new Error(`the master on ${port} has no live replica`)
    return replica.port
  }

  /**
   * Whether every live node reports `cluster_state:ok` and, with `noFailures`, flags no node as
   * failing (`fail` or `fail?` in its `CLUSTER NODES`).
   */
  private async healthy(noFailures: boolean): Promise<boolean> {
    const views = await Promise.all(
      this.all.filter((n) => n.alive).map(async (n) => {
        const info = await this.cli(n.port, "CLUSTER", "INFO").catch(() => "")
        if (!info.includes("cluster_state:ok")) return false
        return !noFailures || !(await this.cli(n.port, "CLUSTER", "NODES").catch(() => "fail")).includes("fail")
      })
    )
    return views.length > 0 && views.every(Boolean)
  }

  /** Waits (bounded) until every live node reports `cluster_state:ok`. */
  async waitOk(ms = 30_000): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      if (await this.healthy(false)) return
      await sleep(100)
    }
    throw new Error(`the cluster did not reach cluster_state:ok within ${ms} ms`)
  }

  /**
   * After a master was frozen or killed: waits (bounded) until the cluster is healthy with no node
   * flagged as failing, twice, one node timeout apart, so that a failover still being decided
   * cannot turn the cluster down after.
   */
  async waitSettled(ms = 30_000): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      if (await this.healthy(true)) {
        await sleep(this.nodeTimeout)
        if (await this.healthy(true)) return
      }
      await sleep(100)
    }
    throw new Error(`the cluster did not settle within ${ms} ms`)
  }

  /** Waits (bounded) until every live replica reports `master_link_status:up`. */
  async waitReplicasInSync(ms = 30_000): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until) {
      const infos = await Promise.all(
        this.all.filter((n) => n.alive).map((n) => this.cli(n.port, "INFO", "replication").catch(() => ""))
      )
      const replicas = infos.filter((i) => i.includes("role:slave"))
      if (replicas.length > 0 && replicas.every((i) => i.includes("master_link_status:up"))) return
      await sleep(100)
    }
    throw new Error(`the replicas did not sync within ${ms} ms`)
  }

  /**
   * A graceful failover: `CLUSTER FAILOVER` on the replica of the master on `masterPort`; resolves
   * with the replica's port once it is master and the cluster is ok again.
   */
  async failover(masterPort: number, ms = 30_000): Promise<number> {
    const replica = await this.replicaOf(masterPort)
    await this.cli(replica, "CLUSTER", "FAILOVER")
    const until = Date.now() + ms
    while (Date.now() < until) {
      const role = await this.cli(replica, "ROLE").catch(() => "")
      if (role.startsWith("master")) {
        await this.waitOk(Math.max(1, until - Date.now()))
        return replica
      }
      await sleep(50)
    }
    throw new Error(`the replica on ${replica} did not become master within ${ms} ms`)
  }

  /** Sends a signal to the node on `port` (SIGKILL: a hard failure; SIGSTOP: a frozen node). */
  signal(port: number, signal: NodeJS.Signals): void {
    const node = this.all.find((n) => n.port === port)
    if (node?.pid === undefined || !node.alive) throw new Error(`no live node on ${port}`)
    process.kill(node.pid, signal)
  }

  /**
   * Starts a killed node again on its port and node file: it rejoins as a replica of the master
   * that took its slots. Resolves once every master has a live replica again (bounded).
   */
  async restart(port: number, ms = 30_000): Promise<void> {
    const node = this.all.find((n) => n.port === port)
    if (node === undefined || node.alive) throw new Error(`no dead node on ${port}`)
    await this.spawn(node)
    const until = Date.now() + ms
    while (Date.now() < until) {
      const nodes = await this.topology().catch(() => [])
      const masters = nodes.filter((n) => n.role === "master" && !n.failed && n.slots.length > 0)
      const covered = masters.every((m) => nodes.some((r) => r.role === "replica" && !r.failed && r.masterId === m.id))
      if (masters.length > 0 && covered) {
        await this.waitOk(Math.max(1, until - Date.now()))
        await this.waitReplicasInSync(Math.max(1, until - Date.now()))
        return
      }
      await sleep(100)
    }
    throw new Error(`the node on ${port} did not rejoin as a replica within ${ms} ms`)
  }

  /** Kills every node by pid (thawing a frozen one first) and removes the node files. */
  async stop(): Promise<void> {
    await Promise.all(this.all.map(async (node) => {
      const child = node.child
      if (child === undefined || !node.alive) return
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      process.kill(child.pid!, "SIGCONT")
      process.kill(child.pid!, "SIGKILL")
      await gone
    }))
    rmSync(this.dir, { recursive: true, force: true })
  }
}
