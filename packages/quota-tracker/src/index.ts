/**
 * @since 0.1.0
 */
export * as Outcome from "./Outcome.js"
export * as QuotaError from "./QuotaError.js"
export * as QuotaEvent from "./QuotaEvent.js"
export * as QuotaStore from "./QuotaStore.js"
export * as QuotaTracker from "./QuotaTracker.js"
export * as Tier from "./Tier.js"
export * as TierCatalog from "./TierCatalog.js"
export * as Window from "./Window.js"
