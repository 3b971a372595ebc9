/**
 * `GatewayConfig.decode` / `load`: every rule of the file format with its exact message, and no
 * key, token or store password in any message, `String(error)` or JSON of an error. The secrets are
 * random per run, so a message that shows one cannot pass by accident.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { GatewayConfig } from "../src/index.js"

const secret = (name: string) => `${name}-${randomBytes(12).toString("hex")}`
const s = {
  s15: secret("s15"),
  s16: secret("s16"),
  teamA: secret("team-a"),
  teamB: secret("team-b"),
  admin: secret("admin-token"),
  redisPassword: secret("redis-pw")
}
const secrets = Object.values(s)

const env: GatewayConfig.Env = {
  BING_KEY_S15: s.s15,
  BING_KEY_S16: s.s16,
  GATEWAY_KEY_TEAM_A: s.teamA,
  GATEWAY_KEY_TEAM_B: s.teamB,
  GATEWAY_ADMIN_TOKEN: s.admin,
  GATEWAY_STORE: `redis://:${s.redisPassword}@127.0.0.1:6379`,
  EMPTY: "",
  WITH_SPACE: `${s.teamA} x`
}

/** A valid document: the example, keys from the environment. */
const base = (): Record<string, any> => ({
  upstream: { endpoint: "https://api.bing.microsoft.com", allowInsecureLoopback: false },
  tiers: [{ name: "S15", keyEnv: "BING_KEY_S15", limits: { perDay: 1000000 } }, {
    name: "S16",
    keyEnv: "BING_KEY_S16"
  }],
  clients: [{ name: "team-a", keyEnv: "GATEWAY_KEY_TEAM_A", limits: { perSecond: 50, perDay: 200000 } }],
  store: "memory",
  adminTokenEnv: "GATEWAY_ADMIN_TOKEN"
})

const with_ = (change: (doc: Record<string, any>) => void) => {
  const doc = base()
  change(doc)
  return doc
}

const text = (doc: unknown) => typeof doc === "string" ? doc : JSON.stringify(doc)

const decoded = (doc: unknown, e: GatewayConfig.Env = env) =>
  Effect.runSync(GatewayConfig.decode(text(doc), { source: "gateway.json", env: e }))

const refused = (doc: unknown, e: GatewayConfig.Env = env) => {
  const error = Effect.runSync(Effect.flip(GatewayConfig.decode(text(doc), { source: "gateway.json", env: e })))
  expect(error._tag).toBe("InvalidGatewayConfig")
  expect(error).toBeInstanceOf(GatewayConfig.InvalidGatewayConfig)
  for (const shown of [error.message, String(error), JSON.stringify(error), error.path, error.detail]) {
    for (const value of secrets) expect(shown).not.toContain(value)
  }
  expect(error.message).toBe(
    error.path === "" ? `gateway.json: ${error.detail}` : `gateway.json: ${error.path}: ${error.detail}`
  )
  return { path: error.path, detail: error.detail }
}

