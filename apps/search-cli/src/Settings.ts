/**
 * Where the program's configuration comes from and how it is checked: the endpoint, the keys (one
 * key, or a tiers file naming several tiers with their limits), the quota store and the client's
 * retry options. Flags win over the environment. Keys stay `Redacted` from the moment they are
 * read; nothing here ever puts a key in a message.
 */
import { BingClient } from "@bing-effect/client"
import { StoreSpec, Tier, TierCatalog, TiersFile } from "@bing-effect/quota-tracker"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { readFileSync } from "node:fs"
import * as ClientIdFile from "./ClientIdFile.js"

/** Configuration that cannot work: a tiers file, a store spec or an option is wrong. */
export class InvalidSettings extends Data.TaggedError("InvalidSettings")<{
  /** The flag or environment variable at fault, e.g. `--tiers`. */
  readonly setting: string
  readonly detail: string
}> {
  override get message(): string {
    return `${this.setting}: ${this.detail}`
  }
}

/**
 * A tier's endpoint is plain `http://` (and not a loopback host allowed by
 * `--allow-insecure-loopback`): the key would travel in clear text, so nothing is sent.
 */
export class InsecureEndpoint extends Data.TaggedError("InsecureEndpoint")<{
  /** Where the tiers came from, e.g. `--tiers tiers.json`. */
  readonly setting: string
  readonly tier: string
  /** The endpoint without credentials, query or fragment. */
  readonly endpoint: string
}> {
  override get message(): string {
    return `${this.setting}: the endpoint of tier ${this.tier}, ${this.endpoint}, is http://`
  }
}

/** No key anywhere: not on the command line, not in the environment, not in a tiers file. */
export class MissingKey extends Data.TaggedError("MissingKey")<{}> {
  override get message(): string {
    return "no subscription key is configured"
  }
}

/** The flags shared by every command, as parsed (environment fallbacks already applied). */
export interface SharedFlags {
  readonly endpoint: Option.Option<string>
  readonly key: Option.Option<Redacted.Redacted<string>>
  readonly tier: Option.Option<string>
  readonly tiers: Option.Option<string>
  readonly store: string
  readonly storePrefix: string
  readonly allowInsecureLoopback: boolean
  readonly timeout: Option.Option<number>
  readonly maxAttempts: Option.Option<number>
  readonly maxWait: Option.Option<number>
  /** `--client-id-file` / `BING_SEARCH_CLIENT_ID_FILE`: where the client id is kept, or `off`. */
  readonly clientIdFile: Option.Option<string>
}

/** The configuration a command runs with. */
export interface Settings {
  readonly tiers: ReadonlyArray<Tier.Tier>
  /** Where the tiers came from, for messages: `"BING_SEARCH_KEY"`, `"--tiers tiers.json"`... */
  readonly tiersSource: string
  readonly endpoint: string | undefined
  readonly allowInsecureLoopback: boolean
  readonly timeoutMs: number | undefined
  readonly maxAttempts: number | undefined
  readonly maxWaitMs: number | undefined
  readonly store: StoreSpec.StoreSpec
  /** Where the `X-MSEdge-ClientID` is kept between runs (`ClientIdFile`); `undefined`: nowhere. */
  readonly clientIdFile?: string | undefined
}

/** The default key prefix of the Redis store. */
export const defaultStorePrefix = "bing-search:quota:"

/** A store spec without credentials, for messages. */
export const describeStore = (store: StoreSpec.StoreSpec): string => StoreSpec.describe(store)

/** Parses `--store`: `memory`, `sqlite:<file>` or `redis://...` / `rediss://...` (`StoreSpec.parse`). */
export const parseStore = (spec: string, prefix: string): StoreSpec.StoreSpec | InvalidSettings => {
  const parsed = StoreSpec.parse(spec, { prefix })
  return Result.isSuccess(parsed)
    ? parsed.success
    : new InvalidSettings({ setting: "--store", detail: parsed.failure.detail })
}

/**
 * An endpoint for messages: scheme, host and path, with `***@` for credentials and `?…` / `#…`
 * for a query or fragment (either may hold a key); `undefined` when it is not a URL at all.
 */
export const displayEndpoint = (endpoint: string): string | undefined => {
  if (!URL.canParse(endpoint)) return undefined
  const url = new URL(endpoint)
  const credentials = url.username !== "" || url.password !== "" ? "***@" : ""
  const path = url.pathname.replace(/\/+$/, "")
  return `${url.protocol}//${credentials}${url.host}${path}${url.search === "" ? "" : "?…"}${
    url.hash === "" ? "" : "#…"
  }`
}

/**
 * What is wrong with a tier's endpoint, by the client's own rules for its `endpoint` option (so a
 * tier endpoint is held to the same rules as `--endpoint`), or `undefined` when it can be used.
 */
