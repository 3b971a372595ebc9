/**
 * Colour: on a terminal (tmux) the demo's warnings are yellow, its errors red and its bars green;
 * none with NO_COLOR set, none in a pipe; FORCE_COLOR forces it into a pipe.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import * as Pty from "./support/pty.js"
import { run } from "./support/run.js"

const key = `test-colour-${randomBytes(12).toString("hex")}`
let emu: Emulator.EmulatorHandle
const panes: Array<Pty.Pane> = []
/** A pattern with `ESC` for `~` (a regular expression literal may not hold the control character). */
const esc = (source: string) => new RegExp(source.replace(/~/g, String.fromCharCode(27)))
const sgr = esc("~\\[[0-9;]*m")

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "good", key }] })
})

afterEach(() => {
  for (const pane of panes.splice(0)) pane.kill()
})

afterAll(async () => {
  await emu.stop()
})

const wrongKey = {
  BING_SEARCH_ENDPOINT: "",
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: "not-the-key"
}

describe.skipIf(!inject("tmux"))("colour on a terminal", () => {
  const demo = async (env: Record<string, string>) => {
    const pane = Pty.start(["demo"], { columns: 120, rows: 40, env })
    panes.push(pane)
    expect(await pane.exitCode(60_000)).toBe(0)
    return pane.screen({ history: true, escapes: true })
  }

  it("demo: warnings yellow, errors red, the finished bar green", async () => {
    const screen = await demo({})
    expect(screen).toMatch(esc("~\\[33m {2}! warning: S15 daily quota 80% used"))
    expect(screen).toMatch(esc("~\\[31merror \\[InvalidAuthorization\\]"))
    expect(screen).toMatch(esc("~\\[32m█{10,}~\\[39m 260/260"))
  })

  it("demo with NO_COLOR=1: no colour at all", async () => {
    const screen = await demo({ NO_COLOR: "1" })
    expect(screen).toContain("! warning: S15 daily quota 80% used")
    expect(screen).not.toMatch(sgr)
  })

  it("an error on stderr is red on a terminal", async () => {
    const pane = Pty.start(["web", "x"], {
      columns: 100,
      rows: 20,
      env: { ...wrongKey, BING_SEARCH_ENDPOINT: emu.url }
    })
    panes.push(pane)
    expect(await pane.exitCode()).toBe(11)
    expect(pane.screen({ escapes: true })).toMatch(esc("~\\[31merror \\[InvalidAuthorization\\]"))
  })
})

describe("colour in a pipe", () => {
  it("none by default", async () => {
    const r = await run(["web", "x"], { ...wrongKey, BING_SEARCH_ENDPOINT: emu.url })
    expect(r.code).toBe(11)
    expect(r.stderr).toContain("error [InvalidAuthorization]")
    expect(r.stderr).not.toMatch(sgr)
  })

  it("FORCE_COLOR=1 forces it; FORCE_COLOR=0 does not", async () => {
    const forced = await run(["web", "x"], { ...wrongKey, BING_SEARCH_ENDPOINT: emu.url, FORCE_COLOR: "1" })
    expect(forced.stderr).toMatch(esc("^~\\[31merror \\[InvalidAuthorization\\]"))
    const off = await run(["web", "x"], { ...wrongKey, BING_SEARCH_ENDPOINT: emu.url, FORCE_COLOR: "0" })
    expect(off.stderr).not.toMatch(sgr)
  })
})
