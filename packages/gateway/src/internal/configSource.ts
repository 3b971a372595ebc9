/**
 * Where the bin gets its configuration. Stand-in with `GatewayConfig.load`'s signature until
 * gw-config's decoder lands on main (then this file re-exports `GatewayConfig.load` and the bin
 * is unchanged): reads the file's JSON for the model's fields, `key` or `keyEnv` for every key,
 * and names the field at fault, never a value.
 */
import { TierCatalog } from "@bing-effect/quota-tracker"
import type { Tier } from "@bing-effect/quota-tracker"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { readFile } from "node:fs/promises"
import type * as GatewayConfig from "../GatewayConfig.js"

/** A configuration the gateway cannot run with (`path`: the field at fault). */
export class InvalidGatewayConfig extends Data.TaggedError("InvalidGatewayConfig")<{
  readonly source: string
  readonly path: string
  readonly detail: string
}> {
  override get message(): string {
    return this.path === "" ? `${this.source}: ${this.detail}` : `${this.source}: ${this.path}: ${this.detail}`
  }
}

type Env = Readonly<Record<string, string | undefined>>

class Bad {
  constructor(readonly path: string, readonly detail: string) {}
}

const record = (u: unknown, path: string): Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) throw new Bad(path, "must be an object")
  return u as Record<string, unknown>
}

const secret = (o: Record<string, unknown>, path: string, env: Env, field: string): Redacted.Redacted<string> => {
  const direct = o[field]
  const name = o[`${field}Env`]
  if (direct !== undefined && name !== undefined) throw new Bad(path, `${field} and ${field}Env are exclusive`)
  if (typeof name === "string") {
    const value = env[name]
    if (value === undefined || value === "") {
      throw new Bad(`${path}.${field}Env`, `the environment variable ${name} is not set`)
    }
    return Redacted.make(value)
  }
  if (typeof direct === "string" && direct !== "") return Redacted.make(direct)
  throw new Bad(path, `needs ${field} or ${field}Env`)
}

const limits = (u: unknown, path: string): Tier.Limits => {
  if (u === undefined) return {}
  const o = record(u, path)
  const out: { perSecond?: number; perDay?: number; perMonth?: number } = {}
  for (const k of ["perSecond", "perDay", "perMonth"] as const) {
    const v = o[k]
    if (v === undefined) continue
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new Bad(`${path}.${k}`, "must be a whole number")
    out[k] = v
  }
  return out
}

const store = (u: unknown): GatewayConfig.Store => {
  if (u === undefined || u === "memory") return { _tag: "memory" }
  if (typeof u === "string" && u.startsWith("sqlite:") && u.length > 7) return { _tag: "sqlite", filename: u.slice(7) }
  if (typeof u === "string" && /^rediss?:\/\//.test(u)) {
    return { _tag: "redis", url: Redacted.make(u), prefix: "bing-gateway:quota:" }
  }
  throw new Bad("store", "must be memory, sqlite:<file> or redis://host:port")
}

const decode = (doc: unknown, env: Env): GatewayConfig.GatewayConfig => {
  const o = record(doc, "")
  const upstream = o["upstream"] === undefined ? {} : record(o["upstream"], "upstream")
  if (!Array.isArray(o["tiers"]) || o["tiers"].length === 0) throw new Bad("tiers", "must be a non-empty array")
  const tiers = o["tiers"].map((u, i): Tier.Tier => {
    const t = record(u, `tiers[${i}]`)
    const name = t["name"]
    if (typeof name !== "string" || name === "") throw new Bad(`tiers[${i}].name`, "must be a non-empty string")
    const published = TierCatalog.isTierName(name) ? TierCatalog.entries[name] : undefined
    const given = limits(t["limits"], `tiers[${i}].limits`)
    const base: Tier.Limits = published === undefined ? {} : {
      perSecond: published.perSecond.value,
      perDay: published.perDay.value,
      perMonth: published.perMonth.value
    }
    return {
      name,
      key: secret(t, `tiers[${i}]`, env, "key"),
      endpoint: typeof t["endpoint"] === "string" ? t["endpoint"] : undefined,
      limits: { ...base, ...given }
    }
  })
  const clients = (Array.isArray(o["clients"]) ? o["clients"] : []).map((u, i): GatewayConfig.Client => {
    const c = record(u, `clients[${i}]`)
    const name = c["name"]
    if (typeof name !== "string" || name === "") throw new Bad(`clients[${i}].name`, "must be a non-empty string")
    return { name, key: secret(c, `clients[${i}]`, env, "key"), limits: limits(c["limits"], `clients[${i}].limits`) }
  })
  if (clients.length === 0) throw new Bad("clients", "must be a non-empty array")
  const failure = o["storeFailure"] ?? "closed"
  if (failure !== "closed" && failure !== "open") throw new Bad("storeFailure", "must be closed or open")
  return {
    upstream: {
      endpoint: typeof upstream["endpoint"] === "string" ? upstream["endpoint"] : "https://api.bing.microsoft.com",
      allowInsecureLoopback: upstream["allowInsecureLoopback"] === true
    },
    tiers,
    clients,
    store: store(o["store"]),
    storeFailure: failure,
    adminToken: o["adminToken"] === undefined && o["adminTokenEnv"] === undefined
      ? undefined
      : secret(o, "", env, "adminToken")
  }
}

/** Reads and decodes a `gateway.json` file. */
export const load = (
  path: string,
  options: { readonly env: Env }
): Effect.Effect<GatewayConfig.GatewayConfig, InvalidGatewayConfig> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: () => new InvalidGatewayConfig({ source: path, path: "", detail: "cannot read the file" })
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => decode(JSON.parse(text), options.env),
        catch: (e) =>
          new InvalidGatewayConfig({
            source: path,
            path: e instanceof Bad ? e.path : "",
            detail: e instanceof Bad ? e.detail : "is not valid JSON"
          })
      })
    )
  )