describe("GatewayConfig.decode: a valid document", () => {
  it("decodes the issue's example, every secret Redacted, defaults filled in", () => {
    const config = decoded(base())
    expect(config.upstream).toEqual({ endpoint: "https://api.bing.microsoft.com", allowInsecureLoopback: false })
    expect(config.tiers.map((t) => t.name)).toEqual(["S15", "S16"])
    expect(Redacted.value(config.tiers[0]!.key)).toBe(s.s15)
    expect(config.tiers[0]!.limits.perDay).toBe(1_000_000)
    expect(Object.values(config.tiers[1]!.limits).filter((v) => v !== undefined)).toEqual([]) // S16: none published
    expect(config.clients).toHaveLength(1)
    expect(config.clients[0]!.name).toBe("team-a")
    expect(Redacted.isRedacted(config.clients[0]!.key)).toBe(true)
    expect(Redacted.value(config.clients[0]!.key)).toBe(s.teamA)
    expect(config.clients[0]!.limits).toEqual({ perSecond: 50, perDay: 200000 })
    expect(config.store).toEqual({ _tag: "memory" })
    expect(config.storeFailure).toBe("closed")
    expect(Redacted.isRedacted(config.adminToken)).toBe(true)
    expect(Redacted.value(config.adminToken!)).toBe(s.admin)
    expect(config.otel).toBeUndefined()
    for (const value of secrets) {
      expect(JSON.stringify(config)).not.toContain(value)
      expect(String(config.clients[0]!.key)).not.toContain(value)
    }
  })

  it("takes inline keys and token, and defaults upstream, store and admin token", () => {
    const config = decoded({
      tiers: [{ name: "S15", key: s.s15 }],
      clients: [{ name: "a", key: s.teamA }, { name: "b.2_x-Y", key: s.teamB }]
    })
    expect(config.upstream).toEqual({ endpoint: GatewayConfig.defaultEndpoint, allowInsecureLoopback: false })
    expect(config.tiers[0]!.limits.perDay).toBe(1_000_000) // S15: the catalogue's published limit
    expect(GatewayConfig.defaultEndpoint).toBe("https://api.bing.microsoft.com")
    expect(config.clients.map((c) => [c.name, Redacted.value(c.key), c.limits])).toEqual([
      ["a", s.teamA, {}],
      ["b.2_x-Y", s.teamB, {}]
    ])
    expect(config.store).toEqual({ _tag: "memory" })
    expect(config.adminToken).toBeUndefined()
    expect(decoded(with_((d) => (delete d["adminTokenEnv"], d["adminToken"] = s.admin))).adminToken).toSatisfy((t) =>
      Redacted.isRedacted(t) && Redacted.value(t) === s.admin
    )
  })

  it("upstream: plain http to loopback with allowInsecureLoopback, and timeoutMs", () => {
    const config = decoded(with_((d) => {
      d["upstream"] = { endpoint: "http://127.0.0.1:8080/", allowInsecureLoopback: true, timeoutMs: 1500 }
      d["tiers"][1]["endpoint"] = "http://localhost:9090"
    }))
    expect(config.upstream).toEqual({
      endpoint: "http://127.0.0.1:8080/",
      allowInsecureLoopback: true,
      timeoutMs: 1500
    })
    expect(config.tiers[1]!.endpoint).toBe("http://localhost:9090")
  })

  it("store: sqlite, redis with the default or given prefix, or the spec from storeEnv (Redacted)", () => {
    expect(decoded(with_((d) => d["store"] = "sqlite:/var/lib/quota.db")).store).toEqual({
      _tag: "sqlite",
      filename: "/var/lib/quota.db"
    })
    const redis = decoded(with_((d) => d["store"] = "redis://127.0.0.1:6379")).store
    expect(redis._tag === "redis" && [Redacted.value(redis.url), redis.prefix]).toEqual([
      "redis://127.0.0.1:6379",
      "bing-gateway:quota:"
    ])
    const prefixed = decoded(with_((d) => (d["store"] = "redis://127.0.0.1:6379", d["storePrefix"] = "gw2:"))).store
    expect(prefixed._tag === "redis" && prefixed.prefix).toBe("gw2:")
    const fromEnv = decoded(with_((d) => (delete d["store"], d["storeEnv"] = "GATEWAY_STORE"))).store
    expect(fromEnv._tag === "redis" && Redacted.value(fromEnv.url)).toBe(env["GATEWAY_STORE"])
    expect(JSON.stringify(fromEnv)).not.toContain(s.redisPassword)
  })

  it("storeFailure open, and otel with its default service name", () => {
    const config = decoded(
      with_((d) => (d["storeFailure"] = "open", d["otel"] = { endpoint: "http://127.0.0.1:4318" }))
    )
    expect(config.storeFailure).toBe("open")
    expect(config.otel).toEqual({
      endpoint: "http://127.0.0.1:4318",
      serviceName: "bing-gateway",
      protocol: "http/json"
    })
    expect(
      decoded(
        with_((d) => d["otel"] = { endpoint: "https://otel.example", serviceName: "gw-eu", protocol: "http/protobuf" })
      ).otel
    ).toEqual({ endpoint: "https://otel.example", serviceName: "gw-eu", protocol: "http/protobuf" })
  })

  it("reads names only from the env given, never from process.env", () => {
    process.env["GATEWAY_CONFIG_TEST_PROCESS_ONLY"] = secret("process")
    try {
      expect(refused(with_((d) => d["clients"][0]["keyEnv"] = "GATEWAY_CONFIG_TEST_PROCESS_ONLY"))).toEqual({
        path: "clients[0].keyEnv",
        detail: "the environment variable GATEWAY_CONFIG_TEST_PROCESS_ONLY is not set"
      })
    } finally {
      delete process.env["GATEWAY_CONFIG_TEST_PROCESS_ONLY"]
    }
  })
})

