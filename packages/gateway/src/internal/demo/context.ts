/**
 * What the steps of `bing-gateway demo` share: the emulator (the upstream), the gateway's base
 * URL, the run's keys, the gateway's access log as it is written, and one way to print. Each step
 * is an Effect of this context; a step that does not see what it should fails with
 * `DemoStepFailed`, naming itself, and the demo exits non-zero instead of pretending.
 */
import type { Emulator } from "@bing-effect/emulator"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"

/** The demo's secrets: random per run, never printed (the demo checks its own output for them). */
export interface Keys {
  /** The upstream keys of the two tiers (the emulator's). */
  readonly S15: string
  readonly S16: string
  /** The gateway's client keys: `app` has no limits, `limited` may make one request a second. */
  readonly app: string
  readonly limited: string
  /** The bearer token of `/_gateway/status`. */
  readonly admin: string
  /** A key nobody configured (the 401 step). */
  readonly unknown: string
}

/** A random secret for one run: `demo-<name>-...` (the test looks for that prefix in the output). */
export const secret = (name: string): string => `demo-${name}-${randomBytes(12).toString("base64url")}`

/** A fresh set of keys. */
export const makeKeys = (): Keys => ({
  S15: secret("s15"),
  S16: secret("s16"),
  app: secret("app"),
  limited: secret("limited"),
  admin: secret("admin"),
  unknown: secret("unknown")
})

/** A demo step that did not go as it should. */
export class DemoStepFailed extends Data.TaggedError("DemoStepFailed")<{
  readonly step: string
  readonly detail: string
}> {
  override get message(): string {
    return `step "${this.step}": ${this.detail}`
  }
}

/** One line of the gateway's access log, as the demo reads it. */
export interface AccessLine {
  readonly path: string
  readonly route: string
  readonly status: number
  readonly outcome: string
  readonly tenant: string | null
  readonly tier: string | null
}

/** The context of every step. */
export interface DemoContext {
  readonly emulator: Emulator.EmulatorService
  /** The gateway's base URL, `http://127.0.0.1:<port>`. */
  readonly gateway: string
  readonly keys: Keys
  /** The access-log lines written so far, oldest first. */
  readonly accessLog: () => ReadonlyArray<AccessLine>
  /** Everything printed and everything received, to check at the end that no key is in any of it. */
  readonly transcript: Array<string>
  /** Prints one line on stdout (through `Console`) and keeps it in the transcript. */
  readonly say: (text?: string) => Effect.Effect<void>
}

/** Builds the context's `say` and transcript. */
export const printer = (): Pick<DemoContext, "say" | "transcript"> => {
  const transcript: Array<string> = []
  return {
    transcript,
    say: (text = "") =>
      Effect.suspend(() => {
        transcript.push(text)
        return Console.log(text)
      })
  }
}

/** Fails the step with `detail` unless `ok`. */
export const expect = (step: string, ok: boolean, detail: () => string): Effect.Effect<void, DemoStepFailed> =>
  ok ? Effect.void : Effect.fail(new DemoStepFailed({ step, detail: detail() }))

/** The instant as UTC wall time: `"2026-03-10 12:00:00 UTC"`. */
export const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`

/** A duration in seconds as the largest two units: `"11 h 59 min"`, `"1 s"`. */
export const duration = (seconds: number): string => {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`
}
