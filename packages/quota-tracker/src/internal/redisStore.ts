/**
 * The Redis counter store: one Lua script checks and records every slot of an
 * acquire, so an acquire is one round trip (`EVALSHA`) and exact across any
 * number of processes and hosts. The script mirrors `slotMath.ts`.
 *
 * The hot path (an acquire at high concurrency) is shaped by measurement
 * (`bench/quota-tracker-redis.ts`, against the same script sent by raw
 * node-redis): each trick below says why it is there.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Redis from "effect/persistence/Redis"
import * as QuotaError from "../QuotaError.js"
import type { AcquireResult, Service, Slot } from "../QuotaStore.js"
import { describeCause as describe } from "./errorDetail.js"

/** The first element of a script's answer when a slot holds something other than a number: `{ POISONED, index }`. */
export const POISONED = -2

// ARGV: now, weight|delta, then 4 values per slot: kind (0 counter, 1 bucket), limit, expiresAt, interval.
const pushSlotArgs = (argv: Array<string>, slot: Slot): void => {
  argv.push(
    slot.kind === "counter" ? "0" : "1",
    String(slot.limit),
    slot.kind === "counter" ? String(slot.expiresAt) : "0",
    slot.kind === "bucket" ? String(slot.interval) : "0"
  )
}

// Reads every slot and checks it before anything is written, so that a script never fails half
// way: MGET answers nil for a missing key and for a key of another type (told apart by EXISTS, only
// for nil answers), and a counter must hold an integer (INCRBY refuses anything else), a bucket a
// finite number. A slot holding something else stops the script with { POISONED, index }.
const luaRead = `
local raw = redis.call("MGET", unpack(KEYS))
local values = {}
for i = 1, #KEYS do
  local r = raw[i]
  local v = 0
  if r then
    if ARGV[i * 4 - 1] == "0" then
      if not string.match(r, "^%-?%d+$") then return { ${POISONED}, i - 1 } end
      v = tonumber(r)
    else
      v = tonumber(r)
      if v == nil or v ~= v or v == math.huge or v == -math.huge then return { ${POISONED}, i - 1 } end
    end
  elseif redis.call("EXISTS", KEYS[i]) == 1 then
    return { ${POISONED}, i - 1 }
  end
  values[i] = v
end
`

// A bucket's key outlives its arrival time by a second of Redis' own (real) time: the caller's
// "now" may run ahead of or behind it (a loaded machine, TestClock), and a key that expired early
// would forget admitted requests. A lingering arrival time at or before now counts as empty anyway.
const bucketSlack = "local BUCKET_SLACK = 1000"

const luaPrelude = `
${bucketSlack}
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local n = #KEYS
local function slot(i)
  local base = 2 + (i - 1) * 4
  return ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
end
local function store(i, kind, value, expiresAt)
  local expiry = expiresAt
  if kind == "1" then expiry = math.ceil(value) + BUCKET_SLACK end
  local ttl = math.ceil(expiry - now)
  if ttl <= 0 then
    redis.call("DEL", KEYS[i])
  else
    redis.call("SET", KEYS[i], string.format("%.17g", value), "PX", ttl)
  end
end
`

// One MGET reads every slot (a tier's keys share a hash slot). When admitted, counters take an
// INCRBY (and a PEXPIRE when the period's key is new) and buckets one SET: measured on Redis 7,
// this costs about half of a SET with PX per slot plus number formatting.
const acquireLua = `
${bucketSlack}
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local n = #KEYS
${luaRead}
local nexts = {}
for i = 1, n do
  local base = i * 4 - 2
  local limit = tonumber(ARGV[base + 2])
  local v = values[i]
  local refused = false
  if ARGV[base + 1] == "0" then
    refused = v + amount > limit
  else
    local interval = tonumber(ARGV[base + 4])
    local tat = v
    if tat < now then tat = now end
    local cost = amount * interval / limit
    -- the clock stepped back (see slotMath.nextValue): just room for this request
    if tat - now > interval + cost then tat = now + math.max(0, interval - cost) end
    local nx = tat + cost
    local tolerance = interval
    if cost > tolerance then tolerance = cost end
    refused = nx - now > tolerance + 0.000001
    nexts[i] = nx
  end
  if refused then
    local reply = { i - 1 }
    for j = 1, n do
      local value = values[j]
      if ARGV[j * 4 - 1] == "0" then reply[j + 1] = value else reply[j + 1] = string.format("%.17g", value) end
    end
    return reply
  end
end
local reply = { -1 }
for i = 1, n do
  local base = i * 4 - 2
  if ARGV[base + 1] == "0" then
    local value = redis.call("INCRBY", KEYS[i], amount)
    if value == amount then
      local ttl = math.ceil(tonumber(ARGV[base + 3]) - now)
      if ttl > 0 then redis.call("PEXPIRE", KEYS[i], ttl) else redis.call("DEL", KEYS[i]) end
    end
    reply[i + 1] = value
  else
    local nx = nexts[i]
    local text = string.format("%.17g", nx)
    redis.call("SET", KEYS[i], text, "PX", math.ceil(nx) + BUCKET_SLACK - now)
    reply[i + 1] = text
  end
end
return reply
`

