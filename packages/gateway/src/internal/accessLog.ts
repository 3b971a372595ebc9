/**
 * The access log: one JSON object per answered request, on one line, with fixed fields in a fixed
 * order (absent values are `null`, so every line has the same keys for log processors). Built
 * from a `RequestRecord`, which holds no key; the path is cut at `?` and `#` all the same, since a
 * query may carry `subscription-key` and a log line must never hold a key.
 */
import type { RequestRecord } from "./observe.js"

/** Longer paths are cut: one caller must not be able to write megabytes into the log per request. */
export const maxPathLength = 1024

// Milliseconds to the microsecond: enough for loopback overheads, short enough to read.
const ms = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000

/** The URL path of `path` without query or fragment, cut to `maxPathLength`. */
export const pathOnly = (path: string): string => {
  const q = path.indexOf("?")
  const h = path.indexOf("#")
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h)
  const bare = end === -1 ? path : path.slice(0, end)
  return bare.length > maxPathLength ? bare.slice(0, maxPathLength) : bare
}

// `toISOString` cost as much as the rest of a line: the text up to the second is kept, and only
// the milliseconds are written per line (a process logs many lines per second).
let cachedSecond = Number.NaN
let cachedPrefix = ""
/** The last second of year 9999: past it `toISOString` has a six-digit year, which the cache does not cut. */
const lastFourDigitYear = 253_402_300_799_999

/** `new Date(now).toISOString()`, for epoch ms. */
export const isoTime = (now: number): string => {
  if (!(now >= 0 && now <= lastFourDigitYear)) return new Date(now).toISOString()
  const whole = Math.trunc(now)
  const second = whole - (whole % 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    // "2026-03-10T12:00:00."
    cachedPrefix = new Date(second).toISOString().slice(0, 20)
  }
  const fraction = whole - second
  return `${cachedPrefix}${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}Z`
}

/** The log line of one answer, without its trailing newline; `now` is epoch ms. */
export const format = (record: RequestRecord, now: number): string =>
  JSON.stringify({
    time: isoTime(now),
    method: record.method,
    path: pathOnly(record.path),
    route: record.route,
    status: record.status,
    outcome: record.outcome,
    tenant: record.tenant ?? null,
    tier: record.tier ?? null,
    traceId: record.traceId ?? null,
    durationMs: ms(record.durationMs),
    upstreamMs: ms(record.upstreamMs)
  })
