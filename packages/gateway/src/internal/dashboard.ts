/**
 * The dashboard's static side: `GET /_gateway/` (the page) and `GET /_gateway/assets/<file>` (its
 * script and style, and uPlot's). The files are built into `dist/assets/` by the package's build
 * (`src/dashboard/`, uPlot copied from node_modules) and shipped in the package: a user runs no
 * build step. They hold no data: the page reads `/_gateway/history` (or `/_gateway/status`) with
 * the admin token the user gives it, so serving them needs no authentication.
 *
 * - The page: `cache-control: no-cache` with an ETag, and a strict Content-Security-Policy (no
 *   inline script or style, no other origin, no form submission, no framing). Its asset URLs carry
 *   the content's hash (`assets/dashboard.js?v=<hash>`).
 * - An asset asked for with its current hash is `immutable` for a year; without it (or with an old
 *   one) it is revalidated by ETag. `If-None-Match` gets a 304; gzip when the caller accepts it.
 * - Only the files listed here are served, whatever the path says: no path ever reaches the file
 *   system.
 *
 * The files are read once, at the first request, and kept in memory (about 80 KB).
 */
import * as Effect from "effect/Effect"
import type { HttpServerRequest } from "effect/http"
import { HttpServerResponse } from "effect/http"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

export const paths = { page: "/_gateway/", assets: "/_gateway/assets/" } as const

/** The served files and their content types; `index.html` is the page. */
export const files: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
  "uPlot.iife.min.js": "text/javascript; charset=utf-8",
  "uPlot.min.css": "text/css; charset=utf-8",
  "uPlot.LICENSE.txt": "text/plain; charset=utf-8"
}

/**
 * The page's policy: its own scripts, styles and API only. `style-src 'self'` still lets a script
 * set `element.style` (uPlot sizes its canvas that way); it forbids `<style>` and `style=""`.
 * `form-action 'none'`: the login form is read by the script and never submitted, so a token can
 * never end up in a URL even if the script did not run.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer"
}

interface Asset {
  readonly body: Uint8Array
  readonly gzip: Uint8Array
  readonly contentType: string
  /** The first 16 hex digits of the body's SHA-256. */
  readonly hash: string
  readonly etag: string
}

type Assets = ReadonlyMap<string, Asset>

/**
 * Where the built files are: `dist/assets/` beside the bundle (`dist/index.js`, `dist/bin.js`),
 * or, for this module run from its source (the tests), the package's `dist/assets/`.
 */
const directory = (): string | undefined =>
  ["./assets/", "../../dist/assets/"]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(`${dir}index.html`))

const hashOf = (body: Uint8Array) => createHash("sha256").update(body).digest("hex").slice(0, 16)

const asset = (body: Uint8Array, contentType: string): Asset => {
  const hash = hashOf(body)
  return { body, gzip: gzipSync(body), contentType, hash, etag: `"${hash}"` }
}

/** Reads the files; the page's asset references get their hash (`assets/x.js` -> `assets/x.js?v=<hash>`). */
export const load = (dir: string | undefined = directory()): Assets => {
  const assets = new Map<string, Asset>()
  if (dir === undefined) return assets
  for (const [name, contentType] of Object.entries(files)) {
    if (name === "index.html" || !existsSync(`${dir}${name}`)) continue
    assets.set(name, asset(readFileSync(`${dir}${name}`), contentType))
  }
  let html = readFileSync(`${dir}index.html`, "utf8")
  for (const [name, a] of assets) html = html.replaceAll(`"assets/${name}"`, `"assets/${name}?v=${a.hash}"`)
  assets.set("index.html", asset(Buffer.from(html, "utf8"), files["index.html"]!))
  return assets
}

const notFound = () =>
  HttpServerResponse.jsonUnsafe({ error: "not found" }, { status: 404, headers: { "cache-control": "no-store" } })

const methodNotAllowed = () =>
  HttpServerResponse.jsonUnsafe({ error: "method not allowed" }, {
    status: 405,
    headers: { "cache-control": "no-store", allow: "GET" }
  })

const matches = (ifNoneMatch: string | undefined, etag: string) =>
  ifNoneMatch !== undefined && ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)

const answer = (
  request: HttpServerRequest.HttpServerRequest,
  a: Asset,
  headers: Record<string, string>
): HttpServerResponse.HttpServerResponse => {
  const common = { ...securityHeaders, ...headers, etag: a.etag, vary: "accept-encoding" }
  if (matches(request.headers["if-none-match"], a.etag)) {
    return HttpServerResponse.empty({ status: 304, headers: common })
  }
  const gzip = /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")
  return HttpServerResponse.uint8Array(gzip ? a.gzip : a.body, {
    contentType: a.contentType,
    headers: gzip ? { ...common, "content-encoding": "gzip" } : common
  })
}

export interface Dashboard {
  /** Answers `/_gateway/` and `/_gateway/assets/*` (`path` without its query); `undefined` for any other path. */
  readonly handle: (
    request: HttpServerRequest.HttpServerRequest,
    path: string
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse> | undefined
}

/** The dashboard's routes; the files are read at the first request (`dir`: for tests). */
export const make = (options: { readonly dir?: string | undefined } = {}): Dashboard => {
  let assets: Assets | undefined
  const get = Effect.sync(() => (assets ??= load(options.dir ?? directory())))
  return {
    handle: (request, path) => {
      const isPage = path === paths.page
      if (!isPage && !path.startsWith(paths.assets)) return undefined
      if (request.method !== "GET") return Effect.succeed(methodNotAllowed())
      const name = isPage ? "index.html" : path.slice(paths.assets.length)
      return Effect.map(get, (all) => {
        const a = Object.hasOwn(files, name) ? all.get(name) : undefined
        if (a === undefined) return notFound()
        if (isPage) {
          return answer(request, a, {
            "cache-control": "no-cache",
            "content-security-policy": contentSecurityPolicy,
            "x-frame-options": "DENY"
          })
        }
        const q = request.url.indexOf("?")
        const version = q === -1 ? null : new URLSearchParams(request.url.slice(q + 1)).get("v")
        return answer(request, a, {
          "cache-control": version === a.hash ? "public, max-age=31536000, immutable" : "no-cache"
        })
      })
    }
  }
}
