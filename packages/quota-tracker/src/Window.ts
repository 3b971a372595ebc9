/**
 * Quota windows and their calendar alignment.
 *
 * A quota has up to three windows: a per-second rate (a token bucket, see
 * `QuotaStore`), a calendar day and a calendar month. Day and month periods are
 * aligned to a calendar: UTC by default, a fixed offset in minutes, or an IANA
 * time zone, and months may start on a billing anchor day instead of the 1st.
 * The functions here are pure: they turn an epoch-millisecond instant into the
 * start and end (the reset) of the period that contains it.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { formatWait } from "./internal/format.js"

/**
 * Every window kind, longest first (the order in which a tier's windows are
 * checked). The one declaration of the window union: `WindowKind`,
 * `CalendarKind`, `QuotaError.ErrorWindow` and `Outcome.QuotaWindow` are
 * derived from it.
 *
 * @since 0.1.0
 * @category models
 */
export const kinds = ["month", "day", "second"] as const

/**
 * The kind of a quota window: `"second" | "day" | "month"`.
 *
 * @since 0.1.0
 * @category models
 */
export type WindowKind = (typeof kinds)[number]

/**
 * The windows aligned to a calendar, whose quota a server 403 refers to:
 * `"day" | "month"`.
 *
 * @since 0.1.0
 * @category models
 */
export type CalendarKind = Exclude<WindowKind, "second">

/**
 * How day and month periods are aligned to the calendar.
 *
 * - `timeZone`: an IANA time zone such as `"America/New_York"` (daylight saving
 *   time is followed). Takes precedence over `offsetMinutes`.
 * - `offsetMinutes`: a fixed offset from UTC, e.g. `120` for UTC+02:00.
 * - `monthAnchorDay`: the day of the month (1-31) on which a monthly period
 *   starts, e.g. the subscription's billing day. In shorter months the period
 *   starts on the last day instead. Default `1`.
 *
 * With no option, days start at 00:00 UTC and months on the 1st at 00:00 UTC.
 *
 * @since 0.1.0
 * @category models
 */
export interface Alignment {
  readonly timeZone?: string | undefined
  readonly offsetMinutes?: number | undefined
  readonly monthAnchorDay?: number | undefined
}

/**
 * A half-open period `[start, end)` in epoch milliseconds; `end` is the reset.
 *
 * @since 0.1.0
 * @category models
 */
export interface Period {
  readonly start: number
  readonly end: number
}

/**
 * A validated alignment with its time-zone arithmetic prepared once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Calendar {
  readonly alignment: Alignment
  /** Offset from UTC, in milliseconds, of the calendar at the instant `epochMs`. */
  readonly offsetAt: (epochMs: number) => number
  /** A short label for the zone: `"UTC"`, `"UTC+02:00"` or the IANA name. */
  readonly label: string
  readonly monthAnchorDay: number
}

const MINUTE = 60_000
const DAY = 86_400_000

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

const offsetLabel = (minutes: number): string => {
  if (minutes === 0) return "UTC"
  const sign = minutes < 0 ? "-" : "+"
  const abs = Math.abs(minutes)
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
}

/**
 * Validates an alignment and prepares it, failing with a message that says
 * what is wrong when the alignment is invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const calendar = (alignment: Alignment = {}): Result.Result<Calendar, string> => {
  const result = calendarOrMessage(alignment)
  return typeof result === "string" ? Result.fail(result) : Result.succeed(result)
}

const calendarOrMessage = (alignment: Alignment): Calendar | string => {
  const anchor = alignment.monthAnchorDay ?? 1
  if (!Number.isInteger(anchor) || anchor < 1 || anchor > 31) {
    return `monthAnchorDay must be an integer from 1 to 31, got ${String(anchor)}`
  }
  if (alignment.timeZone !== undefined) {
    const zone = alignment.timeZone
    let format: Intl.DateTimeFormat
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric"
      })
    } catch {
      return `timeZone ${JSON.stringify(zone)} is not a known IANA time zone`
    }
    const offsetAt = (epochMs: number): number => {
      const parts = format.formatToParts(new Date(epochMs))
      const at = (type: Intl.DateTimeFormatPartTypes): number =>
        Number(parts.find((part) => part.type === type)?.value ?? 0)
      const local = Date.UTC(at("year"), at("month") - 1, at("day"), at("hour"), at("minute"), at("second"))
      const floored = epochMs - (((epochMs % 1000) + 1000) % 1000)
      return Math.round((local - floored) / MINUTE) * MINUTE
    }
    return { alignment, offsetAt, label: zone, monthAnchorDay: anchor }
  }
  const minutes = alignment.offsetMinutes ?? 0
  if (!Number.isInteger(minutes) || Math.abs(minutes) > 18 * 60) {
    return `offsetMinutes must be an integer between -1080 and 1080, got ${String(minutes)}`
  }
  const offset = minutes * MINUTE
  return { alignment, offsetAt: () => offset, label: offsetLabel(minutes), monthAnchorDay: anchor }
}

/**
 * Like `calendar`, for alignments known to be valid (constants, tests): throws
 * a `RangeError` when the alignment is invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const calendarUnsafe = (alignment: Alignment = {}): Calendar => {
  const result = calendarOrMessage(alignment)
  if (typeof result === "string") throw new RangeError(result)
  return result
}

/**
 * The UTC calendar: days at 00:00 UTC, months on the 1st.
 *
 * @since 0.1.0
 * @category constructors
 */
