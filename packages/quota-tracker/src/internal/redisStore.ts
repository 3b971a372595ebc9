/**
 * The Redis counter store: one Lua script checks and records every slot of an
 * acquire, so an acquire is one round trip (`EVALSHA`) and exact across any
 * number of processes and hosts. The script mirrors `slotMath.ts`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redis from "effect/persistence/Redis"
import type { Slot } from "../QuotaStore.js"

/** The first element of a script's answer when a slot holds something other than a number: `{ POISONED, index }`. */
export const POISONED = -2

// ARGV: now, weight|delta, then 4 values per slot: kind (0 counter, 1 bucket), limit, expiresAt, interval.
const slotArgs = (slots: ReadonlyArray<Slot>): Array<string | number> => {
  const args: Array<string | number> = []
  for (const slot of slots) {
    args.push(
      slot.kind === "counter" ? 0 : 1,
      slot.limit,
      slot.kind === "counter" ? slot.expiresAt : 0,
      slot.kind === "bucket" ? slot.interval : 0
    )
  }
  return args
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

export const acquireScript = Redis.script(
  (
    keys: ReadonlyArray<string>,
    now: number,
    weight: number,
    slots: ReadonlyArray<Slot>
  ) => [...keys, now, weight, ...slotArgs(slots)],
  {
    numberOfKeys: (keys: ReadonlyArray<string>) => keys.length,
    // One MGET reads every slot (a tier's keys share a hash slot). When admitted, counters take an
    // INCRBY (and a PEXPIRE when the period's key is new) and buckets one SET: measured on Redis 7,
    // this costs about half of a SET with PX per slot plus number formatting.
    lua: `
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
  }
).withReturnType<ReadonlyArray<number | string>>()

export const addScript = Redis.script(
  (
    keys: ReadonlyArray<string>,
    now: number,
    delta: number,
    slots: ReadonlyArray<Slot>
  ) => [...keys, now, delta, ...slotArgs(slots)],
  {
    numberOfKeys: (keys: ReadonlyArray<string>) => keys.length,
    lua: `${luaPrelude}${luaRead}
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
  }
).withReturnType<ReadonlyArray<number | string>>()

export const getScript = Redis.script(
  (keys: ReadonlyArray<string>, slots: ReadonlyArray<Slot>) => [...keys, 0, 0, ...slotArgs(slots)],
  {
    numberOfKeys: (keys: ReadonlyArray<string>) => keys.length,
    lua: `${luaRead}
local reply = { -1 }
for i = 1, #KEYS do reply[i + 1] = string.format("%.17g", values[i]) end
return reply
`
  }
).withReturnType<ReadonlyArray<number | string>>()

export const setScript = Redis.script(
  (
    keys: ReadonlyArray<string>,
    now: number,
    value: number,
    slots: ReadonlyArray<Slot>
  ) => [...keys, now, value, ...slotArgs(slots)],
  {
    numberOfKeys: 1,
    lua: `${luaPrelude}
local kind, limit, expiresAt, interval = slot(1)
store(1, kind, amount, expiresAt)
return 1
`
  }
).withReturnType<unknown>()

/**
 * Bounds the duration of Redis calls without a timer per call: one interval,
 * running only while calls are in flight, fails the calls past their deadline.
 * (`Effect.timeout` races a sleeping fiber per call, which doubled the client
 * CPU cost of an acquire.)
 */
export class Deadlines {
  private readonly pending = new Set<{ readonly deadline: number; readonly expire: () => void }>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(readonly timeout: number) {}

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
        const entry = {
          deadline: Date.now() + this.timeout,
          expire: () => {
            removeObserver()
            child.interruptUnsafe()
            resume(Effect.fail(onTimeout()))
          }
        }
        const removeObserver = child.addObserver((exit) => {
          this.pending.delete(entry)
          resume(exit)
        })
        this.pending.add(entry)
        if (this.timer === undefined) {
          this.timer = setInterval(this.sweep, Math.max(5, Math.min(250, this.timeout / 4)))
          this.timer.unref()
        }
        return Effect.sync(() => {
          this.pending.delete(entry)
          removeObserver()
          child.interruptUnsafe()
        })
      })
    )
  }
}