describe("GatewayConfig.decode: the document", () => {
  it("invalid JSON: the position only, never a piece of the text", () => {
    expect(refused(`{"adminToken":"${s.admin}" x}`)).toEqual({
      path: "",
      detail: expect.stringMatching(/^is not valid JSON \(at position \d+\)$/)
    })
    expect(refused(`x{"key":"${s.teamA}"}`)).toEqual({ path: "", detail: "is not valid JSON" })
    expect(refused(`{"clients":[{"key":${s.teamA}}]}`).detail).toMatch(/^is not valid JSON/)
  })

  it("not an object", () => {
    const detail = "must be a JSON object: { upstream, tiers, clients, store, ... }"
    expect(refused([])).toEqual({ path: "", detail })
    expect(refused("null")).toEqual({ path: "", detail })
  })

  it("unknown fields, at the top", () => {
    expect(refused(with_((d) => d["tier"] = []))).toEqual({
      path: "tier",
      detail:
        "is not a known field (use upstream, tiers, clients, store, storeEnv, storePrefix, storeFailure, adminToken, adminTokenEnv, otel, history)"
    })
  })
})

describe("GatewayConfig.decode: upstream", () => {
  const upstream = (value: unknown) => refused(with_((d) => d["upstream"] = value))

  it("shape", () => {
    expect(upstream("https://x")).toEqual({ path: "upstream", detail: "must be an object" })
    expect(upstream({ endpont: "https://x" })).toEqual({
      path: "upstream.endpont",
      detail: "is not a known field (use endpoint, allowInsecureLoopback, timeoutMs)"
    })
    expect(upstream({ allowInsecureLoopback: "yes" })).toEqual({
      path: "upstream.allowInsecureLoopback",
      detail: "must be true or false"
    })
    expect(upstream({ endpoint: 1 })).toEqual({ path: "upstream.endpoint", detail: "must be a string" })
    expect(upstream({ timeoutMs: 0 })).toEqual({ path: "upstream.timeoutMs", detail: "must be a positive integer" })
    expect(upstream({ timeoutMs: 1.5 })).toEqual({ path: "upstream.timeoutMs", detail: "must be a positive integer" })
  })

  it("the client's endpoint rules, in its words, without the URL", () => {
    expect(upstream({ endpoint: `https://u:${s.admin}@bing.example` })).toEqual({
      path: "upstream.endpoint",
      detail: "must not carry credentials"
    })
    expect(upstream({ endpoint: `https://bing.example/?subscription-key=${s.s15}` })).toEqual({
      path: "upstream.endpoint",
      detail: "must not carry a query or a fragment"
    })
    expect(upstream({ endpoint: "bing.example" })).toEqual({
      path: "upstream.endpoint",
      detail: "is not an absolute URL"
    })
    expect(upstream({ endpoint: "ftp://bing.example" })).toEqual({
      path: "upstream.endpoint",
      detail: "uses ftp; only https is allowed"
    })
  })

  it("plain http only to a loopback host, and only with allowInsecureLoopback", () => {
    const noFlag = "is plain http://: use https://, or a loopback host with \"allowInsecureLoopback\": true"
    expect(upstream({ endpoint: "http://127.0.0.1:8080" })).toEqual({ path: "upstream.endpoint", detail: noFlag })
    expect(upstream({ endpoint: "http://bing.example" })).toEqual({ path: "upstream.endpoint", detail: noFlag })
    expect(upstream({ endpoint: "http://bing.example", allowInsecureLoopback: true })).toEqual({
      path: "upstream.endpoint",
      detail: "is plain http:// to a host that is not loopback (127.0.0.1, localhost, ::1): use https://"
    })
    expect(
      decoded(with_((d) => d["upstream"] = { endpoint: "http://[::1]:8080", allowInsecureLoopback: true })).upstream
    )
      .toEqual({ endpoint: "http://[::1]:8080", allowInsecureLoopback: true })
  })
})

