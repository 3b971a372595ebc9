/**
 * The Autosuggest operation (`/suggestions`): its path, its parameter codec from
 * @bing-effect/schema (checked before any quota is spent) and its response decoder. `BingClient`
 * runs it through the same attempts, tiers and refusals as the others.
 */
import type { BingError, BingResponse } from "@bing-effect/schema"
import { Suggestions, SuggestionsParams } from "@bing-effect/schema"
import type * as Result from "effect/Result"

export type Name = "suggestions"

/** The shape `BingClient` runs (its private `Operation`). */
interface Operation<P, A> {
  readonly name: Name
  readonly path: string
  readonly validate: (input: unknown) => Result.Result<P, BingError.InvalidRequest>
  readonly toQuery: (params: P) => URLSearchParams
  readonly decode: (
    input: BingResponse.ResponseInput,
    options: { readonly now: number }
  ) => Result.Result<A, BingError.BingError>
}

export const suggestions: Operation<SuggestionsParams.SuggestionsParams, Suggestions.Suggestions> = {
  name: "suggestions",
  path: "/v7.0/suggestions",
  validate: SuggestionsParams.validate,
  toQuery: SuggestionsParams.toQuery,
  decode: Suggestions.decodeSuggestions
}
