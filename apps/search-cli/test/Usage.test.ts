/**
 * The command line about itself: `--version` is the package's version, `demo --help` lists only
 * what applies to the demo, and a bad flag prints its one-line error and a pointer to `--help`
 * (not the whole help), with the error object on stdout under `--json`.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { run } from "./support/run.js"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }

describe("usage", () => {
  it("--version prints the package's version", async () => {
    const r = await run(["--version"])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(`bing-search v${pkg.version}`)
  })

  it("a bad flag: the one-line error first, then a pointer to --help, and exit 2", async () => {
    const r = await run(["web", "x", "--bogus"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr.split("\n")).toEqual([
      "error [CliError/UnrecognizedOption] Unrecognized flag: --bogus in command bing-search web",
      "  see: bing-search web --help",
      ""
    ])
    const missing = await run(["images", "cat", "--count"])
    expect(missing.code).toBe(2)
    expect(missing.stderr.split("\n")[0]).toBe(
      "error [CliError/InvalidValue] Missing value for flag --count. Expected: integer"
    )
    expect(missing.stderr.split("\n")[1]).toBe("  see: bing-search images --help")
  })

  it("a bad flag with --json: the error object on stdout too", async () => {
    const r = await run(["quota", "--json", "--bogus"])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        tag: "CliError/UnrecognizedOption",
        message: "Unrecognized flag: --bogus in command bing-search quota",
        exitCode: 2,
        details: [],
        hint: "See bing-search quota --help."
      }
    })
  })

  it("demo --help lists only the flags that apply to the demo", async () => {
    const r = await run(["demo", "--help"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("bing-search demo")
    for (const flag of ["--endpoint", "--key", "--tiers", "--store", "--max-wait", "--client-id-file", "--wizard"]) {
      expect(r.stdout).not.toContain(flag)
    }
    expect(r.stdout).not.toContain("INHERITED FLAGS")
    expect(r.stdout).toContain("--log-level")
    expect(r.stdout).toContain("--help")
    // the other commands still list the flags they share
    const web = await run(["web", "--help"])
    for (const flag of ["--endpoint", "--store", "--client-id-file", "--json"]) expect(web.stdout).toContain(flag)
  })
})