const addLua = `${luaPrelude}${luaRead}
local reply = { -1 }
for i = 1, n do
  local kind, limit, expiresAt, interval = slot(i)
  local v = values[i]
  local nx
  if kind == "0" then
    nx = v + amount
    if nx < 0 then nx = 0 end
  else
    local tat = v
    if tat < now then tat = now end
    nx = tat + amount * interval / limit
    if nx < now then nx = now end
  end
  store(i, kind, nx, expiresAt)
  reply[i + 1] = string.format("%.17g", nx)
end
return reply
`

const getLua = `${luaRead}
local reply = { -1 }
for i = 1, #KEYS do reply[i + 1] = string.format("%.17g", values[i]) end
return reply
`

const setLua = `${luaPrelude}
local kind, limit, expiresAt, interval = slot(1)
store(1, kind, amount, expiresAt)
return 1
`

/** A call in flight with a deadline: `expire` fails it, once. */
interface Deadline {
  readonly deadline: number
  expire(): void
}

/**
 * Bounds the duration of Redis calls without a timer per call: one interval,
 * running only while calls are in flight, fails the calls past their deadline.
 * (`Effect.timeout` races a sleeping fiber per call, which doubled the client
 * CPU cost of an acquire.) Only the calls in flight are held, so a settled
 * call's fiber is never kept alive by its deadline.
 */
export class Deadlines {
  private readonly pending = new Set<Deadline>()
  private timer: ReturnType<typeof setInterval> | undefined
  readonly timeout: number

  constructor(timeout: number) {
    this.timeout = timeout
  }

  private readonly sweep = (): void => {
    if (this.pending.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
      return
    }
    const now = Date.now()
    for (const entry of this.pending) {
      if (entry.deadline > now) continue
      this.pending.delete(entry)
      entry.expire()
    }
  }

  /**
   * Starts watching a call whose `deadline` is the answer (`timeout` ms from now): its `expire`
   * runs once past it, unless `settle`d first.
   */
  add(entry: Deadline): number {
    this.pending.add(entry)
    if (this.timer === undefined) {
      this.timer = setInterval(this.sweep, Math.max(5, Math.min(250, this.timeout / 4)))
      this.timer.unref()
    }
    return Date.now() + this.timeout
  }

  /** `add` for a call described by its `expire` alone. */
  watch(expire: () => void): Deadline {
    const entry = { deadline: 0, expire }
    entry.deadline = this.add(entry)
    return entry
  }

  /** Stops watching a call that has settled (or was interrupted). */
  settle(entry: Deadline): void {
    this.pending.delete(entry)
  }

  /** Runs `effect` in a child fiber (started at once), failing with `onTimeout()` past the deadline. */
  guard<A, E>(effect: Effect.Effect<A, E>, onTimeout: () => E): Effect.Effect<A, E> {
    return Effect.withFiber((parent) =>
      Effect.callback<A, E>((resume) => {
        const child = Effect.runForkWith(parent.context)(effect)
        const done = child.pollUnsafe()
        if (done !== undefined) {
          resume(done)
          return
        }
        const entry = this.watch(() => {
          removeObserver()
          child.interruptUnsafe()
          resume(Effect.fail(onTimeout()))
        })
        const removeObserver = child.addObserver((exit) => {
          this.settle(entry)
          resume(exit)
        })
        return Effect.sync(() => {
          this.settle(entry)
          removeObserver()
          child.interruptUnsafe()
        })
      })
    )
  }
}

