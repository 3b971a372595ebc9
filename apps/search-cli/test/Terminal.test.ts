/**
 * Output that fits the terminal, in a real pseudo-terminal (tmux, see support/pty.ts): at 40
 * columns the demo's progress bar is one line redrawn in place (no stale copies of it), the quota
 * table reflows to blocks with no cell cut, and text wraps on words at the width. The screen is
 * read with the terminal's own wrapping undone (`capture-pane -J`), so a line longer than the
 * width shows as such. Skipped, loudly,
 * without tmux (support/ptySetup.ts), failed under CI=true.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import * as Pty from "./support/pty.js"
import { transcript } from "./support/run.js"

const key = `test-pty-${randomBytes(12).toString("hex")}`
let emu: Emulator.EmulatorHandle
const panes: Array<Pty.Pane> = []

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "S15", key, limits: { perDay: 1000 } }] })
})

afterEach(() => {
  for (const pane of panes.splice(0)) pane.kill()
})

afterAll(async () => {
  await emu.stop()
  expect(transcript.join("\n")).not.toContain(key)
})

const env = (extra: Record<string, string> = {}) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: key,
  BING_SEARCH_TIER: "S15",
  BING_SEARCH_CLIENT_ID_FILE: "off",
  ...extra
})

const start = (args: ReadonlyArray<string>, columns: number, extra: Record<string, string> = {}, rows = 20) => {
  const pane = Pty.start(args, { columns, rows, env: env(extra) })
  panes.push(pane)
  return pane
}

/** The screen's lines without the `[exit N]` line the test harness prints. */
const linesOf = (screen: string) => screen.split("\n").filter((l) => !/^\[exit \d+\]$/.test(l))

const instant = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/

describe.skipIf(!inject("tmux"))("in a real terminal", () => {
  it("demo: one progress line, redrawn in place; every line within 40 columns", async () => {
    const pane = start(["demo"], 40, {}, 20)
    expect(await pane.exitCode(60_000)).toBe(0)
    const lines = linesOf(pane.screen({ history: true, joined: true }))
    // a bar line that wrapped would leave a stale piece of itself behind at every redraw
    const bars = lines.filter((l) => /\d+\/260/.test(l))
    expect(bars).toHaveLength(1)
    expect(bars[0]).toMatch(/^ {2}█+ 260\/260 {2}tier S16$/)
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(40)
    // the quota table of step 1, as blocks: each cell whole on its line
    expect(lines).toContain("    used 200 of 200, 0 left")
    expect(
      lines.filter((l) => /^ {4}resets /.test(l)).every((l) =>
        /^ {4}resets (now|in .+|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)$/.test(l)
      )
    )
      .toBe(true)
    // long lines wrap on words, not in the middle of one
    expect(lines).toContain("bing-search demo: quota-aware Bing")
  })

  it("quota: the table reflows to blocks, no cell cut or wrapped", async () => {
    const pane = start(["quota"], 40)
    expect(await pane.exitCode()).toBe(0)
    const lines = linesOf(pane.screen({ history: true, joined: true }))
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(40)
    const block = lines.findIndex((l) => l.startsWith("S15 * day "))
    expect(block).toBeGreaterThan(0)
    expect(lines[block]).toMatch(/^S15 \* day {2}[█░]+ {3}0%$/)
    expect(lines[block + 1]).toBe("  used 0 of 1,000,000, 1,000,000 left")
    expect(lines[block + 2]).toMatch(new RegExp(`^ {2}resets ${instant.source}$`))
    expect(lines.some((l) => l.startsWith("TIER"))).toBe(false)
  })

  it("quota at 160 columns: the full table", async () => {
    const pane = start(["quota"], 160)
    expect(await pane.exitCode()).toBe(0)
    const lines = linesOf(pane.screen({ history: true, joined: true }))
    expect(lines.some((l) => /^TIER +WINDOW +USAGE +USED +LIMIT +REMAINING +RESETS +FORECAST$/.test(l))).toBe(true)
    expect(lines.some((l) => /^S15 \* +day +░{20} +0% +0 +1,000,000 +1,000,000 /.test(l))).toBe(true)
  })

  it("web: snippets wrap on words at the width", async () => {
    const pane = start(["web", "effect", "typescript", "-n", "3"], 40)
    expect(await pane.exitCode()).toBe(0)
    const lines = linesOf(pane.screen({ history: true, joined: true }))
    const snippets = lines.filter((l) => /^ {5}\S/.test(l) && !/^ {5}https?:/.test(l))
    expect(snippets.length).toBeGreaterThan(3)
    for (const l of snippets) expect(l.length, l).toBeLessThanOrEqual(40)
  })

  it("an error's message wraps at the width", async () => {
    const pane = start(["web", "x"], 40, { BING_SEARCH_KEY: "not-the-key" })
    expect(await pane.exitCode()).toBe(11)
    const lines = linesOf(pane.screen({ history: true, joined: true }))
    expect(lines[0]).toMatch(/^error \[InvalidAuthorization\] The/)
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(40)
    expect(lines).toContain("  (exit code 11)")
  })
})
