/**
 * @since 0.1.0
 */

/**
 * The gateway: `Gateway.layer(config)` over any `HttpServer`, `Gateway.layerNode(config, { host, port })`
 * on Node, `Gateway.make(config)` for the HTTP app alone.
 *
 * @since 0.1.0
 */
export * as Gateway from "./Gateway.js"

/**
 * The gateway's configuration model and its decoder.
 *
 * @since 0.1.0
 */
export * as GatewayConfig from "./GatewayConfig.js"

/**
 * Reading the history gateways write to a shared store (samples per tier window, quota events),
 * from outside any gateway: `bing-search quota --store <spec>` and scripts.
 *
 * @since 0.1.0
 */
export * as GatewayHistory from "./GatewayHistory.js"
