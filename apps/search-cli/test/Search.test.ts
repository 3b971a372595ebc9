/**
 * `bing-search web` and `images` as a user runs them: the built program in a subprocess against
 * the emulator started here, with each failure's message and exit code.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { run, transcript } from "./support/run.js"

const secret = (name: string) => `test-${name}-${randomBytes(12).toString("hex")}`
const keys = {
  good: secret("good"),
  none: secret("none"),
  slow: secret("slow"),
  s15: secret("s15"),
  s16: secret("s16"),
  disabled: secret("disabled"),
  retired: secret("retired")
}

let emu: Emulator.EmulatorHandle
let https: Emulator.EmulatorHandle
const dir = mkdtempSync(join(tmpdir(), "bing-search-test-"))

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    keys: [
      { name: "good", key: keys.good },
      { name: "none", key: keys.none, limits: { perDay: 0 } },
      { name: "slow", key: keys.slow, limits: { perSecond: 1 } },
      { name: "S15", key: keys.s15, limits: { perDay: 2 } },
      { name: "S16", key: keys.s16 },
      { name: "disabled", key: keys.disabled, disabled: true },
      { name: "retired", key: keys.retired, retired: true }
    ]
  })
  https = await Emulator.start({ port: 0, requireHttps: true, keys: [{ name: "good", key: keys.good }] })
})

afterEach(() => {
  emu.clearFaults()
})

afterAll(async () => {
  await emu.stop()
  await https.stop()
  const everything = transcript.join("\n")
  for (const key of Object.values(keys)) expect(everything).not.toContain(key)
})

/** The environment of a run against the emulator; `null`: no key at all. */
const env = (key: string | null = keys.good, extra: Record<string, string> = {}) => ({
  BING_SEARCH_ENDPOINT: emu.url,
  BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
  ...(key === null ? {} : { BING_SEARCH_KEY: key }),
  ...extra
})

const sent = () => emu.requests(1000).length

describe("web and images", () => {
  it("prints numbered web results with title, URL and snippet", async () => {
    const r = await run(["web", "effect", "typescript", "--count", "3", "--market", "en-GB"], env())
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^Web results for "effect typescript": 3 of about [\d,]+ \(market en-GB, tier default, 1 attempt\)/
    )
    const entries = r.stdout.split("\n").filter((l) => /^\s+\d+\. /.test(l))
    expect(entries.map((l) => l.trim().split(".")[0])).toEqual(["1", "2", "3"])
    expect(r.stdout).toMatch(/\n {5}https?:\/\/\S+\n/)
    expect(r.stderr).toBe("")
  })

  it("numbers from the offset", async () => {
    const r = await run(["web", "effect", "-n", "2", "--offset", "10"], env())
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\n {1}11\. /)
    expect(r.stdout).toMatch(/\n {1}12\. /)
  })

  it("prints image results with size, format and URL, and sends the image filters", async () => {
    const r = await run(
      [
        "images",
        "sunset",
        "--count",
        "2",
        "--size",
        "Large",
        "--color",
        "Orange",
        "--aspect",
        "Wide",
        "--image-type",
        "Photo",
        "--license",
        "Any",
        "--safe-search",
        "Strict"
      ],
      env()
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Image results for "sunset": 2/)
    expect(r.stdout).toMatch(/\n {5}\d+x\d+, \w+/)
    const path = emu.requests(1)[0]!.path
    for (
      const p of ["size=Large", "color=Orange", "aspect=Wide", "imageType=Photo", "license=Any", "safeSearch=Strict"]
    ) expect(path).toContain(p)
  })

  it("--json prints the typed result, and no key", async () => {
    const r = await run(["web", "effect", "--count", "4", "--json"], env())
    expect(r.code).toBe(0)
    const parsed = JSON.parse(r.stdout) as {
      value: { webPages: { value: Array<{ name: string; url: string }> } }
      meta: { attempts: number; tier: string; status: number }
    }
    expect(parsed.value.webPages.value).toHaveLength(4)
    expect(parsed.meta).toMatchObject({ attempts: 1, tier: "default", status: 200 })
    const images = JSON.parse((await run(["images", "cat", "-n", "1", "--json"], env())).stdout) as {
      value: { value: Array<{ contentUrl: string }> }
    }
    expect(images.value.value[0]!.contentUrl).toMatch(/^https?:/)
  })
})

