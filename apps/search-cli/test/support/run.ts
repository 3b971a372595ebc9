/**
 * Runs the built `bing-search` (dist/bin.js) as a subprocess with a clean environment and a
 * timeout, and collects everything it printed so the tests can check that no key leaks. Its
 * client id file (XDG_STATE_HOME) is in a temporary folder unless a test names another.
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../../dist/bin.js", import.meta.url))

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** `XDG_STATE_HOME` of every run unless the test gives one: a temporary folder of this process. */
export const stateHome = mkdtempSync(join(tmpdir(), "bing-search-state-"))

/** Every output of every run of this process, for the key-leak checks. */
export const transcript: Array<string> = []

export const run = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 20_000
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const base: Record<string, string> = {}
    for (const name of ["PATH", "HOME", "TMPDIR", "SYSTEMROOT"]) {
      const value = process.env[name]
      if (value !== undefined) base[name] = value
    }
    const child = spawn(process.execPath, [bin, ...args], {
      // the client id file goes to a folder of this test process, never the user's ~/.local/state
      env: { ...base, XDG_STATE_HOME: stateHome, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`bing-search ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      transcript.push(stdout, stderr)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
