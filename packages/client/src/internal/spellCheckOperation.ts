/**
 * The Spell Check operation of the client (`/spellcheck`): the schema's parameter codec and
 * response decoder. It is sent as a GET, its parameters in the query string, while they fit in
 * Bing's advice for a URL ("the maximum length of your query parameters should be less than 1,500
 * characters", the URL itself being capped at 2,048, past which Bing answers 404); longer, as a
 * POST with the same parameters as an `application/x-www-form-urlencoded` body and none in the URL
 * ("because of URL length limits, you typically use a POST request unless you're checking only
 * short strings"). The choice is made per call, on the encoded parameters, so callers never pick.
 */
import { SpellCheck, SpellCheckParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

/** The longest encoded query string sent in a URL: Bing's "less than 1,500 characters". */
export const maxQueryInUrl = 1_499

/** Spell Check (`GET`, or `POST` for long text, `/v7.0/spellcheck`). */
export const spellCheck: Operation.Operation<SpellCheckParams.SpellCheckParams, SpellCheck.SpellCheck> = {
  ...Operation.make("spellCheck", "/v7.0/spellcheck", SpellCheckParams, SpellCheck.decodeSpellCheck),
  postsForm: (query) => query.length > maxQueryInUrl
}
