/**
 * @bing-effect/client/undici: `BingHttp`, a lean `HttpClient` over undici for Node, which a
 * `BingClient` uses directly (the fastest way to run the client). Needs the optional peer
 * dependency `undici`:
 *
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { BingClient } from "@bing-effect/client"
 * import { BingHttp } from "@bing-effect/client/undici"
 *
 * const Live = BingClient.layer({ key: Redacted.make(process.env.BING_KEY ?? "") }).pipe(Layer.provide(BingHttp.layer))
 * ```
 *
 * @since 0.3.0
 */
export * as BingHttp from "./BingHttp.js"
