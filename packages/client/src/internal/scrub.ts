/**
 * Keeps the key out of everything the client stores: texts from the platform (a socket error
 * message), and everything taken from a response (body, headers), since a server may echo the
 * key back. Scrubbing happens at the entry points, before a value goes into an error, a result,
 * a span or the client id store.
 */

/** What replaces a key. */
export const placeholder = "<redacted>"

const replaceAll = (text: string, secret: string): string => text.split(secret).join(placeholder)

/**
 * For texts from the platform: replace any occurrence of a key by `<redacted>` and bound the
 * length.
 */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = replaceAll(out, secret)
  }
  return out.length > 300 ? `${out.slice(0, 300)}…` : out
}

/** The text of a platform error (its message, and its cause's), scrubbed and bounded. */
export const causeText = (cause: unknown, secrets: ReadonlyArray<string>): string =>
  scrub(
    cause instanceof Error
      ? `${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.message})` : ""}`
      : String(cause),
    secrets
  )

/** The same without the bound, for one key (e.g. the origin of a redirect's target). */
export const redact = (text: string, secret: string): string =>
  secret.length > 0 && text.includes(secret) ? replaceAll(text, secret) : text

/** Response headers without the key: the same object when no value holds it (the usual case). */
export const headers = <H extends Readonly<Record<string, string>>>(input: H, secret: string): H => {
  let out: Record<string, string> | undefined
  for (const name in input) {
    const value = input[name]!
    if (value.includes(secret)) {
      out ??= { ...input }
      out[name] = replaceAll(value, secret)
    }
  }
  return out === undefined ? input : (out as H)
}

const escape = /\\u([0-9a-fA-F]{4})/g

/** Whether some `\uXXXX` in `text` stands for a character of `secret`. */
const escapesCharOf = (text: string, secret: string): boolean => {
  for (let i = text.indexOf("\\u"); i !== -1; i = text.indexOf("\\u", i + 2)) {
    const code = Number.parseInt(text.slice(i + 2, i + 6), 16)
    if (!Number.isNaN(code) && secret.includes(String.fromCharCode(code))) return true
  }
  return false
}

/** Strings of a parsed JSON value with the key replaced. */
const deep = (value: unknown, secret: string): unknown => {
  if (typeof value === "string") return redact(value, secret)
  if (Array.isArray(value)) return value.map((v) => deep(v, secret))
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[redact(k, secret)] = deep(v, secret)
    return out
  }
  return value
}

/**
 * A response body without the key, before it is decoded (so neither the result nor an error
 * built from it can hold the key). A literal echo is replaced in place. A key spelt with JSON
 * `\uXXXX` escapes is found only after unescaping: then the body is parsed, scrubbed string by
 * string and serialised again (the rare path; a body that is not JSON keeps its raw form, in
 * which the escapes are plain text).
 */
export const body = (text: string, secret: string): string => {
  if (secret.length === 0) return text
  const out = text.includes(secret) ? replaceAll(text, secret) : text
  // Bing escapes some characters (\u0027, \u003c...): unescape only when an escape spells a
  // character of the key, the one way an escaped key can hide.
  if (!escapesCharOf(out, secret)) return out
  const unescaped = out.replace(escape, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
  if (!unescaped.includes(secret)) return out
  try {
    return JSON.stringify(deep(JSON.parse(out), secret))
  } catch {
    return replaceAll(unescaped, secret)
  }
}
