// After the retirement (2025-08-11): the 410 Gone answer, as a mode and per key, and keys that a
// reseller takes as `Authorization: Bearer <key>`.
/* oxlint-disable no-underscore-dangle -- `_type` is the field name of Bing's JSON */
import { BingResponse } from "@bing-effect/schema"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

// Microsoft's body, verbatim ("12." in docs/bing-v7-reference.md).
const gone =
  "{\"error\":{\"code\":\"Gone\",\"message\":\"The requested API endpoint is no longer available. This Bing service has been retired. More information at https://aka.ms/BingAPIsRetirement.\"}}"

let bing: Emulator.EmulatorHandle
beforeAll(async () => {
  bing = await Emulator.start({
    keys: [
      { name: "live", key: "key-live" },
      { name: "old", key: "key-old", retired: true },
      { name: "reseller", key: "key-bearer", auth: "bearer" }
    ]
  })
})
afterAll(async () => {
  await bing.stop()
})

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

describe("the retired service", () => {
  it("retired mode answers every request 410 with Microsoft's body, key or not, known path or not", async () => {
    const h = await Emulator.start({ retired: true })
    try {
      for (
        const [path, key] of [
          ["/v7.0/search?q=x", "emulator-test-key"],
          ["/v7.0/images/search?q=x", undefined],
          ["/v7.0/news/search?q=x", "whatever"]
        ] as const
      ) {
        const r = await get(`${h.url}${path}`, key === undefined ? {} : { key })
        expect(r.status, path).toBe(410)
        expect(r.text, path).toBe(gone)
        expect(r.headers.get("content-type")).toMatch(/^application\/json/)
        expect(r.json()._type).toBeUndefined()
      }
      expect(h.usage("default").served).toBe(0)
    } finally {
      await h.stop()
    }
  })

  it("a retired key gets 410 Gone, decoded by the schema as ServiceRetired (not HttpNotAllowed)", async () => {
    const r = await get(`${bing.url}/v7.0/search?q=x`, { key: "key-old" })
    expect(r.status).toBe(410)
    expect(r.text).toBe(gone)
    const e = BingResponse.decodeError({ status: r.status, headers: Object.fromEntries(r.headers), body: r.text })
    expect(e._tag).toBe("ServiceRetired")
    expect((await get(`${bing.url}/v7.0/search?q=x`, { key: "key-live" })).status).toBe(200)
    expect(bing.keys.find((k) => k.name === "old")).toMatchObject({ retired: true, auth: "subscription-key" })
  })
})

describe("Authorization: Bearer keys", () => {
  it("a bearer key is served with Authorization: Bearer, in any case of the scheme", async () => {
    const r = await get(`${bing.url}/v7.0/search?q=tides`, { headers: bearer("key-bearer") })
    expect(r.status).toBe(200)
    expect((await get(`${bing.url}/v7.0/images/trending`, { headers: { Authorization: "bearer key-bearer" } })).status)
      .toBe(200)
    expect(bing.usage("reseller").served).toBe(2)
  })

  it("is refused the Bing way (401 AuthorizationMissing), and a Bing key as a bearer token too", async () => {
    for (
      const init of [
        { key: "key-bearer" },
        { headers: bearer("key-live") },
        { headers: { Authorization: "Basic a2V5LWJlYXJlcg==" } }
      ]
    ) {
      const r = await get(`${bing.url}/v7.0/search?q=x`, init)
      expect(r.status, JSON.stringify(init)).toBe(401)
      expect(r.json().errors[0], JSON.stringify(init)).toMatchObject({
        code: "InvalidAuthorization",
        subCode: "AuthorizationMissing"
      })
    }
  })

  it("a bearer token together with a subscription key is AuthorizationRedundancy", async () => {
    const r = await get(`${bing.url}/v7.0/search?q=x`, { key: "key-live", headers: bearer("key-bearer") })
    expect(r.status).toBe(401)
    expect(r.json().errors[0].subCode).toBe("AuthorizationRedundancy")
    const q = await get(`${bing.url}/v7.0/search?q=x&subscription-key=key-live`, { headers: bearer("key-bearer") })
    expect(q.json().errors[0].subCode).toBe("AuthorizationRedundancy")
  })
})
