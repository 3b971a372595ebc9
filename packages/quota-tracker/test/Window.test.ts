import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { Window } from "../src/index.js"

const utc = (iso: string) => Date.parse(iso)

describe("Window.period", () => {
  it("aligns days to 00:00 UTC by default", () => {
    expect(Window.period("day", utc("2026-11-22T17:40:00Z"))).toEqual({
      start: utc("2026-11-22T00:00:00Z"),
      end: utc("2026-11-23T00:00:00Z")
    })
    expect(Window.resetAt("day", utc("2026-11-22T23:59:59.999Z"))).toBe(utc("2026-11-23T00:00:00Z"))
    expect(Window.periodStart("day", utc("2026-11-23T00:00:00Z"))).toBe(utc("2026-11-23T00:00:00Z"))
  })

  it("aligns months to the 1st, across month ends and year ends", () => {
    expect(Window.period("month", utc("2026-01-31T23:59:59Z"))).toEqual({
      start: utc("2026-01-01T00:00:00Z"),
      end: utc("2026-02-01T00:00:00Z")
    })
    expect(Window.period("month", utc("2026-12-31T12:00:00Z"))).toEqual({
      start: utc("2026-12-01T00:00:00Z"),
      end: utc("2027-01-01T00:00:00Z")
    })
    expect(Window.period("month", utc("2026-04-30T23:59:59Z")).end).toBe(utc("2026-05-01T00:00:00Z"))
  })

  it("handles leap days", () => {
    expect(Window.period("day", utc("2024-02-29T12:00:00Z"))).toEqual({
      start: utc("2024-02-29T00:00:00Z"),
      end: utc("2024-03-01T00:00:00Z")
    })
    expect(Window.period("month", utc("2024-02-29T23:59:59Z"))).toEqual({
      start: utc("2024-02-01T00:00:00Z"),
      end: utc("2024-03-01T00:00:00Z")
    })
    expect(Window.period("day", utc("2025-02-28T12:00:00Z")).end).toBe(utc("2025-03-01T00:00:00Z"))
  })

  it("puts the day boundary at local midnight of a fixed offset", () => {
    const cal = Window.calendarUnsafe({ offsetMinutes: 120 }) // UTC+02:00
    // 23:00 UTC on the 21st is 01:00 on the 22nd locally
    expect(Window.period("day", utc("2026-11-21T23:00:00Z"), cal)).toEqual({
      start: utc("2026-11-21T22:00:00Z"),
      end: utc("2026-11-22T22:00:00Z")
    })
    expect(Window.period("day", utc("2026-11-21T21:59:59Z"), cal).end).toBe(utc("2026-11-21T22:00:00Z"))
    const west = Window.calendarUnsafe({ offsetMinutes: -330 }) // UTC-05:30
    expect(Window.period("day", utc("2026-11-22T03:00:00Z"), west)).toEqual({
      start: utc("2026-11-21T05:30:00Z"),
      end: utc("2026-11-22T05:30:00Z")
    })
  })

  it("puts a leap day boundary in a non-UTC offset", () => {
    const cal = Window.calendarUnsafe({ offsetMinutes: 540 }) // UTC+09:00
    expect(Window.period("day", utc("2024-02-29T16:00:00Z"), cal)).toEqual({
      start: utc("2024-02-29T15:00:00Z"),
      end: utc("2024-03-01T15:00:00Z")
    })
    expect(Window.period("month", utc("2024-02-29T16:00:00Z"), cal)).toEqual({
      start: utc("2024-02-29T15:00:00Z"),
      end: utc("2024-03-31T15:00:00Z")
    })
  })

  it("follows daylight saving time in an IANA zone", () => {
    const ny = Window.calendarUnsafe({ timeZone: "America/New_York" })
    // 2026-03-08 has 23 hours in New York
    expect(Window.period("day", utc("2026-03-08T12:00:00Z"), ny)).toEqual({
      start: utc("2026-03-08T05:00:00Z"),
      end: utc("2026-03-09T04:00:00Z")
    })
    // 2026-11-01 has 25 hours
    expect(Window.period("day", utc("2026-11-01T12:00:00Z"), ny)).toEqual({
      start: utc("2026-11-01T04:00:00Z"),
      end: utc("2026-11-02T05:00:00Z")
    })
    expect(Window.period("month", utc("2026-11-15T12:00:00Z"), ny)).toEqual({
      start: utc("2026-11-01T04:00:00Z"),
      end: utc("2026-12-01T05:00:00Z")
    })
  })

  it("starts months on the billing anchor day, clamped to short months", () => {
    const cal = Window.calendarUnsafe({ monthAnchorDay: 31 })
    expect(Window.period("month", utc("2026-02-15T00:00:00Z"), cal)).toEqual({
      start: utc("2026-01-31T00:00:00Z"),
      end: utc("2026-02-28T00:00:00Z")
    })
    expect(Window.period("month", utc("2026-02-28T00:00:00Z"), cal)).toEqual({
      start: utc("2026-02-28T00:00:00Z"),
      end: utc("2026-03-31T00:00:00Z")
    })
    expect(Window.period("month", utc("2024-02-29T10:00:00Z"), cal)).toEqual({
      start: utc("2024-02-29T00:00:00Z"),
      end: utc("2024-03-31T00:00:00Z")
    })
    const the17th = Window.calendarUnsafe({ monthAnchorDay: 17 })
    expect(Window.period("month", utc("2026-01-16T23:59:59Z"), the17th)).toEqual({
      start: utc("2025-12-17T00:00:00Z"),
      end: utc("2026-01-17T00:00:00Z")
    })
    expect(Window.period("month", utc("2026-01-17T00:00:00Z"), the17th).start).toBe(utc("2026-01-17T00:00:00Z"))
  })

  it("reports aligned seconds for the per-second window", () => {
    expect(Window.period("second", 12_345)).toEqual({ start: 12_000, end: 13_000 })
  })

  it("formats instants in the calendar's zone", () => {
    const now = utc("2026-11-22T10:00:00Z")
    expect(Window.formatTime(utc("2026-11-22T17:40:00Z"), now)).toBe("17:40 UTC")
    expect(Window.formatTime(utc("2026-11-23T00:00:00Z"), now)).toBe("2026-11-23 00:00 UTC")
    expect(Window.formatTime(utc("2026-11-22T17:40:00Z"), now, Window.calendarUnsafe({ offsetMinutes: 120 }))).toBe(
      "19:40 UTC+02:00"
    )
  })
})

