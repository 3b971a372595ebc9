/**
 * `bing-search quota --watch` with a shared SQLite store: in a real 40-column terminal (tmux) the
 * table is redrawn in place every second (the counts of other processes show up, no stale frame
 * stays behind, a resize is followed), and Ctrl-C ends it with exit 0; in a pipe, one frame after
 * the other, and SIGINT ends it with exit 0 too.
 */
import { Emulator } from "@bing-effect/emulator"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import * as Pty from "./support/pty.js"
import { bin, run, transcript } from "./support/run.js"

const keys = { s15: `test-w15-${randomBytes(12).toString("hex")}`, s16: `test-w16-${randomBytes(12).toString("hex")}` }
const dir = mkdtempSync(join(tmpdir(), "bing-search-watch-"))
const tiersFile = join(dir, "tiers.json")
let emu: Emulator.EmulatorHandle
const panes: Array<Pty.Pane> = []

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    keys: [{ name: "S15", key: keys.s15 }, { name: "S16", key: keys.s16 }]
  })
  writeFileSync(
    tiersFile,
    JSON.stringify([
      { name: "S15", keyEnv: "KEY_S15", limits: { perDay: 100 } },
      { name: "S16", keyEnv: "KEY_S16", limits: { perDay: 500 } }
    ])
  )
})

afterEach(() => {
  for (const pane of panes.splice(0)) pane.kill()
})

afterAll(async () => {
  await emu.stop()
  const everything = transcript.join("\n")
  for (const key of Object.values(keys)) expect(everything).not.toContain(key)
})

const env = (store: string) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_TIERS: tiersFile,
  BING_SEARCH_STORE: store,
  KEY_S15: keys.s15,
  KEY_S16: keys.s16
})

const count = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).length

describe.skipIf(!inject("tmux"))("quota --watch in a terminal", () => {
  it("redraws in place every second, follows the shared counts and a resize, and Ctrl-C exits 0", async () => {
    const store = `sqlite:${join(dir, "tty.db")}`
    // the store as a flag (the searches below name it in the environment): both read the same counts
    const { BING_SEARCH_STORE: _, ...noStore } = env(store)
    const pane = Pty.start(["quota", "--watch", "--store", store], { columns: 40, rows: 24, env: noStore })
    panes.push(pane)
    await pane.waitFor((s) => s.includes("used 0 of 100, 100 left"), 20_000, "the first frame")
    // two searches by other processes, through the same store
    for (const q of ["one", "two"]) expect((await run(["web", q, "-n", "1"], env(store))).code).toBe(0)
    const after = await pane.waitFor((s) => s.includes("used 2 of 100, 98 left"), 10_000, "the new counts")
    // in place: one frame on the screen and in the scrollback, every line within the width
    expect(count(after, /^Every 1 s; Ctrl-C to stop\.$/)).toBe(1)
    expect(count(after, /^Active tier: S15$/)).toBe(1)
    expect(after).not.toContain("used 0 of 100")
    expect(pane.cursorVisible()).toBe(false)
    for (const l of pane.screen({ history: true, joined: true }).split("\n")) {
      expect(l.length, l).toBeLessThanOrEqual(39)
    }
    // wider: the full table, and nothing of the blocks left behind
    pane.resize(140, 24)
    const wide = await pane.waitFor(
      () => /^TIER +WINDOW/m.test(pane.screen()),
      10_000,
      "the full table after the resize"
    )
    expect(wide).toBeDefined()
    const screen = pane.screen()
    expect(count(screen, /^Every 1 s/)).toBe(1)
    expect(screen).toMatch(/^S15 \* +day +[█░]{20} +2% +2 +100 +98 /m)
    expect(screen).not.toContain("used 2 of 100")
    pane.keys("C-c")
    expect(await pane.exitCode(10_000)).toBe(0)
    // the last frame stays on the screen, and the cursor is shown again
    expect(pane.cursorVisible()).toBe(true)
    expect(pane.screen()).toMatch(/^TIER +WINDOW/m)
  })
})

describe("quota --watch in a pipe", () => {
  const watch = (args: ReadonlyArray<string>, store: string, frames: number) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, "quota", "--watch", ...args], {
        env: { PATH: process.env["PATH"] ?? "", ...env(store) },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      let sent = false
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        reject(new Error(`quota --watch did not end\n${stdout}\n${stderr}`))
      }, 20_000)
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d
        const seen = args.includes("--json") ? stdout.split("\n").length - 1 : count(stdout, /^Quota at /)
        if (!sent && seen >= frames) {
          sent = true
          child.kill("SIGINT")
        }
      })
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
      child.on("close", (code) => {
        clearTimeout(timer)
        transcript.push(stdout, stderr)
        resolve({ code, stdout, stderr })
      })
    })

  it("prints a frame a second, each after the last, and SIGINT exits 0", async () => {
    const started = Date.now()
    const r = await watch([], `sqlite:${join(dir, "pipe.db")}`, 2)
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(count(r.stdout, /^Quota at /)).toBeGreaterThanOrEqual(2)
    // no escape sequence in a pipe
    expect(r.stdout).not.toContain("\x1b")
  })

  it("--json: one status object a line", async () => {
    const r = await watch(["--json"], `sqlite:${join(dir, "json.db")}`, 2)
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split("\n")
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) expect((JSON.parse(line) as { active: string }).active).toBe("S15")
  })
})
