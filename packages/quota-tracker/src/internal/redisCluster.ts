/**
 * A node-redis cluster client for the store: commands routed by their first key, a script loaded
 * on every master, a script a node has never seen (a replica promoted by a failover, a slot moved
 * by a resharding) run once more as `EVAL`, which also caches it there, and every attempt bounded
 * in time (see `redisConnection.ts` for why node-redis' own bounds are not enough).
 *
 * node-redis follows `MOVED` and `ASK` itself (and refreshes its slot map on `MOVED`). What it does
 * not notice is a master that stops answering without closing its socket (frozen, or a host gone
 * from the network): the sockets here close after `socketTimeout` ms without a byte (a `PING`
 * every `pingInterval` keeps an idle healthy connection talking), which fails the commands in
 * flight, starts reconnection attempts, and those refresh the slot map after
 * `topologyRefreshOnReconnectionAttemptStrategy` ms, so that the slots of a failed-over master
 * reach its replica.
 *
 * @internal
 */
import type { createCluster, RedisClusterOptions } from "redis"
import { ConnectFailed, whereOf } from "./connectFailed.js"
import { describeCause } from "./errorDetail.js"
import type { RawCallState } from "./redisStore.js"
import type { WaitReplicas } from "./waitReplicas.js"

/** node-redis' cluster constructor: loaded by `loadDriver` when a cluster layer is built. */
export type CreateCluster = typeof createCluster
type Cluster = ReturnType<CreateCluster>

/**
 * Loads `redis` (an optional peer) on first use: `RedisCluster` is exported from the package root,
 * and the root must not load a driver its user may not have installed.
 */
export const loadDriver = async (): Promise<CreateCluster> => (await import("redis")).createCluster

/** The commands that name no key: routed to any node (node-redis' policies broadcast some of them). */
const KEYLESS = new Set([
  "PING",
  "ECHO",
  "INFO",
  "TIME",
  "SCRIPT",
  "FUNCTION",
  "CLUSTER",
  "COMMAND",
  "CONFIG",
  "CLIENT",
  "DBSIZE",
  "KEYS",
  "SCAN",
  "RANDOMKEY",
  "WAIT",
  "PUBLISH",
  "SPUBLISH",
  "MULTI",
  "EXEC",
  "DISCARD"
])

/** The key a command is routed by: the first key it names, or `undefined` for a keyless command. */
export const firstKeyOf = (argv: ReadonlyArray<string>): string | undefined => {
  const command = argv[0]?.toUpperCase() ?? ""
  switch (command) {
    case "EVAL":
    case "EVALSHA":
    case "EVAL_RO":
    case "EVALSHA_RO":
    case "FCALL":
    case "FCALL_RO":
      return Number(argv[2]) > 0 ? argv[3] : undefined
    case "XREAD":
    case "XREADGROUP": {
      const at = argv.findIndex((a) => a.toUpperCase() === "STREAMS")
      return at < 0 ? undefined : argv[at + 1]
    }
    default:
      return KEYLESS.has(command) ? undefined : argv[1]
  }
}

const isNoScript = (cause: unknown): boolean => String(cause).includes("NOSCRIPT")

// an `ErrorReply` whose message starts with the server's code
const isRedirect = (cause: unknown): boolean =>
  cause instanceof Error && (cause.message.startsWith("MOVED") || cause.message.startsWith("ASK"))

// CRC16/XMODEM, as Redis Cluster hashes keys
const CRC16 = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let j = 0; j < 8; j++) crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

const crc16 = (bytes: ArrayLike<number>, start: number, end: number): number => {
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ bytes[i]!) & 0xff]!
  return crc
}

/** The hash slot of a key, as `CLUSTER KEYSLOT` computes it (the first non-empty `{...}` tag hashed alone). */
export const keySlotOf = (key: string): number => {
  let start = 0
  let end = key.length
  const open = key.indexOf("{")
  if (open >= 0) {
    const close = key.indexOf("}", open + 1)
    if (close > open + 1) {
      start = open + 1
      end = close
    }
  }
  // the tag's characters are its bytes while it is ASCII (a store key's tag is a tier name)
  let crc = 0
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i)
    if (c > 0x7f) {
      // UTF-8: the braces are one byte each, so the tag of the bytes is the tag of the text
      const bytes = Buffer.from(key.slice(start, end))
      return crc16(bytes, 0, bytes.length) % 16384
    }
    crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ c) & 0xff]!
  }
  return crc % 16384
}

export interface ClusterOptions {
  readonly rootNodes: ReadonlyArray<string>
  /** Bound of the start-up (discovery and the connections to the masters), ms. */
  readonly connectTimeout: number
  /** Bound of the wait for in-flight replies when closing, ms. */
  readonly closeTimeout: number
  /** A socket without a byte for this long is closed (and the slot map refreshed), ms. */
  readonly socketTimeout: number
  readonly waitReplicas: WaitReplicas | undefined
  /** node-redis' own options, given by the user (they win over the defaults here, `rootNodes` excepted). */
  readonly driver: Readonly<Record<string, unknown>>
}

