/**
 * The gateway's configuration, as decoded from a `gateway.json` file and the environment: the upstream
 * Bing endpoint, the chain of subscription tiers (the search-cli's tiers-file format), the gateway's own
 * client keys with their optional tenant limits, the quota store and the admin token. Every secret is
 * `Redacted` from the moment it is read; no error message ever carries one.
 *
 * @since 0.1.0
 */
import { BingClient } from "@bing-effect/client"
import { StoreSpec, TiersFile } from "@bing-effect/quota-tracker"
import type { Tier } from "@bing-effect/quota-tracker"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"

/**
 * Where forwarded requests go.
 *
 * @since 0.1.0
 * @category models
 */
export interface Upstream {
  /** The Bing endpoint, e.g. `https://api.bing.microsoft.com` (a tier's own `endpoint` wins). */
  readonly endpoint: string
  /** Allows plain `http://` to a loopback address (the emulator in tests and the demo). */
  readonly allowInsecureLoopback: boolean
  /** How long one upstream attempt may take, in milliseconds; absent: the client's default (10 s). */
  readonly timeoutMs?: number | undefined
}

/**
 * One of the gateway's own virtual keys: what a caller sends in `Ocp-Apim-Subscription-Key`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly name: string
  readonly key: Redacted.Redacted<string>
  /** The tenant's own quota, counted in the same store as the tiers; empty when it has none. */
  readonly limits: Tier.Limits
}

/**
 * Where the quota counts live; several gateway replicas share one quota through SQLite or Redis.
 * The same specs as the search-cli's `--store` (`StoreSpec` of `@bing-effect/quota-tracker`, whose
 * `StoreSpec.layer(store)` builds it); the Redis URL is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export type Store = StoreSpec.StoreSpec

/**
 * Where spans and metrics go, when OpenTelemetry export is configured.
 *
 * @since 0.1.0
 * @category models
 */
export interface Otel {
  /** The OTLP/HTTP collector's base URL, e.g. `http://127.0.0.1:4318`. */
  readonly endpoint: string
  /** The `service.name` resource attribute. */
  readonly serviceName: string
  /** How the batches are encoded: OTLP/JSON (default) or protobuf. */
  readonly protocol?: "http/json" | "http/protobuf" | undefined
  /** Headers sent with every export (a collector's credentials), from `headersEnv`; absent: none. */
  readonly headers?: Readonly<Record<string, Redacted.Redacted<string>>> | undefined
}

/**
 * How the gateway keeps its history (`/_gateway/history`, the dashboard, `bing-search quota
 * --store`); each field absent takes the gateway's default.
 *
 * @since 0.1.0
 * @category models
 */
export interface History {
  /** Between two samples of every window, in ms (100 to 3,600,000; default 10,000). */
  readonly sampleIntervalMs?: number | undefined
  /** Fine samples kept per window, one per interval (2 to 100,000; default 360: an hour at 10 s). */
  readonly fineSamples?: number | undefined
  /** Coarse samples kept per day or month window over the current and previous period (2 to 100,000; default 720). */
  readonly maxSamples?: number | undefined
  /** Quota events kept, newest first (2 to 10,000; default 200). */
  readonly maxEvents?: number | undefined
}

/**
 * The whole configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfig {
  readonly upstream: Upstream
  /** The tier chain, preferred first (S15, then S16...). */
  readonly tiers: ReadonlyArray<Tier.Tier>
  readonly clients: ReadonlyArray<Client>
  readonly store: Store
  /** What happens to requests while the store does not answer: refused (`closed`) or counted locally (`open`). */
  readonly storeFailure: "closed" | "open"
  /** Bearer token for `/_gateway/status`; without one the status route answers 404. */
  readonly adminToken: Redacted.Redacted<string> | undefined
  /** OpenTelemetry export of spans and metrics; absent: none. */
  readonly otel?: Otel | undefined
  /** The history's settings; absent: the defaults (`Gateway.Options.history` wins over these). */
  readonly history?: History | undefined
}

/**
 * A configuration the gateway cannot run with. `path` is the JSON path of the value at fault
 * (`clients[1].keyEnv`, `tiers[0].limits.perDay`, `""` for the document itself) and `detail` says
 * what is wrong with it; neither ever holds a key, a token or a store password, so the message is
 * safe to print (the bin prints it and exits 3).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidGatewayConfig extends Data.TaggedError("InvalidGatewayConfig")<{
  /** Where the configuration came from: the file's path, or what `decode` was told. */
  readonly source: string
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return this.path === "" ? `${this.source}: ${this.detail}` : `${this.source}: ${this.path}: ${this.detail}`
  }
}

