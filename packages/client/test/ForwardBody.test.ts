/**
 * A forwarded form body loses its `subscription-key` fields, as the forwarded query does: the key
 * goes in the header, never in what the upstream reads. Other bodies and other fields stay as
 * they came, byte for byte.
 */
import { describe, expect, it } from "vitest"
import { withoutKeyFields } from "../src/internal/forward.js"

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const form = "application/x-www-form-urlencoded"

describe("forward's body", () => {
  it("a form's subscription-key fields are dropped whatever their spelling; other bytes stay", () => {
    const plain = { bytes: bytes("text=a%20b&mode=spell"), contentType: form }
    expect(withoutKeyFields(plain)).toBe(plain)
    const keyed = { bytes: bytes("text=a&Subscription-Key=k1&%73ubscription-key=k2&mode=spell"), contentType: form }
    expect(text(withoutKeyFields(keyed).bytes)).toBe("text=a&mode=spell")
  })

  it("a body that is not a form is left as it is", () => {
    const multipart = { bytes: bytes("subscription-key=k1"), contentType: "multipart/form-data; boundary=x" }
    expect(withoutKeyFields(multipart)).toBe(multipart)
  })
})
