/**
 * @bing-effect/emulator: a local, wire-compatible Bing Search API v7 server that enforces quotas,
 * moves its clock on demand and produces every documented error.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"
export * as FaultRule from "./FaultRule.js"
