/**
 * `bing-search trending`: Bing's trending images, against the emulator over a real socket: the
 * categories and their searches, the market sent, `--json`, and a market Bing does not serve.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, transcript } from "./support/run.js"

const key = `test-trending-${randomBytes(12).toString("hex")}`
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "good", key }] })
})

afterAll(async () => {
  await emu.stop()
  expect(transcript.join("\n")).not.toContain(key)
})

const env = {
  get BING_SEARCH_ENDPOINT() {
    return emu.url
  },
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: key
}

describe("trending", () => {
  it("prints each category and its searches, numbered, with the image URL", async () => {
    const r = await run(["trending", "--market", "en-GB"], { ...env })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Trending images: \d+ categories, \d+ tiles \(market en-GB, tier default, 1 attempt\)/)
    expect(r.stdout).toMatch(/\n\S[^\n]*\n {2}1\. \S[^\n]*\n {5}https?:\/\/\S+/)
    const path = emu.requests(1)[0]!.path
    expect(path).toMatch(/^\/v7\.0\/images\/trending\?/)
    expect(path).toContain("mkt=en-GB")
  })

  it("--json prints the typed result", async () => {
    const r = await run(["trending", "-m", "en-US", "--json"], { ...env })
    expect(r.code).toBe(0)
    const parsed = JSON.parse(r.stdout) as {
      value: { _type: string; categories: Array<{ title: string; tiles: Array<{ query: { text: string } }> }> }
    }
    expect(parsed.value._type).toBe("TrendingImages")
    expect(parsed.value.categories.length).toBeGreaterThan(0)
    expect(parsed.value.categories[0]!.tiles[0]!.query.text).not.toBe("")
  })

  it("a bad parameter is refused before sending, naming the flag", async () => {
    const before = emu.requests(1000).length
    const r = await run(["trending", "--safe-search", "Sometimes"], { ...env })
    expect(r.code).toBe(10)
    expect(r.stderr).toContain("--safe-search (Bing parameter safeSearch)")
    expect(emu.requests(1000).length).toBe(before)
  })
})
