/**
 * tmux availability for the pseudo-terminal tests (vitest `globalSetup`, read with
 * `inject("tmux")`), as `vitest.shared.ts` does for Redis: without tmux they skip, loudly, unless
 * `CI=true`, where a missing tmux fails the run (`.ci/run` installs it).
 */
import { spawnSync } from "node:child_process"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** tmux is installed: run the pseudo-terminal tests. */
    readonly tmux: boolean
  }
}

export default function setup(project: TestProject): void {
  const available = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0
  if (!available && process.env["CI"] === "true") {
    throw new Error("tmux is not installed; with CI=true the pseudo-terminal tests must run (apt-get install tmux).")
  }
  if (!available) {
    const bar = "!".repeat(78)
    console.warn(
      `\n${bar}\n!! ${project.name}: tmux is not installed: the pseudo-terminal tests (width, redraw, colour,\n` +
        `!! Ctrl-C) will be SKIPPED. Install it (apt-get install tmux) and run the tests again.\n${bar}\n`
    )
  }
  project.provide("tmux", available)
}