describe("GatewayConfig.decode: tiers (the tiers-file format and messages)", () => {
  it("required, at least one", () => {
    expect(refused(with_((d) => delete d["tiers"]))).toEqual({
      path: "tiers",
      detail: "is required: the upstream tiers, preferred first"
    })
    expect(refused(with_((d) => d["tiers"] = []))).toEqual({ path: "tiers", detail: "names no tier" })
  })

  it("an entry's messages name the tier and the JSON path locates the field", () => {
    expect(refused(with_((d) => d["tiers"][1]["keyEnv"] = "NOPE"))).toEqual({
      path: "tiers[1].keyEnv",
      detail: "tier S16: the environment variable NOPE is not set"
    })
    expect(refused(with_((d) => d["tiers"][0]["kee"] = s.s15))).toEqual({
      path: "tiers[0].kee",
      detail: `tier #1 has an unknown field "kee"`
    })
    expect(refused(with_((d) => d["tiers"][0]["limits"] = { perDay: -1 }))).toEqual({
      path: "tiers[0].limits.perDay",
      detail: "tier S15: limits.perDay must be a positive integer"
    })
    expect(refused(with_((d) => d["tiers"][1]["name"] = "S15"))).toEqual({
      path: "tiers[1].name",
      detail: "tier S15 appears twice"
    })
  })

  it("a tier's endpoint is held to the upstream's rules, plain http included", () => {
    expect(refused(with_((d) => d["tiers"][1]["endpoint"] = "http://127.0.0.1:9090"))).toEqual({
      path: "tiers[1].endpoint",
      detail:
        "tier S16: \"endpoint\" is plain http://: use https://, or a loopback host with \"allowInsecureLoopback\": true"
    })
    expect(refused(with_((d) => d["tiers"][0]["endpoint"] = `https://u:${s.s15}@bing.example`))).toEqual({
      path: "tiers[0].endpoint",
      detail: "tier S15: \"endpoint\" must not carry credentials"
    })
  })
})

describe("GatewayConfig.decode: clients", () => {
  const client = (change: (c: Record<string, any>) => void) => refused(with_((d) => change(d["clients"][0])))

  it("required, an array, at least one", () => {
    expect(refused(with_((d) => delete d["clients"]))).toEqual({
      path: "clients",
      detail: "is required: the gateway's own keys, one per caller"
    })
    expect(refused(with_((d) => d["clients"] = { name: "a" }))).toEqual({
      path: "clients",
      detail: "must be an array of { name, key | keyEnv, limits? }"
    })
    expect(refused(with_((d) => d["clients"] = []))).toEqual({
      path: "clients",
      detail: "names no client: no caller could use the gateway"
    })
  })

  it("entries: an object of known fields", () => {
    expect(refused(with_((d) => d["clients"] = ["team-a"]))).toEqual({
      path: "clients[0]",
      detail: "must be an object"
    })
    expect(client((c) => c["keys"] = [s.teamA])).toEqual({
      path: "clients[0].keys",
      detail: "is not a known field (use name, key, keyEnv, limits)"
    })
  })

  it("names: 1 to 64 of A-Z a-z 0-9 . _ -, unique", () => {
    const detail = "must be 1 to 64 characters among A-Z a-z 0-9 . _ -"
    for (const name of [undefined, "", "team a", "tenant:x", "x".repeat(65), 5]) {
      expect(client((c) => c["name"] = name)).toEqual({ path: "clients[0].name", detail })
    }
    expect(refused(with_((d) => d["clients"].push({ name: "team-a", keyEnv: "GATEWAY_KEY_TEAM_B" })))).toEqual({
      path: "clients[1].name",
      detail: "client team-a appears twice"
    })
  })

  it("keys: key or keyEnv, one of them, visible ASCII", () => {
    expect(client((c) => c["key"] = s.teamA)).toEqual({
      path: "clients[0]",
      detail: `has both "key" and "keyEnv": use one`
    })
    expect(client((c) => delete c["keyEnv"])).toEqual({
      path: "clients[0]",
      detail: `client team-a needs a "key" or a "keyEnv"`
    })
    const inline = (key: unknown) => client((c) => (delete c["keyEnv"], c["key"] = key))
    expect(inline("")).toEqual({ path: "clients[0].key", detail: "must be a non-empty string" })
    expect(inline(42)).toEqual({ path: "clients[0].key", detail: "must be a non-empty string" })
    expect(inline(`${s.teamA} `)).toEqual({
      path: "clients[0].key",
      detail: "must be visible ASCII without spaces (it travels in a header)"
    })
    expect(inline(`${s.teamA}é`).path).toBe("clients[0].key")
    expect(client((c) => c["keyEnv"] = "1BAD")).toEqual({
      path: "clients[0].keyEnv",
      detail: "must name an environment variable"
    })
    expect(client((c) => c["keyEnv"] = "NOT_SET")).toEqual({
      path: "clients[0].keyEnv",
      detail: "the environment variable NOT_SET is not set"
    })
    expect(client((c) => c["keyEnv"] = "EMPTY")).toEqual({
      path: "clients[0].keyEnv",
      detail: "the environment variable EMPTY is not set"
    })
    expect(client((c) => c["keyEnv"] = "WITH_SPACE")).toEqual({
      path: "clients[0].keyEnv",
      detail: "WITH_SPACE: must be visible ASCII without spaces (it travels in a header)"
    })
  })

  it("keys: unique, and never an upstream tier's key", () => {
    expect(refused(with_((d) => d["clients"].push({ name: "team-b", key: s.teamA })))).toEqual({
      path: "clients[1].key",
      detail: "client team-b has the same key as client team-a"
    })
    expect(client((c) => c["keyEnv"] = "BING_KEY_S16")).toEqual({
      path: "clients[0].keyEnv",
      detail: "client team-a has the key of tier S16: a caller must never hold an upstream key"
    })
  })

  it("limits: perSecond, perDay, perMonth, positive integers", () => {
    expect(client((c) => c["limits"] = 50)).toEqual({ path: "clients[0].limits", detail: "must be an object" })
    expect(client((c) => c["limits"] = { perHour: 5 })).toEqual({
      path: "clients[0].limits.perHour",
      detail: "is not a known field (use perSecond, perDay, perMonth)"
    })
    for (const value of [0, -1, 2.5, "50", null]) {
      expect(client((c) => c["limits"] = { perMonth: value })).toEqual({
        path: "clients[0].limits.perMonth",
        detail: "must be a positive integer"
      })
    }
    expect(decoded(with_((d) => d["clients"][0]["limits"] = { perMonth: 7 })).clients[0]!.limits).toEqual({
      perMonth: 7
    })
  })
})

