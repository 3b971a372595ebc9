import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// Loads the built package through its exports map in a plain Node process, as a user would
// (runs after `build`; turbo's test task depends on it).
const cwd = fileURLToPath(new URL("..", import.meta.url))
const node = (code: string) =>
  execFileSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"]
  })

describe("package exports", () => {
  it("loads as ESM", () => {
    const out = node(`import { ErrorCode, statusOfSubCode } from "@bing-effect/error-codes"
      console.log(ErrorCode.RateLimitExceeded, statusOfSubCode("HttpNotAllowed"))`)
    expect(out.trim()).toBe("RateLimitExceeded 410")
  })
  it("loads as CommonJS", () => {
    const mod = createRequire(import.meta.url)("@bing-effect/error-codes")
    expect(mod.SubCode.AuthorizationExpired).toBe("AuthorizationExpired")
  })
  it("closes internal paths", () => {
    expect(() => node(`await import("@bing-effect/error-codes/internal/x")`)).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/)
  })
})
