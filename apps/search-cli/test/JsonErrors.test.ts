/**
 * `--json` on failure: the error as a JSON object on stdout (`{ "error": { tag, message, exitCode,
 * details, hint } }`) beside the exit code, the human message still on stderr, and never a key in
 * either. The built program in a subprocess against the emulator started here.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, transcript } from "./support/run.js"

const secret = (name: string) => `test-${name}-${randomBytes(12).toString("hex")}`
const keys = { good: secret("good"), wrong: secret("wrong"), inFile: secret("in-file") }
const dir = mkdtempSync(join(tmpdir(), "bing-search-json-"))
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "good", key: keys.good }] })
})

afterAll(async () => {
  await emu.stop()
  const everything = transcript.join("\n")
  for (const key of Object.values(keys)) expect(everything).not.toContain(key)
})

const env = (key: string = keys.good, extra: Record<string, string> = {}) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: key,
  ...extra
})

interface ErrorObject {
  readonly error: {
    readonly tag: string
    readonly message: string
    readonly exitCode: number
    readonly details: ReadonlyArray<string>
    readonly hint: string
  }
}

const parse = (stdout: string): ErrorObject => JSON.parse(stdout) as ErrorObject

describe("--json on failure", () => {
  it("401: the error object on stdout, the message on stderr, the same exit code", async () => {
    const r = await run(["web", "x", "--json"], env(keys.wrong))
    expect(r.code).toBe(11)
    const { error } = parse(r.stdout)
    expect(Object.keys(error).sort()).toEqual(["details", "exitCode", "hint", "message", "tag"])
    expect(error.tag).toBe("InvalidAuthorization")
    expect(error.exitCode).toBe(11)
    expect(error.message).toMatch(/^The subscription key is missing or wrong \(401 InvalidAuthorization\//)
    expect(error.details.some((d) => d.startsWith("Bing trace id: "))).toBe(true)
    expect(error.hint).toContain("BING_SEARCH_KEY")
    expect(r.stderr).toContain("error [InvalidAuthorization]")
    expect(r.stdout).not.toContain(keys.wrong)
  })

  it("a key in a bad tiers file never reaches the object", async () => {
    const tiers = join(dir, "bad.json")
    writeFileSync(tiers, JSON.stringify([{ name: "S15", key: keys.inFile, limits: { perDay: -1 } }]))
    const r = await run(["images", "x", "--json", "--tiers", tiers], env())
    expect(r.code).toBe(3)
    const { error } = parse(r.stdout)
    expect(error).toMatchObject({ tag: "InvalidSettings", exitCode: 3 })
    expect(error.message).toContain("limits.perDay must be a positive integer")
    expect(r.stdout).not.toContain(keys.inFile)
  })

  it("quota --json with an unusable store: the tag names the reason", async () => {
    const r = await run(["quota", "--json", "--store", `sqlite:${join(dir, "no", "such", "q.db")}`], env())
    expect(r.code).toBe(23)
    expect(parse(r.stdout).error).toMatchObject({ tag: "QuotaError/StoreUnavailable", exitCode: 23 })
  })

  it("a parameter refused locally: exit 10 and its object", async () => {
    const r = await run(["web", "x", "--count", "70000", "--json"], env())
    expect(r.code).toBe(10)
    expect(parse(r.stdout).error).toMatchObject({
      tag: "InvalidRequest",
      exitCode: 10,
      message: "Invalid value for --count (Bing parameter count): \"70000\"."
    })
  })

  it("without --json, stdout stays empty on failure", async () => {
    const r = await run(["web", "x"], env(keys.wrong))
    expect(r.code).toBe(11)
    expect(r.stdout).toBe("")
  })
})
