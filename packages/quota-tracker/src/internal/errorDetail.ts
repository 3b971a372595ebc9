/**
 * The `detail` of a `StoreUnavailable`: what a driver's error says, never empty and never with
 * credentials. Drivers throw errors whose message is empty (Node's `AggregateError` when every
 * address of a host refuses, node-redis errors wrapping one) and errors that carry a URL.
 *
 * @internal
 */

const MAX_DEPTH = 4

const scrub = (text: string): string => text.replace(/\/\/[^/@\s]*@/g, "//***@")

const describeAt = (cause: unknown, depth: number): string => {
  if (depth > MAX_DEPTH) return ""
  if (!(cause instanceof Error)) {
    if (cause === undefined || cause === null) return ""
    const text = typeof cause === "object" ? JSON.stringify(cause) ?? "" : String(cause)
    return text === "{}" ? "" : text
  }
  const code = (cause as { readonly code?: unknown }).code
  const parts: Array<string> = []
  if (typeof code === "string" && code !== "" && !cause.message.includes(code)) parts.push(code)
  if (cause.message !== "") parts.push(cause.message)
  else {
    // an empty message: say what is inside (the errors of an AggregateError, a wrapped cause)
    const inner = cause instanceof AggregateError
      ? [...new Set(cause.errors.map((e) => describeAt(e, depth + 1)).filter((s) => s !== ""))].join(", ")
      : describeAt((cause as { readonly originalError?: unknown }).originalError ?? cause.cause, depth + 1)
    if (inner !== "") parts.push(inner)
  }
  if (parts.length === 0) return cause.name !== "" && cause.name !== "Error" ? cause.name : ""
  return parts.join(": ")
}

/** A one-line description of `cause`, never empty, without credentials. */
export const describeCause = (cause: unknown): string => {
  const text = describeAt(cause, 0)
  return text === "" ? "the driver gave no reason" : scrub(text)
}
