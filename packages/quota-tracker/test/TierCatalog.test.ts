import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { Tier, TierCatalog } from "../src/index.js"

const key = Redacted.make("secret-key")

describe("TierCatalog", () => {
  it("lists every public tier with values and confidence", () => {
    expect(TierCatalog.names).toEqual([
      "F1",
      "S1",
      "S2",
      "S3",
      "S4",
      "S5",
      "S6",
      "S7",
      "S8",
      "S9",
      "S15",
      "S16",
      "S17",
      "S18"
    ])
    expect(TierCatalog.entries.F1.perSecond).toEqual({ value: 3, confidence: "secondary" })
    expect(TierCatalog.entries.F1.perMonth).toEqual({ value: 1000, confidence: "secondary" })
    expect(TierCatalog.entries.S15.perDay).toEqual({ value: 1_000_000, confidence: "documented" })
    expect(TierCatalog.entries.S17.perDay.confidence).toBe("unconfirmed")
    for (const name of TierCatalog.names) {
      const entry = TierCatalog.entries[name]
      for (const v of [entry.perSecond, entry.perDay, entry.perMonth, entry.pricePer1000]) {
        expect(["documented", "secondary", "unconfirmed"]).toContain(v.confidence)
      }
    }
  })

  it("builds a tier with the key and the catalogue's limits", () => {
    const s15 = TierCatalog.tier("S15", { key, endpoint: "http://127.0.0.1:9999" })
    expect(s15.name).toBe("S15")
    expect(s15.limits).toEqual({ perSecond: undefined, perDay: 1_000_000, perMonth: undefined })
    expect(s15.endpoint).toBe("http://127.0.0.1:9999")
    expect(Redacted.value(s15.key)).toBe("secret-key")
    expect(String(s15.key)).not.toContain("secret-key")
    expect(JSON.stringify(s15)).not.toContain("secret-key")
  })

  it("lets every value be overridden or dropped", () => {
    const f1 = TierCatalog.tier("F1", {
      key,
      overrides: { perSecond: 5, perMonth: undefined, perDay: 100 },
      name: "free"
    })
    expect(f1).toMatchObject({ name: "free", limits: { perSecond: 5, perMonth: undefined, perDay: 100 } })
    expect(Tier.validate(f1)).toBeUndefined()
  })

  it("carries a versioned price table, newest first, with the limits' confidence", () => {
    expect(TierCatalog.priceTable.version).toBe("2023-05-01")
    expect(TierCatalog.priceTables.map((t) => t.version)).toEqual(["2023-05-01", "before-2023-05-01"])
    expect(TierCatalog.priceTable.prices.S1).toEqual({ value: 25, confidence: "secondary" })
    expect(TierCatalog.priceTable.prices.S15).toEqual({ value: 28, confidence: "unconfirmed" })
    expect(TierCatalog.priceTable.prices.S16).toEqual({ value: 200, confidence: "unconfirmed" })
    expect(TierCatalog.priceTable.prices.S17).toEqual({ value: undefined, confidence: "unconfirmed" })
    for (const table of TierCatalog.priceTables) {
      for (const name of TierCatalog.names) {
        expect(["documented", "secondary", "unconfirmed"]).toContain(table.prices[name].confidence)
      }
    }
    // the entries' price is the current table's
    expect(TierCatalog.entries.S2.pricePer1000).toBe(TierCatalog.priceTable.prices.S2)
    expect(TierCatalog.price("S1")).toEqual({
      perThousand: 25,
      currency: "USD",
      confidence: "secondary",
      version: "2023-05-01"
    })
    expect(TierCatalog.price("S1", { version: "before-2023-05-01" })?.perThousand).toBe(7)
    expect(TierCatalog.price("S17")).toBeUndefined()
    expect(TierCatalog.price("S1", { version: "1999" })).toBeUndefined()
  })

  it("gives a catalogue tier the current price unless another is given", () => {
    expect(TierCatalog.tier("S15", { key }).price).toEqual({
      perThousand: 28,
      currency: "USD",
      confidence: "unconfirmed",
      version: "2023-05-01"
    })
    expect(TierCatalog.tier("S18", { key }).price).toBeUndefined()
    const mine = { perThousand: 21.5, currency: "EUR", confidence: "configured" } as const
    expect(TierCatalog.tier("S15", { key, price: mine }).price).toEqual(mine)
  })

  it("knows its tier names", () => {
    expect(TierCatalog.isTierName("S16")).toBe(true)
    expect(TierCatalog.isTierName("S10")).toBe(false)
    expect(TierCatalog.isTierName("toString")).toBe(false)
  })
})

describe("Tier.validate", () => {
  it("rejects bad names and limits", () => {
    expect(Tier.validate(Tier.make({ name: "", key }))).toMatch(/name/)
    expect(Tier.validate(Tier.make({ name: "a{b}", key }))).toMatch(/braces/)
    expect(Tier.validate(Tier.make({ name: "S1", key, limits: { perDay: 0 } }))).toMatch(/perDay/)
    expect(Tier.validate(Tier.make({ name: "S1", key, limits: { perSecond: 2.5 } }))).toMatch(/perSecond/)
    expect(Tier.validate(Tier.make({ name: "S1", key, limits: { perMonth: Number.NaN } }))).toMatch(/perMonth/)
    expect(Tier.limitOf(Tier.make({ name: "S1", key, limits: { perDay: 3 } }), "day")).toBe(3)
  })

  it("rejects a negative or non-finite price and a currency that is not a code", () => {
    const priced = (perThousand: number, currency = "USD") =>
      Tier.validate(Tier.make({ name: "S1", key, price: { perThousand, currency, confidence: "configured" } }))
    expect(priced(0)).toBeUndefined()
    expect(priced(12.5)).toBeUndefined()
    expect(priced(-1)).toMatch(/price.perThousand/)
    expect(priced(Number.POSITIVE_INFINITY)).toMatch(/price.perThousand/)
    expect(priced(1, "usd")).toMatch(/price.currency/)
  })

  it("rejects an empty or whitespace-only key, and a key that is not Redacted, without showing it", () => {
    for (const raw of ["", " ", "\t\n  "]) {
      expect(Tier.validate(Tier.make({ name: "S15", key: Redacted.make(raw) }))).toBe(
        "tier S15: the subscription key is empty"
      )
    }
    const plain = "sk-plain-0123456789"
    const message = Tier.validate({ name: "S15", key: plain as unknown as Redacted.Redacted<string>, limits: {} })
    expect(message).toBe("tier S15: the key must be a Redacted string")
    expect(message).not.toContain(plain)
    expect(Tier.validate(Tier.make({ name: "S15", key }))).toBeUndefined()
  })
})