const endpointProblem = (endpoint: string): string | undefined => {
  const checked = BingClient.validateOptions({ endpoint, allowInsecureLoopback: true }, { withTracker: true })
  if (Result.isSuccess(checked)) return undefined
  const shown = displayEndpoint(endpoint)
  return `"endpoint" ${shown === undefined ? "" : `${shown} `}${checked.failure.detail}`
}

/** Whether the client would refuse to send a key to this endpoint for being plain HTTP (its own check). */
const isInsecure = (endpoint: string, allowInsecureLoopback: boolean): boolean =>
  BingClient.isInsecureEndpoint(endpoint, { allowInsecureLoopback })

/**
 * Reads a tiers document (the format of `TiersFile`, shared with the gateway), holding a tier's
 * endpoint to the client's rules for `--endpoint` (plain `http://` is decided in `resolve`, which
 * knows `--allow-insecure-loopback`).
 */
export const parseTiers = (
  text: string,
  source: string,
  env: Record<string, string | undefined> = process.env
): ReadonlyArray<Tier.Tier> | InvalidSettings => {
  const parsed = TiersFile.parse(text, { source, env, checkEndpoint: endpointProblem })
  return Result.isSuccess(parsed)
    ? parsed.success
    : new InvalidSettings({ setting: parsed.failure.source, detail: parsed.failure.detail })
}

/** Resolves the shared flags into settings, reading the tiers file when one is named. */
export const resolve = (flags: SharedFlags): Effect.Effect<Settings, InvalidSettings | InsecureEndpoint | MissingKey> =>
  Effect.gen(function*() {
    const store = parseStore(flags.store, flags.storePrefix)
    if (store instanceof InvalidSettings) return yield* store
    let tiers: ReadonlyArray<Tier.Tier>
    let tiersSource: string
    if (Option.isSome(flags.tiers)) {
      const spec = flags.tiers.value.trim()
      let text: string
      if (spec.startsWith("[") || spec.startsWith("{")) {
        text = spec
        tiersSource = "--tiers (inline JSON)"
      } else {
        tiersSource = `--tiers ${spec}`
        try {
          text = readFileSync(spec, "utf8")
        } catch (e) {
          const code = (e as { code?: string }).code
          return yield* new InvalidSettings({
            setting: tiersSource,
            detail: code === "ENOENT" ? "no such file" : `cannot read the file (${code ?? "error"})`
          })
        }
      }
      const parsed = parseTiers(text, tiersSource)
      if (parsed instanceof InvalidSettings) return yield* parsed
      const insecure = parsed.find((t) =>
        t.endpoint !== undefined && isInsecure(t.endpoint, flags.allowInsecureLoopback)
      )
      if (insecure !== undefined) {
        return yield* new InsecureEndpoint({
          setting: tiersSource,
          tier: insecure.name,
          endpoint: displayEndpoint(insecure.endpoint!)!
        })
      }
      tiers = parsed
    } else if (Option.isSome(flags.key)) {
      if (Redacted.value(flags.key.value).trim() === "") return yield* new MissingKey()
      const name = Option.getOrElse(flags.tier, () => "default")
      tiersSource = "--key / BING_SEARCH_KEY"
      const tier = TierCatalog.isTierName(name)
        ? TierCatalog.tier(name, { key: flags.key.value })
        : Tier.make({ name, key: flags.key.value })
      const problem = Tier.validate(tier)
      if (problem !== undefined) return yield* new InvalidSettings({ setting: "--tier", detail: problem })
      tiers = [tier]
    } else return yield* new MissingKey()
    const positive = (setting: string, value: Option.Option<number>) =>
      Option.isSome(value) && !(value.value > 0 && Number.isFinite(value.value))
        ? new InvalidSettings({ setting, detail: "must be a positive number" })
        : undefined
    const invalid = positive("--timeout", flags.timeout) ?? positive("--max-attempts", flags.maxAttempts) ??
      (Option.isSome(flags.maxWait) && !(flags.maxWait.value >= 0)
        ? new InvalidSettings({ setting: "--max-wait", detail: "must be zero or more seconds" })
        : undefined)
    if (invalid !== undefined) return yield* invalid
    return {
      tiers,
      tiersSource,
      endpoint: Option.getOrUndefined(flags.endpoint),
      allowInsecureLoopback: flags.allowInsecureLoopback,
      timeoutMs: Option.getOrUndefined(Option.map(flags.timeout, (s) => Math.round(s * 1000))),
      maxAttempts: Option.getOrUndefined(flags.maxAttempts),
      maxWaitMs: Option.getOrUndefined(Option.map(flags.maxWait, (s) => Math.round(s * 1000))),
      store,
      clientIdFile: ClientIdFile.location(Option.getOrUndefined(flags.clientIdFile))
    }
  })
