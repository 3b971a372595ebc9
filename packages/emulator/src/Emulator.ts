/**
 * A local, wire-compatible Bing Search API v7 server: the same paths, parameters, headers, bodies
 * and errors as Bing, with quotas enforced per key, a clock tests can move, and faults on demand.
 * Start it with {@link start} (a Promise, for any test framework), {@link layer} (an Effect
 * Layer that stops it on release) or the `bing-emulator` command.
 *
 * @since 0.1.0
 */
import { isQuotaWindow, type QuotaWindow } from "@bing-effect/error-codes"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import * as FaultRule from "./FaultRule.js"
import { makeAdmin } from "./internal/admin.js"
import {
  ClockOutOfRange,
  Core,
  type KeyUsage as CoreKeyUsage,
  LATEST_TIME,
  type RequestLogEntry as CoreRequestLogEntry,
  TooManyFaults,
  UnknownKeyName
} from "./internal/core.js"
import { listen } from "./internal/listen.js"

// ---------------------------------------------------------------------------------------------
// configuration

const Count = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

/**
 * Schema of a key's tier: requests per sliding second, per calendar day and per calendar month.
 * An absent limit is unlimited.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Limits = Schema.Struct({
  perSecond: Schema.optionalKey(Count),
  perDay: Schema.optionalKey(Count),
  perMonth: Schema.optionalKey(Count)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Limits extends Schema.Schema.Type<typeof Limits> {}

/**
 * Schema of one subscription key the emulator accepts. `name` is how the admin API, the request
 * log and the CLI refer to it; the secret `key` is never echoed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyConfig = Schema.Struct({
  name: Schema.String.pipe(Schema.check(Schema.isNonEmpty())),
  key: Schema.String.pipe(Schema.check(Schema.isNonEmpty())),
  limits: Schema.optionalKey(Limits),
  disabled: Schema.optionalKey(Schema.Boolean),
  expired: Schema.optionalKey(Schema.Boolean),
  /** Answer every request with this key as the retired endpoint does: 410 `{"error":{"code":"Gone",…}}`. */
  retired: Schema.optionalKey(Schema.Boolean),
  /**
   * How the key must be presented: `"subscription-key"` (default: the `Ocp-Apim-Subscription-Key`
   * header or `subscription-key` parameter) or `"bearer"` (`Authorization: Bearer <key>`, as
   * resellers that kept the v7 shape require); the other way answers 401 `AuthorizationMissing`.
   */
  auth: Schema.optionalKey(Schema.Literals(["subscription-key", "bearer"]))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface KeyConfig extends Schema.Schema.Type<typeof KeyConfig> {}

/**
 * Schema of the options (and of the JSON config file read by {@link loadConfig}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Options = Schema.Struct({
  /** Port to listen on; 0 (the default) picks a free one. */
  port: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65535 })))),
  /** Interface to listen on; default 127.0.0.1. */
  host: Schema.optionalKey(Schema.String),
  /** The keys served. Default: one unlimited key named "default" whose secret is "emulator-test-key". */
  keys: Schema.optionalKey(Schema.Array(KeyConfig)),
  /** Seed of the fault-probability generator (results never depend on it: they are always deterministic). */
  seed: Schema.optionalKey(Schema.Int),
  /** Certificate and private key, PEM text or file paths: serve HTTPS (and plain HTTP on the same port). */
  tls: Schema.optionalKey(Schema.Struct({ cert: Schema.String, key: Schema.String })),
  /** Answer plain-HTTP API requests with 410 InvalidRequest/HttpNotAllowed (as Bing does). Default false. */
  requireHttps: Schema.optionalKey(Schema.Boolean),
  /** Bearer token of the admin API; random when absent. */
  adminToken: Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.isNonEmpty()))),
  /** Epoch ms at which the emulator clock starts (at most {@link latestTime} either side of 1970); default the real time. */
  startTime: Schema.optionalKey(
    Schema.Finite.pipe(Schema.check(Schema.isBetween({ minimum: -LATEST_TIME, maximum: LATEST_TIME })))
  ),
  /** "real" (default): real time plus the advanced offset; "frozen": stands still at `startTime` and moves only when advanced (for tests). */
  clock: Schema.optionalKey(Schema.Literals(["real", "frozen"])),
  /** Minutes east of UTC in which days and months start; default 0 (UTC). */
  timeZoneOffsetMinutes: Schema.optionalKey(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: -14 * 60, maximum: 14 * 60 })))
  ),
  /** Day of the month on which monthly quotas reset (1..31, clamped to short months); default 1. */
  monthAnchorDay: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 31 })))),
  /** Count requests that fail after authentication and throttling (400s) against quotas; default false. */
  countFailedRequests: Schema.optionalKey(Schema.Boolean),
  /**
   * Play the retired service: every API request, whatever its key, is answered 410
   * `{"error":{"code":"Gone",…}}`, as `api.bing.microsoft.com` has answered since 2025-08-11. Default false.
   */
  retired: Schema.optionalKey(Schema.Boolean),
  /** HTTP status of InvalidRequest/Blocked; default 400. */
  blockedStatus: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 400, maximum: 599 })))),
  /** Also serve every endpoint under `/bing/v7.0/` (the old Cognitive Services path); default true. */
  legacyPrefix: Schema.optionalKey(Schema.Boolean),
  /** How many recent requests the log keeps; default 1000. */
  requestLogSize: Schema.optionalKey(
    Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 })))
  )
})

