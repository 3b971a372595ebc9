import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Emulator from "../src/Emulator.js"

const keys = [{ name: "k", key: "layer-key", limits: { perDay: 2 } }]

describe("Emulator.layer", () => {
  it.live("starts on build, offers the admin operations as Effects, stops on release", () =>
    Effect.gen(function*() {
      let url = ""
      yield* Effect.gen(function*() {
        const bing = yield* Emulator.Emulator
        url = bing.url
        const res = yield* Effect.promise(() =>
          fetch(`${bing.url}/v7.0/search?q=x`, { headers: { "Ocp-Apim-Subscription-Key": "layer-key" } })
        )
        assert.strictEqual(res.status, 200)
        yield* bing.setUsage({ key: "k", window: "day", used: 2 })
        const refused = yield* Effect.promise(() =>
          fetch(`${bing.url}/v7.0/search?q=x`, { headers: { "Ocp-Apim-Subscription-Key": "layer-key" } })
        )
        assert.strictEqual(refused.status, 403)
        const before = yield* bing.now
        const after = yield* bing.advanceClock("next-day")
        assert.isTrue(after.now > before)
        assert.strictEqual((yield* bing.usage("k")).usage.day, 0)
        const err = yield* Effect.flip(bing.usage("nobody"))
        assert.strictEqual(err._tag, "UnknownKey")
        const bad = yield* Effect.flip(bing.injectFault({ fault: { kind: "nope" } } as never))
        assert.strictEqual(bad._tag, "InvalidArgument")
        const id = yield* bing.injectFault({ fault: { kind: "empty200" }, match: { count: 1 } })
        assert.match(id, /^fault-/)
        assert.strictEqual((yield* bing.requests(1)).length, 1)
        assert.strictEqual((yield* bing.usageAll).length, 1)
      }).pipe(Effect.provide(Emulator.layer({ keys })))
      const closed = yield* Effect.promise(() => fetch(`${url}/v7.0/search?q=x`).then(() => "open", () => "closed"))
      assert.strictEqual(closed, "closed")
    }))

  it.live("fails with EmulatorStartError on bad options", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Emulator.make({ keys: [{ name: "", key: "x" }] })))
      assert.isTrue(Exit.isFailure(exit))
      const err = yield* Effect.flip(Effect.scoped(Emulator.make({ port: 70000 })))
      assert.strictEqual(err._tag, "EmulatorStartError")
    }))
})
