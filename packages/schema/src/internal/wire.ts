/**
 * Reading the parts of an HTTP response that decoding needs, defensively: headers in any of the
 * shapes callers hold them, `Retry-After` in either form, .NET TimeSpan countdowns, bodies as
 * text or bytes.
 */

/** Headers as `fetch` gives them, or as a plain record (Node's `IncomingHttpHeaders`, a test). */
export type HeadersInput = Headers | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** One header value, case-insensitively; the first when repeated. */
export const header = (headers: HeadersInput | undefined | null, name: string): string | undefined => {
  if (headers === undefined || headers === null || typeof headers !== "object") return undefined
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined
  const record = headers as Readonly<Record<string, unknown>>
  const direct = record[name]
  const value = direct !== undefined ? direct : findCaseInsensitive(record, name)
  if (typeof value === "string") return value
  if (Array.isArray(value)) {
    const first: unknown = value[0]
    return typeof first === "string" ? first : undefined
  }
  return undefined
}

const findCaseInsensitive = (record: Readonly<Record<string, unknown>>, name: string): unknown => {
  const lower = name.toLowerCase()
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key]
  return undefined
}

const imfFixdate =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/

/**
 * `Retry-After` in milliseconds: delay-seconds (digits only) or an HTTP date (IMF-fixdate), counted
 * from `now`. Anything else is garbage and gives `undefined` (the caller falls back to backoff).
 */
export const parseRetryAfter = (value: string | undefined, now: () => number): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000
  if (imfFixdate.test(v)) {
    const at = Date.parse(v)
    return Number.isFinite(at) ? Math.max(0, at - now()) : undefined
  }
  return undefined
}

/** Whole seconds for a `Retry-After` header, at least `min`. */
export const retryAfterSeconds = (ms: number, min: number): string => String(Math.max(min, Math.ceil(ms / 1000)))

/**
 * A .NET TimeSpan `d.hh:mm:ss` (or `hh:mm:ss` under a day, as `TimeSpan.ToString()` writes it) as
 * milliseconds.
 */
export const parseTimeSpan = (text: string): number | undefined => {
  const m = /(?:(\d{1,8})\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?/.exec(text)
  if (m === null) return undefined
  const [d, h, mi, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3]), Number(m[4])]
  if (h > 23 || mi > 59 || s > 59) return undefined
  return (((d * 24 + h) * 60 + mi) * 60 + s) * 1000
}

const pad = (n: number): string => String(n).padStart(2, "0")

/** Milliseconds as a .NET TimeSpan (`d.hh:mm:ss`, days only when there are some), rounded up to a second. */
export const formatTimeSpan = (ms: number): string => {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const d = Math.floor(total / 86400)
  const h = Math.floor((total % 86400) / 3600)
  const mi = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${d > 0 ? `${d}.` : ""}${pad(h)}:${pad(mi)}:${pad(s)}`
}

const utf8 = new TextDecoder("utf-8", { fatal: false })

/** The body as text: bytes are read as UTF-8 (invalid sequences become U+FFFD), a BOM is dropped. */
export const bodyText = (body: string | Uint8Array | undefined | null): string => {
  if (typeof body === "string") return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body
  if (body instanceof Uint8Array) return utf8.decode(body)
  return ""
}

/** Whether the text holds nothing but whitespace. */
export const isBlank = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false
  }
  return true
}

/**
 * The body parsed as a JSON object, or `undefined`. Only text that starts with `{` is parsed, so
 * an HTML page or a megabyte of nested arrays costs a character test, not a parse. `JSON.parse` is
 * iterative in V8: deep nesting does not exhaust the stack, and any other failure is caught.
 */
export const parseObject = (text: string): Record<string, unknown> | undefined => {
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
    i++
  }
  if (text.charCodeAt(i) !== 0x7b) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