/**
 * Options of {@link start} and {@link layer}. Every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Schema.Schema.Type<typeof Options> {}

/**
 * The key the emulator serves when no `keys` are configured.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultKey: KeyConfig = Object.freeze({ name: "default", key: "emulator-test-key" })

/**
 * The latest time (epoch ms) the emulator clock may show, `+275759-09-13T00:00:00.000Z`: a year
 * before the latest date JavaScript can represent, so that every day and month reset stays a valid
 * date. A `startTime` or clock advance past it is refused.
 *
 * @since 0.1.0
 * @category constants
 */
export const latestTime: number = LATEST_TIME

// ---------------------------------------------------------------------------------------------
// errors

/**
 * The emulator could not start: invalid options, unreadable TLS files, or the port is taken.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * An admin operation named a key that is not configured.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownKey extends Data.TaggedError("UnknownKey")<{ readonly name: string; readonly message: string }> {}

/**
 * A fault rule or admin argument did not validate.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends Data.TaggedError("InvalidArgument")<{ readonly message: string }> {}

// ---------------------------------------------------------------------------------------------
// handle

/**
 * Where to move the emulator clock: past the sliding second (1,001 ms ahead), to just after the
 * next day or month boundary, or forward by some milliseconds. The clock never goes back.
 *
 * @since 0.1.0
 * @category models
 */
export type AdvanceTo = "next-second" | "next-day" | "next-month" | { readonly ms: number }

/**
 * A quota window: `QuotaWindow` of `@bing-effect/error-codes` (`"second"`, `"day"` or `"month"`).
 *
 * @since 0.1.0
 * @category models
 */
export type UsageWindow = QuotaWindow

/**
 * Usage and counters of one key (by name; never the secret).
 *
 * @since 0.1.0
 * @category models
 */
export type KeyUsage = CoreKeyUsage

/**
 * One entry of the request log (keys redacted).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestLogEntry = CoreRequestLogEntry

/**
 * The emulator clock.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClockState {
  /** Emulator time, epoch ms. */
  readonly now: number
  readonly iso: string
  /** How far the emulator clock is ahead of the real one. */
  readonly offsetMs: number
}

/**
 * What `setUsage` takes: the key's configured name, the window and the number already used.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetUsage {
  /** The key's configured name (not its secret). */
  readonly key: string
  readonly window: UsageWindow
  readonly used: number
}