/**
 * Where `decode` and `load` look up `keyEnv`, `adminTokenEnv` and `storeEnv` names (pass
 * `process.env` explicitly: nothing here reads it).
 *
 * @since 0.1.0
 * @category models
 */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * The upstream used when the file names none.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultEndpoint = "https://api.bing.microsoft.com"

/**
 * The key prefix of a Redis store when the file names none.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultStorePrefix = "bing-gateway:quota:"

/**
 * Decodes a `gateway.json` document.
 *
 * **Details**
 * - `upstream` (optional): `endpoint` (default `https://api.bing.microsoft.com`), held to the
 *   client's rules: https, or plain http to a loopback host only with `allowInsecureLoopback: true`;
 *   `timeoutMs`, a positive integer. A tier's own `endpoint` is held to the same rules.
 * - `tiers` (required): the tiers-file format of `TiersFile` (catalogue names bring published limits;
 *   `key` or `keyEnv`), at least one tier.
 * - `clients` (required, at least one): `{ name, key | keyEnv, limits? }`. Names are 1 to 64 of
 *   `A-Z a-z 0-9 . _ -` and unique; keys are visible ASCII (they travel in a header), unique, and
 *   never a tier's key.
 * - `store` or `storeEnv` (optional, default `memory`): `memory`, `sqlite:<file>`,
 *   `redis://host:port` or `postgres://host/database`; `storePrefix` (default
 *   `bing-gateway:quota:`) for Redis and PostgreSQL.
 * - `storeFailure` (optional): `"closed"` (default) or `"open"`.
 * - `adminToken` or `adminTokenEnv` (optional): at least 16 visible ASCII characters, no client's or
 *   tier's key.
 * - `otel` (optional): `{ endpoint, serviceName?, protocol?, headersEnv? }`, the OTLP/HTTP collector:
 *   `protocol` is `"http/json"` (default) or `"http/protobuf"`; `headersEnv` names an environment
 *   variable holding `name=value` pairs separated by commas (the format of
 *   `OTEL_EXPORTER_OTLP_HEADERS`, values percent-decoded), e.g. a collector's `authorization`.
 * - `history` (optional): `{ sampleIntervalMs?, fineSamples?, maxSamples?, maxEvents? }`, integers
 *   (see {@link History} for their ranges and defaults).
 * - Unknown fields are errors at every level. A client's `key` and `keyEnv` (or `adminToken` and
 *   `adminTokenEnv`, `store` and `storeEnv`) together are an error; a tier keeps the tiers-file rule
 *   (`key` wins).
 *
 * @example
 * ```ts
 * import { GatewayConfig } from "@bing-effect/gateway"
 * import { Effect } from "effect"
 *
 * const text = JSON.stringify({
 *   tiers: [{ name: "S15", keyEnv: "BING_KEY_S15" }, { name: "S16", keyEnv: "BING_KEY_S16" }],
 *   clients: [{ name: "team-a", keyEnv: "GATEWAY_KEY_TEAM_A", limits: { perSecond: 50 } }]
 * })
 * const program = GatewayConfig.decode(text, { source: "gateway.json", env: process.env }).pipe(
 *   Effect.tap((config) => Effect.log(config.tiers.map((tier) => tier.name)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = (
  text: string,
  options: { readonly source?: string | undefined; readonly env: Env }
): Effect.Effect<GatewayConfig, InvalidGatewayConfig> =>
  Effect.suspend(() => Effect.fromResult(decodeResult(text, options.source ?? "gateway configuration", options.env)))

/**
 * Reads and decodes a `gateway.json` file (see {@link decode}); a file that cannot be read is an
 * `InvalidGatewayConfig` too, naming the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (
  path: string,
  options: { readonly env: Env }
): Effect.Effect<GatewayConfig, InvalidGatewayConfig, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) =>
        new InvalidGatewayConfig({
          source: path,
          path: "",
          detail: error.reason._tag === "NotFound"
            ? "no such file"
            : `cannot read the file (${error.reason._tag})`
        })
      )
    )
    return yield* decode(text, { source: path, env: options.env })
  })

// --- decoding ---------------------------------------------------------------------------------------

type Path = ReadonlyArray<string | number>

const showPath = (path: Path): string =>
  path.reduce<string>(
    (shown, part) => typeof part === "number" ? `${shown}[${part}]` : shown === "" ? part : `${shown}.${part}`,
    ""
  )

/** A decoding failure, thrown inside `decodeResult` only and turned into its `Result` there. */
class Bad {
  constructor(readonly path: Path, readonly detail: string) {}
}

