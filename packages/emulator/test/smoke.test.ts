import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// Loads the built package through its exports map, as a user would (runs after `build`).
const cwd = fileURLToPath(new URL("..", import.meta.url))
const node = (code: string) =>
  execFileSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"]
  })

describe("package exports", () => {
  it("loads as ESM and serves a search", () => {
    const out = node(`import { Emulator } from "@bing-effect/emulator"
      const bing = await Emulator.start({ keys: [{ name: "a", key: "k" }] })
      const res = await fetch(bing.url + "/v7.0/search?q=coffee", { headers: { "Ocp-Apim-Subscription-Key": "k" } })
      console.log(res.status, (await res.json())._type)
      await bing.stop()`)
    expect(out.trim()).toBe("200 SearchResponse")
  })

  it("loads as CommonJS", () => {
    const mod = createRequire(import.meta.url)("@bing-effect/emulator")
    expect(typeof mod.Emulator.start).toBe("function")
    expect(typeof mod.FaultRule.decode).toBe("function")
  })

  it("closes internal paths", () => {
    expect(() => node(`await import("@bing-effect/emulator/internal/core")`)).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/)
  })
})
