/**
 * Hostile servers for the redirect and body scenarios, on 127.0.0.1 only: a throwaway self-signed
 * certificate (openssl, for this run), HTTP/HTTPS servers that record every connection and request,
 * and the bodies an attacker would send (endless, 100 MB, a gzip bomb built by streaming zeros
 * through gzip, so the bomb never sits uncompressed in memory).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createServer as createHttps } from "node:https"
import type { AddressInfo, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createGzip } from "node:zlib"

export interface Certificate {
  readonly certPath: string
  readonly cert: string
  readonly key: string
  readonly remove: () => void
}

/** A certificate for 127.0.0.1 and localhost, valid one day. */
export const makeCertificate = (): Certificate => {
  const dir = mkdtempSync(join(tmpdir(), "bing-reliability-tls-"))
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
  return {
    certPath,
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** What a server saw. */
export interface Recorded {
  readonly url: string
  readonly port: number
  connections: number
  closed: number
  /** Bytes of response body written, across requests. */
  written: number
  readonly requests: Array<{ readonly url: string; readonly headers: IncomingMessage["headers"] }>
  readonly reset: () => void
  readonly close: () => Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Recorded) => void

const listen = async (server: Server, scheme: "http" | "https", handler: Handler): Promise<Recorded> => {
  const sockets = new Set<Socket>()
  const seen: Recorded = {
    url: "",
    port: 0,
    connections: 0,
    closed: 0,
    written: 0,
    requests: [],
    reset: () => {
      seen.connections = 0
      seen.closed = 0
      seen.written = 0
      seen.requests.length = 0
    },
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

export const httpServer = (handler: Handler): Promise<Recorded> => listen(createHttp(), "http", handler)

export const httpsServer = (tls: Certificate, handler: Handler): Promise<Recorded> =>
  listen(createHttps({ cert: tls.cert, key: tls.key }), "https", handler)

/** The smallest answer the Web Search decoder accepts. */
export const answerSearch = (res: ServerResponse): void => {
  const body = JSON.stringify({ _type: "SearchResponse", queryContext: { originalQuery: "x" } })
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const MiB = 1024 * 1024
const zeros = Buffer.alloc(64 * 1024)

/**
 * Writes zeros with back-pressure until `total` bytes are sent or the client goes away (so an
 * "endless" body is bounded too: `total` is 8 GiB for it).
 */
export const pumpZeros = (res: ServerResponse, seen: Recorded, total: number): void => {
  let sent = 0
  const pump = () => {
    while (sent < total && !res.destroyed) {
      const n = Math.min(zeros.length, total - sent)
      sent += n
      seen.written += n
      if (!res.write(n === zeros.length ? zeros : zeros.subarray(0, n))) return void res.once("drain", pump)
    }
    if (!res.destroyed) res.end()
  }
  res.on("close", () => res.removeAllListeners("drain"))
  pump()
}

export const endlessBytes = 8 * 1024 * MiB

/**
 * `copies` × 64 MiB of zeros as one gzip body (about 64 KB per copy on the wire): one member is
 * compressed once and repeated, since gunzip reads concatenated members as one stream.
 */
export const gzipBomb = (copies: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 })
    const out: Array<Buffer> = []
    gzip.on("data", (chunk: Buffer) => out.push(chunk))
    gzip.on("end", () => {
      const member = Buffer.concat(out)
      resolve(Buffer.concat(Array.from({ length: copies }, () => member)))
    })
    gzip.on("error", reject)
    const chunk = Buffer.alloc(MiB)
    let left = 64
    const write = () => {
      while (left > 0) {
        left--
        if (!gzip.write(chunk)) return void gzip.once("drain", write)
      }
      gzip.end()
    }
    write()
  })
