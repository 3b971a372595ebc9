/**
 * The gateway's configuration, as decoded from a `gateway.json` file and the environment: the upstream
 * Bing endpoint, the chain of subscription tiers (the search-cli's tiers-file format), the gateway's own
 * client keys with their optional tenant limits, the quota store and the admin token. Every secret is
 * `Redacted` from the moment it is read.
 *
 * @since 0.1.0
 */
import type { Tier } from "@bing-effect/quota-tracker"
import type * as Redacted from "effect/Redacted"

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
 *
 * @since 0.1.0
 * @category models
 */
export type Store =
  | { readonly _tag: "memory" }
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "redis"; readonly url: Redacted.Redacted<string>; readonly prefix: string }

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
}