export const utc: Calendar = calendarUnsafe({})

// The instant at which the local wall-clock time `localMs` (expressed as if it were UTC) occurs.
const fromLocal = (cal: Calendar, localMs: number): number => {
  const guess = localMs - cal.offsetAt(localMs)
  const offset = cal.offsetAt(guess)
  return localMs - offset
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month + 1, 0)).getUTCDate()

const anchorIn = (year: number, month: number, anchor: number): number => Math.min(anchor, daysInMonth(year, month))

/**
 * The period of a window that contains `epochMs`.
 *
 * For `"second"` this is the aligned second `[floor(t), floor(t) + 1000)`, used
 * for reporting only: the per-second limit itself is a token bucket.
 *
 * @example
 * ```ts
 * import { Window } from "@bing-effect/quota-tracker"
 *
 * const cal = Window.calendarUnsafe({ offsetMinutes: 120 })
 * Window.period("day", Date.UTC(2024, 1, 29, 23, 0), cal)
 * // { start: Date.UTC(2024, 1, 29, 22, 0), end: Date.UTC(2024, 2, 1, 22, 0) }
 * ```
 *
 * @since 0.1.0
 * @category periods
 */
export const period = (kind: WindowKind, epochMs: number, cal: Calendar = utc): Period => {
  if (kind === "second") {
    const start = Math.floor(epochMs / 1000) * 1000
    return { start, end: start + 1000 }
  }
  const local = epochMs + cal.offsetAt(epochMs)
  const date = new Date(local)
  const y = date.getUTCFullYear()
  const m = date.getUTCMonth()
  const d = date.getUTCDate()
  if (kind === "day") {
    const dayStart = Date.UTC(y, m, d)
    return { start: fromLocal(cal, dayStart), end: fromLocal(cal, dayStart + DAY) }
  }
  const anchor = cal.monthAnchorDay
  const thisAnchor = anchorIn(y, m, anchor)
  let startY = y
  let startM = m
  if (d < thisAnchor) {
    startM = m - 1
    if (startM < 0) {
      startM = 11
      startY = y - 1
    }
  }
  let endY = startY
  let endM = startM + 1
  if (endM > 11) {
    endM = 0
    endY = startY + 1
  }
  const startLocal = Date.UTC(startY, startM, anchorIn(startY, startM, anchor))
  const endLocal = Date.UTC(endY, endM, anchorIn(endY, endM, anchor))
  return { start: fromLocal(cal, startLocal), end: fromLocal(cal, endLocal) }
}

/**
 * The start of the period of `kind` that contains `epochMs`.
 *
 * @since 0.1.0
 * @category periods
 */
export const periodStart = (kind: WindowKind, epochMs: number, cal: Calendar = utc): number =>
  period(kind, epochMs, cal).start

/**
 * When the period of `kind` that contains `epochMs` resets (its exclusive end).
 *
 * @since 0.1.0
 * @category periods
 */
export const resetAt = (kind: WindowKind, epochMs: number, cal: Calendar = utc): number =>
  period(kind, epochMs, cal).end

/**
 * Formats an instant as wall-clock time in the calendar, e.g. `"17:40 UTC"`, or
 * `"2026-11-23 17:40 UTC+02:00"` when it is not on the same local day as `now`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTime = (epochMs: number, now: number, cal: Calendar = utc): string => {
  const local = new Date(epochMs + cal.offsetAt(epochMs))
  const today = new Date(now + cal.offsetAt(now))
  const time = `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}`
  const sameDay = local.getUTCFullYear() === today.getUTCFullYear() && local.getUTCMonth() === today.getUTCMonth() &&
    local.getUTCDate() === today.getUTCDate()
  const label = cal.label
  if (sameDay) return `${time} ${label}`
  return `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())} ${time} ${label}`
}

/**
 * A human adjective for a window: `"per-second"`, `"daily"`, `"monthly"`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const adjective = (kind: WindowKind): string =>
  kind === "second" ? "per-second" : kind === "day" ? "daily" : "monthly"

/**
 * The quota of a window in words: `"daily quota"`, `"monthly quota"`, `"per-second quota"`, or
 * `"quota"` for a window the server did not name (`"unknown"`, see `QuotaError.ErrorWindow`).
 * The wording of the tracker's messages, for apps that print their own.
 *
 * @example
 * ```ts
 * import { Window } from "@bing-effect/quota-tracker"
 *
 * const headline = `The ${Window.quotaName("day")} is used up` // "The daily quota is used up"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const quotaName = (kind: WindowKind | "unknown"): string =>
  kind === "unknown" ? "quota" : `${adjective(kind)} quota`

/**
 * A wait in milliseconds in its two largest units: `"250 ms"`, `"90 s"`, `"20 min 35 s"`,
 * `"5 h 30 min"`, `"3 d 4 h"`, rounded up at the last unit shown so that a wait is never
 * understated. The wording of the tracker's messages (`QuotaError`, `TierHeld`), for apps that
 * print their own.
 *
 * @example
 * ```ts
 * import { Window } from "@bing-effect/quota-tracker"
 *
 * const note = `retry in ${Window.formatDuration(1_234_567)}` // "retry in 20 min 35 s"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDuration: (millis: number) => string = formatWait
