import { describe, expect, it } from "vitest"
import { monthStart, nextDayStart, nextMonthStart, secondsUntil } from "../src/internal/windows.js"

const utc = { offsetMinutes: 0, anchorDay: 1 }
const iso = (ms: number) => new Date(ms).toISOString()

describe("quota windows", () => {
  it("calendar day and month in UTC", () => {
    const t = Date.UTC(2026, 1, 28, 23, 59, 59, 999)
    expect(iso(nextDayStart(t, utc))).toBe("2026-03-01T00:00:00.000Z")
    expect(iso(nextMonthStart(t, utc))).toBe("2026-03-01T00:00:00.000Z")
    expect(iso(monthStart(t, utc))).toBe("2026-02-01T00:00:00.000Z")
    expect(iso(nextMonthStart(Date.UTC(2026, 11, 31, 12), utc))).toBe("2027-01-01T00:00:00.000Z")
  })

  it("a negative offset moves the boundaries later", () => {
    const c = { offsetMinutes: -300, anchorDay: 1 } // UTC-5
    const t = Date.UTC(2026, 0, 1, 3) // still Dec 31 at UTC-5
    expect(iso(nextDayStart(t, c))).toBe("2026-01-01T05:00:00.000Z")
    expect(iso(monthStart(t, c))).toBe("2025-12-01T05:00:00.000Z")
    expect(iso(nextMonthStart(t, c))).toBe("2026-01-01T05:00:00.000Z")
  })

  it("an anchor day is clamped to short months", () => {
    const c = { offsetMinutes: 0, anchorDay: 31 }
    expect(iso(nextMonthStart(Date.UTC(2026, 0, 31, 1), c))).toBe("2026-02-28T00:00:00.000Z")
    expect(iso(monthStart(Date.UTC(2026, 1, 28, 1), c))).toBe("2026-02-28T00:00:00.000Z")
    expect(iso(nextMonthStart(Date.UTC(2026, 1, 28, 1), c))).toBe("2026-03-31T00:00:00.000Z")
    expect(iso(monthStart(Date.UTC(2026, 2, 30), c))).toBe("2026-02-28T00:00:00.000Z")
    const mid = { offsetMinutes: 0, anchorDay: 15 }
    expect(iso(monthStart(Date.UTC(2026, 4, 14, 23), mid))).toBe("2026-04-15T00:00:00.000Z")
    expect(iso(nextMonthStart(Date.UTC(2026, 4, 15), mid))).toBe("2026-06-15T00:00:00.000Z")
  })

  it("Retry-After seconds are whole and at least 1", () => {
    expect(secondsUntil(0, 1)).toBe(1)
    expect(secondsUntil(0, 1000)).toBe(1)
    expect(secondsUntil(0, 1001)).toBe(2)
    expect(secondsUntil(5000, 1000)).toBe(1)
  })
})
