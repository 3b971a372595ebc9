/**
 * The quota store of the configuration, shared by the tier chain and every tenant: memory,
 * SQLite or Redis (`StoreSpec.layer`: node-redis is loaded only for a Redis store), wrapped by
 * `QuotaStore.layerFailOpen` when the configuration says `storeFailure: "open"`.
 */
import { QuotaStore, StoreSpec } from "@bing-effect/quota-tracker"
import type { QuotaError } from "@bing-effect/quota-tracker"
import * as Layer from "effect/Layer"
import type * as GatewayConfig from "../GatewayConfig.js"

/** The store layer of a configuration (or the caller's own store), fail-open when configured. */
export const layer = (
  config: Pick<GatewayConfig.GatewayConfig, "store" | "storeFailure">,
  custom?: Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> | undefined
): Layer.Layer<QuotaStore.QuotaStore, QuotaError.QuotaError> => {
  const store = custom ?? StoreSpec.layer(config.store)
  return config.storeFailure === "open" ? QuotaStore.layerFailOpen().pipe(Layer.provide(store)) : store
}
