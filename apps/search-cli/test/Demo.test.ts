/**
 * `bing-search demo` end to end: the README's first command. It must exit 0, show the warnings,
 * the switch to S16 and back to S15, every typed error of the tour, and finish well within the
 * 30 seconds the issue allows.
 */
import { describe, expect, it } from "vitest"
import { run } from "./support/run.js"

describe("demo", () => {
  it("runs the whole tour and exits 0 in under 30 seconds", async () => {
    const r = await run(["demo"], {}, 60_000)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.ms).toBeLessThan(30_000)
    const out = r.stdout
    expect(out).toMatch(
      /warning: S15 daily quota 80% used \(160\/200\); forecast: at the current rate it runs out at [\d:.]+ UTC, in [\d.]+ s/
    )
    expect(out).toContain("warning: S15 daily quota 95% used (190/200)")
    expect(out).toContain("Switched from S15 to S16: S15 is exhausted")
    expect(out).toMatch(/260 searches in [\d.]+ s: S15 200, S16 60/)
    expect(out).toMatch(/emulator clock moved by the admin API: \S+ -> \d{4}-\d\d-\d\dT00:00:0\d\.\d{3}Z/) // just past midnight (the emulator clock keeps running)
    expect(out).toContain("Switched from S16 to S15: S15's quota has reset")
    expect(out).toContain("10 searches after the reset: S15 10")
    for (
      const tag of [
        "InvalidAuthorization",
        "InvalidRequest",
        "RateLimited",
        "EmptyResponse",
        "ServerError",
        "RequestTimeout",
        "QuotaError/AllTiersExhausted"
      ]
    ) {
      expect(out).toContain(`error [${tag}]`)
    }
    expect(out).toContain("no request reached Bing and no quota was spent")
    expect(out).toMatch(/check: requests seen by the emulator (\d+) -> \1; S15 quota used (\d+) -> \2/)
    expect(out).toMatch(/200 after 2 attempts/)
    expect(out).toContain("200 after 3 attempts")
    expect(out).toContain("the emulator saw 4 attempts")
    expect(out).toMatch(
      /tier switches {2}3: S15 -> S16 \(exhausted\), S16 -> S15 \(reset\), S15 -> S16 \(server-quota\)/
    )
    expect(out).toMatch(
      /errors by tag {2}InvalidAuthorization 1, InvalidRequest 2, RateLimited 1, EmptyResponse 1, ServerError 1, RequestTimeout 1, QuotaError 1/
    )
    expect(out).not.toMatch(/demo-(s15|s16|qps|other|unknown)-/) // the random keys are never printed
  })
})
