/**
 * The Spell Check operation of the client (`/spellcheck`): the schema's parameter codec and
 * response decoder. It is sent as a GET, its parameters in the query string, so `text` must fit in
 * Bing's 2,048-character URL (a POST form for long text is not implemented by the client yet).
 */
import { SpellCheck, SpellCheckParams } from "@bing-effect/schema"
import * as Operation from "./operation.js"

/** Spell Check (`GET /v7.0/spellcheck`). */
export const spellCheck: Operation.Operation<SpellCheckParams.SpellCheckParams, SpellCheck.SpellCheck> = Operation
  .make("spellCheck", "/v7.0/spellcheck", SpellCheckParams, SpellCheck.decodeSpellCheck)
