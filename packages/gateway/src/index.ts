/**
 * @since 0.1.0
 */

/**
 * The gateway's configuration model and its decoder.
 *
 * @since 0.1.0
 */
export * as GatewayConfig from "./GatewayConfig.js"
