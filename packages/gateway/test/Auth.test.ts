/**
 * The caller's key lookup (internal/auth.ts): the same answers whether the configured keys are
 * compared one by one (up to `scanLimit`) or looked up by digest (beyond), for the near misses a
 * timing-safe lookup must still tell apart: a prefix, the key with one more character, one
 * character changed, another length, a tier's key, a client key that is also a tier's key.
 */
import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
import type { GatewayConfig } from "../src/index.js"
import * as Auth from "../src/internal/auth.js"

const client = (name: string, key: string): GatewayConfig.Client => ({ name, key: Redacted.make(key), limits: {} })

const tierKeys = [Redacted.make("tier-key-s15-0123456789"), Redacted.make("tier-key-s16-0123456789")]
const named = (identity: Auth.Identity): string => identity._tag === "Client" ? identity.client.name : identity._tag

/** `extra` more clients, to cross `scanLimit`. */
const lookup = (extra: number) =>
  Auth.make([
    client("team-a", "team-a-key-0123456789abcdef"),
    client("team-b", "team-b-key-0123456789abcdef"),
    // the same key as a tier: refused, it would hand out the tier's key
    client("sneaky", "tier-key-s16-0123456789"),
    ...Array.from({ length: extra }, (_, i) => client(`extra-${i}`, `extra-key-${i}-0123456789`))
  ], tierKeys)

describe("the caller's key", () => {
  for (const extra of [0, Auth.scanLimit]) {
    const mode = extra === 0 ? "compared with every key" : "looked up by digest"
    it(`${mode}: the configured keys and their near misses`, () => {
      const identify = lookup(extra)
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["team-a-key-0123456789abcdef", "team-a"],
        ["team-b-key-0123456789abcdef", "team-b"],
        ["team-a-key-0123456789abcde", "Unknown"],
        ["team-a-key-0123456789abcdefg", "Unknown"],
        ["team-a-key-0123456789abcdeF", "Unknown"],
        ["Team-a-key-0123456789abcdef", "Unknown"],
        ["t", "Unknown"],
        ["team-a-key-0123456789abcdef\u0000", "Unknown"],
        ["tier-key-s15-0123456789", "Unknown"],
        ["tier-key-s16-0123456789", "Unknown"]
      ]
      for (const [key, expected] of cases) {
        assert.strictEqual(named(identify(key, "q=a")), expected, JSON.stringify(key))
        assert.strictEqual(named(identify(undefined, `q=a&subscription-key=${encodeURIComponent(key)}`)), expected)
      }
      if (extra > 0) assert.strictEqual(named(identify("extra-key-7-0123456789", "")), "extra-7")
      assert.strictEqual(named(identify(undefined, "q=a")), "Missing")
      assert.strictEqual(named(identify("", "q=a")), "Missing")
      assert.strictEqual(
        named(identify("team-a-key-0123456789abcdef", "q=a&subscription-key=team-a-key-0123456789abcdef")),
        "Redundant"
      )
    })
  }

  it("sameKey: equal only for the same characters and length", () => {
    assert.isTrue(Auth.sameKey("abc", "abc"))
    assert.isFalse(Auth.sameKey("abd", "abc"))
    assert.isFalse(Auth.sameKey("ab", "abc"))
    assert.isFalse(Auth.sameKey("abcd", "abc"))
    assert.isFalse(Auth.sameKey("", "abc"))
    assert.isFalse(Auth.sameKey("abc", ""))
    assert.isTrue(Auth.sameKey("", ""))
    assert.isFalse(Auth.sameKey("ab\u0000", "ab"))
  })
})
