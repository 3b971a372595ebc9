/**
 * A tier's own `endpoint` in the tiers file is checked when the file is loaded, with the rules of
 * the global `--endpoint`: one that cannot work (credentials, a query, not a URL, not http(s)) is a
 * configuration error (exit 3) naming the tier and its URL without credentials; a plain `http://`
 * one is refused before anything is sent (exit 15), naming that tier and its own URL, not the
 * global endpoint's. Whether the tier is first or last: nothing is sent either way.
 */
import { Emulator } from "@bing-effect/emulator"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run, transcript } from "./support/run.js"

const secret = (name: string) => `test-${name}-${randomBytes(12).toString("hex")}`
const keys = { s15: secret("s15"), s16: secret("s16") }
const password = secret("password")

let emu: Emulator.EmulatorHandle

beforeAll(async () => {
  emu = await Emulator.start({ port: 0, keys: [{ name: "S15", key: keys.s15 }, { name: "S16", key: keys.s16 }] })
})

afterAll(async () => {
  await emu.stop()
  const everything = transcript.join("\n")
  for (const value of [...Object.values(keys), password]) expect(everything).not.toContain(value)
})

const sent = () => emu.requests(1000).length

/** Runs `web x` with an inline tiers document: S15 and S16, `endpoints` set on the tiers named. */
const withTiers = (endpoints: { readonly S15?: string; readonly S16?: string }, extra: Record<string, string> = {}) =>
  run(["web", "x", "-n", "1", "--max-attempts", "1"], {
    BING_SEARCH_ENDPOINT: emu.url,
    BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "true",
    BING_SEARCH_TIERS: JSON.stringify([
      { name: "S15", keyEnv: "KEY_S15", ...(endpoints.S15 === undefined ? {} : { endpoint: endpoints.S15 }) },
      { name: "S16", keyEnv: "KEY_S16", ...(endpoints.S16 === undefined ? {} : { endpoint: endpoints.S16 }) }
    ]),
    KEY_S15: keys.s15,
    KEY_S16: keys.s16,
    ...extra
  })

describe("a tier endpoint that cannot work is a configuration error at load (exit 3)", () => {
  it("credentials in the first tier's endpoint: exit 3 naming the tier and its URL without them, not 19", async () => {
    const before = sent()
    const withCredentials = emu.url.replace("http://", `http://user:${password}@`)
    const r = await withTiers({ S15: withCredentials })
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(
      `error [InvalidSettings] --tiers (inline JSON): tier S15: "endpoint" ${
        emu.url.replace("http://", "http://***@")
      } must not carry credentials.`
    )
    expect(r.stderr).not.toContain(password)
    expect(r.stderr).not.toContain("user:")
    expect(sent()).toBe(before)
  })

  it("credentials in a later tier's endpoint: refused at load too, although the first tier would serve", async () => {
    const before = sent()
    const r = await withTiers({ S16: `https://user:${password}@api.bing.example/` })
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`tier S16: "endpoint" https://***@api.bing.example must not carry credentials`)
    expect(r.stderr).not.toContain(password)
    expect(sent()).toBe(before)
  })

  it("a query (a key in the URL), not a URL, another scheme", async () => {
    const query = await withTiers({ S15: `https://api.bing.example/?subscription-key=${password}` })
    expect(query.code).toBe(3)
    expect(query.stderr).toContain(
      `tier S15: "endpoint" https://api.bing.example?… must not carry a query or a fragment`
    )
    expect(query.stderr).not.toContain(password)
    const notUrl = await withTiers({ S16: `not a url ${password}` })
    expect(notUrl.code).toBe(3)
    expect(notUrl.stderr).toContain(`tier S16: "endpoint" is not an absolute URL`)
    expect(notUrl.stderr).not.toContain(password)
    const ftp = await withTiers({ S15: "ftp://api.bing.example/" })
    expect(ftp.code).toBe(3)
    expect(ftp.stderr).toContain(`tier S15: "endpoint" ftp://api.bing.example uses ftp; only https is allowed`)
  })
})

describe("a plain http:// tier endpoint is refused before sending (exit 15), naming that tier and its own URL", () => {
  it("a non-loopback http:// endpoint on the second tier", async () => {
    const before = sent()
    const r = await withTiers({ S16: "http://bing.example:8080/base/" })
    expect(r.code).toBe(15)
    expect(r.stderr).toContain(
      "error [InsecureEndpoint] Plain HTTP is not allowed: the endpoint of tier S16, http://bing.example:8080/base, is http://"
    )
    expect(r.stderr).not.toContain(emu.url) // not the global endpoint's URL
    expect(sent()).toBe(before)
  })

  it("an http:// loopback endpoint without --allow-insecure-loopback", async () => {
    const before = sent()
    const r = await withTiers({ S15: emu.url }, {
      BING_SEARCH_ENDPOINT: "https://api.bing.microsoft.com",
      BING_SEARCH_ALLOW_INSECURE_LOOPBACK: "false"
    })
    expect(r.code).toBe(15)
    expect(r.stderr).toContain(`the endpoint of tier S15, ${emu.url}, is http://`)
    expect(r.stderr).toContain("--allow-insecure-loopback")
    expect(sent()).toBe(before)
  })

  it("a good tier endpoint still serves (http:// loopback with the allowance)", async () => {
    const r = await withTiers({ S15: `${emu.url}/` }, { BING_SEARCH_ENDPOINT: "https://api.bing.microsoft.com" })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("tier S15, 1 attempt")
  })
})