const fail = (path: Path, detail: string): never => {
  throw new Bad(path, detail)
}

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const object = (value: unknown, path: Path, fields: ReadonlyArray<string>): Json => {
  if (!isObject(value)) return fail(path, "must be an object")
  for (const field of Object.keys(value)) {
    if (!fields.includes(field)) {
      fail([...path, field], `is not a known field (use ${fields.join(", ")})`)
    }
  }
  return value
}

const topFields = [
  "upstream",
  "tiers",
  "clients",
  "store",
  "storeEnv",
  "storePrefix",
  "storeFailure",
  "adminToken",
  "adminTokenEnv",
  "otel",
  "history"
]
const upstreamFields = ["endpoint", "allowInsecureLoopback", "timeoutMs"]
const clientFields = ["name", "key", "keyEnv", "limits"]
const limitFields = ["perSecond", "perDay", "perMonth"] as const
const otelFields = ["endpoint", "serviceName", "protocol", "headersEnv"]
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const clientName = /^[A-Za-z0-9._-]{1,64}$/
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/
/** What a header value can hold exactly, with nothing a proxy or a client library might trim. */
const visibleAscii = /^[\x21-\x7e]+$/

const positiveInteger = (value: unknown, path: Path): number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1
    ? value
    : fail(path, "must be a positive integer")

/**
 * A secret given inline (`field`) or by environment variable name (`${field}Env`), never both;
 * `undefined` when neither is given.
 */
const secret = (
  raw: Json,
  path: Path,
  field: string,
  env: Env,
  check: (value: string) => string | undefined
): { readonly value: Redacted.Redacted<string>; readonly path: Path } | undefined => {
  const envField = `${field}Env`
  const inline = raw[field]
  const named = raw[envField]
  if (inline !== undefined && named !== undefined) {
    return fail(path, `has both "${field}" and "${envField}": use one`)
  }
  if (inline !== undefined) {
    const at = [...path, field]
    if (typeof inline !== "string" || inline === "") return fail(at, "must be a non-empty string")
    const problem = check(inline)
    return problem === undefined ? { value: Redacted.make(inline), path: at } : fail(at, problem)
  }
  if (named !== undefined) {
    const at = [...path, envField]
    if (typeof named !== "string" || !envName.test(named)) return fail(at, "must name an environment variable")
    const value = env[named]
    if (value === undefined || value === "") return fail(at, `the environment variable ${named} is not set`)
    const problem = check(value)
    return problem === undefined ? { value: Redacted.make(value), path: at } : fail(at, `${named}: ${problem}`)
  }
  return undefined
}

const keyProblem = (value: string): string | undefined =>
  visibleAscii.test(value) ? undefined : "must be visible ASCII without spaces (it travels in a header)"

const tokenProblem = (value: string): string | undefined =>
  !visibleAscii.test(value)
    ? "must be visible ASCII without spaces (it travels in a header)"
    : value.length < 16
    ? "must be at least 16 characters"
    : undefined

/**
 * What the client would refuse in an endpoint, with its own words: not a URL, credentials, a query,
 * another scheme; and plain http unless it goes to a loopback host with `allowInsecureLoopback`.
 */
const endpointProblem = (endpoint: string, allowInsecureLoopback: boolean): string | undefined => {
  const checked = BingClient.validateOptions({ endpoint, allowInsecureLoopback: true }, { withTracker: true })
  if (Result.isFailure(checked)) return checked.failure.detail
  if (BingClient.isInsecureEndpoint(endpoint, { allowInsecureLoopback })) {
    return allowInsecureLoopback
      ? "is plain http:// to a host that is not loopback (127.0.0.1, localhost, ::1): use https://"
      : "is plain http://: use https://, or a loopback host with \"allowInsecureLoopback\": true"
  }
  return undefined
}

const decodeUpstream = (value: unknown): Upstream => {
  if (value === undefined) return { endpoint: defaultEndpoint, allowInsecureLoopback: false }
  const raw = object(value, ["upstream"], upstreamFields)
  const allowed = raw["allowInsecureLoopback"] ?? false
  const allow = typeof allowed === "boolean"
    ? allowed
    : fail(["upstream", "allowInsecureLoopback"], "must be true or false")
  const endpoint = raw["endpoint"] ?? defaultEndpoint
  if (typeof endpoint !== "string") return fail(["upstream", "endpoint"], "must be a string")
  const problem = endpointProblem(endpoint, allow)
  if (problem !== undefined) fail(["upstream", "endpoint"], problem)
  const timeoutMs = raw["timeoutMs"] === undefined
    ? undefined
    : positiveInteger(raw["timeoutMs"], ["upstream", "timeoutMs"])
  return { endpoint, allowInsecureLoopback: allow, ...(timeoutMs === undefined ? {} : { timeoutMs }) }
}

