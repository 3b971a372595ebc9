/**
 * @bing-effect/quota-tracker/redis: the Redis store with a connection of its own (node-redis),
 * whose start-up has a deadline. A subpath, so that `@bing-effect/quota-tracker` never loads
 * `redis`; install `redis` (5 or 6) to use it.
 *
 * @since 0.1.0
 */
export * as RedisStore from "./RedisStore.js"
/**
 * Effect's `Redis` service over a Redis Cluster, for `QuotaStore.layerRedis`: the same module as
 * `RedisCluster` from the package root (kept here, so that existing imports keep working).
 *
 * @since 0.4.0
 */
export * as RedisCluster from "./RedisCluster.js"
