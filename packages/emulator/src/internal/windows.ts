/**
 * Quota window arithmetic on the emulator clock: calendar days and months in a configurable
 * UTC offset, months optionally anchored on a billing day ("11. Project decisions" in
 * docs/bing-v7-reference.md).
 */

const DAY = 86_400_000

export interface WindowConfig {
  /** Minutes east of UTC in which days and months start (0 = UTC). */
  readonly offsetMinutes: number
  /** Day of the month (1..31) on which a month starts; clamped to the month's length. */
  readonly anchorDay: number
}

/** The index of the day containing `t`. */
export const dayId = (t: number, c: WindowConfig): number => Math.floor((t + c.offsetMinutes * 60_000) / DAY)

/** Epoch ms of the next day boundary after `t`. */
export const nextDayStart = (t: number, c: WindowConfig): number => (dayId(t, c) + 1) * DAY - c.offsetMinutes * 60_000

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
const anchorIn = (y: number, m: number, anchor: number): number => Math.min(anchor, daysIn(y, m))

/** (year, month) of the period containing `t`, as one integer y * 12 + m. */
export const monthId = (t: number, c: WindowConfig): number => {
  const local = new Date(t + c.offsetMinutes * 60_000)
  const y = local.getUTCFullYear()
  const m = local.getUTCMonth()
  const start = anchorIn(y, m, c.anchorDay)
  return local.getUTCDate() >= start ? y * 12 + m : y * 12 + m - 1
}

/** Epoch ms at which the month containing `t` started. */
export const monthStart = (t: number, c: WindowConfig): number => {
  const id = monthId(t, c)
  const y = Math.floor(id / 12)
  const m = id - y * 12
  return Date.UTC(y, m, anchorIn(y, m, c.anchorDay)) - c.offsetMinutes * 60_000
}

/** Epoch ms of the next month boundary after `t`. */
export const nextMonthStart = (t: number, c: WindowConfig): number => {
  const next = monthId(t, c) + 1
  const y = Math.floor(next / 12)
  const m = next - y * 12
  return Date.UTC(y, m, anchorIn(y, m, c.anchorDay)) - c.offsetMinutes * 60_000
}

/** Whole seconds from `now` until `at`, at least 1. */
export const secondsUntil = (now: number, at: number): number => Math.max(1, Math.ceil((at - now) / 1000))