const decodeTiers = (value: unknown, source: string, env: Env, upstream: Upstream): ReadonlyArray<Tier.Tier> => {
  if (value === undefined) return fail(["tiers"], "is required: the upstream tiers, preferred first")
  const parsed = TiersFile.fromJson(value, {
    source,
    env,
    checkEndpoint: (endpoint) => {
      const problem = endpointProblem(endpoint, upstream.allowInsecureLoopback)
      return problem === undefined ? undefined : `"endpoint" ${problem}`
    }
  })
  return Result.isSuccess(parsed) ? parsed.success : fail(["tiers", ...parsed.failure.path], parsed.failure.detail)
}

const decodeLimits = (value: unknown, path: Path): Tier.Limits => {
  if (value === undefined) return {}
  const raw = object(value, path, limitFields)
  const limits: { perSecond?: number; perDay?: number; perMonth?: number } = {}
  for (const field of limitFields) {
    if (raw[field] !== undefined) limits[field] = positiveInteger(raw[field], [...path, field])
  }
  return limits
}

const decodeClients = (value: unknown, env: Env, tiers: ReadonlyArray<Tier.Tier>): ReadonlyArray<Client> => {
  if (value === undefined) return fail(["clients"], "is required: the gateway's own keys, one per caller")
  if (!Array.isArray(value)) return fail(["clients"], "must be an array of { name, key | keyEnv, limits? }")
  if (value.length === 0) return fail(["clients"], "names no client: no caller could use the gateway")
  const clients: Array<Client> = []
  for (const [i, entry] of value.entries()) {
    const path: Path = ["clients", i]
    const raw = object(entry, path, clientFields)
    const name = typeof raw["name"] === "string" && clientName.test(raw["name"])
      ? raw["name"]
      : fail([...path, "name"], "must be 1 to 64 characters among A-Z a-z 0-9 . _ -")
    if (clients.some((c) => c.name === name)) fail([...path, "name"], `client ${name} appears twice`)
    const key = secret(raw, path, "key", env, keyProblem) ?? fail(path, `client ${name} needs a "key" or a "keyEnv"`)
    const plain = Redacted.value(key.value)
    const same = clients.find((c) => Redacted.value(c.key) === plain)
    if (same !== undefined) fail(key.path, `client ${name} has the same key as client ${same.name}`)
    const tier = tiers.find((t) => Redacted.value(t.key) === plain)
    if (tier !== undefined) {
      fail(
        key.path,
        `client ${name} has the key of tier ${tier.name}: a caller must never hold an upstream key`
      )
    }
    clients.push({ name: name, key: key.value, limits: decodeLimits(raw["limits"], [...path, "limits"]) })
  }
  return clients
}

const decodeStore = (raw: Json, env: Env): Store => {
  const prefix = raw["storePrefix"] ?? defaultStorePrefix
  if (typeof prefix !== "string" || prefix === "") return fail(["storePrefix"], "must be a non-empty string")
  if (raw["store"] !== undefined && raw["storeEnv"] !== undefined) {
    return fail([], `has both "store" and "storeEnv": use one`)
  }
  let spec: string | Redacted.Redacted<string> = "memory"
  let at: Path = ["store"]
  if (raw["store"] !== undefined) {
    if (typeof raw["store"] !== "string") {
      return fail(
        at,
        "must be a string: memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database"
      )
    }
    spec = raw["store"]
  } else if (raw["storeEnv"] !== undefined) {
    at = ["storeEnv"]
    const named = raw["storeEnv"]
    if (typeof named !== "string" || !envName.test(named)) return fail(at, "must name an environment variable")
    const value = env[named]
    if (value === undefined || value === "") return fail(at, `the environment variable ${named} is not set`)
    spec = Redacted.make(value)
  }
  const parsed = StoreSpec.parse(spec, { prefix })
  return Result.isSuccess(parsed) ? parsed.success : fail(at, parsed.failure.detail)
}

/** Each history field with its range: bounded, so a typo cannot make the history unbounded. */
const historyRanges = {
  sampleIntervalMs: [100, 3_600_000, "milliseconds"],
  fineSamples: [2, 100_000, "samples"],
  maxSamples: [2, 100_000, "samples"],
  maxEvents: [2, 10_000, "events"]
} as const

const decodeHistory = (value: unknown): History | undefined => {
  if (value === undefined) return undefined
  const raw = object(value, ["history"], Object.keys(historyRanges))
  const history: { -readonly [K in keyof History]: number } = {}
  for (const [field, [min, max, unit]] of Object.entries(historyRanges)) {
    const v = raw[field]
    if (v === undefined) continue
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
      fail(
        ["history", field],
        `must be an integer from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")} (${unit})`
      )
    }
    history[field as keyof History] = v as number
  }
  return history
}

