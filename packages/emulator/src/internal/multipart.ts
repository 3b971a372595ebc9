/**
 * A bounded reader of `multipart/form-data` request bodies (RFC 7578), for Visual Search. It
 * buffers at most `limit` bytes and answers as soon as the body is over it (the rest is never
 * kept), so that an oversized upload gets its 400 at once instead of filling memory; a body it
 * cannot read (no boundary, a part without its headers, no closing delimiter) is a typed failure,
 * never an exception.
 */
import type { IncomingMessage } from "node:http"

/** One part: its `name`, optional `filename` and `Content-Type`, and its bytes. */
export interface Part {
  readonly name: string
  readonly filename: string | undefined
  readonly type: string | undefined
  readonly body: Buffer
}

export type ReadFailure = "not-multipart" | "malformed" | "too-large"

export type ReadResult =
  | { readonly ok: true; readonly parts: ReadonlyMap<string, Part> }
  | { readonly ok: false; readonly reason: ReadFailure }

/** The boundary of a `multipart/form-data` content type (quoted or not), or undefined. */
export const boundaryOf = (contentType: string): string | undefined => {
  if (!/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType)
  return m === null ? undefined : (m[1] ?? m[2])
}

const CRLF = Buffer.from("\r\n")
const HEADER_END = Buffer.from("\r\n\r\n")

/** The parameter `name` of a `Content-Disposition` header value. */
const dispositionParam = (value: string, name: string): string | undefined => {
  const m = new RegExp(`;\\s*${name}="([^"]*)"|;\\s*${name}=([^\\s;"]+)`, "i").exec(value)
  return m === null ? undefined : (m[1] ?? m[2])
}

/**
 * The parts of a whole body. Without a boundary in the content type (a client that sets
 * `Content-Type: multipart/form-data` by hand), the boundary is taken from the body's first line,
 * as servers commonly do. The first part of a repeated name counts.
 */
export const parse = (body: Buffer, contentType: string): ReadResult => {
  let boundary = boundaryOf(contentType)
  if (boundary === undefined) {
    if (!/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return { ok: false, reason: "not-multipart" }
    const eol = body.indexOf(CRLF)
    const first = eol < 0 ? "" : body.subarray(0, eol).toString("latin1")
    if (!/^--[^\s]{1,70}$/.test(first)) return { ok: false, reason: "malformed" }
    boundary = first.slice(2)
  }
  const delimiter = Buffer.from(`--${boundary}`, "latin1")
  const parts = new Map<string, Part>()
  let at = body.indexOf(delimiter)
  if (at < 0) return { ok: false, reason: "malformed" }
  for (;;) {
    at += delimiter.length
    // the closing delimiter
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return { ok: true, parts }
    // transport padding, then the line break after a delimiter
    while (body[at] === 0x20 || body[at] === 0x09) at++
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) return { ok: false, reason: "malformed" }
    at += 2
    const headerEnd = body.indexOf(HEADER_END, at)
    // a part with no header lines starts with its blank line directly
    const bare = body[at] === 0x0d && body[at + 1] === 0x0a
    if (headerEnd < 0 && !bare) return { ok: false, reason: "malformed" }
    const headerText = bare ? "" : body.subarray(at, headerEnd).toString("latin1")
    const contentStart = bare ? at + 2 : headerEnd + 4
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), contentStart - 2)
    if (next < 0) return { ok: false, reason: "malformed" }
    let disposition: string | undefined
    let type: string | undefined
    for (const line of headerText.split("\r\n")) {
      const colon = line.indexOf(":")
      if (colon < 0) return { ok: false, reason: "malformed" }
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      if (name === "content-disposition") disposition = value
      else if (name === "content-type") type = value
    }
    const name = disposition === undefined || !/^form-data\b/i.test(disposition)
      ? undefined
      : dispositionParam(disposition, "name")
    if (name === undefined) return { ok: false, reason: "malformed" }
    if (!parts.has(name)) {
      parts.set(name, {
        name,
        filename: disposition === undefined ? undefined : dispositionParam(disposition, "filename"),
        type,
        body: body.subarray(contentStart, Math.max(contentStart, next))
      })
    }
    at = next + 2
  }
}

/**
 * Reads a request's body up to `limit` bytes and parses it. `done` is called once: with the parts,
 * or with the reason they could not be read (`too-large` as soon as the limit is passed; the
 * caller answers, and the connection closes afterwards, so the rest is never read into memory).
 */
export const read = (req: IncomingMessage, limit: number, done: (result: ReadResult) => void): void => {
  const contentType = String(req.headers["content-type"] ?? "")
  const declared = Number(req.headers["content-length"] ?? Number.NaN)
  let finished = false
  const finish = (result: ReadResult) => {
    if (finished) return
    finished = true
    done(result)
  }
  if (declared > limit) {
    req.resume()
    return finish({ ok: false, reason: "too-large" })
  }
  const chunks: Array<Buffer> = []
  let size = 0
  req.on("data", (chunk: Buffer) => {
    if (finished) return
    size += chunk.length
    if (size > limit) {
      chunks.length = 0
      return finish({ ok: false, reason: "too-large" })
    }
    chunks.push(chunk)
  })
  req.on("end", () => finish(parse(Buffer.concat(chunks), contentType)))
  req.on("error", () => finish({ ok: false, reason: "malformed" }))
}
