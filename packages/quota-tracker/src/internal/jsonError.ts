/** Messages about JSON text that cannot be parsed, without any piece of that text. */

/**
 * A JSON parser's message without any piece of the text: V8 quotes a snippet of the input (which may
 * be a key) and the unexpected token; only the kind of error and its position remain.
 */
export const jsonErrorDetail = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error))
    .replace(/,\s*(?:\.\.\.)?".*$/s, "")
    .replace(/^Unexpected token .*$/s, "Unexpected token")
    .replace(/"[^"]*"/g, "…")
