/**
 * The wall clock stepping back an hour (an NTP step, a VM restored from a snapshot) under load, for
 * each store: a tracker whose clock runs in real time from 1.5 s before midnight at a month's end
 * takes requests for 3 s (crossing into the next day and month), then its clock steps back an hour
 * and it takes requests for 2 s more, with Redis keys expiring on Redis's own clock meanwhile.
 *
 * - The per-second window is not blocked for the hour: after the step, requests are admitted at
 *   the per-second rate at once (the issue: every acquire refused with retryAfter about 3,600,000 ms).
 * - Counts lost 0, invented 0: the day and month the clock names after the step go on from their
 *   own counts (November's, kept past its end), December's stay as they were.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Clock, Effect, Exit, type Layer, Redacted } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { steppedClock } from "./steppedClock.js"
import { Capture, classify, printFigures, redisKeys, redisUrl, runId, secret, skipRedis } from "./support.js"

const PER_SECOND = 10
const HOUR = 3_600_000
const MIDNIGHT = Date.parse("2026-12-01T00:00:00Z")
const dir = mkdtempSync(join(tmpdir(), "rel-clock-"))
const key = secret("clock")
const capture = new Capture()
const prefix = `bing-effect-reliability:${runId}:clock:`

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (!skipRedis) await redisKeys(redisUrl, `${prefix}*`, true)
  expect(capture.leaks([key])).toEqual([])
})

const stores: ReadonlyArray<readonly [string, () => Layer.Layer<QuotaStore.QuotaStore, unknown>, boolean]> = [
  ["memory", () => QuotaStore.layerMemory, false],
  ["sqlite", () => QuotaStore.layerSqlite({ filename: join(dir, "clock.sqlite") }), false],
  ["redis", () => RedisStore.layer({ url: redisUrl, prefix }), skipRedis]
]

interface Phase {
  admitted: number
  refused: number
  maxRetryAfter: number
  maxLatency: number
  byDay: Record<string, number>
}

for (const [name, store, skip] of stores) {
  describe.skipIf(skip)(`the clock stepping back an hour (${name})`, () => {
    it("keeps admitting at the per-second rate and loses or invents no count", async () => {
      const clock = steppedClock(MIDNIGHT - 1_500)
      const tier = Tier.make({
        name: "T",
        key: Redacted.make(key),
        limits: { perSecond: PER_SECOND, perDay: 100_000, perMonth: 1_000_000 }
      })
      const result = await Effect.runPromise(
        capture.observe(Effect.scoped(
          Effect.gen(function*() {
            const tracker = yield* QuotaTracker.make({ tiers: [tier], waitForSecondWindow: "1 second" })
            const load = (ms: number) =>
              Effect.gen(function*() {
                const phase: Phase = { admitted: 0, refused: 0, maxRetryAfter: 0, maxLatency: 0, byDay: {} }
                const until = performance.now() + ms
                for (let i = 0; i < 10_000 && performance.now() < until; i++) {
                  const started = performance.now()
                  const at = clock.now()
                  const exit = yield* Effect.exit(tracker.acquire())
                  phase.maxLatency = Math.max(phase.maxLatency, performance.now() - started)
                  if (Exit.isSuccess(exit)) {
                    phase.admitted++
                    const day = new Date(exit.value.acquiredAt).toISOString().slice(0, 10)
                    phase.byDay[day] = (phase.byDay[day] ?? 0) + 1
                  } else {
                    capture.addExit(exit)
                    phase.refused++
                    const reason = Exit.isFailure(exit)
                      ? (exit.cause.reasons[0] as { error?: { reason?: { retryAfter?: number } } })?.error?.reason
                      : undefined
                    phase.maxRetryAfter = Math.max(phase.maxRetryAfter, reason?.retryAfter ?? 0)
                    capture.add(classify(exit).tag, at)
                    yield* Effect.sleep(50)
                  }
                }
                return phase
              })
            const before = yield* load(3_000)
            clock.step(-HOUR)
            const after = yield* load(2_000)
            const stepped = yield* tracker.status
            clock.set(MIDNIGHT + 5_000)
            const forward = yield* tracker.status
            const counts = (s: QuotaTracker.QuotaStatus) => {
              const windows = s.tiers[0]!.windows
              return {
                day: windows.find((w) => w.window === "day")!.used,
                month: windows.find((w) => w.window === "month")!.used
              }
            }
            return { before, after, november: counts(stepped), december: counts(forward) }
          }).pipe(Effect.provideService(Clock.Clock, clock.clock))
        )).pipe(Effect.provide(store()))
      )

      const nov = (p: Phase) => p.byDay["2026-11-30"] ?? 0
      const dec = (p: Phase) => p.byDay["2026-12-01"] ?? 0
      const expectedNovember = nov(result.before) + nov(result.after)
      const expectedDecember = dec(result.before) + dec(result.after)
      const lost = Math.max(0, expectedNovember - result.november.day) +
        Math.max(0, expectedDecember - result.december.day)
      const invented = Math.max(0, result.november.day - expectedNovember) +
        Math.max(0, result.december.day - expectedDecember)

      // the run crossed midnight before the step, and stayed in November after it
      expect(nov(result.before)).toBeGreaterThan(0)
      expect(dec(result.before)).toBeGreaterThan(0)
      expect(dec(result.after)).toBe(0)
      // not blocked: the per-second rate (a full bucket, then 10 a second) right after the step
      expect(result.after.admitted).toBeGreaterThanOrEqual(PER_SECOND)
      expect(result.after.maxRetryAfter).toBeLessThanOrEqual(1_000)
      expect(result.november).toEqual({ day: expectedNovember, month: expectedNovember })
      expect(result.december).toEqual({ day: expectedDecember, month: expectedDecember })
      expect(lost + invented).toBe(0)

      console.log(
        `clock step back 1 h (${name}): before ${result.before.admitted} admitted (${nov(result.before)} Nov 30, ${
          dec(result.before)
        } Dec 1); ` +
          `after ${result.after.admitted} admitted in 2 s, ${result.after.refused} refused, max retryAfter ${result.after.maxRetryAfter} ms, ` +
          `max acquire ${
            result.after.maxLatency.toFixed(0)
          } ms; Nov 30 count ${result.november.day}, Dec 1 count ${result.december.day}: lost ${lost}, invented ${invented}`
      )
      printFigures(`clock step back 1 h (${name})`, {
        "admitted before the step (Nov 30 / Dec 1)": `${nov(result.before)} / ${dec(result.before)}`,
        "admitted in the 2 s after the step": result.after.admitted,
        "refused after the step": result.after.refused,
        "max retryAfter after the step (ms)": result.after.maxRetryAfter,
        "max acquire after the step (ms)": result.after.maxLatency,
        "Nov 30 day / month count": `${result.november.day} / ${result.november.month}`,
        "Dec 1 day / month count": `${result.december.day} / ${result.december.month}`,
        "counts lost": lost,
        "counts invented": invented
      })
    }, 30_000)
  })
}
