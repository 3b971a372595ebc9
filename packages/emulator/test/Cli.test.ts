import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { get } from "./support.js"

// Runs the built `bing-emulator` executable (turbo builds before testing).
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "bing-emulator-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const launch = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c))
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed; stdout=${out} stderr=${err}`)), 10_000)
    child.stdout.on("data", () => {
      const m = /listening on (\S+)/.exec(out)
      if (m !== null && out.includes("keys:") && /\n {4}\S+.*\n?$/.test(out)) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.on("exit", () => {
      clearTimeout(timer)
      reject(new Error(`exited early; stdout=${out} stderr=${err}`))
    })
  })
  return { child, ready, exited, out: () => out, err: () => err }
}

const stop = async (child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals) => {
  child.kill(signal)
  return exited
}

describe("bing-emulator", () => {
  it("serves the keys of a config file, prints its URL and masked keys, and stops on SIGTERM", async () => {
    const config = join(dir, "emulator.json")
    writeFileSync(
      config,
      JSON.stringify({
        keys: [{ name: "free", key: "secret-free-a1b2", limits: { perSecond: 3, perMonth: 1000 } }, {
          name: "off",
          key: "secret-off-c3d4",
          disabled: true
        }]
      })
    )
    const run = launch(["--config", config, "--port", "0", "--admin-token", "cli-token", "--seed", "5"])
    const url = await run.ready
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(run.out()).toContain("free  …a1b2  3/s, 1000/month")
    expect(run.out()).toContain("off  …c3d4  unlimited  [disabled]")
    expect(run.out()).not.toContain("secret-free")
    expect(run.out()).not.toContain("cli-token")
    expect((await get(`${url}/v7.0/search?q=x`, { key: "secret-free-a1b2" })).status).toBe(200)
    expect((await get(`${url}/v7.0/search?q=x`, { key: "secret-off-c3d4" })).status).toBe(403)
    const adminRes = await fetch(`${url}/_emulator/keys`, { headers: { Authorization: "Bearer cli-token" } })
    expect(adminRes.status).toBe(200)
    expect(await stop(run.child, run.exited, "SIGTERM")).toBe(0)
    expect(run.out()).toContain("SIGTERM: stopping")
  })

  it("shows keys with --show-keys and stops on SIGINT", async () => {
    const run = launch(["--port", "0", "--show-keys"])
    await run.ready
    expect(run.out()).toContain("default  emulator-test-key  unlimited")
    expect(await stop(run.child, run.exited, "SIGINT")).toBe(0)
  })

  it("plays the retired service with --retired (410 Gone for every request)", async () => {
    const run = launch(["--port", "0", "--retired"])
    const url = await run.ready
    expect(run.out()).toContain("retired:   every API request answers 410 Gone")
    const r = await get(`${url}/v7.0/search?q=x`, { key: "emulator-test-key" })
    expect(r.status).toBe(410)
    expect(r.json()).toMatchObject({ error: { code: "Gone" } })
    expect(await stop(run.child, run.exited, "SIGTERM")).toBe(0)
  })

  it("exits 1 with a message on bad usage", async () => {
    for (
      const args of [["--port", "abc"], ["--bogus"], ["--config", join(dir, "missing.json")], ["--tls-cert", "x.pem"]]
    ) {
      const run = launch(args)
      run.ready.catch(() => undefined)
      expect(await run.exited, args.join(" ")).toBe(1)
      expect(run.err(), args.join(" ")).toMatch(/bing-emulator: /)
    }
  })

  it("prints help", async () => {
    const run = launch(["--help"])
    run.ready.catch(() => undefined)
    expect(await run.exited).toBe(0)
    expect(run.out()).toContain("Usage: bing-emulator")
  })
})