describe("GatewayConfig.decode: store", () => {
  it("the store spec's own messages, without a password", () => {
    expect(refused(with_((d) => d["store"] = `mongodb://u:${s.redisPassword}@db`))).toEqual({
      path: "store",
      detail:
        `unknown store "mongodb://***@db": use memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database`
    })
    expect(refused(with_((d) => d["store"] = `postgres://u:${s.redisPassword}@[bad`))).toEqual({
      path: "store",
      detail: "postgres://***@[bad is not a valid PostgreSQL URL"
    })
    expect(refused(with_((d) => d["store"] = `redis://u:${s.redisPassword}@[bad`))).toEqual({
      path: "store",
      detail: "redis://***@[bad is not a valid Redis URL"
    })
    expect(refused(with_((d) => d["store"] = "sqlite:"))).toEqual({
      path: "store",
      detail: "sqlite: needs a file name, e.g. sqlite:quota.db"
    })
    expect(refused(with_((d) => d["store"] = 6379))).toEqual({
      path: "store",
      detail:
        "must be a string: memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database"
    })
  })

  it("storeEnv, storePrefix", () => {
    expect(refused(with_((d) => d["storeEnv"] = "GATEWAY_STORE"))).toEqual({
      path: "",
      detail: `has both "store" and "storeEnv": use one`
    })
    const storeEnv = (name: unknown, e: GatewayConfig.Env = env) =>
      refused(with_((d) => (delete d["store"], d["storeEnv"] = name)), e)
    expect(storeEnv("NOT_SET")).toEqual({ path: "storeEnv", detail: "the environment variable NOT_SET is not set" })
    expect(storeEnv("a-b")).toEqual({ path: "storeEnv", detail: "must name an environment variable" })
    expect(storeEnv("GATEWAY_STORE", { ...env, GATEWAY_STORE: `mysql://u:${s.redisPassword}@db` })).toEqual({
      path: "storeEnv",
      detail:
        `unknown store "mysql://***@db": use memory, sqlite:<file>, redis://host:port, redis-cluster://host:port,host:port or postgres://host/database`
    })
    expect(refused(with_((d) => d["storePrefix"] = ""))).toEqual({
      path: "storePrefix",
      detail: "must be a non-empty string"
    })
  })

  it("storeFailure: closed or open", () => {
    expect(refused(with_((d) => d["storeFailure"] = "fail-open"))).toEqual({
      path: "storeFailure",
      detail: `must be "closed" or "open"`
    })
  })
})

