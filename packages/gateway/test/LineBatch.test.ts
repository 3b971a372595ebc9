import { assert, describe, it } from "@effect/vitest"
import * as LineBatch from "../src/internal/lineBatch.js"

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe("LineBatch", () => {
  it("lines pushed within the interval go out in one write, in order, each with its newline", async () => {
    const writes: Array<string> = []
    const batch = LineBatch.make({ write: (text) => writes.push(text), intervalMs: 20 })
    batch.push("a")
    batch.push("b")
    batch.push("c")
    assert.deepStrictEqual(writes, [], "nothing before the timer")
    await sleep(60)
    assert.deepStrictEqual(writes, ["a\nb\nc\n"])
    batch.push("d")
    await sleep(60)
    assert.deepStrictEqual(writes, ["a\nb\nc\n", "d\n"], "the next line starts a new batch")
  })

  it("maxLines pending lines are written at once", () => {
    const writes: Array<string> = []
    const batch = LineBatch.make({ write: (text) => writes.push(text), intervalMs: 60_000, maxLines: 3 })
    batch.push("1")
    batch.push("2")
    assert.deepStrictEqual(writes, [])
    batch.push("3")
    assert.deepStrictEqual(writes, ["1\n2\n3\n"])
    batch.flush()
    assert.deepStrictEqual(writes, ["1\n2\n3\n"], "an empty flush writes nothing")
  })

  it("flush writes what is pending now, and the timer then has nothing left to write", async () => {
    const writes: Array<string> = []
    const batch = LineBatch.make({ write: (text) => writes.push(text), intervalMs: 20 })
    batch.push("last")
    batch.flush()
    assert.deepStrictEqual(writes, ["last\n"])
    await sleep(60)
    assert.deepStrictEqual(writes, ["last\n"])
  })
})
