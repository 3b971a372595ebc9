/**
 * Hostile servers over real sockets on 127.0.0.1: a throwaway self-signed certificate made with
 * openssl, HTTPS and HTTP servers whose handler the test writes, and a record of every connection
 * and request each one received (to prove that a redirect target got nothing).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttps } from "node:https"
import type { AddressInfo, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A certificate for 127.0.0.1 and localhost, valid one day, in a temporary folder. */
export const makeCertificate = (): { readonly cert: string; readonly key: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "bing-client-tls-"))
  const certPath = join(dir, "cert.pem")
  const keyPath = join(dir, "key.pem")
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost"
  ], { stdio: "ignore" })
  const out = { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") }
  return { ...out, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** What a test server saw. */
export interface Seen {
  readonly url: string
  readonly port: number
  /** Connections accepted, and how many of them are closed by now. */
  connections: number
  closed: number
  readonly requests: Array<{ readonly url: string; readonly headers: IncomingMessage["headers"] }>
  readonly close: () => Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void

const listen = async (server: Server, scheme: "http" | "https", handler: Handler): Promise<Seen> => {
  const sockets = new Set<Socket>()
  const seen: Seen = {
    url: "",
    port: 0,
    connections: 0,
    closed: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
  server.on("connection", (socket: Socket) => {
    seen.connections++
    sockets.add(socket)
    socket.on("close", () => {
      seen.closed++
      sockets.delete(socket)
    })
  })
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    seen.requests.push({ url: req.url ?? "", headers: req.headers })
    handler(req, res, seen)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  Object.assign(seen, { port, url: `${scheme}://127.0.0.1:${port}` })
  return seen
}

/** An HTTP server on 127.0.0.1 with the given handler. */
export const httpServer = (handler: Handler): Promise<Seen> => listen(createHttp(), "http", handler)

/** An HTTPS server on 127.0.0.1 with the given certificate and handler. */
export const httpsServer = (tls: { readonly cert: string; readonly key: string }, handler: Handler): Promise<Seen> =>
  listen(createHttps({ cert: tls.cert, key: tls.key }), "https", handler)

/** The smallest body the Web Search decoder accepts. */
export const searchBody = (query = "x"): string =>
  JSON.stringify({ _type: "SearchResponse", queryContext: { originalQuery: query } })

/** Answers with a minimal Web Search response. */
export const answerSearch = (res: ServerResponse, headers: Record<string, string> = {}, query = "x"): void => {
  const body = searchBody(query)
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}
