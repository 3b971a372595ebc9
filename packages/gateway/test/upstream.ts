/**
 * A scripted upstream on a real socket, for what the emulator does not show: the request headers
 * that reached it, pass-through of response headers, a body that is not JSON, and an upstream that
 * echoes the key it was sent.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"

export type Mode = "echo" | "leak" | "garbage" | "empty" | "html-as-json"

export interface Scripted {
  readonly url: string
  mode: Mode
  readonly seen: Array<{ readonly url: string; readonly headers: IncomingHttpHeaders }>
  stop(): Promise<void>
}

export const start = async (): Promise<Scripted> => {
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = []
  const state = { mode: "echo" as Mode }
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers })
    const key = String(req.headers["ocp-apim-subscription-key"] ?? "")
    if (state.mode === "garbage") {
      res.writeHead(200, { "Content-Type": "text/html" }).end("<html>not json</html>")
      return
    }
    if (state.mode === "empty") {
      res.writeHead(200, { "Content-Type": "application/json" }).end()
      return
    }
    if (state.mode === "html-as-json") {
      res.writeHead(200, { "Content-Type": "application/json" }).end("<html>not json at all</html>")
      return
    }
    const body = state.mode === "leak"
      ? `{"_type":"News","echoed":${JSON.stringify(key)},"escaped":"${
        [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")
      }"}`
      : JSON.stringify({ _type: "News", value: [{ name: "news item", url: "https://example.com/a" }] })
    res.writeHead(200, {
      "Content-Type": "application/json; charset=utf-8",
      "BingAPIs-TraceId": "SCRIPTEDTRACE01",
      "BingAPIs-Market": state.mode === "leak" ? `en-US ${key}` : "en-US",
      "X-MSEdge-ClientID": "UPSTREAMCLIENTID",
      "Retry-After": "7",
      "X-Upstream-Private": "not for callers",
      "Set-Cookie": "upstream=1"
    }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode
    },
    set mode(m: Mode) {
      state.mode = m
    },
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
