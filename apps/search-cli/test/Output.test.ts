/**
 * What `bing-search` does when its output cannot be written: a reader that goes away
 * (`bing-search web x | head -1`, `demo | head -3`) ends the run quietly with exit 0; a full disk
 * (`> /dev/full`) gives one line on stderr and exit 24; a closed stderr changes nothing. The
 * built program runs in a subprocess whose stdout or stderr the test closes or points at
 * /dev/full, against an emulator started here.
 */
import { Emulator } from "@bing-effect/emulator"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { closeSync, existsSync, openSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bin } from "./support/run.js"

const key = `test-output-${randomBytes(12).toString("hex")}`
const spent = `test-spent-${randomBytes(12).toString("hex")}`
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    keys: [{ name: "good", key }, { name: "spent", key: spent, limits: { perDay: 0 } }]
  })
})

afterAll(async () => {
  await emu.stop()
})

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env["PATH"] ?? "",
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  BING_SEARCH_KEY: key,
  ...extra
})

interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * Runs the CLI. `stdout` / `stderr`: "pipe" (read it all), "close" (destroy the read side at
 * once), "first-chunk" (read one chunk, then destroy the read side, as `head` does) or
 * "/dev/full" (the file).
 */
const spawnCli = (
  args: ReadonlyArray<string>,
  io: { readonly stdout?: "pipe" | "close" | "first-chunk" | "/dev/full"; readonly stderr?: "pipe" | "close" },
  extraEnv: Record<string, string> = {},
  timeoutMs = 20_000
): Promise<Ended> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const full = io.stdout === "/dev/full" ? openSync("/dev/full", "w") : undefined
    const child = spawn(process.execPath, [bin, ...args], {
      env: env(extraEnv),
      stdio: ["ignore", full ?? "pipe", "pipe"]
    })
    if (full !== undefined) closeSync(full)
    let stdout = ""
    let stderr = ""
    if (child.stdout !== null) {
      if (io.stdout === "close") child.stdout.destroy()
      else {
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d
          if (io.stdout === "first-chunk") child.stdout!.destroy()
        })
      }
    }
    if (io.stderr === "close") child.stderr!.destroy()
    else child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`bing-search ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })

const noStackTrace = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /)
  expect(text).not.toContain("Unhandled 'error' event")
  expect(text).not.toContain("EPIPE")
}

describe("stdout closed by its reader (EPIPE): a quiet exit 0", () => {
  it("web: the read side closed before the results are printed", async () => {
    const r = await spawnCli(["web", "effect", "-n", "5"], { stdout: "close" })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.signal).toBeNull()
  })

  it("demo | head: the tour stops at the first write that fails, quietly, well before its end", async () => {
    const r = await spawnCli(["demo"], { stdout: "first-chunk" }, {}, 30_000)
    noStackTrace(r.stderr)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("bing-search demo:")
    expect(r.stdout).not.toContain("4. Summary")
  })

  it("--help with the read side closed", async () => {
    const r = await spawnCli(["--help"], { stdout: "close" })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
  })
})

describe.runIf(existsSync("/dev/full"))("stdout on a full device (ENOSPC): one line on stderr, exit 24", () => {
  const line = "error [OutputFailed] cannot write to stdout: no space left on device (ENOSPC)\n"

  it("web", async () => {
    const r = await spawnCli(["web", "effect", "-n", "3"], { stdout: "/dev/full" })
    expect(r.stderr).toBe(line)
    expect(r.code).toBe(24)
  })

  it("quota", async () => {
    const r = await spawnCli(["quota"], { stdout: "/dev/full" })
    expect(r.stderr).toBe(line)
    expect(r.code).toBe(24)
  })

  it("demo: stops at the first line", async () => {
    const r = await spawnCli(["demo"], { stdout: "/dev/full" }, {}, 30_000)
    expect(r.stderr).toBe(line)
    expect(r.code).toBe(24)
  })

  it("--help (printed by effect/cli)", async () => {
    const r = await spawnCli(["--help"], { stdout: "/dev/full" })
    expect(r.stderr).toBe(line)
    expect(r.code).toBe(24)
  })
})

describe("stderr closed: the run goes on and keeps its exit code", () => {
  it("notes on a closed stderr (a tier switch): the results are still printed, exit 0", async () => {
    const tiers = JSON.stringify([{ name: "S15", keyEnv: "KEY_OUT" }, { name: "S16", keyEnv: "KEY_IN" }])
    const r = await spawnCli(["web", "x", "-n", "1"], { stderr: "close" }, {
      BING_SEARCH_TIERS: tiers,
      KEY_OUT: spent,
      KEY_IN: key
    })
    expect(r.stdout).toContain("tier S16")
    expect(r.code).toBe(0)
  })

  it("a failure's message cannot be printed: still its exit code (11)", async () => {
    const r = await spawnCli(["web", "x"], { stderr: "close" }, { BING_SEARCH_KEY: "not-the-key" })
    expect(r.code).toBe(11)
  })
})