/**
 * A `Redis` service may carry, under this key, a function that sends one command
 * and returns node-redis' own promise: `RedisStore.layerConnection` does. The
 * store then sends its scripts through it, skipping an `Effect` per command and
 * the child fiber that bounds a generic service's calls (together about half of
 * the client's CPU per acquire at concurrency 64). An internal capability, not a
 * field of the public `Redis` service: any other service is used through `send`.
 *
 * `bounded` is true when the store bounds the call itself (its `timeout`): the
 * connection then skips node-redis' own per-command timer (node-redis 6 arms an
 * `AbortSignal.timeout` per command by default, a timer and listeners per acquire).
 *
 * `call`, when given, is done once the caller has had its answer (its deadline
 * passed): a connection that would send the command again (a cluster following a
 * `MOVED` or `ASK` that came after the deadline) must not, since the caller has
 * been told the acquire failed and may retry it: a resend would count it twice.
 */
export const RawCommand: unique symbol = Symbol.for("@bing-effect/quota-tracker/RedisRawCommand")

/** A call of the store in flight: `done` once its caller has had an answer. */
export interface RawCallState {
  readonly done: boolean
}

/** See `RawCommand`. */
export type RawCommand = (argv: Array<string>, bounded: boolean, call?: RawCallState) => Promise<unknown>

/** Options of the Redis store, resolved. */
export interface StoreOptions {
  readonly prefix: string
  /** ms, `0` for no bound. */
  readonly timeout: number
}

type Reply = ReadonlyArray<number | string>

// A script known by its text and, once loaded, by its SHA-1: EVALSHA sends 40 bytes instead of the
// script. The SHA is asked of Redis (SCRIPT LOAD) on first use and again after NOSCRIPT (a restarted
// or flushed server), so the core needs no hash function of its own.
class Script {
  sha: string | undefined = undefined
  readonly lua: string
  constructor(lua: string) {
    this.lua = lua
  }
}

// node-redis rejects with an `ErrorReply` whose message starts with the server's code
const isNoScript = (cause: unknown): boolean => String(cause).includes("NOSCRIPT")

// The arguments of the scripts over a list of slots, built once per list: the tracker passes the same
// array for every acquire of a tier until a period rolls over, so only "now" and the amount change.
// (Building keys, `String()`-ing twelve numbers and spreading three arrays per acquire cost more than
// the rest of the store's client work.) The template is checked against the slots it was built from,
// element by element, so an array changed in place is never served a stale template.
interface Template {
  readonly slots: ReadonlyArray<Slot>
  /** `EVALSHA <sha> <n> key... <now> <amount> slot-args...`, with blanks for sha, now and amount. */
  readonly argv: ReadonlyArray<string>
  readonly nowAt: number
}

const templateOf = (prefix: string, slots: ReadonlyArray<Slot>): Template => {
  const n = slots.length
  const argv = ["EVALSHA", "", String(n)]
  for (let i = 0; i < n; i++) argv.push(prefix + slots[i]!.key)
  argv.push("", "")
  for (let i = 0; i < n; i++) pushSlotArgs(argv, slots[i]!)
  return { slots: slots.slice(), argv, nowAt: 3 + n }
}