/** The answer of `WAIT` fell short: the write may be lost with its master. */
export class NotReplicated extends Error {
  constructor(readonly acknowledged: number, readonly wanted: WaitReplicas) {
    super(`${acknowledged} of ${wanted.count} replicas acknowledged the write within ${wanted.timeoutMs} ms`)
  }
}

const clusterOptionsOf = (options: ClusterOptions): Partial<RedisClusterOptions> => {
  // typed by node-redis here, where `redis` is imported anyway (the public `Options` do not name it)
  const driver = options.driver as Partial<RedisClusterOptions>
  const defaults = driver.defaults ?? {}
  const socket = (defaults.socket ?? {}) as Record<string, unknown>
  return {
    // a failed-over master's slots move as soon as its replacement is known
    topologyRefreshOnReconnectionAttemptStrategy: 200,
    ...driver,
    rootNodes: options.rootNodes.map((url) => ({ url })),
    defaults: {
      // while a node reconnects its commands fail at once instead of queueing: a queued command that
      // has already timed out for the caller would otherwise run later and count twice
      disableOfflineQueue: true,
      pingInterval: Math.max(50, Math.floor(options.socketTimeout / 2)),
      ...defaults,
      socket: {
        connectTimeout: options.connectTimeout,
        socketTimeout: options.socketTimeout,
        reconnectStrategy: (retries: number) => Math.min(2 ** retries * 50, 1000) + Math.floor(Math.random() * 100),
        ...socket
      } as never
    }
  }
}

/** A cluster client, connected within `connectTimeout`, and the store's send over it. */
export class ClusterConnection {
  readonly where: string
  readonly cluster: Cluster
  #connected: Promise<void> | undefined
  #isConnected = false
  #closed = false
  readonly #slots = new Map<string, number>()
  readonly #boundedOptions: Array<{ readonly slotNumber: number; readonly timeout?: 0 }> = []
  readonly #unboundedOptions: Array<{ readonly slotNumber: number; readonly timeout?: 0 }> = []
  // the scripts this connection loaded, by SHA: a node that answers NOSCRIPT runs the text instead
  readonly #scripts = new Map<string, string>()

  constructor(createCluster: CreateCluster, readonly options: ClusterOptions) {
    this.where = options.rootNodes.map(whereOf).join(",")
    this.cluster = createCluster(clusterOptionsOf(options) as Parameters<typeof createCluster>[0])
    // node-redis throws `error` events nobody listens to; failures reach callers through commands
    this.cluster.on("error", () => {})
  }

