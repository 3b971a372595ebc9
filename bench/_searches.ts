/**
 * What the client benchmarks ask the emulator (`_emulator.ts`) for: the key, the queries, and two
 * response shapes. About 2 KB (top 3 web pages only, the body size of the perf anchors) and about
 * 16 KB (the emulator's full default answer: web pages, images, news, videos, related searches):
 * decoding cost grows with the body.
 */
import type { BingClient } from "@bing-effect/client"

export const KEY = "bench-secret-key"

export const queries = Array.from({ length: 16 }, (_, i) => `effect typescript ${i}`)

export interface Shape {
  /** Short: "~2 KB". */
  readonly name: string
  /** What the body holds, for a table's heading. */
  readonly description: string
  /** The client's parameters besides `q`. */
  readonly params: Omit<BingClient.WebSearchInput, "q">
  /** The same parameters as query text, for the loops that build their own URL. */
  readonly query: string
}

export const shapes: ReadonlyArray<Shape> = [
  {
    name: "~2 KB",
    description: "~2 KB body (responseFilter=Webpages, count=3)",
    params: { count: 3, responseFilter: ["Webpages"] },
    query: "&count=3&responseFilter=Webpages"
  },
  { name: "~16 KB", description: "~16 KB body (full default answer)", params: {}, query: "" }
]
