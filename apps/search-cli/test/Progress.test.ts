/**
 * The demo's progress display off a terminal: plain lines at every fifth of the way, and the
 * tracker's lines in between, all through Effect's `Console` (so they can be captured here) and in
 * the order they were printed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import * as Progress from "../src/Progress.js"

describe("Progress (not a terminal)", () => {
  it.effect("prints a line at each fifth and the lines in between, through Console", () =>
    Effect.gen(function*() {
      const progress = Progress.make(10, { tty: false })
      for (let i = 1; i <= 10; i++) {
        yield* progress.tick(`tier ${i <= 6 ? "S15" : "S16"}`)
        if (i === 6) yield* progress.line("  >> tier switch")
      }
      yield* progress.done
      assert.deepStrictEqual(yield* TestConsole.logLines, [
        "  [######........................]  2/10  tier S15",
        "  [############..................]  4/10  tier S15",
        "  [##################............]  6/10  tier S15",
        "  >> tier switch",
        "  [########################......]  8/10  tier S16",
        "  [##############################] 10/10  tier S16"
      ])
    }))
})
