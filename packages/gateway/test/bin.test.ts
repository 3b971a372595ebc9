/**
 * The built `bing-gateway` executable (turbo builds before testing), as a process: it serves, it
 * drains in-flight requests on SIGTERM/SIGINT and exits 0, and a bad configuration exits 3 naming
 * the field, never a key.
 */
import { Emulator } from "@bing-effect/emulator"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { emulatorKeys, S15_KEY, S16_KEY, TEAM_A_KEY } from "./fixtures.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "bing-gateway-bin-"))
let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({ keys: emulatorKeys })
})
afterAll(async () => {
  await emu.stop()
  rmSync(dir, { recursive: true, force: true })
})

const env = { PATH: process.env["PATH"] ?? "", KEY_S15: S15_KEY, KEY_S16: S16_KEY, KEY_TEAM_A: TEAM_A_KEY }

const writeConfig = (name: string, doc: unknown): string => {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(doc))
  return file
}

const goodConfig = () => ({
  upstream: { endpoint: emu.url, allowInsecureLoopback: true },
  tiers: [{ name: "S15", keyEnv: "KEY_S15", limits: { perDay: 100 } }, { name: "S16", keyEnv: "KEY_S16" }],
  clients: [{ name: "team-a", keyEnv: "KEY_TEAM_A" }],
  store: "memory"
})

const launch = (args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...env, ...extraEnv }
  })
  let out = ""
  let err = ""
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c))
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening; stdout=${out} stderr=${err}`)), 15_000)
    child.stdout.on("data", () => {
      const m = /listening on (\S+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.on("exit", () => {
      clearTimeout(timer)
      reject(new Error(`exited early; stdout=${out} stderr=${err}`))
    })
  })
  // awaited only by the tests that expect a server
  ready.catch(() => undefined)
  return { child, ready, exited, out: () => out, err: () => err }
}

describe("bing-gateway", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`serves, and on ${signal} finishes the request in flight, then exits 0`, async () => {
      emu.reset()
      const config = writeConfig(`good-${signal}.json`, goodConfig())
      const gw = launch(["--config", config, "--port", "0", "--host", "127.0.0.1"])
      const url = await gw.ready
      const ok = await fetch(`${url}/v7.0/search?q=hello`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } })
      expect(ok.status).toBe(200)
      await ok.arrayBuffer()
      // a slow upstream answer is in flight when the signal comes
      emu.injectFault({ fault: { kind: "delay", ms: 1_500 } })
      const sent = Date.now()
      const inFlight = fetch(`${url}/v7.0/search?q=slow`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } })
      // the request reaches the emulator within a few ms; its answer comes 1.5 s later
      await new Promise((r) => setTimeout(r, 200))
      gw.child.kill(signal)
      const slow = await inFlight
      expect(slow.status).toBe(200)
      expect((await slow.text()).length).toBeGreaterThan(100)
      expect(Date.now() - sent).toBeGreaterThanOrEqual(1_400)
      expect(await gw.exited).toBe(0)
      expect(gw.out()).toContain("stopped")
      // nothing listens any more
      await expect(fetch(`${url}/v7.0/search?q=after`)).rejects.toThrow()
      for (const key of [S15_KEY, S16_KEY, TEAM_A_KEY]) expect(gw.out() + gw.err()).not.toContain(key)
    }, 20_000)
  }

  it("keeps serving when the reader of its stdout goes away (access logs are dropped, not fatal)", async () => {
    emu.reset()
    const gw = launch(["--config", writeConfig("epipe.json", goodConfig()), "--port", "0"])
    const url = await gw.ready
    // as `bing-gateway ... | head -1` does once head has its line
    gw.child.stdout.destroy()
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/v7.0/search?q=pipe${i}`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    expect(gw.child.exitCode).toBe(null)
    gw.child.kill("SIGTERM")
    expect(await gw.exited).toBe(0)
    expect(gw.err()).not.toContain("EPIPE")
  }, 20_000)

  it("a bad configuration exits 3, naming the field and never a key", async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ ...goodConfig(), tiers: [] }, "tiers"],
      [{ ...goodConfig(), clients: [{ name: "team-a", keyEnv: "NOT_SET_ANYWHERE" }] }, "clients[0].keyEnv"],
      [{ ...goodConfig(), storeFailure: "maybe" }, "storeFailure"],
      [{ ...goodConfig(), history: { sampleIntervalMs: 5 } }, "history.sampleIntervalMs"]
    ]
    for (const [doc, field] of cases) {
      const gw = launch(["--config", writeConfig("bad.json", doc)])
      expect(await gw.exited).toBe(3)
      expect(gw.err()).toContain(field)
      for (const key of [S15_KEY, S16_KEY, TEAM_A_KEY]) expect(gw.out() + gw.err()).not.toContain(key)
    }
    const missing = launch(["--config", join(dir, "no-such-file.json")])
    expect(await missing.exited).toBe(3)
    expect(missing.err()).toContain("no-such-file.json")
  }, 30_000)

  it("bad usage exits 2 with the usage text; --help exits 0", async () => {
    const noConfig = launch([])
    expect(await noConfig.exited).toBe(2)
    expect(noConfig.err()).toContain("--config <file> is required")
    const badPort = launch(["--config", "x.json", "--port", "http"])
    expect(await badPort.exited).toBe(2)
    const help = launch(["--help"])
    expect(await help.exited).toBe(0)
    expect(help.out()).toContain("Usage: bing-gateway")
  }, 20_000)
})