const sameSlots = (a: ReadonlyArray<Slot>, b: ReadonlyArray<Slot>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

// node-redis answers a script's integers as numbers and its strings as strings
const numbersOf = (reply: Reply, n: number): Array<number> => {
  const values: Array<number> = []
  for (let i = 0; i < n; i++) {
    const raw = reply[i + 1]!
    values.push(typeof raw === "number" ? raw : Number(raw))
  }
  return values
}

type Decode<A> = (reply: Reply, slots: ReadonlyArray<Slot>, now: number) => Exit.Exit<A, QuotaError.QuotaError>

/** One kind of store operation: its script and how its answer reads. Built once per store. */
interface Operation<A> {
  readonly what: "acquire" | "add" | "get" | "set"
  readonly script: Script
  readonly decode: Decode<A>
}

/** What a fast-path call needs of its store. */
interface RawTransport {
  readonly send: RawCommand
  readonly bounded: boolean
  readonly deadlines: Deadlines | undefined
  readonly failed: (what: string, cause: unknown) => QuotaError.QuotaError
  readonly timedOut: (what: string) => QuotaError.QuotaError
}

// Loads the script when its SHA is unknown, then sends `argv` (whose [1] is the SHA).
const sendRaw = (
  transport: RawTransport,
  script: Script,
  argv: Array<string>,
  call: RawCallState
): Promise<unknown> => {
  if (script.sha !== undefined) {
    argv[1] = script.sha
    return transport.send(argv, transport.bounded, call)
  }
  return transport.send(["SCRIPT", "LOAD", script.lua], transport.bounded).then((sha) => {
    script.sha = String(sha)
    argv[1] = script.sha
    return transport.send(argv, transport.bounded, call)
  })
}

// One fast-path call in flight: one object that is also its own deadline entry, instead of a
// closure per outcome (measured: a third of the store's own client CPU per acquire). A NOSCRIPT
// answer (the server forgot the script) reloads it and resends once, within the same deadline.
class RawCall<A> implements Deadline, RawCallState {
  readonly deadline: number
  done = false
  private retried = false
  private readonly transport: RawTransport
  private readonly resume: (exit: Exit.Exit<A, QuotaError.QuotaError>) => void
  private readonly operation: Operation<A>
  private readonly argv: Array<string>
  private readonly slots: ReadonlyArray<Slot>
  private readonly now: number

  constructor(
    transport: RawTransport,
    resume: (exit: Exit.Exit<A, QuotaError.QuotaError>) => void,
    operation: Operation<A>,
    argv: Array<string>,
    slots: ReadonlyArray<Slot>,
    now: number
  ) {
    this.transport = transport
    this.resume = resume
    this.operation = operation
    this.argv = argv
    this.slots = slots
    this.now = now
    this.deadline = transport.deadlines === undefined ? 0 : transport.deadlines.add(this)
  }

  send(): void {
    sendRaw(this.transport, this.operation.script, this.argv, this).then(
      (reply) => this.reply(reply as Reply),
      (cause) => this.error(cause)
    )
  }

  private settle(): boolean {
    if (this.done) return false
    this.done = true
    this.transport.deadlines?.settle(this)
    return true
  }

  private reply(reply: Reply): void {
    if (this.settle()) this.resume(this.operation.decode(reply, this.slots, this.now))
  }

  private error(cause: unknown): void {
    if (this.done) return
    if (!this.retried && isNoScript(cause)) {
      this.retried = true
      this.operation.script.sha = undefined
      this.send()
      return
    }
    if (this.settle()) this.resume(Exit.fail(this.transport.failed(this.operation.what, cause)))
  }

  expire(): void {
    if (this.done) return
    this.done = true
    this.resume(Exit.fail(this.transport.timedOut(this.operation.what)))
  }
}

/** The Redis store over a `Redis` service (see `QuotaStore.makeRedis`). */
export const makeService = (redis: Redis.Redis["Service"], options: StoreOptions): Service => {
  const { prefix, timeout } = options
  // real time: Redis answers in real time whatever the caller's Clock says
  const deadlines = timeout > 0 ? new Deadlines(timeout) : undefined
  const raw = (redis as { readonly [RawCommand]?: RawCommand })[RawCommand]

  const templates = new WeakMap<ReadonlyArray<Slot>, Template>()
  const argvOf = (slots: ReadonlyArray<Slot>, now: number, amount: number): Array<string> => {
    let template = templates.get(slots)
    if (template === undefined || !sameSlots(template.slots, slots)) {
      template = templateOf(prefix, slots)
      templates.set(slots, template)
    }
    const argv = template.argv.slice()
    argv[template.nowAt] = String(now)
    argv[template.nowAt + 1] = amount === 1 ? "1" : String(amount)
    return argv
  }

  const failed = (what: string, cause: unknown) =>
    QuotaError.storeUnavailable("redis", `${what} failed: ${describe(cause)}`)
  const timedOut = (what: string) => QuotaError.storeUnavailable("redis", `${what} timed out after ${timeout} ms`)

  // ---- transport: node-redis' promise directly when the service offers it, else `send` ----

  const transport: RawTransport | undefined = raw === undefined
    ? undefined
    : { send: raw, bounded: deadlines !== undefined, deadlines, failed, timedOut }

  // One async step per call: no Effect per command, no child fiber. No finalizer either: an
  // interrupted fiber ignores a later resume, and its deadline entry goes at the reply or the
  // deadline (an interrupt finalizer would cost an effect per acquire).
  const callRaw = <A>(
    fast: RawTransport,
    operation: Operation<A>,
    argv: Array<string>,
    slots: ReadonlyArray<Slot>,
    now: number
  ): Effect.Effect<A, QuotaError.QuotaError> =>
    Effect.callback<A, QuotaError.QuotaError>((resume) => {
      new RawCall(fast, resume, operation, argv, slots, now).send()
    })

  const loadWith = (script: Script): Effect.Effect<string, Redis.RedisError> =>
    script.sha !== undefined
      ? Effect.succeed(script.sha)
      : Effect.map(redis.send<string>("SCRIPT", "LOAD", script.lua), (sha) => (script.sha = String(sha)))

  const evalWith = (script: Script, argv: Array<string>): Effect.Effect<unknown, Redis.RedisError> =>
    Effect.flatMap(loadWith(script), (sha) => {
      argv[1] = sha
      return redis.send("EVALSHA", ...argv.slice(1))
    })

  // Any other `Redis` service: EVALSHA through `send`, bounded by a child fiber's deadline.
  const callSend = <A>(
    operation: Operation<A>,
    argv: Array<string>,
    slots: ReadonlyArray<Slot>,
    now: number
  ): Effect.Effect<A, QuotaError.QuotaError> => {
    const { script, what } = operation
    const sent = evalWith(script, argv).pipe(
      Effect.catchIf((error) => isNoScript(error.cause), () => {
        script.sha = undefined
        return evalWith(script, argv)
      }),
      Effect.mapError((error) => failed(what, error.cause)),
      Effect.flatMap((reply) => operation.decode(reply as Reply, slots, now))
    )
    return deadlines === undefined ? sent : deadlines.guard(sent, () => timedOut(what))
  }

  const call = <A>(
    operation: Operation<A>,
    argv: Array<string>,
    slots: ReadonlyArray<Slot>,
    now: number
  ): Effect.Effect<A, QuotaError.QuotaError> =>
    transport !== undefined ? callRaw(transport, operation, argv, slots, now) : callSend(operation, argv, slots, now)

  // ---- answers ----

  // `{ POISONED, index }`: a slot holds something that is not its number
  const poisoned = (slots: ReadonlyArray<Slot>, reply: Reply, what: string) => {
    const slot = slots[Number(reply[1])]
    const holds = slot?.kind === "bucket" ? "a bucket's arrival time" : "a count"
    return Exit.fail(QuotaError.storeUnavailable(
      "redis",
      `${what} failed: the key ${prefix}${
        slot?.key ?? "?"
      } holds something other than ${holds} (nothing was changed; delete the key or overwrite it with setUsage)`
    ))
  }

  const acquire: Operation<AcquireResult> = {
    what: "acquire",
    script: new Script(acquireLua),
    decode: (reply, slots) =>
      reply[0] === POISONED
        ? poisoned(slots, reply, "acquire")
        : Exit.succeed({ refused: Number(reply[0]), values: numbersOf(reply, slots.length) })
  }
  const add: Operation<ReadonlyArray<number>> = {
    what: "add",
    script: new Script(addLua),
    decode: (reply, slots) =>
      reply[0] === POISONED ? poisoned(slots, reply, "add") : Exit.succeed(numbersOf(reply, slots.length))
  }
  const get: Operation<ReadonlyArray<number>> = {
    what: "get",
    script: new Script(getLua),
    decode: (reply, slots, now) => {
      if (reply[0] === POISONED) return poisoned(slots, reply, "get")
      const values = numbersOf(reply, slots.length)
      for (let i = 0; i < values.length; i++) if (slots[i]!.kind === "bucket" && values[i]! <= now) values[i] = 0
      return Exit.succeed(values)
    }
  }
  const set: Operation<void> = { what: "set", script: new Script(setLua), decode: () => Exit.void }

  // no slots (a tier without limits): nothing to check or count, and MGET with no key is an error
  const addSlots = (slots: ReadonlyArray<Slot>, delta: number, now: number) =>
    slots.length === 0 ? Effect.succeed([]) : call(add, argvOf(slots, now, delta), slots, now)
  const admitted: AcquireResult = { refused: -1, values: [] }

  return {
    name: "redis",
    acquire: (slots, weight, now) =>
      slots.length === 0 ? Effect.succeed(admitted) : call(acquire, argvOf(slots, now, weight), slots, now),
    get: (slots, now) => slots.length === 0 ? Effect.succeed([]) : call(get, argvOf(slots, 0, 0), slots, now),
    set: (slot, value, now) => {
      const argv = ["EVALSHA", "", "1", prefix + slot.key, String(now), String(value)]
      pushSlotArgs(argv, slot)
      return call(set, argv, [slot], now)
    },
    add: addSlots
  }
}