/**
 * A running emulator. The admin operations are synchronous (the emulator runs in this process);
 * `stop` closes every connection and resolves when the port is free.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:49152` (append `/v7.0/search`). */
  readonly url: string
  readonly port: number
  readonly host: string
  /** The bearer token of the `/_emulator/` admin API. */
  readonly adminToken: string
  /** Names and tiers of the served keys (no secrets). */
  readonly keys: ReadonlyArray<
    {
      readonly name: string
      readonly limits: Limits
      readonly disabled: boolean
      readonly expired: boolean
      /** Answered 410 Gone (see `KeyConfig.retired`). */
      readonly retired: boolean
      /** How the key must be presented (see `KeyConfig.auth`). */
      readonly auth: "subscription-key" | "bearer"
    }
  >
  stop(): Promise<void>
  now(): number
  clock(): ClockState
  advanceClock(to: AdvanceTo): ClockState
  /** Throws {@link UnknownKey} for a name that is not configured. */
  setUsage(input: SetUsage): KeyUsage
  /** Throws {@link UnknownKey} for a name that is not configured. */
  usage(name: string): KeyUsage
  usage(): ReadonlyArray<KeyUsage>
  /** Returns the rule's id; throws {@link InvalidArgument} for an invalid rule or past 1,000 active rules. */
  injectFault(rule: FaultRule.FaultRuleInput): string
  removeFault(id: string): boolean
  clearFaults(): number
  /** Most recent first. */
  requests(limit?: number): ReadonlyArray<RequestLogEntry>
  /** Zeroes usage and counters, clears faults, the request log and the result cache (the clock stays). */
  reset(): void
}

const unknownKey = <A>(f: () => A): A => {
  try {
    return f()
  } catch (e) {
    if (e instanceof UnknownKeyName) throw new UnknownKey({ name: e.keyName, message: e.message })
    throw e
  }
}

const readPem = async (value: string, base: string): Promise<string> =>
  value.includes("-----BEGIN") ? value : readFile(resolve(base, value), "utf8")

const decodeOptions = Schema.decodeUnknownResult(Options, { onExcessProperty: "error" })

/** Replaces every configured secret found in a message (schema errors quote the offending value). */
const redactSecrets = (message: string, input: unknown): string => {
  const keys = (input as { keys?: unknown } | undefined)?.keys
  if (!Array.isArray(keys)) return message
  let out = message
  for (const k of keys) {
    const secret = (k as { key?: unknown } | null)?.key
    if (secret !== undefined && secret !== null && String(secret).length > 0) {
      out = out.split(JSON.stringify(secret)).join("<redacted>").split(String(secret)).join("<redacted>")
    }
  }
  return out
}

const validate = (input: unknown): Options => {
  const r = decodeOptions(input ?? {})
  if (Result.isFailure(r)) {
    throw new EmulatorStartError({ message: `invalid emulator options: ${redactSecrets(r.failure.message, input)}` })
  }
  const keys = r.success.keys ?? []
  const names = new Set<string>()
  const secrets = new Set<string>()
  for (const k of keys) {
    if (names.has(k.name)) throw new EmulatorStartError({ message: `duplicate key name ${JSON.stringify(k.name)}` })
    if (secrets.has(k.key)) {
      throw new EmulatorStartError({ message: `key ${JSON.stringify(k.name)} reuses another key's secret` })
    }
    names.add(k.name)
    secrets.add(k.key)
  }
  return r.success
}