describe("GatewayConfig.decode: admin token", () => {
  it("adminToken or adminTokenEnv, at least 16 visible characters, no client's or tier's key", () => {
    expect(refused(with_((d) => d["adminToken"] = s.admin))).toEqual({
      path: "",
      detail: `has both "adminToken" and "adminTokenEnv": use one`
    })
    const inline = (token: unknown) => refused(with_((d) => (delete d["adminTokenEnv"], d["adminToken"] = token)))
    expect(inline("short-token")).toEqual({ path: "adminToken", detail: "must be at least 16 characters" })
    expect(inline(`${s.admin} x`)).toEqual({
      path: "adminToken",
      detail: "must be visible ASCII without spaces (it travels in a header)"
    })
    expect(inline("")).toEqual({ path: "adminToken", detail: "must be a non-empty string" })
    expect(inline(s.teamA)).toEqual({ path: "adminToken", detail: "must differ from every client's and tier's key" })
    expect(inline(s.s16)).toEqual({ path: "adminToken", detail: "must differ from every client's and tier's key" })
    expect(refused(with_((d) => d["adminTokenEnv"] = "NOT_SET"))).toEqual({
      path: "adminTokenEnv",
      detail: "the environment variable NOT_SET is not set"
    })
  })
})

describe("GatewayConfig.decode: history", () => {
  it("absent: the gateway's defaults; given: each field as written", () => {
    expect(decoded(base()).history).toBeUndefined()
    expect(decoded(with_((d) => d["history"] = {})).history).toEqual({})
    expect(
      decoded(with_((d) => d["history"] = { sampleIntervalMs: 5000, fineSamples: 120, maxSamples: 48, maxEvents: 20 }))
        .history
    ).toEqual({ sampleIntervalMs: 5000, fineSamples: 120, maxSamples: 48, maxEvents: 20 })
    expect(decoded(with_((d) => d["history"] = { sampleIntervalMs: 100, maxEvents: 10_000 })).history).toEqual({
      sampleIntervalMs: 100,
      maxEvents: 10_000
    })
  })

  it("refused: not an object, an unknown field, a value that is not an integer in its range", () => {
    const history = (value: unknown) => refused(with_((d) => d["history"] = value))
    expect(history([])).toEqual({ path: "history", detail: "must be an object" })
    expect(history({ sampleInterval: 10 })).toEqual({
      path: "history.sampleInterval",
      detail: "is not a known field (use sampleIntervalMs, fineSamples, maxSamples, maxEvents)"
    })
    const interval = {
      path: "history.sampleIntervalMs",
      detail: "must be an integer from 100 to 3,600,000 (milliseconds)"
    }
    expect(history({ sampleIntervalMs: 99 })).toEqual(interval)
    expect(history({ sampleIntervalMs: 3_600_001 })).toEqual(interval)
    expect(history({ sampleIntervalMs: "10 seconds" })).toEqual(interval)
    expect(history({ sampleIntervalMs: 1000.5 })).toEqual(interval)
    const samples = (field: string) => ({
      path: `history.${field}`,
      detail: "must be an integer from 2 to 100,000 (samples)"
    })
    expect(history({ fineSamples: 1 })).toEqual(samples("fineSamples"))
    expect(history({ maxSamples: 100_001 })).toEqual(samples("maxSamples"))
    expect(history({ maxSamples: null })).toEqual(samples("maxSamples"))
    expect(history({ maxEvents: 0 })).toEqual({
      path: "history.maxEvents",
      detail: "must be an integer from 2 to 10,000 (events)"
    })
    expect(history({ maxEvents: 10_001 }).path).toBe("history.maxEvents")
  })
})

