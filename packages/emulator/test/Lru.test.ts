import { describe, expect, it } from "vitest"
import { Lru } from "../src/internal/wire.js"

describe("Lru", () => {
  it("evicts the least recently used entries by count and by weight", () => {
    const lru = new Lru<string, string>(3, 10, (v) => v.length)
    lru.set("a", "1234")
    lru.set("b", "1234")
    expect(lru.get("a")).toBe("1234") // a is now the most recent
    lru.set("c", "1234") // weight 12 > 10: evicts b
    expect(lru.get("b")).toBeUndefined()
    expect(lru.size).toBe(2)
    lru.set("d", "1")
    lru.set("e", "1") // count 4 > 3: evicts a
    expect(lru.get("a")).toBeUndefined()
    expect([lru.get("c"), lru.get("d"), lru.get("e")]).toEqual(["1234", "1", "1"])
  })
})