/**
 * Starts an emulator and resolves when it listens. Rejects with {@link EmulatorStartError}.
 *
 * @example
 * import { Emulator } from "@bing-effect/emulator"
 * const bing = await Emulator.start({ keys: [{ name: "free", key: "k1", limits: { perSecond: 3, perMonth: 1000 } }] })
 * const res = await fetch(`${bing.url}/v7.0/search?q=coffee`, { headers: { "Ocp-Apim-Subscription-Key": "k1" } })
 * await bing.stop()
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options?: Options): Promise<EmulatorHandle> => {
  const opts = validate(options)
  const base = process.cwd()
  let tls: { cert: string; key: string } | undefined
  try {
    tls = opts.tls === undefined
      ? undefined
      : { cert: await readPem(opts.tls.cert, base), key: await readPem(opts.tls.key, base) }
  } catch (cause) {
    throw new EmulatorStartError({ message: "cannot read the TLS certificate or key", cause })
  }
  const keys = opts.keys ?? [defaultKey]
  const core = new Core({
    keys,
    seed: opts.seed ?? 1,
    requireHttps: opts.requireHttps ?? false,
    startTime: opts.startTime,
    frozen: opts.clock === "frozen",
    windows: { offsetMinutes: opts.timeZoneOffsetMinutes ?? 0, anchorDay: opts.monthAnchorDay ?? 1 },
    countFailedRequests: opts.countFailedRequests ?? false,
    blockedStatus: opts.blockedStatus ?? 400,
    retired: opts.retired ?? false,
    logSize: opts.requestLogSize ?? 1000,
    legacyPrefix: opts.legacyPrefix ?? true
  })
  const adminToken = opts.adminToken ?? randomBytes(24).toString("base64url")
  const admin = makeAdmin(core, adminToken)
  const host = opts.host ?? "127.0.0.1"
  let server
  try {
    server = await listen({
      port: opts.port ?? 0,
      host,
      tls,
      handle: (req, res, secure) => core.handle(req, res, secure, admin),
      malformed: () => core.errors.malformed(),
      traceId: () => core.nextTraceId()
    })
  } catch (cause) {
    throw new EmulatorStartError({
      message: `cannot listen on ${host}:${opts.port ?? 0}: ${String((cause as Error)?.message ?? cause)}`,
      cause
    })
  }
  const urlHost = host.includes(":") ? `[${host}]` : host
  const clock = (): ClockState => {
    const now = core.now()
    return { now, iso: new Date(now).toISOString(), offsetMs: now - Date.now() }
  }
  let stopped: Promise<void> | undefined
  function usage(name: string): KeyUsage
  function usage(): ReadonlyArray<KeyUsage>
  function usage(name?: string): KeyUsage | ReadonlyArray<KeyUsage> {
    return name === undefined ? core.usage() : unknownKey(() => core.usage(name)[0]!)
  }
  return {
    url: `${server.secure ? "https" : "http"}://${urlHost}:${server.port}`,
    port: server.port,
    host,
    adminToken,
    keys: keys.map((k) => ({
      name: k.name,
      limits: { ...k.limits },
      disabled: k.disabled === true,
      expired: k.expired === true,
      retired: k.retired === true,
      auth: k.auth ?? "subscription-key"
    })),
    stop: () => {
      stopped ??= (async () => {
        for (const t of core.timers) clearTimeout(t)
        core.timers.clear()
        await server.close()
      })()
      return stopped
    },
    now: () => core.now(),
    clock,
    advanceClock: (to) => {
      if (
        !(to === "next-second" || to === "next-day" || to === "next-month" ||
          (typeof to === "object" && to !== null && Number.isFinite(to.ms) && to.ms >= 0))
      ) {
        throw new InvalidArgument({ message: `cannot advance the clock to ${JSON.stringify(to)}` })
      }
      try {
        core.advance(to)
      } catch (e) {
        if (e instanceof ClockOutOfRange) throw new InvalidArgument({ message: e.message })
        throw e
      }
      return clock()
    },
    setUsage: (input) => {
      const name = input.key ?? (input as { name?: string }).name
      if (!isQuotaWindow(input.window) || !Number.isInteger(input.used) || input.used < 0) {
        throw new InvalidArgument({ message: "setUsage needs window second|day|month and a non-negative integer used" })
      }
      return unknownKey(() => core.setUsage(name, input.window, input.used))
    },
    usage,
    injectFault: (rule) => {
      const decoded = FaultRule.decode(rule)
      if (Result.isFailure(decoded)) throw new InvalidArgument({ message: `invalid fault rule: ${decoded.failure}` })
      try {
        return core.addFault(decoded.success)
      } catch (e) {
        if (e instanceof TooManyFaults) throw new InvalidArgument({ message: e.message })
        throw e
      }
    },
    removeFault: (id) => core.removeFault(id),
    clearFaults: () => core.clearFaults(),
    requests: (limit) => core.requests(limit),
    reset: () => core.reset()
  }
}

/**
 * Reads a JSON config file (the shape of {@link Options}); relative TLS paths are resolved against
 * the file's folder. Rejects with {@link EmulatorStartError}.
 *
 * @example
 * // emulator.json: { "port": 8787, "keys": [{ "name": "s1", "key": "secret-1", "limits": { "perSecond": 250 } }] }
 * const bing = await Emulator.start(await Emulator.loadConfig("emulator.json"))
 *
 * @since 0.1.0
 * @category constructors
 */
