/**
 * The quota store of the configuration, shared by the tier chain and every tenant: memory,
 * SQLite or Redis (node-redis is loaded only when Redis is configured), wrapped by
 * `QuotaStore.layerFailOpen` when the configuration says `storeFailure: "open"`.
 */
import { QuotaStore } from "@bing-effect/quota-tracker"
import type { QuotaError } from "@bing-effect/quota-tracker"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as GatewayConfig from "../GatewayConfig.js"

const base = (store: GatewayConfig.Store): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> => {
  switch (store._tag) {
    case "memory":
      return QuotaStore.layerMemory
    case "sqlite":
      return QuotaStore.layerSqlite({ filename: store.filename })
    case "redis":
      return Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@bing-effect/quota-tracker/redis")),
          ({ RedisStore }) => RedisStore.layer({ url: Redacted.value(store.url), prefix: store.prefix })
        )
      )
  }
}

/** The store layer of a configuration (or the caller's own store), fail-open when configured. */
export const layer = (
  config: Pick<GatewayConfig.GatewayConfig, "store" | "storeFailure">,
  custom?: Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> | undefined
): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> => {
  const store = custom ?? base(config.store)
  return config.storeFailure === "open" ? QuotaStore.layerFailOpen().pipe(Layer.provide(store)) : store
}
