/**
 * The Entity Search operation (`/entities`): its path, its parameter codec from
 * @bing-effect/schema (checked before any quota is spent) and its response decoder. `BingClient`
 * runs it through the same attempts, tiers and refusals as the others.
 */
import { EntitySearch, EntitySearchParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

/** Entity Search (`GET /v7.0/entities`). */
export const entitySearch: Operation.Operation<EntitySearchParams.EntitySearchParams, EntitySearch.SearchResponse> =
  Operation.make("entitySearch", "/v7.0/entities", EntitySearchParams, EntitySearch.decodeEntities)