  /** Connects once; rejects with `ConnectFailed` within `connectTimeout`, destroying the attempt. */
  connect(): Promise<void> {
    if (this.#connected !== undefined) return this.#connected
    const attempt = new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (reason: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.cluster.destroy()
        reject(new ConnectFailed(this.where, reason))
      }
      const timer = setTimeout(
        () => fail(`no answer within ${this.options.connectTimeout} ms`),
        this.options.connectTimeout
      )
      this.cluster.connect().then(
        () => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          if (this.#closed) {
            this.cluster.destroy()
            reject(new ConnectFailed(this.where, "the store is closed"))
          } else {
            this.#isConnected = true
            resolve()
          }
        },
        (cause: unknown) => fail(describeCause(cause))
      )
    })
    this.#connected = attempt
    return attempt
  }

  /** True once `connect` has succeeded: the hot path then skips the wait for it. */
  get isConnected(): boolean {
    return this.#isConnected
  }

  /**
   * Sends one command. `SCRIPT LOAD` goes to every master (it succeeds when one of them answers: a
   * master down now gets the script by NOSCRIPT later); `EVALSHA` that meets NOSCRIPT is sent once
   * more as `EVAL`; with `waitReplicas`, a script's answer waits for `WAIT` on the same node.
   */
  send(argv: Array<string>, bounded: boolean, call?: RawCallState): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ConnectFailed(this.where, "the store is closed"))
    const options = bounded ? UNTIMED : undefined
    // the store's own commands (EVALSHA, in upper case) skip the parsing of the general path
    const command = argv[0] === "EVALSHA" ? "EVALSHA" : argv[0]!.toUpperCase()
    if (command === "SCRIPT" && argv[1]?.toUpperCase() === "LOAD") return this.#loadEverywhere(argv[2] ?? "")
    const key = firstKeyOf(argv)
    if (key === undefined) {
      const sent = this.cluster.sendCommand(key, false, argv, options)
      return command === "EVALSHA" ? sent.catch((cause: unknown) => this.#runText(key, argv, bounded, cause)) : sent
    }
    const sent = this.#sendToMaster(key, argv, bounded, command === "EVALSHA", call)
    const wait = this.options.waitReplicas
    return wait === undefined ? sent : sent.then((reply) => this.#waitFor(key, wait, reply))
  }

  // node-redis' `sendCommand` on a cluster resolves the command's policy, builds a parser and
  // awaits three async steps per command: about a fifth of the client's CPU per acquire at c=64
  // (bench/quota-tracker-redis-cluster.ts). A keyed command goes straight to the connected,
  // ready client of its slot's master instead, with the slot number node-redis itself attaches;
  // any other state (no slot map entry, connecting, reconnecting) and any redirect take
  // node-redis' path, which connects, follows `MOVED`/`ASK` and refreshes the slot map. A
  // redirected command was not run by the node that answered `MOVED`/`ASK`, so sending it again
  // counts nothing twice, unless the caller has already been told it failed (`call.done`: its
  // deadline passed, as when a graceful failover pauses the old master past the store's timeout
  // and its queued commands come back `MOVED`): the caller may retry it, and a resend would count
  // it twice. One rejection handler covers both a redirect and a `NOSCRIPT`, so that the answer
  // costs the caller one promise of ours, not one per case.
  #sendToMaster(
    key: string,
    argv: Array<string>,
    bounded: boolean,
    script: boolean,
    call: RawCallState | undefined
  ): Promise<unknown> {
    const slot = this.#slotOf(key)
    const client = this.cluster.slots[slot]?.master.client
    const direct = client !== undefined && client.isReady
    const routed = direct
      ? client.sendCommand(argv, this.#optionsOf(slot, bounded))
      : this.cluster.sendCommand(key, false, argv, bounded ? UNTIMED : undefined)
    if (!script && !direct) return routed
    return routed.then(undefined, (cause: unknown) => {
      if (call?.done === true) throw cause
      if (direct && isRedirect(cause)) {
        const resent = this.cluster.sendCommand(key, false, argv, bounded ? UNTIMED : undefined)
        return script ? resent.catch((again: unknown) => this.#runText(key, argv, bounded, again)) : resent
      }
      if (script) return this.#runText(key, argv, bounded, cause)
      throw cause
    })
  }

  // an EVALSHA the node answered NOSCRIPT: sent as EVAL, which runs the script and caches it there
  #runText(key: string | undefined, argv: Array<string>, bounded: boolean, cause: unknown): Promise<unknown> {
    const lua = this.#scripts.get(argv[1]!)
    if (lua === undefined || !isNoScript(cause)) return Promise.reject(cause)
    return this.cluster.sendCommand(key, false, ["EVAL", lua, ...argv.slice(2)], bounded ? UNTIMED : undefined)
  }

  // The slot of a store key, computed once per key: the store sends the same key strings for every
  // acquire of a tier until a period rolls over (its argument templates), so a lookup replaces the
  // CRC16 and the brace scan of the key. Bounded: cleared when it holds too many keys.
  #slotOf(key: string): number {
    const known = this.#slots.get(key)
    if (known !== undefined) return known
    if (this.#slots.size >= SLOT_CACHE_SIZE) this.#slots.clear()
    const slot = keySlotOf(key)
    this.#slots.set(key, slot)
    return slot
  }

  // node-redis' command options with the slot number, one object per slot and bound instead of one
  // per command (node-redis copies them anyway)
  #optionsOf(slot: number, bounded: boolean): { readonly slotNumber: number; readonly timeout?: 0 } {
    const cache = bounded ? this.#boundedOptions : this.#unboundedOptions
    return cache[slot] ??= bounded ? { timeout: 0, slotNumber: slot } : { slotNumber: slot }
  }

  async #loadEverywhere(lua: string): Promise<string> {
    await this.connect()
    const loads = await Promise.allSettled(
      this.cluster.masters.map(async (master) => {
        const client = await this.cluster.nodeClient(master)
        return String(await client.sendCommand(["SCRIPT", "LOAD", lua], { timeout: this.options.socketTimeout }))
      })
    )
    for (const load of loads) {
      if (load.status === "fulfilled") {
        this.#scripts.set(load.value, lua)
        return load.value
      }
    }
    throw loads.length === 0 ? new Error("no master is known") : (loads[0] as PromiseRejectedResult).reason
  }

  // WAIT counts the writes sent before it on the same connection: the node client that serves the
  // key's slot is the one the script went through (node-redis keeps one connection per node)
  async #waitFor(key: string, wait: WaitReplicas, reply: unknown): Promise<unknown> {
    const client = await this.cluster.getNodeClientForKey(key)
    const acknowledged = Number(await client.sendCommand(["WAIT", String(wait.count), String(wait.timeoutMs)]))
    if (acknowledged < wait.count) throw new NotReplicated(acknowledged, wait)
    return reply
  }

  /** Closes the client, waiting for in-flight replies up to `closeTimeout`, then destroys it. */
  async close(): Promise<void> {
    this.#closed = true
    const cluster = this.cluster
    if (!cluster.isOpen) {
      cluster.destroy()
      return
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        cluster.destroy()
        resolve()
      }, this.options.closeTimeout)
      cluster.close().then(
        () => {
          clearTimeout(timer)
          resolve()
        },
        () => {
          clearTimeout(timer)
          cluster.destroy()
          resolve()
        }
      )
    })
  }
}

// `timeout: 0` turns off node-redis' per-command timer for the calls the store bounds itself
const UNTIMED = { timeout: 0 } as const

// keys whose slot is remembered: a tracker's tiers times their live periods, with room to spare
const SLOT_CACHE_SIZE = 4096
