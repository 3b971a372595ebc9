import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdirSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

// Loads the built package through its exports map in a plain Node process, as a user would
// (runs after `build`; turbo's test task depends on it).
const cwd = fileURLToPath(new URL("..", import.meta.url))
const node = (code: string) =>
  execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd, encoding: "utf8", stdio: "pipe" })

describe("package exports", () => {
  it("loads as ESM and decodes what it encodes", () => {
    const out = node(`import { BingError, BingResponse, WebSearchParams } from "@bing-effect/schema"
      const wire = BingResponse.encodeError(BingError.rateLimited(2000))
      const back = BingResponse.decodeError(wire)
      const params = WebSearchParams.fromQuery(new URLSearchParams("q=x&count=abc"))
      console.log(wire.status, wire.headers["Retry-After"], back._tag, back.retryAfterMs, params.failure.parameter)`)
    expect(out.trim()).toBe("429 2 RateLimited 2000 count")
  })

  it("loads as CommonJS", () => {
    const mod = createRequire(import.meta.url)("@bing-effect/schema")
    expect(Object.keys(mod).toSorted()).toEqual([
      "BingError",
      "BingResponse",
      "EntitySearch",
      "EntitySearchParams",
      "ErrorResponse",
      "ImageInsights",
      "ImageInsightsParams",
      "ImageSearch",
      "ImageSearchParams",
      "NewsSearch",
      "NewsSearchParams",
      "SearchResponse",
      "SpellCheck",
      "SpellCheckParams",
      "Suggestions",
      "SuggestionsParams",
      "VideoSearch",
      "VideoSearchParams",
      "VisualSearchParams",
      "WebSearchParams"
    ])
    expect(mod.BingError.notFound().status).toBe(404)
  })

  it("closes internal paths", () => {
    expect(() => node(`await import("@bing-effect/schema/internal/decode")`)).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/)
  })

  it("its declarations type-check a consumer (ESM and CommonJS), schemas usable as values and types", () => {
    // inside the package, so that "@bing-effect/schema" resolves to itself through the exports map
    const dir = join(cwd, "node_modules", ".cache", `consumer-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    try {
      copyFileSync(new URL("./fixtures/consumer.ts.txt", import.meta.url), join(dir, "consumer.mts"))
      copyFileSync(new URL("./fixtures/consumer.ts.txt", import.meta.url), join(dir, "consumer.cts"))
      const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
      const flags = [
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--exactOptionalPropertyTypes",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2023",
        "--types",
        "node",
        "--skipLibCheck"
      ]
      let diagnostics = ""
      try {
        execFileSync(process.execPath, [tsc, ...flags, join(dir, "consumer.mts"), join(dir, "consumer.cts")], {
          cwd,
          encoding: "utf8",
          stdio: "pipe"
        })
      } catch (error) {
        diagnostics = String((error as { stdout?: unknown }).stdout ?? error)
      }
      expect(diagnostics).toBe("")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
