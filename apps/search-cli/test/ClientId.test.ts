/**
 * The `X-MSEdge-ClientID` kept between runs (`ClientIdFile`): the id the emulator returned in one
 * run is sent in the next (the emulator echoes an id it is sent, and hands out a new one
 * otherwise, so `meta.clientId` of the second run tells which), in a file of mode 0600 under
 * XDG_STATE_HOME (or ~/.local/state), moved by --client-id-file or BING_SEARCH_CLIENT_ID_FILE,
 * kept nowhere with `off`; a corrupt file is ignored and replaced.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, transcript } from "./support/run.js"

const key = `test-client-id-${randomBytes(12).toString("hex")}`
let emu: Emulator.EmulatorHandle
const fresh = () => mkdtempSync(join(tmpdir(), "bing-search-client-id-"))

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "good", key }] })
})

afterAll(async () => {
  await emu.stop()
  expect(transcript.join("\n")).not.toContain(key)
})

const env = (extra: Record<string, string>) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: key,
  ...extra
})

/** One search with --json: its exit code and the client id of its answer. */
const search = async (extra: Record<string, string>, args: ReadonlyArray<string> = []) => {
  const r = await run(["web", "x", "-n", "1", "--json", ...args], env(extra))
  expect(r.code, r.stderr).toBe(0)
  expect(r.stderr).toBe("")
  return (JSON.parse(r.stdout) as { meta: { clientId: string } }).meta.clientId
}

const mode = (path: string) => statSync(path).mode & 0o777

describe("X-MSEdge-ClientID between runs", () => {
  it("is kept under XDG_STATE_HOME (mode 0600) and sent by the next run", async () => {
    const state = fresh()
    const file = join(state, "bing-search", "client-id")
    const first = await search({ XDG_STATE_HOME: state })
    expect(first).toMatch(/^[0-9A-F]{16,}$/)
    expect(readFileSync(file, "utf8")).toBe(`${first}\n`)
    expect(mode(file)).toBe(0o600)
    expect(mode(join(state, "bing-search"))).toBe(0o700)
    // the next run sends it, and the emulator answers with the same id
    expect(await search({ XDG_STATE_HOME: state })).toBe(first)
    // without the file, a new id
    expect(await search({ XDG_STATE_HOME: fresh() })).not.toBe(first)
  })

  it("falls back to ~/.local/state without XDG_STATE_HOME", async () => {
    const home = fresh()
    const id = await search({ HOME: home, XDG_STATE_HOME: "" })
    expect(readFileSync(join(home, ".local", "state", "bing-search", "client-id"), "utf8")).toBe(`${id}\n`)
  })

  it("a corrupt file is ignored and replaced", async () => {
    const state = fresh()
    mkdirSync(join(state, "bing-search"))
    const file = join(state, "bing-search", "client-id")
    writeFileSync(file, "not an id; \u0000\u0001 garbage\n".repeat(20), { mode: 0o644 })
    const id = await search({ XDG_STATE_HOME: state })
    expect(id).toMatch(/^[0-9A-F]{16,}$/)
    expect(readFileSync(file, "utf8")).toBe(`${id}\n`)
    expect(mode(file)).toBe(0o600)
    expect(await search({ XDG_STATE_HOME: state })).toBe(id)
  })

  it("--client-id-file and BING_SEARCH_CLIENT_ID_FILE move it; off keeps none", async () => {
    const state = fresh()
    const moved = join(fresh(), "id")
    const id = await search({ XDG_STATE_HOME: state }, ["--client-id-file", moved])
    expect(readFileSync(moved, "utf8")).toBe(`${id}\n`)
    expect(existsSync(join(state, "bing-search"))).toBe(false)
    const byEnv = join(fresh(), "nested", "id")
    const other = await search({ XDG_STATE_HOME: state, BING_SEARCH_CLIENT_ID_FILE: byEnv })
    expect(readFileSync(byEnv, "utf8")).toBe(`${other}\n`)
    await search({ XDG_STATE_HOME: state, BING_SEARCH_CLIENT_ID_FILE: "off" })
    expect(existsSync(join(state, "bing-search"))).toBe(false)
  })

  it("a file that cannot be written is a note, and the search still succeeds", async () => {
    const blocker = join(fresh(), "a-file")
    writeFileSync(blocker, "")
    const r = await run(["web", "x", "-n", "1"], env({ BING_SEARCH_CLIENT_ID_FILE: join(blocker, "id") }))
    expect(r.code).toBe(0)
    expect(r.stderr.trim()).toMatch(
      /^note: could not keep the client id in \S+ \(E[A-Z]+\); --client-id-file off stops trying$/
    )
  })
})
