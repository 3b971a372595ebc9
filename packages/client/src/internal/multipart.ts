/**
 * The `multipart/form-data` body of a Visual Search request (RFC 7578): a `knowledgeRequest` part
 * (JSON) and/or an `image` part (the bytes, `filename="image"` as Bing's documentation asks). Built
 * safely: the boundary is random and drawn again in the (astronomically unlikely) case that it
 * occurs in a part, the media type was checked by the schema (no line breaks can reach a header),
 * and nothing from the caller is written into a header but that media type.
 */
/** A request body and its content type. */
export interface RequestBody {
  readonly contentType: string
  readonly bytes: Uint8Array
}

/** One part: its form name, its bytes, and for a file its media type. */
export interface Part {
  readonly name: "knowledgeRequest" | "image"
  readonly bytes: Uint8Array
  readonly type?: string | undefined
}

const encoder = new TextEncoder()

/** Whether `needle` occurs in `haystack` (a naive search: boundaries are short, parts at most 1 MB). */
const contains = (haystack: Uint8Array, needle: Uint8Array): boolean => {
  const first = needle[0]
  outer: for (
    let i = haystack.indexOf(first!);
    i >= 0 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first!, i + 1)
  ) {
    for (let k = 1; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer
    return true
  }
  return false
}

/** A fresh boundary: 18 random bytes in hex (Web Crypto, so no Node module is needed). */
const freshBoundary = (): string => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18))
  return `bing-effect-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** The whole body of `parts`, in order, and its `multipart/form-data; boundary=…` content type. */
export const encode = (parts: ReadonlyArray<Part>): RequestBody => {
  let boundary = freshBoundary()
  while (parts.some((p) => contains(p.bytes, encoder.encode(boundary)))) boundary = freshBoundary()
  const chunks: Array<Uint8Array> = []
  for (const part of parts) {
    const disposition = part.name === "image"
      ? `form-data; name="image"; filename="image"`
      : `form-data; name="knowledgeRequest"`
    const type = part.type === undefined ? "" : `Content-Type: ${part.type}\r\n`
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`))
    chunks.push(part.bytes)
    chunks.push(encoder.encode("\r\n"))
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`))
  return { contentType: `multipart/form-data; boundary=${boundary}`, bytes: concat(chunks) }
}