describe("Window.calendar", () => {
  it("rejects invalid alignments with a message", () => {
    const bad = [
      Window.calendar({ monthAnchorDay: 0 }),
      Window.calendar({ monthAnchorDay: 32 }),
      Window.calendar({ offsetMinutes: 1.5 }),
      Window.calendar({ offsetMinutes: 24 * 60 }),
      Window.calendar({ timeZone: "Mars/Olympus_Mons" })
    ]
    for (const result of bad) expect(Result.isFailure(result)).toBe(true)
    const zone = Window.calendar({ timeZone: "Mars/Olympus_Mons" })
    expect(Result.isFailure(zone) && zone.failure).toContain("Mars/Olympus_Mons")
    expect(Result.isSuccess(Window.calendar({ timeZone: "Europe/Paris", monthAnchorDay: 17 }))).toBe(true)
    expect(() => Window.calendarUnsafe({ monthAnchorDay: 40 })).toThrow(RangeError)
  })
})

describe("Window.formatDuration", () => {
  it("gives a wait in its two largest units, rounded up so that a wait is never understated", () => {
    expect(Window.formatDuration(0)).toBe("0 ms")
    expect(Window.formatDuration(249.2)).toBe("250 ms")
    expect(Window.formatDuration(1000)).toBe("1 s")
    expect(Window.formatDuration(1001)).toBe("2 s")
    expect(Window.formatDuration(90_000)).toBe("90 s")
    expect(Window.formatDuration(120_000)).toBe("2 min")
    expect(Window.formatDuration(1_234_567)).toBe("20 min 35 s")
    expect(Window.formatDuration(7_200_000)).toBe("2 h")
    expect(Window.formatDuration(19_800_000)).toBe("5 h 30 min")
    expect(Window.formatDuration(86_395_000)).toBe("24 h") // 23 h 59 min 55 s
    expect(Window.formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3 d 4 h")
    expect(Window.formatDuration(-5)).toBe("0 ms")
  })
})

describe("Window.quotaName", () => {
  it("names the quota of a window, or just 'quota' when the window is unknown", () => {
    expect(Window.quotaName("day")).toBe("daily quota")
    expect(Window.quotaName("month")).toBe("monthly quota")
    expect(Window.quotaName("second")).toBe("per-second quota")
    expect(Window.quotaName("unknown")).toBe("quota")
  })
})
