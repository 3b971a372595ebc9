import { BingClient } from "@bing-effect/client"
import { describe, expect, it } from "vitest"

describe("BingClient.isInsecureEndpoint", () => {
  it("is true for plain http, except to a loopback host when allowed", () => {
    expect(BingClient.isInsecureEndpoint("http://api.example.com/v7.0")).toBe(true)
    expect(BingClient.isInsecureEndpoint("http://127.0.0.1:8080")).toBe(true)
    expect(BingClient.isInsecureEndpoint("http://127.0.0.1:8080", { allowInsecureLoopback: true })).toBe(false)
    expect(BingClient.isInsecureEndpoint("http://LOCALHOST:1", { allowInsecureLoopback: true })).toBe(false)
    expect(BingClient.isInsecureEndpoint("http://[::1]:1", { allowInsecureLoopback: true })).toBe(false)
    expect(BingClient.isInsecureEndpoint("http://api.example.com", { allowInsecureLoopback: true })).toBe(true)
  })

  it("is false for https and for what is not a usable URL (validateOptions reports those)", () => {
    expect(BingClient.isInsecureEndpoint("https://api.bing.microsoft.com/v7.0")).toBe(false)
    expect(BingClient.isInsecureEndpoint("not a url")).toBe(false)
    expect(BingClient.isInsecureEndpoint("ftp://example.com")).toBe(false)
  })
})
