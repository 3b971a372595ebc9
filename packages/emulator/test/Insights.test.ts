// Image Insights (`GET /images/details`) and Visual Search (`POST /images/visualsearch`) over a
// real socket: tokens of Image Search resolving to the same image, modules, the multipart body
// (token, URL, upload, crop, site filter), Bing's 400 bodies, bounded reading, and quotas.
import { ImageInsights } from "@bing-effect/schema"
import * as Result from "effect/Result"
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get, raw } from "./support.js"

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0)
let bing: Emulator.EmulatorHandle

beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "i", key: "key-i" }, { name: "daily", key: "key-daily", limits: { perDay: 3 } }],
    startTime: T0,
    clock: "frozen"
  })
})
afterAll(async () => {
  await bing.stop()
})

const at = (path: string, key = "key-i") => get(`${bing.url}${path}`, { key })

const BOUNDARY = "boundary_1234-abcd"

/** A multipart body as the documentation writes it (CRLF line breaks). */
const multipart = (parts: ReadonlyArray<{ name: string; body: string | Buffer; filename?: string; type?: string }>) =>
  Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${
          p.filename === undefined ? "" : `; filename="${p.filename}"`
        }\r\n${p.type === undefined ? "" : `Content-Type: ${p.type}\r\n`}\r\n`
      ),
      typeof p.body === "string" ? Buffer.from(p.body) : p.body,
      Buffer.from("\r\n")
    ]),
    Buffer.from(`--${BOUNDARY}--\r\n`)
  ])

const visual = async (
  body: Buffer | string,
  options: { path?: string; key?: string; type?: string } = {}
) => {
  const res = await fetch(`${bing.url}${options.path ?? "/v7.0/images/visualsearch?mkt=en-us"}`, {
    method: "POST",
    headers: {
      "Ocp-Apim-Subscription-Key": options.key ?? "key-i",
      "Content-Type": options.type ?? `multipart/form-data; boundary=${BOUNDARY}`
    },
    body
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
}

const knowledge = (imageInfo: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  multipart([{ name: "knowledgeRequest", body: JSON.stringify({ imageInfo, ...extra }) }])

const firstImage = async (q = "espresso coffee") => (await at(`/v7.0/images/search?q=${enc(q)}&count=3`)).json().value
const enc = encodeURIComponent

describe("GET /images/details", () => {
  it("resolves a token Image Search issued to the same image, under both prefixes", async () => {
    const [img, second] = await firstImage()
    for (const prefix of ["/v7.0", "/bing/v7.0"]) {
      const r = await at(`${prefix}/images/details?insightsToken=${enc(img.imageInsightsToken)}&modules=All`)
      expect(r.status).toBe(200)
      expect(r.headers.get("content-type")).toMatch(/^application\/json/)
      expect(r.headers.get("bingapis-market")).toBe("en-US")
      const body = r.json()
      expect(body._type).toBe("ImageInsights")
      expect(body.imageInsightsToken).toBe(img.imageInsightsToken)
      expect(body.imageCaption.dataSourceUrl).toBe(img.hostPageUrl)
      expect(body.pagesIncluding.value[0].contentUrl).toBe(img.contentUrl)
      expect(body.visuallySimilarImages.value.length).toBeGreaterThan(0)
      expect(body.relatedSearches.value[0]).toMatchObject({ text: expect.any(String), searchLink: expect.any(String) })
      expect(body.bestRepresentativeQuery.text).toEqual(expect.any(String))
      expect(body.imageTags.value.length).toBeGreaterThan(0)
      // All excludes RecognizedEntities (the documentation's words)
      expect(body.recognizedEntityGroups).toBeUndefined()
      expect(Result.isSuccess(ImageInsights.decodeImageInsights({ status: 200, headers: {}, body: r.text }))).toBe(true)
    }
    const other = (await at(`/v7.0/images/details?insightsToken=${enc(second.imageInsightsToken)}`)).json()
    expect(other.imageInsightsToken).toBe(second.imageInsightsToken)
    expect(other.imageCaption.dataSourceUrl).toBe(second.hostPageUrl)
  })

  it("resolves the token of an image of a query no corpus topic matches, from the token alone", async () => {
    const [img] = await firstImage("zyxwv quokka lantern")
    const r = await at(`/v7.0/images/details?insightsToken=${enc(img.imageInsightsToken)}&modules=Caption`)
    expect(r.status, r.text).toBe(200)
    expect(r.json().imageCaption.dataSourceUrl).toBe(img.hostPageUrl)
    const v = await visual(knowledge({ imageInsightsToken: img.imageInsightsToken }))
    expect(v.json().image.imageInsightsToken).toBe(img.imageInsightsToken)
  })

  it("returns only the modules asked for, deterministically", async () => {
    const [img] = await firstImage("tea")
    const path = `/v7.0/images/details?insightsToken=${enc(img.imageInsightsToken)}&modules=caption,RELATEDSEARCHES`
    const a = await at(path)
    expect(Object.keys(a.json()).sort()).toEqual(["_type", "imageCaption", "imageInsightsToken", "relatedSearches"])
    expect((await at(path)).text).toBe(a.text)
  })

  it("takes imgUrl instead: a corpus contentUrl names its image, any other URL a fixed one", async () => {
    const [img] = await firstImage()
    const byUrl = (await at(`/v7.0/images/details?imgUrl=${enc(img.contentUrl)}&modules=Caption`)).json()
    expect(byUrl.imageInsightsToken).toBe(img.imageInsightsToken)
    const elsewhere = `/v7.0/images/details?imgUrl=${enc("https://example.org/cat.jpg")}&modules=Tags`
    const one = await at(elsewhere)
    expect(one.status).toBe(200)
    expect(one.json().imageTags.value.length).toBeGreaterThan(0)
    expect((await at(elsewhere)).text).toBe(one.text)
  })

  it("answers Bing's 400 bodies: no image, bad modules, RecognizedEntities not alone, bad crop, unknown token", async () => {
    const missing = await at("/v7.0/images/details?modules=All")
    expect(missing.status).toBe(400)
    expect(missing.json()).toEqual({
      _type: "ErrorResponse",
      errors: [{
        code: "InvalidRequest",
        subCode: "ParameterMissing",
        message: "Required parameter is missing.",
        parameter: "insightsToken"
      }]
    })
    const cases = [
      ["insightsToken=x&modules=Caption,Bogus", "modules", "Caption,Bogus"],
      ["insightsToken=x&modules=RecognizedEntities,Tags", "modules", "RecognizedEntities,Tags"],
      ["insightsToken=x&cal=1.5", "cal", "1.5"],
      ["insightsToken=x&ct=2", "ct", "2"],
      ["imgUrl=ftp%3A%2F%2Fa%2Fb.jpg", "imgUrl", "ftp://a/b.jpg"],
      ["insightsToken=ccid_nothing*mid_0000000000000000000000000000000000000000", "insightsToken", undefined]
    ] as const
    for (const [query, parameter, value] of cases) {
      const r = await at(`/v7.0/images/details?${query}`)
      expect(r.status, query).toBe(400)
      const error = r.json().errors[0]
      expect(error, query).toMatchObject({ code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter })
      if (value !== undefined) expect(error.value, query).toBe(value)
    }
    // the crop box and ct=Rectangular (what Microsoft's SDK sends) are accepted
    const [img] = await firstImage()
    const cropped = await at(
      `/v7.0/images/details?insightsToken=${enc(img.imageInsightsToken)}&cal=0.1&cat=0&car=0.9&cab=1&ct=Rectangular`
    )
    expect(cropped.status).toBe(200)
  })
})

describe("POST /images/visualsearch", () => {
  it("answers ImageKnowledge for a token, with the default tag first and the token of the same image", async () => {
    const [img] = await firstImage()
    for (const prefix of ["/v7.0", "/bing/v7.0"]) {
      const r = await visual(knowledge({ imageInsightsToken: img.imageInsightsToken }), {
        path: `${prefix}/images/visualsearch?mkt=en-gb`
      })
      expect(r.status, r.text).toBe(200)
      expect(r.headers.get("bingapis-market")).toBe("en-GB")
      const body = r.json()
      expect(body._type).toBe("ImageKnowledge")
      expect(body.image.imageInsightsToken).toBe(img.imageInsightsToken)
      const [first, second] = body.tags
      expect(first.displayName).toBe("")
      expect(first.boundingBox).toBeUndefined()
      expect(first.actions.map((a: { actionType: string }) => a.actionType)).toEqual(
        expect.arrayContaining(["PagesIncluding", "VisualSearch", "RelatedSearches"])
      )
      expect(first.actions[0]).toMatchObject({ _type: "ImageModuleAction", data: { value: expect.any(Array) } })
      expect(second.displayName).not.toBe("")
      expect(second.boundingBox.queryRectangle.topLeft).toEqual({ x: expect.any(Number), y: expect.any(Number) })
      expect(Result.isSuccess(ImageInsights.decodeImageKnowledge({ status: 200, headers: {}, body: r.text })))
        .toBe(true)
    }
  })

  it("takes a URL, an uploaded image (same bytes, same answer), a crop area and a site filter", async () => {
    const [img] = await firstImage()
    const byUrl = (await visual(knowledge({ url: img.contentUrl }))).json()
    expect(byUrl.image.imageInsightsToken).toBe(img.imageInsightsToken)

    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256))
    const upload = () =>
      visual(multipart([{ name: "image", filename: "myimagefile.jpg", type: "image/jpeg", body: bytes }]))
    const once = await upload()
    expect(once.status, once.text).toBe(200)
    expect((await upload()).text).toBe(once.text)

    const crop = { top: 0.2, left: 0.3, bottom: 0.7, right: 0.6 }
    const cropped = await visual(
      multipart([
        { name: "knowledgeRequest", body: JSON.stringify({ imageInfo: { cropArea: crop } }) },
        { name: "image", filename: "image", type: "image/jpeg", body: bytes }
      ])
    )
    expect(cropped.status, cropped.text).toBe(200)
    expect(cropped.json().tags[1].boundingBox.queryRectangle).toEqual({
      topLeft: { x: 0.3, y: 0.2 },
      topRight: { x: 0.6, y: 0.2 },
      bottomRight: { x: 0.6, y: 0.7 },
      bottomLeft: { x: 0.3, y: 0.7 }
    })

    const site = new URL(img.hostPageUrl).hostname
    const filtered = (await visual(
      knowledge({ imageInsightsToken: img.imageInsightsToken }, { knowledgeRequest: { filters: { site } } })
    )).json()
    const similar = filtered.tags[0].actions.find((a: { actionType: string }) => a.actionType === "VisualSearch")
    expect(similar.data.value.length).toBeGreaterThan(0)
    for (const v of similar.data.value) expect(new URL(v.hostPageUrl).hostname).toBe(site)
  })

  it("answers typed 400s for a missing image, both url and token, bad JSON, a malformed body", async () => {
    const expectError = async (
      r: { status: number; json: () => any; text: string },
      subCode: string,
      parameter?: string
    ) => {
      expect(r.status, r.text).toBe(400)
      const body = r.json()
      expect(body._type).toBe("ErrorResponse")
      expect(body.errors[0]).toMatchObject({ code: "InvalidRequest", subCode })
      if (parameter !== undefined) expect(body.errors[0].parameter).toBe(parameter)
    }
    await expectError(await visual(knowledge({})), "ParameterMissing", "image")
    await expectError(
      await visual(knowledge({ url: "https://a.example/x.jpg", imageInsightsToken: "t" })),
      "ParameterInvalidValue",
      "knowledgeRequest"
    )
    await expectError(
      await visual(multipart([{ name: "knowledgeRequest", body: "{not json" }])),
      "ParameterInvalidValue",
      "knowledgeRequest"
    )
    await expectError(
      await visual(knowledge({ cropArea: { top: 2, left: 0, bottom: 1, right: 1 } })),
      "ParameterInvalidValue",
      "knowledgeRequest"
    )
    await expectError(await visual("--boundary_1234-abcd\r\nno headers here"), "ParameterInvalidValue")
    await expectError(await visual("{}", { type: "application/json" }), "ParameterInvalidValue")
    await expectError(
      await visual(knowledge({ url: "x" }), { path: "/v7.0/images/visualsearch?safeSearch=Maybe" }),
      "ParameterInvalidValue",
      "safeSearch"
    )
  })

  it("never crashes on mangled multipart bodies: each answer is a 200 or Bing's typed 400 (seeded fuzz)", async () => {
    let seed = 0x1badf00d
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed / 2 ** 32
    }
    const [img] = await firstImage()
    const valid = multipart([
      { name: "knowledgeRequest", body: JSON.stringify({ imageInfo: { imageInsightsToken: img.imageInsightsToken } }) },
      { name: "image", filename: "image", type: "image/jpeg", body: Buffer.alloc(64, 7) }
    ])
    const seen = new Set<number>()
    for (let round = 0; round < 150; round++) {
      const body = Buffer.from(valid)
      const cut = random() < 0.3 ? Math.floor(random() * body.length) : body.length
      for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
        body[Math.floor(random() * cut)] = Math.floor(random() * 256)
      }
      const type = random() < 0.1 ? "multipart/form-data" : `multipart/form-data; boundary=${BOUNDARY}`
      const r = await visual(body.subarray(0, cut), { type })
      seen.add(r.status)
      expect([200, 400], `round ${round}: ${r.text}`).toContain(r.status)
      const answer = r.json()
      if (r.status === 400) expect(answer.errors[0].code, `round ${round}`).toBe("InvalidRequest")
      else expect(answer._type).toBe("ImageKnowledge")
    }
    expect([...seen].sort()).toEqual([200, 400])
  })

  it("refuses a GET (only POST is allowed)", async () => {
    const r = await at("/v7.0/images/visualsearch")
    expect(r.status).toBe(400)
    expect(r.headers.get("allow")).toBe("POST")
  })

  it("answers an oversized upload with a 400 at once, without reading the rest, and keeps serving", async () => {
    const big = multipart([{ name: "image", filename: "big.jpg", type: "image/jpeg", body: Buffer.alloc(3 << 20, 1) }])
    const r = await visual(big)
    expect(r.status).toBe(400)
    expect(r.json().errors[0]).toMatchObject({ subCode: "ParameterInvalidValue", parameter: "image" })
    // a body that never ends (no Content-Length, chunks forever): answered once the limit passes
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${bing.url}/v7.0/images/visualsearch`, {
        method: "POST",
        headers: { "Ocp-Apim-Subscription-Key": "key-i", "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` }
      })
      const chunk = Buffer.alloc(64 * 1024, 2)
      let sent = 0
      const pump = () => {
        while (sent < 64 << 20 && req.write(chunk)) sent += chunk.length
        if (sent < 64 << 20) req.once("drain", pump)
      }
      req.on("response", (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
        req.destroy()
      })
      req.on("error", reject)
      pump()
    })
    expect(status).toBe(400)
    // a truncated body (the client stops mid-part) gets no answer but no crash: the emulator serves on
    const port = Number(new URL(bing.url).port)
    await raw(
      port,
      `POST /v7.0/images/visualsearch HTTP/1.1\r\nHost: x\r\nOcp-Apim-Subscription-Key: key-i\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 100000\r\n\r\n--${BOUNDARY}\r\n`,
      200
    )
    expect((await at("/v7.0/images/search?q=tea&count=1")).status).toBe(200)
  })

  it("counts quotas like the rest: a served request counts, the next over the limit is refused", async () => {
    const [img] = await firstImage()
    const token = enc(img.imageInsightsToken)
    expect((await at(`/v7.0/images/details?insightsToken=${token}`, "key-daily")).status).toBe(200)
    expect((await visual(knowledge({ imageInsightsToken: img.imageInsightsToken }), { key: "key-daily" })).status)
      .toBe(200)
    expect((await at(`/v7.0/images/details?insightsToken=${token}&modules=Tags`, "key-daily")).status).toBe(200)
    const refused = await visual(knowledge({ imageInsightsToken: img.imageInsightsToken }), { key: "key-daily" })
    expect(refused.status).toBe(403)
    expect(refused.json().errors[0].code).toBe("RateLimitExceeded")
    expect(bing.usage("daily").usage.day).toBe(3)
  })
})
