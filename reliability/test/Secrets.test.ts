/**
 * Secrets: the scenario files each scan what they captured (logs at every level, spans with their
 * attributes and exits, error values, messages and JSON, child process outputs, HTTP answers) for
 * their subscription keys. This file covers what is left: the `bing-emulator` command's output and
 * admin API (keys sent in the query string too), and the values a user is likely to log on the
 * quota path (tiers, acquires, status, events, StoreUnavailable errors through the client).
 */
import { BingClient } from "@bing-effect/client"
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { Cause, Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { Capture, emulatorBin, killChildren, printFigures, secret, spawnNode, text } from "./support.js"

describe("secrets", () => {
  const dir = mkdtempSync(join(tmpdir(), "bing-secrets-"))
  afterAll(() => {
    killChildren()
    rmSync(dir, { recursive: true, force: true })
  })

  it("the emulator command never prints a key, nor does its admin API", async () => {
    const keys = [secret("cli-a"), secret("cli-b"), secret("cli-c")]
    const token = secret("admin-token")
    const config = join(dir, "cli.json")
    writeFileSync(
      config,
      JSON.stringify({ keys: keys.map((key, i) => ({ name: `k${i}`, key, limits: { perDay: 10 } })) })
    )
    const child = spawnNode(emulatorBin, ["--port", "0", "--config", config, "--admin-token", token])
    const url = (await child.waitFor(/listening on (http:\/\/\S+)/))[1]!
    const capture = new Capture()
    for (const key of keys) {
      capture.add(
        await (await fetch(`${url}/v7.0/search?q=one`, { headers: { "Ocp-Apim-Subscription-Key": key } })).text()
      )
      capture.add(await (await fetch(`${url}/v7.0/search?q=two&subscription-key=${encodeURIComponent(key)}`)).text())
      capture.add(await (await fetch(`${url}/v7.0/search?q=%zz&subscription-key=${encodeURIComponent(key)}`)).text())
      capture.add(
        await (await fetch(`${url}/v7.0/search?q=both&subscription-key=${encodeURIComponent(key)}`, {
          headers: { "Ocp-Apim-Subscription-Key": key }
        })).text()
      )
    }
    const admin = (path: string) =>
      fetch(`${url}/_emulator/${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text())
    const log = await admin("requests?limit=1000")
    capture.add(log, await admin("keys"), await admin("faults"), await admin("clock"))
    child.kill("SIGTERM")
    const exit = await child.exited
    capture.add(child.out, child.err)
    printFigures("secrets: bing-emulator command and admin API", {
      "requests made": keys.length * 4,
      "bytes scanned": capture.bytes,
      leaks: capture.leaks([...keys, token]).length,
      "exit on SIGTERM": exit.code ?? String(exit.signal)
    })
    expect(log).toContain("subscription-key=REDACTED")
    expect(child.out).toContain("k0")
    // the admin token was given on the command line, so the banner masks it too
    expect(capture.leaks([...keys, token])).toEqual([])
    expect(exit.code).toBe(0)
  }, 30_000)

  it("tiers, acquires, status, events and StoreUnavailable errors never carry a key", async () => {
    const key = secret("tracker")
    const capture = new Capture()
    const tiers = [Tier.make({ name: "T", key: Redacted.make(key), limits: { perDay: 3 } })]
    // a store that cannot open: the tracker fails with StoreUnavailable
    const broken = QuotaStore.layerSqlite({ filename: join(dir, "missing", "dir", "quota.sqlite") })
    const program = Effect.gen(function*() {
      // in memory, 3 a day: admissions, refusals, threshold and exhaustion events
      const quota = yield* QuotaTracker.make({ tiers }).pipe(
        Effect.provideServiceEffect(QuotaStore.QuotaStore, QuotaStore.makeMemory)
      )
      const events = yield* Effect.forkChild(
        Stream.runForEach(quota.events, (e) => Effect.sync(() => capture.add(e, e.message)))
      )
      yield* Effect.sleep(10)
      for (let i = 0; i < 5; i++) {
        const exit = yield* Effect.exit(quota.acquire())
        capture.add(exit, Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")
        yield* Effect.logInfo("acquired", exit)
      }
      capture.add(yield* quota.status, tiers)
      yield* Effect.sleep(10)
      yield* Fiber.interrupt(events)
    })
    await Effect.runPromise(capture.observe(Effect.scoped(program).pipe(Effect.provide(QuotaStore.layerMemory))))
    const exit = await Effect.runPromise(capture.observe(Effect.exit(Effect.scoped(
      Effect.gen(function*() {
        yield* QuotaTracker.make({ tiers })
      }).pipe(Effect.provide(broken))
    ))))
    capture.add(exit)
    // through the client: the store cannot open, the layer fails with a typed error
    const client = await Effect.runPromise(capture.observe(Effect.exit(
      BingClient.webSearch({ q: "x" }).pipe(
        Effect.provide(
          BingClient.layerWithQuota({ endpoint: "http://127.0.0.1:9", allowInsecureLoopback: true }).pipe(
            Layer.provide(QuotaTracker.layer({ tiers }).pipe(Layer.provide(broken))),
            Layer.provide(FetchHttpClient.layer)
          )
        )
      )
    )))
    capture.add(client, Exit.isFailure(client) ? Cause.pretty(client.cause) : "")
    printFigures("secrets: quota tracker values and errors", {
      "bytes scanned": capture.bytes,
      "log lines": capture.logLines,
      leaks: capture.leaks([key]).length
    })
    expect(capture.haystack.some((h) => h.includes("AllTiersExhausted"))).toBe(true)
    expect(capture.haystack.some((h) => h.includes("TierExhausted"))).toBe(true)
    expect(Exit.isFailure(exit)).toBe(true)
    expect(text(exit)).toContain("StoreUnavailable")
    expect(Exit.isFailure(client)).toBe(true)
    expect(capture.leaks([key])).toEqual([])
  }, 30_000)
})
