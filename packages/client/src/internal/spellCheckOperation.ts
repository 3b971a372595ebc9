/**
 * The Spell Check operation of the client (`/spellcheck`): the schema's parameter codec and
 * response decoder. It is sent as a GET, its parameters in the query string, so `text` must fit in
 * Bing's 2,048-character URL (a POST form for long text is not implemented by the client yet).
 */
import { SpellCheck, SpellCheckParams } from "@bing-effect/schema"
import type { NewsOperation } from "./newsOperations.js"

/** Spell Check (`GET /v7.0/spellcheck`). */
export const spellCheck: NewsOperation<SpellCheckParams.SpellCheckParams, SpellCheck.SpellCheck> = {
  name: "spellCheck",
  path: "/v7.0/spellcheck",
  validate: SpellCheckParams.validate,
  toQuery: SpellCheckParams.toQuery,
  decode: SpellCheck.decodeSpellCheck
}
