import { assert, describe, it } from "@effect/vitest"
import * as AccessLog from "../src/internal/accessLog.js"
import type { RequestRecord } from "../src/internal/observe.js"
import { secrets, utc } from "./support.js"

const record: RequestRecord = {
  route: "search",
  method: "GET",
  path: "/v7.0/search",
  status: 200,
  outcome: "served",
  tenant: "team-a",
  tier: "S16",
  traceId: "0f3c9a",
  durationMs: 12.345_678,
  upstreamMs: 10.5
}

describe("AccessLog.format", () => {
  it("prints one JSON line with every field, in a fixed order", () => {
    const line = AccessLog.format(record, utc("2026-03-10T12:00:00.123Z"))
    assert.strictEqual(
      line,
      "{\"time\":\"2026-03-10T12:00:00.123Z\",\"method\":\"GET\",\"path\":\"/v7.0/search\",\"route\":\"search\"," +
        "\"status\":200,\"outcome\":\"served\",\"tenant\":\"team-a\",\"tier\":\"S16\",\"traceId\":\"0f3c9a\"," +
        "\"durationMs\":12.346,\"upstreamMs\":10.5}"
    )
    assert.notInclude(line, "\n")
  })

  it("keeps every key when values are absent, as null", () => {
    const line = AccessLog.format(
      {
        ...record,
        tenant: undefined,
        tier: undefined,
        traceId: undefined,
        upstreamMs: undefined,
        status: 401,
        outcome: "unauthorized"
      },
      0
    )
    assert.deepStrictEqual(JSON.parse(line), {
      time: "1970-01-01T00:00:00.000Z",
      method: "GET",
      path: "/v7.0/search",
      route: "search",
      status: 401,
      outcome: "unauthorized",
      tenant: null,
      tier: null,
      traceId: null,
      durationMs: 12.346,
      upstreamMs: null
    })
  })

  it("never prints the query or fragment, which may hold subscription-key", () => {
    for (
      const path of [
        `/v7.0/search?q=x&subscription-key=${secrets.tenant}`,
        `/v7.0/search#subscription-key=${secrets.tenant}`,
        `/v7.0/search#a?subscription-key=${secrets.tenant}`
      ]
    ) {
      const line = AccessLog.format({ ...record, path }, 0)
      assert.notInclude(line, secrets.tenant)
      assert.strictEqual(JSON.parse(line).path, "/v7.0/search")
    }
  })

  it("escapes what a caller put in the path, and bounds its length", () => {
    const line = AccessLog.format({ ...record, path: `/v7.0/"x"\n{}${"a".repeat(5000)}` }, 0)
    assert.strictEqual(line.split("\n").length, 1)
    assert.strictEqual(JSON.parse(line).path.length, AccessLog.maxPathLength)
  })
})

describe("AccessLog.isoTime", () => {
  it("is toISOString, whatever the millisecond, across seconds, days and years", () => {
    const base = utc("2026-12-31T23:59:58.000Z")
    for (let offset = 0; offset < 3_000; offset += 1) {
      assert.strictEqual(AccessLog.isoTime(base + offset), new Date(base + offset).toISOString())
    }
    // out of order (a clock set back), fractions of a millisecond, the epoch, the far future
    for (
      const now of [base + 5, base - 1, base + 0.7, 0, 999, 1_000, 253_402_300_799_999, 253_402_300_800_000]
    ) {
      assert.strictEqual(AccessLog.isoTime(now), new Date(now).toISOString(), String(now))
    }
  })
})
