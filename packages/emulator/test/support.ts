// Shared helpers for the emulator's socket tests (no `.test.` infix: not a suite itself).
import { request as httpRequest } from "node:http"
import { connect } from "node:net"

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  json<A = any>(): A
}

/** GET through fetch with an optional subscription key header. */
export const get = async (
  url: string,
  init: { key?: string; headers?: Record<string, string>; method?: string } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...init.headers }
  if (init.key !== undefined) headers["Ocp-Apim-Subscription-Key"] = init.key
  const res = await fetch(url, { method: init.method ?? "GET", headers })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
}

/** Admin API call with the bearer token. */
export const admin = async (
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown
): Promise<Reply> => {
  const res = await fetch(`${base}/_emulator${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
}

/** Sends raw bytes and collects whatever comes back until the server closes (bounded by a timer). */
export const raw = (port: number, bytes: string | Buffer, timeoutMs = 2000): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    const chunks: Array<Buffer> = []
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.concat(chunks).toString("latin1"))
    }
    const timer = setTimeout(done, timeoutMs)
    socket.on("data", (c) => chunks.push(c))
    socket.on("close", done)
    socket.on("error", done)
    socket.write(bytes)
  })

/** node:http GET that resolves with the status, headers and the bytes received, or the error. */
export const nodeGet = (
  url: string,
  headers: Record<string, string> = {}
): Promise<{ status?: number; headers?: Record<string, unknown>; body: string; error?: Error }> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on(
        "end",
        () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })
      )
      res.on(
        "error",
        (error) =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            error
          })
      )
    })
    req.on("error", (error) => resolve({ body: Buffer.concat(chunks).toString("utf8"), error }))
    req.end()
  })