const decodeOtel = (value: unknown, env: Env): Otel | undefined => {
  if (value === undefined) return undefined
  const raw = object(value, ["otel"], otelFields)
  const endpoint = raw["endpoint"]
  if (typeof endpoint !== "string") return fail(["otel", "endpoint"], "is required: the OTLP/HTTP collector's URL")
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    fail(["otel", "endpoint"], "must be an http:// or https:// URL")
  } else if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    fail(["otel", "endpoint"], "must not carry credentials, a query or a fragment")
  }
  const serviceName = raw["serviceName"] ?? "bing-gateway"
  if (typeof serviceName !== "string" || serviceName === "") {
    return fail(["otel", "serviceName"], "must be a non-empty string")
  }
  const protocol = raw["protocol"] ?? "http/json"
  if (protocol !== "http/json" && protocol !== "http/protobuf") {
    return fail(["otel", "protocol"], `must be "http/json" or "http/protobuf"`)
  }
  const headers = raw["headersEnv"] === undefined ? undefined : decodeOtelHeaders(raw["headersEnv"], env)
  return { endpoint, serviceName, protocol, ...(headers === undefined ? {} : { headers }) }
}

/**
 * `name=value,name2=value2` from the named variable, values percent-decoded; a problem names the
 * variable and the position of the pair at fault, never a value.
 */
const decodeOtelHeaders = (named: unknown, env: Env): Readonly<Record<string, Redacted.Redacted<string>>> => {
  const at: Path = ["otel", "headersEnv"]
  if (typeof named !== "string" || !envName.test(named)) return fail(at, "must name an environment variable")
  const text = env[named]
  if (text === undefined || text === "") return fail(at, `the environment variable ${named} is not set`)
  const headers: Record<string, Redacted.Redacted<string>> = {}
  for (const [i, pair] of text.split(",").entries()) {
    const eq = pair.indexOf("=")
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase()
    if (eq < 0 || !headerName.test(name)) {
      fail(at, `${named}: pair ${i + 1} is not name=value with a header name`)
    }
    let value: string
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim())
    } catch {
      return fail(at, `${named}: the value of ${name} is not valid percent-encoding`)
    }
    if (value === "" || !/^[\x20-\x7e]+$/.test(value)) {
      fail(at, `${named}: the value of ${name} must be non-empty visible ASCII`)
    }
    headers[name] = Redacted.make(value)
  }
  return headers
}

/** A JSON parser's error as a position only: V8 may quote a piece of the text, which may be a key. */
const jsonProblem = (error: unknown): string => {
  const position = error instanceof Error ? /at position (\d+)/.exec(error.message) : null
  return position === null ? "is not valid JSON" : `is not valid JSON (at position ${position[1]})`
}

const decodeResult = (text: string, source: string, env: Env): Result.Result<GatewayConfig, InvalidGatewayConfig> => {
  try {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (e) {
      return fail([], jsonProblem(e))
    }
    if (!isObject(json)) return fail([], "must be a JSON object: { upstream, tiers, clients, store, ... }")
    const raw = object(json, [], topFields)
    const upstream = decodeUpstream(raw["upstream"])
    const tiers = decodeTiers(raw["tiers"], source, env, upstream)
    const clients = decodeClients(raw["clients"], env, tiers)
    const store = decodeStore(raw, env)
    const failure = raw["storeFailure"] ?? "closed"
    const storeFailure = failure === "closed" || failure === "open"
      ? failure
      : fail(["storeFailure"], `must be "closed" or "open"`)
    const admin = secret(raw, [], "adminToken", env, tokenProblem)
    if (admin !== undefined) {
      const token = Redacted.value(admin.value)
      if (clients.some((c) => Redacted.value(c.key) === token) || tiers.some((t) => Redacted.value(t.key) === token)) {
        fail(admin.path, "must differ from every client's and tier's key")
      }
    }
    const otel = decodeOtel(raw["otel"], env)
    const history = decodeHistory(raw["history"])
    return Result.succeed({
      upstream,
      tiers,
      clients,
      store,
      storeFailure,
      adminToken: admin?.value,
      ...(otel === undefined ? {} : { otel }),
      ...(history === undefined ? {} : { history })
    })
  } catch (e) {
    if (e instanceof Bad) {
      return Result.fail(new InvalidGatewayConfig({ source, path: showPath(e.path), detail: e.detail }))
    }
    throw e
  }
}
