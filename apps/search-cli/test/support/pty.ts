/**
 * Runs the built `bing-search` in a real pseudo-terminal: a detached tmux session of a given
 * size, on a tmux server of this test's own (`-S`, a socket in its own folder, no config file), so nothing of
 * the user's tmux is touched. The screen is read with `capture-pane`; keys are sent with
 * `send-keys`; every wait is bounded. The program runs under `env -i` with only the variables the
 * test gives, and a line `[exit N]` is printed when it ends, so the test reads its exit code from
 * the screen too.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bin, transcript } from "./run.js"

/** The tmux binary, or `undefined` when it is not installed. */
export const tmuxPath = (() => {
  const found = spawnSync("sh", ["-c", "command -v tmux"], { encoding: "utf8" })
  const path = found.stdout.trim()
  return found.status === 0 && path !== "" ? path : undefined
})()

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** What `Pane.screen` captures. */
export interface ScreenOptions {
  readonly history?: boolean | undefined
  readonly joined?: boolean | undefined
  readonly escapes?: boolean | undefined
}

/** A program running in a tmux pane. */
export interface Pane {
  /** The session's name (unique to this run). */
  readonly name: string
  /**
   * The screen now, one string per row, trailing spaces trimmed; `history`: with the scrollback;
   * `joined`: a line the terminal wrapped comes back whole (so its length shows that it wrapped);
   * `escapes`: with the colour sequences.
   */
  readonly screen: (options?: ScreenOptions) => string
  /** Whether the terminal shows its cursor (a program may hide it). */
  readonly cursorVisible: () => boolean
  /** Sends tmux key names (`"C-c"`, `"Enter"`). */
  readonly keys: (...keys: ReadonlyArray<string>) => void
  /** Resizes the window. */
  readonly resize: (columns: number, rows: number) => void
  /** Waits until `test` holds for the screen (with history), polling every 50 ms, for at most `ms`. */
  readonly waitFor: (test: (screen: string) => boolean, ms?: number, what?: string) => Promise<string>
  /** Waits for the `[exit N]` line and gives N. */
  readonly exitCode: (ms?: number) => Promise<number>
  /** Kills this session (and so its program), by its name. */
  readonly kill: () => void
}

/**
 * Starts `bing-search args` in a `columns` x `rows` terminal with exactly `env` (plus `TERM`),
 * its own tmux server on a socket of its own; `kill` ends the session and removes the folder.
 */
export const start = (
  args: ReadonlyArray<string>,
  options: { readonly columns: number; readonly rows: number; readonly env?: Record<string, string> | undefined }
): Pane => {
  if (tmuxPath === undefined) throw new Error("tmux is not installed")
  const tmux = tmuxPath
  const id = randomBytes(6).toString("hex")
  const name = `bing-search-test-${id}`
  const dir = mkdtempSync(join(tmpdir(), "bing-search-pty-"))
  // the server's socket in the test's own folder (removed with it), not in the user's tmux folder
  const socket = join(dir, "tmux.sock")
  const env = { TERM: "tmux-256color", PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...options.env }
  const script = join(dir, "run.sh")
  writeFileSync(
    script,
    [
      "#!/bin/sh",
      // the shell stays to print the exit code; a trap (not an ignore) so the program gets SIGINT's default
      "trap ':' INT",
      `env -i ${Object.entries(env).map(([k, v]) => quote(`${k}=${v}`)).join(" ")} ${quote(process.execPath)} ${
        quote(bin)
      } ${args.map(quote).join(" ")}`,
      // on a line of its own, after whatever the terminal echoed (`^C`)
      "printf '\\n[exit %s]\\n' $?",
      "exec sleep 600",
      ""
    ].join("\n"),
    { mode: 0o700 }
  )
  const t = (...a: ReadonlyArray<string>) =>
    execFileSync(tmux, ["-S", socket, "-f", "/dev/null", ...a], { encoding: "utf8", timeout: 10_000 })
  t("new-session", "-d", "-s", name, "-x", String(options.columns), "-y", String(options.rows), `sh ${quote(script)}`)
  t("set-option", "-t", name, "history-limit", "5000")
  const screen = (o: ScreenOptions = {}) => {
    const text = t(
      "capture-pane",
      "-p",
      "-t",
      name,
      ...(o.history === true ? ["-S", "-", "-E", "-"] : []),
      ...(o.escapes === true ? ["-e"] : []),
      ...(o.joined === true ? ["-J"] : [])
    )
    return text.split("\n").map((l) => l.trimEnd()).join("\n").replace(/\n+$/, "")
  }
  const waitFor = async (test: (screen: string) => boolean, ms = 20_000, what = "the expected screen") => {
    const deadline = Date.now() + ms
    for (;;) {
      const now = screen({ history: true })
      if (test(now)) return now
      if (Date.now() > deadline) throw new Error(`tmux ${name}: timed out waiting for ${what}; screen:\n${now}`)
      await sleep(50)
    }
  }
  let killed = false
  return {
    name,
    screen,
    cursorVisible: () => t("display-message", "-p", "-t", name, "#{cursor_flag}").trim() === "1",
    keys: (...keys) => void t("send-keys", "-t", name, ...keys),
    resize: (columns, rows) => void t("resize-window", "-t", name, "-x", String(columns), "-y", String(rows)),
    waitFor,
    exitCode: async (ms = 20_000) => {
      const text = await waitFor((s) => /^\[exit \d+\]$/m.test(s), ms, "the program to end")
      transcript.push(text)
      return Number(/^\[exit (\d+)\]$/m.exec(text)![1])
    },
    kill: () => {
      if (killed) return
      killed = true
      try {
        transcript.push(screen({ history: true }))
        t("kill-session", "-t", name)
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
