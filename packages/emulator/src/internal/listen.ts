/**
 * Sockets: a plain `node:http` server, or with TLS one port that serves both HTTPS and plain HTTP
 * (the first byte of a connection tells a TLS handshake from HTTP, so plain requests can get
 * Bing's 410). Parser-level failures get a Bing error, never a crash.
 */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse
} from "node:http"
import { createServer as createHttps, type Server as HttpsServer } from "node:https"
import { createServer as createNet, type Server as NetServer, type Socket } from "node:net"
import type { Duplex } from "node:stream"
import type { Wire } from "./wire.js"

export interface Listening {
  readonly port: number
  readonly host: string
  readonly secure: boolean
  close(): Promise<void>
}

export interface ListenOptions {
  readonly port: number
  readonly host: string
  readonly tls?: { readonly cert: string; readonly key: string } | undefined
  readonly handle: (req: IncomingMessage, res: ServerResponse, secure: boolean) => void
  readonly malformed: () => Wire
  readonly traceId: () => string
  /** Deadlines of a connection; {@link defaultTimeouts} when absent (tests set short ones). */
  readonly timeouts?: Timeouts | undefined
}

/** How long a client may take, the same with and without TLS. */
export interface Timeouts {
  /** Until a request's headers are in; also the deadline of a connection's first byte and of a TLS handshake. */
  readonly headersMs: number
  /** Until the whole request is in. */
  readonly requestMs: number
  /** Between requests on a kept-alive connection. */
  readonly idleMs: number
  /** How often Node checks the header and request deadlines. */
  readonly checkEveryMs: number
}

/** Checked every second: Node's default of 30 s would let a 10 s deadline run to 40 s. */
export const defaultTimeouts: Timeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 5_000, checkEveryMs: 1_000 }

const serverOptions = (t: Timeouts) => ({
  maxHeaderSize: 16 * 1024,
  requestTimeout: t.requestMs,
  headersTimeout: t.headersMs,
  keepAliveTimeout: t.idleMs,
  connectionsCheckingInterval: t.checkEveryMs
})

const answerClientError = (opts: ListenOptions) => (err: NodeJS.ErrnoException, socket: Duplex): void => {
  if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy()
  const wire = opts.malformed()
  const head = [`HTTP/1.1 ${wire.status} Bad Request`]
  for (let i = 0; i < wire.headers.length; i += 2) head.push(`${wire.headers[i]}: ${wire.headers[i + 1]}`)
  head.push(`Content-Length: ${wire.body.length}`, `BingAPIs-TraceId: ${opts.traceId()}`, "Connection: close")
  const headers = Buffer.from(`${head.join("\r\n")}\r\n\r\n`)
  // The answer to a HEAD has no body, even this one: a client would read the body as garbage
  // after the answer (Node's parser fails with HPE_CLOSED_CONNECTION and reports no answer).
  socket.end(isHead(err) ? headers : Buffer.concat([headers, wire.body]))
}

/** Whether the request the parser refused was a HEAD (Node hands over the bytes it was parsing). */
const isHead = (err: NodeJS.ErrnoException): boolean => {
  const raw = (err as { readonly rawPacket?: unknown }).rawPacket
  return Buffer.isBuffer(raw) && raw.subarray(0, 5).toString("latin1") === "HEAD "
}

const guard = (opts: ListenOptions, secure: boolean) => (req: IncomingMessage, res: ServerResponse): void => {
  try {
    opts.handle(req, res, secure)
  } catch {
    // a bug must not take the server down; answer like an overloaded Bing would
    if (!res.headersSent) {
      res.writeHead(500, { "Content-Type": "text/plain" })
      res.end("emulator internal error")
    } else res.destroy()
  }
}

const listenOn = (server: NetServer | HttpServer, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e)
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      const addr = server.address()
      resolve(typeof addr === "object" && addr !== null ? addr.port : port)
    })
  })

const closeServer = (server: NetServer | HttpServer | HttpsServer): Promise<void> =>
  new Promise((resolve) => {
    if ("closeAllConnections" in server) server.closeAllConnections()
    server.close(() => resolve())
  })

export const listen = async (opts: ListenOptions): Promise<Listening> => {
  const timeouts = opts.timeouts ?? defaultTimeouts
  const http = createHttp(serverOptions(timeouts), guard(opts, false))
  http.on("clientError", answerClientError(opts))
  if (opts.tls === undefined) {
    const port = await listenOn(http, opts.port, opts.host)
    return { port, host: opts.host, secure: false, close: () => closeServer(http) }
  }
  // a TLS handshake gets the time the headers would get
  const https = createHttps({
    ...serverOptions(timeouts),
    handshakeTimeout: timeouts.headersMs,
    cert: opts.tls.cert,
    key: opts.tls.key
  }, guard(opts, true))
  https.on("clientError", answerClientError(opts))
  https.on("tlsClientError", (_err, socket) => socket.destroy())
  // These two servers never listen: the front socket hands them their connections. Node starts the
  // checks of the header and request deadlines when a server starts listening, so start them here,
  // or slow and idle connections would never be closed.
  http.emit("listening")
  https.emit("listening")
  const sockets = new Set<Socket>()
  const front = createNet((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
    // until the first byte tells HTTPS from HTTP, no server's deadline covers the socket
    const silent = () => socket.destroy()
    socket.setTimeout(timeouts.headersMs, silent)
    socket.once("data", (chunk: Buffer) => {
      socket.setTimeout(0)
      socket.off("timeout", silent)
      socket.pause()
      socket.unshift(chunk)
      ;(chunk[0] === 0x16 ? https : http).emit("connection", socket)
      process.nextTick(() => socket.resume())
    })
  })
  const port = await listenOn(front, opts.port, opts.host)
  return {
    port,
    host: opts.host,
    secure: true,
    close: async () => {
      for (const s of sockets) s.destroy()
      await Promise.all([closeServer(front), closeServer(http), closeServer(https)])
    }
  }
}
