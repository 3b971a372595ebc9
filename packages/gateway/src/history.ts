/**
 * @bing-effect/gateway/history: reading the history gateways write to a shared store, without
 * loading the gateway itself (its HTTP server, client and telemetry): what `bing-search quota`
 * imports.
 *
 * @since 0.1.0
 */

/**
 * Reading the history gateways write to a shared store (samples per tier window, quota events).
 *
 * @since 0.1.0
 */
export * as GatewayHistory from "./GatewayHistory.js"
