/**
 * @since 0.1.0
 */
export * as Outcome from "./Outcome.js"
export * as QuotaError from "./QuotaError.js"
export * as QuotaEvent from "./QuotaEvent.js"
export * as QuotaStore from "./QuotaStore.js"
export * as QuotaTracker from "./QuotaTracker.js"

/**
 * Effect's `Redis` service over a Redis Cluster, for `QuotaStore.layerRedis`. The optional peer
 * `redis` is loaded when its layer is built, never by this import.
 *
 * @since 0.4.0
 */
export * as RedisCluster from "./RedisCluster.js"

/**
 * A quota store named by one string: `memory`, `sqlite:<file>`, `redis://host:port` or `postgres://host/db`.
 *
 * @since 0.3.0
 */
export * as StoreSpec from "./StoreSpec.js"

/**
 * Spend of a tier chain: so far, projected, and from switching to a dearer tier.
 *
 * @since 0.4.0
 */
export * as Spend from "./Spend.js"
export * as Tier from "./Tier.js"
export * as TierCatalog from "./TierCatalog.js"

/**
 * The tiers file: one parser for the JSON document naming the tiers, their keys and limits.
 *
 * @since 0.3.0
 */
export * as TiersFile from "./TiersFile.js"
export * as Window from "./Window.js"
