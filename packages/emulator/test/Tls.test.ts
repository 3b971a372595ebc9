import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

// A throwaway self-signed certificate for 127.0.0.1, made with openssl for this run only.
const dir = mkdtempSync(join(tmpdir(), "bing-emulator-tls-"))
const certPath = join(dir, "cert.pem")
const keyPath = join(dir, "key.pem")
execFileSync("openssl", [
  "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1",
  "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"
], { stdio: "ignore" })
const ca = readFileSync(certPath, "utf8")

const httpsGet = (url: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { ca, headers, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (body += c))
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on("error", reject)
    req.end()
  })

let bing: Emulator.EmulatorHandle
const keys = [{ name: "k", key: "tls-key" }]

beforeAll(async () => {
  bing = await Emulator.start({ keys, tls: { cert: certPath, key: readFileSync(keyPath, "utf8") }, requireHttps: true })
})
afterAll(async () => {
  await bing.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe("TLS", () => {
  it("serves HTTPS with the given certificate (paths or PEM text)", async () => {
    expect(bing.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const r = await httpsGet(`${bing.url}/v7.0/search?q=coffee`, { "Ocp-Apim-Subscription-Key": "tls-key" })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)._type).toBe("SearchResponse")
    expect(r.headers["bingapis-market"]).toBe("en-US")
  })

  it("answers plain HTTP on the same port with 410 HttpNotAllowed", async () => {
    const plain = bing.url.replace("https://", "http://")
    const r = await get(`${plain}/v7.0/search?q=coffee`, { key: "tls-key" })
    expect(r.status).toBe(410)
    expect(r.json().errors[0]).toMatchObject({ code: "InvalidRequest", subCode: "HttpNotAllowed" })
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
  })

  it("serves plain HTTP too when HTTPS is not required", async () => {
    const h = await Emulator.start({ keys, tls: { cert: ca, key: readFileSync(keyPath, "utf8") } })
    try {
      const r = await get(`${h.url.replace("https://", "http://")}/v7.0/search?q=x`, { key: "tls-key" })
      expect(r.status).toBe(200)
    } finally {
      await h.stop()
    }
  })

  it("resolves relative TLS paths of a config file against the file's folder", async () => {
    const config = join(dir, "emulator.json")
    writeFileSync(config, JSON.stringify({ keys, tls: { cert: "cert.pem", key: "key.pem" }, requireHttps: true }))
    const options = await Emulator.loadConfig(config)
    expect(options.tls).toEqual({ cert: certPath, key: keyPath })
    const h = await Emulator.start(options)
    try {
      expect((await httpsGet(`${h.url}/v7.0/images/trending`, { "Ocp-Apim-Subscription-Key": "tls-key" })).status).toBe(200)
    } finally {
      await h.stop()
    }
    writeFileSync(config, JSON.stringify({ keys, unknownOption: true }))
    await expect(Emulator.loadConfig(config)).rejects.toMatchObject({ _tag: "EmulatorStartError" })
    writeFileSync(config, "{ not json")
    await expect(Emulator.loadConfig(config)).rejects.toMatchObject({ _tag: "EmulatorStartError" })
  })

  it("fails to start with unreadable TLS files", async () => {
    await expect(Emulator.start({ keys, tls: { cert: join(dir, "missing.pem"), key: keyPath } })).rejects.toMatchObject({ _tag: "EmulatorStartError" })
  })
})