describe("GatewayConfig.decode: otel", () => {
  it("an object with an http(s) endpoint and an optional service name", () => {
    const otel = (value: unknown) => refused(with_((d) => d["otel"] = value))
    expect(otel(true)).toEqual({ path: "otel", detail: "must be an object" })
    expect(otel({ url: "http://x" })).toEqual({
      path: "otel.url",
      detail: "is not a known field (use endpoint, serviceName, protocol, headersEnv)"
    })
    expect(otel({})).toEqual({ path: "otel.endpoint", detail: "is required: the OTLP/HTTP collector's URL" })
    expect(otel({ endpoint: "grpc://collector:4317" })).toEqual({
      path: "otel.endpoint",
      detail: "must be an http:// or https:// URL"
    })
    expect(otel({ endpoint: `https://u:${s.admin}@collector` })).toEqual({
      path: "otel.endpoint",
      detail: "must not carry credentials, a query or a fragment"
    })
    expect(otel({ endpoint: "http://collector:4318", serviceName: "" })).toEqual({
      path: "otel.serviceName",
      detail: "must be a non-empty string"
    })
  })

  it("protocol: OTLP/JSON or protobuf", () => {
    expect(refused(with_((d) => d["otel"] = { endpoint: "http://c:4318", protocol: "grpc" }))).toEqual({
      path: "otel.protocol",
      detail: `must be "http/json" or "http/protobuf"`
    })
  })

  it("headersEnv: name=value pairs from the environment, Redacted, never in a message", () => {
    const token = secret("collector-token")
    const e = {
      ...env,
      OTEL_HEADERS: ` Authorization=Bearer%20${token} , x-scope-orgid=tenant-1`,
      BAD_PAIR: `authorization`,
      BAD_NAME: `bad name=${token}`,
      BAD_ESCAPE: `authorization=%zz${token}`,
      BAD_VALUE: `authorization=${token}%0A`
    }
    const otel = { endpoint: "http://127.0.0.1:4318" }
    const config = decoded(with_((d) => d["otel"] = { ...otel, headersEnv: "OTEL_HEADERS" }), e)
    const headers = config.otel?.headers ?? {}
    expect(Object.keys(headers)).toEqual(["authorization", "x-scope-orgid"])
    expect(Redacted.value(headers["authorization"]!)).toBe(`Bearer ${token}`)
    expect(Redacted.value(headers["x-scope-orgid"]!)).toBe("tenant-1")
    expect(JSON.stringify(config.otel)).not.toContain(token)
    expect(String(headers["authorization"])).not.toContain(token)
    const refusedWith = (name: string) => {
      const error = Effect.runSync(
        Effect.flip(
          GatewayConfig.decode(text(with_((d) => d["otel"] = { ...otel, headersEnv: name })), {
            source: "gateway.json",
            env: e
          })
        )
      )
      for (const shown of [error.message, String(error), JSON.stringify(error)]) expect(shown).not.toContain(token)
      return { path: error.path, detail: error.detail }
    }
    expect(refusedWith("BAD_PAIR")).toEqual({
      path: "otel.headersEnv",
      detail: "BAD_PAIR: pair 1 is not name=value with a header name"
    })
    expect(refusedWith("BAD_NAME")).toEqual({
      path: "otel.headersEnv",
      detail: "BAD_NAME: pair 1 is not name=value with a header name"
    })
    expect(refusedWith("BAD_ESCAPE")).toEqual({
      path: "otel.headersEnv",
      detail: "BAD_ESCAPE: the value of authorization is not valid percent-encoding"
    })
    expect(refusedWith("BAD_VALUE")).toEqual({
      path: "otel.headersEnv",
      detail: "BAD_VALUE: the value of authorization must be non-empty visible ASCII"
    })
    expect(refusedWith("NOT_SET")).toEqual({
      path: "otel.headersEnv",
      detail: "the environment variable NOT_SET is not set"
    })
    expect(refusedWith("1BAD")).toEqual({ path: "otel.headersEnv", detail: "must name an environment variable" })
  })
})

describe("GatewayConfig.load", () => {
  const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const load = (path: string) => GatewayConfig.load(path, { env }).pipe(Effect.provide(NodeFileSystem.layer))

  it("reads and decodes a file, naming it in messages", async () => {
    const good = join(dir, "gateway.json")
    writeFileSync(good, JSON.stringify(base(), null, 2))
    const config = await Effect.runPromise(load(good))
    expect(config.clients[0]!.name).toBe("team-a")
    const bad = join(dir, "bad.json")
    writeFileSync(bad, JSON.stringify(with_((d) => d["storeFailure"] = 1)))
    const error = await Effect.runPromise(Effect.flip(load(bad)))
    expect(error.message).toBe(`${bad}: storeFailure: must be "closed" or "open"`)
  })

  it("a missing file", async () => {
    const missing = join(dir, "missing.json")
    const error = await Effect.runPromise(Effect.flip(load(missing)))
    expect(error).toBeInstanceOf(GatewayConfig.InvalidGatewayConfig)
    expect(error.message).toBe(`${missing}: no such file`)
  })
})