export const loadConfig = async (path: string): Promise<Options> => {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, "utf8"))
  } catch (cause) {
    throw new EmulatorStartError({
      message: `cannot read config ${path}: ${String((cause as Error)?.message ?? cause)}`,
      cause
    })
  }
  const opts = validate(raw)
  if (opts.tls === undefined) return opts
  const dir = dirname(resolve(path))
  const abs = (v: string) => (v.includes("-----BEGIN") ? v : resolve(dir, v))
  return { ...opts, tls: { cert: abs(opts.tls.cert), key: abs(opts.tls.key) } }
}

// ---------------------------------------------------------------------------------------------
// Effect service

/**
 * The emulator as an Effect service: its URL and the admin operations as Effects.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorService {
  readonly url: string
  readonly adminToken: string
  /** The underlying handle, for code that wants plain calls. */
  readonly handle: EmulatorHandle
  readonly now: Effect.Effect<number>
  readonly clock: Effect.Effect<ClockState>
  advanceClock(to: AdvanceTo): Effect.Effect<ClockState, InvalidArgument>
  setUsage(input: SetUsage): Effect.Effect<KeyUsage, UnknownKey | InvalidArgument>
  usage(name: string): Effect.Effect<KeyUsage, UnknownKey>
  readonly usageAll: Effect.Effect<ReadonlyArray<KeyUsage>>
  injectFault(rule: FaultRule.FaultRuleInput): Effect.Effect<string, InvalidArgument>
  removeFault(id: string): Effect.Effect<boolean>
  readonly clearFaults: Effect.Effect<number>
  requests(limit?: number): Effect.Effect<ReadonlyArray<RequestLogEntry>>
  readonly reset: Effect.Effect<void>
}

/**
 * The service key of a running emulator.
 *
 * @since 0.1.0
 * @category services
 */
export class Emulator extends Context.Service<Emulator, EmulatorService>()("@bing-effect/emulator/Emulator") {}

const attempt = <A, E>(f: () => A, isE: (u: unknown) => u is E): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (e) {
      if (isE(e)) return Effect.fail(e)
      return Effect.die(e)
    }
  })

const isUnknownKey = (u: unknown): u is UnknownKey => u instanceof UnknownKey
const isInvalidArgument = (u: unknown): u is InvalidArgument => u instanceof InvalidArgument
const isAdminError = (u: unknown): u is UnknownKey | InvalidArgument => isUnknownKey(u) || isInvalidArgument(u)

/**
 * Wraps a handle as the Effect service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toService = (handle: EmulatorHandle): EmulatorService => ({
  url: handle.url,
  adminToken: handle.adminToken,
  handle,
  now: Effect.sync(() => handle.now()),
  clock: Effect.sync(() => handle.clock()),
  advanceClock: (to) => attempt(() => handle.advanceClock(to), isInvalidArgument),
  setUsage: (input) => attempt(() => handle.setUsage(input), isAdminError),
  usage: (name) => attempt(() => handle.usage(name), isUnknownKey),
  usageAll: Effect.sync(() => handle.usage()),
  injectFault: (rule) => attempt(() => handle.injectFault(rule), isInvalidArgument),
  removeFault: (id) => Effect.sync(() => handle.removeFault(id)),
  clearFaults: Effect.sync(() => handle.clearFaults()),
  requests: (limit) => Effect.sync(() => handle.requests(limit)),
  reset: Effect.sync(() => handle.reset())
})

/**
 * Starts an emulator in the current scope; it stops when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<EmulatorService, EmulatorStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => start(options),
      catch: (e) => (e instanceof EmulatorStartError ? e : new EmulatorStartError({ message: String(e), cause: e }))
    }),
    (handle) => Effect.promise(() => handle.stop())
  ).pipe(Effect.map(toService))

/**
 * A layer that starts an emulator when built and stops it when released.
 *
 * @example
 * import { Emulator } from "@bing-effect/emulator"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   const bing = yield* Emulator.Emulator
 *   yield* bing.advanceClock("next-day")
 *   return bing.url
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Emulator.layer({ keys: [{ name: "a", key: "k" }] }))))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator, EmulatorStartError> =>
  Layer.effect(Emulator, make(options))
