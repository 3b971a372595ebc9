/**
 * Shared test setup: one emulator per test file as the upstream (with keys of its own for the
 * tiers), a gateway configuration built by hand, the gateway on a free port of 127.0.0.1, and a
 * plain `fetch` as the caller (what an unmodified Bing client does).
 */
import { Emulator } from "@bing-effect/emulator"
import { Tier } from "@bing-effect/quota-tracker"
import { Effect, Layer, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { Gateway, type GatewayConfig } from "../src/index.js"

export const S15_KEY = "tier-s15-secret-5d1e0a9c77"
export const S16_KEY = "tier-s16-secret-0b3f6e2a41"
export const TEAM_A_KEY = "client-team-a-secret-7c21"
export const TEAM_B_KEY = "client-team-b-secret-9e44"
/** Every secret of the tests: none may appear in any answer. */
export const secrets = [S15_KEY, S16_KEY, TEAM_A_KEY, TEAM_B_KEY]

/** The emulator's keys: the tiers' (the gateway's upstream keys) and one for calling it directly. */
export const DIRECT_KEY = "direct-emulator-secret-33aa"
export const emulatorKeys = [
  { name: "S15", key: S15_KEY, limits: { perDay: 5 } },
  { name: "S16", key: S16_KEY, limits: { perDay: 1_000 } },
  { name: "direct", key: DIRECT_KEY }
]

/** One emulator for the file, reset before each test; its clock stands still unless advanced. */
export const useEmulator = (options: Emulator.Options = {}): { readonly current: Emulator.EmulatorHandle } => {
  const ref = { current: undefined as unknown as Emulator.EmulatorHandle }
  beforeAll(async () => {
    ref.current = await Emulator.start({ keys: emulatorKeys, clock: "frozen", ...options })
  })
  afterAll(async () => {
    await ref.current.stop()
  })
  beforeEach(() => {
    ref.current.reset()
  })
  return ref
}

export const tiers = [
  Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 5 } }),
  Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
]

export const config = (
  upstream: string,
  overrides: Partial<GatewayConfig.GatewayConfig> = {}
): GatewayConfig.GatewayConfig => ({
  upstream: { endpoint: upstream, allowInsecureLoopback: true },
  tiers,
  clients: [
    { name: "team-a", key: Redacted.make(TEAM_A_KEY), limits: {} },
    { name: "team-b", key: Redacted.make(TEAM_B_KEY), limits: { perSecond: 2, perDay: 10 } }
  ],
  store: { _tag: "memory" },
  storeFailure: "closed",
  adminToken: undefined,
  ...overrides
})

/** The gateway on a free port, with tiny upstream backoff delays. */
export const gatewayLayer = (cfg: GatewayConfig.GatewayConfig, options: Gateway.NodeOptions = {}) =>
  Gateway.layerNode(cfg, {
    port: 0,
    drainTimeout: "2 seconds",
    ...options,
    client: { retry: { baseDelay: 0, maxDelay: 0 }, ...options.client }
  })

/** The base URL of the gateway of the context. */
export const baseUrl = HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address))

/** What a caller sees. */
export interface Seen {
  readonly status: number
  readonly headers: Headers
  readonly body: Buffer
  readonly text: string
}

/** Every answer any test saw, to check that no secret ever appears in one. */
export const transcript: Array<string> = []

/** A plain HTTP call, as an unmodified Bing client makes it. */
export const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async (): Promise<Seen> => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) })
    const body = Buffer.from(await response.arrayBuffer())
    const seen = { status: response.status, headers: response.headers, body, text: body.toString("utf8") }
    transcript.push(`${response.status} ${JSON.stringify([...response.headers])} ${seen.text}`)
    return seen
  })

/** Sleeps in real time, whatever clock the fiber has (for sockets under the TestClock). */
export const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

export const withGateway = <A, E, R>(
  cfg: GatewayConfig.GatewayConfig,
  body: (base: string) => Effect.Effect<A, E, R>,
  options: Gateway.NodeOptions = {}
) => Effect.flatMap(baseUrl, body).pipe(Effect.provide(gatewayLayer(cfg, options)))

export { Layer }