describe("errors: a message and a distinct exit code each", () => {
  it("401: a wrong key", async () => {
    const r = await run(["web", "x"], env(secret("wrong")))
    expect(r.code).toBe(11)
    expect(r.stderr).toContain("error [InvalidAuthorization] The subscription key is missing or wrong (401")
    expect(r.stderr).toContain("BING_SEARCH_KEY")
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(r.stdout).toBe("")
  })

  it("no key at all is refused before sending (same class as 401)", async () => {
    const before = sent()
    const r = await run(["web", "x"], env(null))
    expect(r.code).toBe(11)
    expect(r.stderr).toContain("error [MissingKey]")
    expect(sent()).toBe(before)
  })

  it("400: an invalid parameter is refused locally, naming the flag", async () => {
    const before = sent()
    const r = await run(["web", "x", "--count", "70000"], env())
    expect(r.code).toBe(10)
    expect(r.stderr).toContain("Invalid value for --count (Bing parameter count): \"70000\"")
    expect(r.stderr).toContain("no request reached Bing and no quota was spent")
    const images = await run(["images", "x", "--image-type", "Painting"], env())
    expect(images.code).toBe(10)
    expect(images.stderr).toContain("--image-type (Bing parameter imageType)")
    const empty = await run(["web"], env())
    expect(empty.code).toBe(10)
    expect(empty.stderr).toContain("Missing value for <query>")
    expect(sent()).toBe(before)
  })

  it("410: plain HTTP without the loopback allowance is refused before sending", async () => {
    const before = sent()
    const r = await run(["web", "x"], { BING_SEARCH_ENDPOINT: emu.url, BING_SEARCH_KEY: keys.good })
    expect(r.code).toBe(15)
    expect(r.stderr).toContain("HttpNotAllowed")
    expect(r.stderr).toContain("--allow-insecure-loopback")
    expect(sent()).toBe(before)
  })

  it("410: a server that requires HTTPS", async () => {
    const r = await run(["web", "x"], { ...env(), BING_SEARCH_ENDPOINT: https.url })
    expect(r.code).toBe(15)
    expect(r.stderr).toContain("(410 InvalidRequest/HttpNotAllowed)")
    expect(r.stderr).toContain("Bing trace id:")
  })

  it("410 Gone: the endpoint answers that Bing was retired; not retried, its own exit code, what to do", async () => {
    const before = sent()
    const r = await run(["web", "x", "--max-attempts", "4"], env(keys.retired))
    expect(r.code).toBe(25)
    expect(r.stderr).toContain(
      "[ServiceRetired] The endpoint answered that the Bing Search APIs were retired (410 Gone)"
    )
    expect(r.stderr).toContain("https://aka.ms/BingAPIsRetirement")
    expect(r.stderr).toContain("did not retry")
    expect(r.stderr).toContain("Bing-compatible endpoint")
    expect(r.stderr).not.toContain("HttpNotAllowed")
    expect(sent() - before).toBe(1)
  })

  it("403: the only tier is out of quota", async () => {
    const r = await run(["web", "x"], env(keys.none))
    expect(r.code).toBe(13)
    expect(r.stderr).toContain("error [QuotaError/AllTiersExhausted] Every tier is out of quota (default)")
    expect(r.stderr).toMatch(/default: daily quota used up until \d{4}-\d\d-\d\d 00:00:00 UTC \(Bing said so \(403\)\)/)
    expect(r.stderr).toContain("There is no other tier to switch to")
  })

  it("403 on S15 with a tiers file: the app switches to S16 and says so", async () => {
    const tiers = join(dir, "tiers.json")
    writeFileSync(tiers, JSON.stringify([{ name: "S15", keyEnv: "KEY_S15" }, { name: "S16", keyEnv: "KEY_S16" }]))
    const e = { ...env(null), BING_SEARCH_TIERS: tiers, KEY_S15: keys.s15, KEY_S16: keys.s16 }
    for (const q of ["one", "two"]) {
      const r = await run(["web", q, "-n", "1"], e)
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("tier S15")
    }
    const third = await run(["web", "three", "-n", "1"], e)
    expect(third.code).toBe(0)
    expect(third.stdout).toContain("tier S16, 2 attempts")
    expect(third.stderr).toContain("note: Switched from S15 to S16: the server reported S15's quota exhausted")
  })

  it("429: the app waits for Retry-After and retries; or stops when the wait is too long", async () => {
    emu.injectFault({
      match: { keyName: "good", count: 1 },
      fault: { kind: "error", status: 429, code: "RateLimitExceeded", retryAfter: 1 }
    })
    const started = Date.now()
    const waited = await run(["web", "x", "-n", "1"], env())
    expect(waited.code).toBe(0)
    expect(waited.stdout).toContain("2 attempts")
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    emu.injectFault({
      match: { keyName: "good", count: 1 },
      fault: { kind: "error", status: 429, code: "RateLimitExceeded", retryAfter: 30 }
    })
    const tooLong = await run(["web", "x"], env())
    expect(tooLong.code).toBe(14)
    expect(tooLong.stderr).toContain("error [RateLimited] Bing's per-second limit was exceeded (429 RateLimitExceeded)")
    expect(tooLong.stderr).toContain(
      "Bing asked to wait 30 s (Retry-After), longer than the app may wait (5 s, --max-wait)"
    )
  })

  it("500: retried with backoff, then reported with the attempts", async () => {
    emu.injectFault({
      match: { keyName: "good", count: 2 },
      fault: { kind: "error", code: "ServerError", subCode: "UnexpectedError" }
    })
    const recovered = await run(["web", "x", "-n", "1"], env())
    expect(recovered.code).toBe(0)
    expect(recovered.stdout).toContain("3 attempts")
    const before = emu.requests(1000).filter((r) => r.fault !== undefined).length
    emu.injectFault({
      match: { keyName: "good", count: 3 },
      fault: { kind: "error", code: "ServerError", subCode: "ResourceError" }
    })
    const failed = await run(["web", "x", "--max-attempts", "3"], env())
    expect(failed.code).toBe(17)
    expect(failed.stderr).toContain("error [ServerError] Bing failed on its side (500 ServerError/ResourceError)")
    expect(failed.stderr).toContain("3 attempts in all")
    expect(emu.requests(1000).filter((r) => r.fault !== undefined).length - before).toBe(3)
  })

  it("empty 200: Bing suspects abuse", async () => {
    emu.injectFault({ match: { keyName: "good", count: 2 }, fault: { kind: "empty200" } })
    const r = await run(["web", "x", "--max-attempts", "2"], env())
    expect(r.code).toBe(16)
    expect(r.stderr).toContain("error [EmptyResponse]")
    expect(r.stderr).toContain("suspects abuse")
  })

  it("timeout and unreachable endpoint", async () => {
    emu.injectFault({ match: { keyName: "good", count: 1 }, fault: { kind: "delay", ms: 3000 } })
    const slow = await run(["web", "x", "--timeout", "0.3", "--max-attempts", "1"], env())
    expect(slow.code).toBe(18)
    expect(slow.stderr).toContain("error [RequestTimeout] No complete answer from")
    const down = await run(["web", "x", "--max-attempts", "1", "--endpoint", "http://127.0.0.1:1"], env())
    expect(down.code).toBe(19)
    expect(down.stderr).toContain("error [ConnectionFailed] Could not reach http://127.0.0.1:1/v7.0/search")
  })

  it("403 disabled key, 404, a proxy's HTML page, a blocked request", async () => {
    const disabled = await run(["web", "x"], env(keys.disabled))
    expect(disabled.code).toBe(12)
    expect(disabled.stderr).toContain("error [InsufficientAuthorization] The subscription key is disabled (403")
    const notFound = await run(["web", "x", "--endpoint", `${emu.url}/not-bing`], env())
    expect(notFound.code).toBe(20)
    expect(notFound.stderr).toContain("error [NotFound] Bing answered 404 Not Found")
    emu.injectFault({ match: { keyName: "good", count: 1 }, fault: { kind: "html502" } })
    const proxy = await run(["web", "x", "--max-attempts", "1"], env())
    expect(proxy.code).toBe(21)
    expect(proxy.stderr).toContain("error [UnexpectedResponse] The answer was not Bing's (502")
    emu.injectFault({
      match: { keyName: "good", count: 1 },
      fault: { kind: "error", status: 400, code: "InvalidRequest", subCode: "Blocked" }
    })
    const blocked = await run(["web", "x"], env())
    expect(blocked.code).toBe(22)
    expect(blocked.stderr).toContain("error [InvalidRequest] Bing blocked the request (400 InvalidRequest/Blocked)")
  })

  it("usage and configuration errors", async () => {
    const usage = await run(["web", "x", "--bogus"], env())
    expect(usage.code).toBe(2)
    expect(usage.stdout + usage.stderr).toContain("Unrecognized flag: --bogus")
    const tiers = join(dir, "bad-tiers.json")
    const leaked = secret("in-a-bad-file")
    writeFileSync(tiers, JSON.stringify([{ name: "S15", key: leaked, limits: { perDay: -1 } }]))
    const bad = await run(["web", "x", "--tiers", tiers], env(null))
    expect(bad.code).toBe(3)
    expect(bad.stderr).toContain("tier S15: limits.perDay must be a positive integer")
    expect(bad.stderr).not.toContain(leaked)
    const store = await run(["web", "x", "--store", "mysql://x"], env())
    expect(store.code).toBe(3)
    expect(store.stderr).toContain("unknown store")
  })

  it("--help documents the exit codes", async () => {
    const r = await run(["--help"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Exit codes:")
    for (const code of [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 23, 24]) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${code}  `))
    }
  })
})
