import { Redacted, Result } from "effect"
import { describe, expect, it } from "vitest"
import { TiersFile } from "../src/index.js"

const secret = "k-7f3a9c1e5b2d4068a1c3e5f7"
const env = { BING_KEY_S15: secret, BING_KEY_S16: `${secret}-16`, EMPTY: "" }
const options = { source: "tiers.json", env }

const ok = (text: string, o: TiersFile.Options = options) => {
  const parsed = TiersFile.parse(text, o)
  if (Result.isFailure(parsed)) throw new Error(`expected tiers, got ${parsed.failure.message}`)
  return parsed.success
}

const failure = (text: string, o: TiersFile.Options = options) => {
  const parsed = TiersFile.parse(text, o)
  if (Result.isSuccess(parsed)) throw new Error("expected an InvalidTiersFile")
  const error = parsed.failure
  expect(error._tag).toBe("InvalidTiersFile")
  for (const shown of [error.message, String(error), JSON.stringify(error)]) expect(shown).not.toContain(secret)
  return error
}

const json = (value: unknown) => JSON.stringify(value)

describe("TiersFile.parse", () => {
  it("reads tiers in order, keys from the document or the given env, Redacted", () => {
    const tiers = ok(
      json([{ name: "S15", keyEnv: "BING_KEY_S15" }, { name: "mine", key: secret, limits: { perDay: 5 } }])
    )
    expect(tiers.map((t) => t.name)).toEqual(["S15", "mine"])
    expect(Redacted.isRedacted(tiers[0]!.key)).toBe(true)
    expect(Redacted.value(tiers[0]!.key)).toBe(secret)
    expect(Redacted.value(tiers[1]!.key)).toBe(secret)
    expect(String(tiers[0]!.key)).not.toContain(secret)
  })

  it("starts a catalogue tier from its published limits, which `limits` override; others have only theirs", () => {
    const [s15, s16, mine] = ok(json([
      { name: "S15", keyEnv: "BING_KEY_S15" },
      { name: "S16", keyEnv: "BING_KEY_S16", limits: { perDay: 300 } },
      { name: "mine", key: "k", limits: { perSecond: 2 } }
    ]))
    expect(s15!.limits.perDay).toBe(1_000_000)
    expect(s16!.limits.perDay).toBe(300)
    expect(mine!.limits).toEqual({ perSecond: 2 })
  })

  it("reads a tier's price (a number in USD or { perThousand, currency }), else keeps the catalogue's", () => {
    const [s15, s16, mine, bare] = ok(json([
      { name: "S15", keyEnv: "BING_KEY_S15", price: 24.5 },
      { name: "S16", keyEnv: "BING_KEY_S16" },
      { name: "mine", key: "k", price: { perThousand: 0, currency: "USD" } },
      { name: "bare", key: "k2" }
    ]))
    expect(s15!.price).toEqual({ perThousand: 24.5, currency: "USD", confidence: "configured" })
    expect(s16!.price).toEqual({ perThousand: 200, currency: "USD", confidence: "unconfirmed", version: "2023-05-01" })
    expect(mine!.price).toEqual({ perThousand: 0, currency: "USD", confidence: "configured" })
    expect(bare!.price).toBeUndefined()
  })

  it("refuses a bad price, naming the tier and the field, and priced tiers in two currencies", () => {
    const priced = (price: unknown) => failure(json([{ name: "S15", key: secret, price }]))
    expect(priced(-2)).toMatchObject({
      path: [0, "price"],
      detail: expect.stringMatching(/^tier S15: "price" must be a number >= 0/)
    })
    expect(priced("25")).toMatchObject({ path: [0, "price"] })
    // 1e999 is valid JSON for Infinity
    expect(failure(`[{ "name": "S15", "key": "${secret}", "price": 1e999 }]`)).toMatchObject({ path: [0, "price"] })
    expect(priced({ perThousand: null })).toMatchObject({ path: [0, "price", "perThousand"] })
    expect(priced({ perThousand: 1, currency: "dollars" })).toMatchObject({
      path: [0, "price", "currency"],
      detail: `tier S15: price.currency must be a three-letter code such as "USD"`
    })
    expect(priced({ perThousand: 1, cents: 5 })).toMatchObject({
      path: [0, "price", "cents"],
      detail: `tier S15: unknown price field "cents" (use perThousand, currency)`
    })
    expect(failure(json([
      { name: "S15", key: secret, price: { perThousand: 20, currency: "EUR" } },
      { name: "S16", key: `${secret}-16` }
    ]))).toMatchObject({
      path: [1, "price"],
      detail: `tier S16: its price is in USD and tier S15's in EUR: give every priced tier a "price" in one currency`
    })
  })

  it("accepts { tiers: [...] }, and a tier's own endpoint", () => {
    const [tier] = ok(json({ tiers: [{ name: "S15", key: "k", endpoint: "https://bing.example/base" }] }))
    expect(tier!.endpoint).toBe("https://bing.example/base")
  })

  it("prefers key over keyEnv, and never reads process.env", () => {
    process.env["TIERSFILE_TEST_ONLY_IN_PROCESS_ENV"] = "from-process"
    try {
      const [tier] = ok(json([{ name: "S15", key: "inline", keyEnv: "BING_KEY_S15" }]))
      expect(Redacted.value(tier!.key)).toBe("inline")
      const error = failure(json([{ name: "S15", keyEnv: "TIERSFILE_TEST_ONLY_IN_PROCESS_ENV" }]))
      expect(error.detail).toBe("tier S15: the environment variable TIERSFILE_TEST_ONLY_IN_PROCESS_ENV is not set")
    } finally {
      delete process.env["TIERSFILE_TEST_ONLY_IN_PROCESS_ENV"]
    }
  })

  it.each<[string, string, string, ReadonlyArray<string | number>]>([
    ["not JSON", `[{"name":"S15","key":"${secret}"} x]`, "is not valid JSON (", []],
    ["not an array", json({ name: "S15" }), "must be a JSON array of tiers, e.g. [{\"name\":\"S15\"", []],
    ["empty", "[]", "names no tier", []],
    ["an entry that is not an object", json(["S15"]), "tier #1 must be an object", [0]],
    ["an unknown field", json([{ name: "S15", key: secret, kee: 1 }]), `tier #1 has an unknown field "kee"`, [
      0,
      "kee"
    ]],
    ["no name", json([{ key: secret }]), `tier #1 needs a "name"`, [0, "name"]],
    ["a blank name", json([{ name: " ", key: secret }]), `tier #1 needs a "name"`, [0, "name"]],
    ["an empty key", json([{ name: "S15", key: "" }]), `tier S15: "key" must be a non-empty string`, [0, "key"]],
    ["a key that is not a string", json([{ name: "S15", key: 5 }]), `tier S15: "key" must be a non-empty string`, [
      0,
      "key"
    ]],
    [
      "a keyEnv that is not a string",
      json([{ name: "S15", keyEnv: 1 }]),
      `tier S15: "keyEnv" must name an environment variable`,
      [0, "keyEnv"]
    ],
    [
      "an unset variable",
      json([{ name: "S15", keyEnv: "NOPE" }]),
      "tier S15: the environment variable NOPE is not set",
      [0, "keyEnv"]
    ],
    [
      "an empty variable",
      json([{ name: "S15", keyEnv: "EMPTY" }]),
      "tier S15: the environment variable EMPTY is not set",
      [0, "keyEnv"]
    ],
    ["no key at all", json([{ name: "S15" }]), `tier S15 needs a "key" or a "keyEnv"`, [0]],
    [
      "an endpoint that is not a string",
      json([{ name: "S15", key: secret, endpoint: 1 }]),
      `tier S15: "endpoint" must be a string`,
      [0, "endpoint"]
    ],
    [
      "limits that are not an object",
      json([{ name: "S15", key: secret, limits: 5 }]),
      `tier S15: "limits" must be an object`,
      [0, "limits"]
    ],
    [
      "an unknown limit",
      json([{ name: "S15", key: secret, limits: { perHour: 5 } }]),
      `tier S15: unknown limit "perHour" (use perSecond, perDay, perMonth)`,
      [0, "limits", "perHour"]
    ],
    [
      "a limit that is not a positive integer",
      json([{ name: "S15", key: secret, limits: { perDay: 1.5 } }]),
      "tier S15: limits.perDay must be a positive integer",
      [0, "limits", "perDay"]
    ],
    [
      "a name the tracker refuses",
      json([{ name: "my tier", key: secret }]),
      `tier name "my tier" must not contain braces or spaces`,
      [0]
    ],
    [
      "a blank key",
      json([{ name: "S15", key: "   " }]),
      "tier S15: the subscription key is empty",
      [0]
    ],
    [
      "a name twice",
      json([{ name: "S15", key: secret }, { name: "S15", keyEnv: "BING_KEY_S16" }]),
      "tier S15 appears twice",
      [1, "name"]
    ]
  ])("refuses %s: message names the entry and field, path locates it", (_, text, detail, path) => {
    const error = failure(text)
    expect(error.detail.startsWith(detail), error.detail).toBe(true)
    expect(error.message).toBe(`tiers.json: ${error.detail}`)
    expect(error.source).toBe("tiers.json")
    expect(error.path).toEqual(path)
  })

  it("locates errors inside { tiers: [...] } under tiers", () => {
    expect(failure(json({ tiers: [{ name: "S15" }] })).path).toEqual(["tiers", 0])
  })

  it("never shows the text of invalid JSON, whatever V8 quotes of it", () => {
    for (
      const text of [
        `x{"key":"${secret}"}`,
        `[{"key":${secret}}]`,
        `[{"name":"S15","key":"${secret}"}, tru]`,
        `[{"name":"S15","key":"${secret}`
      ]
    ) {
      expect(failure(text).detail).toMatch(/^is not valid JSON \(/)
    }
    // a message that quotes nothing is kept whole
    expect(failure(`[{"key":"${secret}"} x]`).detail).toMatch(
      /^is not valid JSON \(Expected ',' or ']' after array element in JSON at position 38\b/
    )
    expect(failure(`x{"key":"${secret}"}`).detail).toBe("is not valid JSON (Unexpected token)")
  })

  it("checks a tier's endpoint at the URL level by default, without repeating the URL", () => {
    const at = (endpoint: string) => failure(json([{ name: "S15", key: "k", endpoint }])).detail
    expect(at(`not a url ${secret}`)).toBe(`tier S15: "endpoint" is not an absolute URL`)
    expect(at(`ftp://bing.example/${secret}`)).toBe(`tier S15: "endpoint" must be an https:// URL`)
    expect(at(`https://user:${secret}@bing.example`)).toBe(`tier S15: "endpoint" must not carry credentials`)
    expect(at(`https://bing.example/?subscription-key=${secret}`)).toBe(
      `tier S15: "endpoint" must not carry a query or a fragment`
    )
    expect(at(`https://bing.example/#${secret}`)).toBe(`tier S15: "endpoint" must not carry a query or a fragment`)
    // plain HTTP is the sender's rule, not the file's
    expect(ok(json([{ name: "S15", key: "k", endpoint: "http://bing.example" }]))[0]!.endpoint).toBe(
      "http://bing.example"
    )
  })

  it("uses the caller's endpoint check instead, when given", () => {
    const seen: Array<string> = []
    const checkEndpoint = (endpoint: string) => {
      seen.push(endpoint)
      return endpoint.startsWith("http://") ? "\"endpoint\" is plain http" : undefined
    }
    const error = failure(json([{ name: "S15", key: "k", endpoint: "http://127.0.0.1:1" }]), {
      ...options,
      checkEndpoint
    })
    expect(error.detail).toBe(`tier S15: "endpoint" is plain http`)
    expect(ok(json([{ name: "S15", key: "k", endpoint: "ftp://x" }]), { ...options, checkEndpoint })[0]!.endpoint)
      .toBe("ftp://x")
    expect(seen).toEqual(["http://127.0.0.1:1", "ftp://x"])
  })
})

describe("TiersFile.fromJson", () => {
  it("reads an already parsed document with the same rules", () => {
    const tiers = TiersFile.fromJson([{ name: "S16", keyEnv: "BING_KEY_S16" }], options)
    expect(Result.isSuccess(tiers) && tiers.success[0]!.name).toBe("S16")
    const error = TiersFile.fromJson([{ name: "S16", keyEnv: "BING_KEY_S16", extra: true }], options)
    expect(Result.isFailure(error) && error.failure.path).toEqual([0, "extra"])
  })
})
