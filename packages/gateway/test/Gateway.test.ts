import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, expect } from "vitest"
import { call, config, DIRECT_KEY, secrets, TEAM_A_KEY, transcript, useEmulator, withGateway } from "./fixtures.js"

const emu = useEmulator()

afterAll(() => {
  const everything = transcript.join("\n")
  assert.isAbove(transcript.length, 0)
  for (const secret of secrets) expect(everything).not.toContain(secret)
})

describe("the Bing wire", () => {
  it.effect("a Web Search answer is the emulator's bytes, with its headers, under both prefixes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const query = "q=sailing%20dinghy&count=3&mkt=en-GB"
          const direct = yield* call(`${emu.current.url}/v7.0/search?${query}`, {
            headers: { "Ocp-Apim-Subscription-Key": DIRECT_KEY }
          })
          assert.strictEqual(direct.status, 200)
          for (const prefix of ["/v7.0", "/bing/v7.0"]) {
            const seen = yield* call(`${base}${prefix}/search?${query}`, {
              headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY }
            })
            assert.strictEqual(seen.status, 200)
            assert.isTrue(seen.body.equals(direct.body), "the upstream's bytes")
            assert.strictEqual(seen.headers.get("content-type"), direct.headers.get("content-type"))
            assert.strictEqual(seen.headers.get("bingapis-market"), "en-GB")
            assert.match(seen.headers.get("bingapis-traceid") ?? "", /^[0-9A-F]+$/)
            assert.strictEqual(seen.headers.get("bingapis-traceid"), emu.current.requests(1)[0]?.traceId)
            assert.isString(seen.headers.get("x-msedge-clientid"))
          }
          // upstream, every request went to /v7.0/search with S15's key and without the client's
          const log = emu.current.requests(2)
          assert.deepStrictEqual(log.map((r) => [r.keyName, r.path.split("?")[0]]), [
            ["S15", "/v7.0/search"],
            ["S15", "/v7.0/search"]
          ])
        }))
    }))
})
