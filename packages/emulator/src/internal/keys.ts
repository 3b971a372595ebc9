/**
 * Subscription keys and their quota counters: a sliding one-second window, a calendar day and
 * a calendar (or anchored) month, all on the emulator clock. Plain mutable state owned by one
 * emulator instance; nothing here is shared between instances.
 */
import type { QuotaWindow } from "@bing-effect/error-codes"
import { monthStart, nextDayStart, nextMonthStart, secondsUntil, type WindowConfig } from "./windows.js"

const DAY = 86_400_000

export interface Limits {
  readonly perSecond?: number | undefined
  readonly perDay?: number | undefined
  readonly perMonth?: number | undefined
}

export interface KeySpec {
  readonly name: string
  readonly key: string
  readonly limits?: Limits | undefined
  readonly disabled?: boolean | undefined
  readonly expired?: boolean | undefined
  /** Answer this key with the retirement's 410 Gone. */
  readonly retired?: boolean | undefined
  /** How the key must be sent: the subscription-key header or parameter (default), or `Authorization: Bearer`. */
  readonly auth?: KeyAuth | undefined
}

/** How a key is presented: Bing's subscription key, or a reseller's `Authorization: Bearer`. */
export type KeyAuth = "subscription-key" | "bearer"

/** A quota window, as `@bing-effect/error-codes` declares them. */
export type Window = QuotaWindow

/** The most timestamps a per-second window keeps (bounds memory for absurd limits). */
const SECOND_CAP = 1_000_000

export class KeyState {
  readonly name: string
  readonly secret: string
  readonly limits: Limits
  disabled: boolean
  expired: boolean
  readonly retired: boolean
  readonly auth: KeyAuth
  /** Timestamps of counted requests in the sliding second; live entries are [head, length). */
  private stamps: Array<number> = []
  private head = 0
  /** The current day and month windows as [from, to) epoch ms, so the hot path compares numbers. */
  private dayFrom = Infinity
  private dayTo = -Infinity
  private dayUsed = 0
  private monthFrom = Infinity
  private monthTo = -Infinity
  private monthUsed = 0
  /** Requests that named this key, by outcome. */
  requests = 0
  served = 0
  throttled = 0

  constructor(spec: KeySpec) {
    this.name = spec.name
    this.secret = spec.key
    this.limits = { ...spec.limits }
    this.disabled = spec.disabled === true
    this.expired = spec.expired === true
    this.retired = spec.retired === true
    this.auth = spec.auth ?? "subscription-key"
  }

  private trimSecond(now: number): void {
    const floor = now - 1000
    const s = this.stamps
    while (this.head < s.length && s[this.head]! <= floor) this.head++
    if (this.head > 4096 && this.head * 2 > s.length) {
      this.stamps = s.slice(this.head)
      this.head = 0
    }
  }

  private syncDay(now: number, c: WindowConfig): void {
    if (now >= this.dayFrom && now < this.dayTo) return
    this.dayTo = nextDayStart(now, c)
    this.dayFrom = this.dayTo - DAY
    this.dayUsed = 0
  }

  private syncMonth(now: number, c: WindowConfig): void {
    if (now >= this.monthFrom && now < this.monthTo) return
    this.monthTo = nextMonthStart(now, c)
    this.monthFrom = monthStart(now, c)
    this.monthUsed = 0
  }

  /**
   * Which window refuses a request now, with the whole seconds until it has room again, or
   * undefined when every window has room. The month is checked first: the longest refusal is the
   * most useful to report.
   */
  check(now: number, c: WindowConfig): { readonly window: Window; readonly retryAfter: number } | undefined {
    const { perSecond, perDay, perMonth } = this.limits
    if (perMonth !== undefined) {
      this.syncMonth(now, c)
      if (this.monthUsed >= perMonth) return { window: "month", retryAfter: secondsUntil(now, nextMonthStart(now, c)) }
    }
    if (perDay !== undefined) {
      this.syncDay(now, c)
      if (this.dayUsed >= perDay) return { window: "day", retryAfter: secondsUntil(now, nextDayStart(now, c)) }
    }
    if (perSecond !== undefined) {
      this.trimSecond(now)
      const live = this.stamps.length - this.head
      if (live >= perSecond) {
        // room returns when the (live - perSecond + 1)-th oldest stamp leaves the window
        const oldest = this.stamps[this.head + live - perSecond] ?? now
        return { window: "second", retryAfter: secondsUntil(now, oldest + 1000) }
      }
    }
    return undefined
  }

  /** Counts one request against every window. */
  record(now: number, c: WindowConfig): void {
    this.syncMonth(now, c)
    this.syncDay(now, c)
    this.monthUsed++
    this.dayUsed++
    this.trimSecond(now)
    if (this.stamps.length - this.head < SECOND_CAP) this.stamps.push(now)
  }

  /**
   * Sets a window's usage directly (the admin API's "S15 has used 999,990 today"). Setting the day
   * raises the month to at least the same value; setting the month leaves the day alone.
   */
  setUsage(window: Window, used: number, now: number, c: WindowConfig): void {
    const n = Math.max(0, Math.floor(used))
    if (window === "month") {
      this.syncMonth(now, c)
      this.monthUsed = n
    } else if (window === "day") {
      this.syncDay(now, c)
      this.syncMonth(now, c)
      this.dayUsed = n
      // today's requests are also this month's
      this.monthUsed = Math.max(this.monthUsed, n)
    } else {
      this.stamps = Array.from({ length: Math.min(n, SECOND_CAP) }, () => now)
      this.head = 0
    }
  }

  usage(now: number, c: WindowConfig): { second: number; day: number; month: number } {
    this.trimSecond(now)
    this.syncDay(now, c)
    this.syncMonth(now, c)
    return { second: this.stamps.length - this.head, day: this.dayUsed, month: this.monthUsed }
  }

  reset(): void {
    this.stamps = []
    this.head = 0
    this.dayFrom = Infinity
    this.dayTo = -Infinity
    this.monthFrom = Infinity
    this.monthTo = -Infinity
    this.dayUsed = 0
    this.monthUsed = 0
    this.requests = 0
    this.served = 0
    this.throttled = 0
  }
}
