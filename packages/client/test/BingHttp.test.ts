/**
 * `BingHttp` (@bing-effect/client/undici), over real sockets on 127.0.0.1: the emulator, and a
 * hostile HTTPS "Bing" (self-signed certificate made for this run) that redirects, sends too much,
 * never answers or echoes the key. A `BingClient` on `BingHttp` drives undici's dispatch directly;
 * it must behave as over any other HttpClient: no redirect followed (even by a dispatcher with a
 * redirect interceptor), the size bound, the timeout on the live clock and on the TestClock,
 * interruption aborting the request, TLS verified, the key scrubbed. `BingHttp` is also a plain
 * `HttpClient`, and a client derived from it (`mapRequest`) keeps its own behaviour.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { execFile } from "node:child_process"
import type { ServerResponse } from "node:http"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { Agent, interceptors } from "undici"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { BingClient, ResponseRefused, TransportError } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { BingHttp } from "../src/undici.js"
import { KEY, realSleep, useEmulator, waitUntil } from "./fixtures.js"
import { answerSearch, httpServer, httpsServer, makeCertificate, searchBody, type Seen } from "./hostile.js"

const emu = useEmulator()
const tls = makeCertificate()
const zeros = Buffer.alloc(64 * 1024)

type Mode = "ok" | "redirect" | "huge" | "endless" | "silent" | "echo" | "split"
let mode: Mode = "ok"
let bing: Seen
let target: Seen
let plain: Seen
/** The queries of requests never answered in full whose connection was closed. */
const closedUnanswered: Array<string | null> = []
const closedFor = (q: string) => closedUnanswered.filter((x) => x === q).length

/** Writes zeros until the client goes away (bounded: at most 1 GiB). */
const endless = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" })
  let sent = 0
  const pump = () => {
    while (sent < 1024 * 1024 * 1024 && !res.destroyed) {
      sent += zeros.length
      if (!res.write(zeros)) return void res.once("drain", pump)
    }
    res.end()
  }
  res.on("close", () => res.removeAllListeners("drain"))
  pump()
}

beforeAll(async () => {
  target = await httpServer((_req, res) => answerSearch(res))
  bing = await httpsServer(tls, (req, res) => {
    // Responses that never finish: closed before the end, it is the client that closed the connection.
    if (mode === "huge" || mode === "endless" || mode === "silent") {
      res.on("close", () => {
        if (!res.writableFinished) closedUnanswered.push(new URL(req.url ?? "", "http://x").searchParams.get("q"))
      })
    }
    switch (mode) {
      case "ok":
        return answerSearch(res, { "x-msedge-clientid": "server-id-1" })
      case "redirect":
        res.writeHead(302, { location: `${target.url}/v7.0/search?q=x`, "content-length": 0 })
        return res.end()
      case "huge":
        res.writeHead(200, { "content-type": "application/json", "content-length": 100 * 1000 * 1000 })
        return res.write(zeros)
      case "endless":
        return endless(res)
      case "silent":
        // never answers; the client's timeout or interruption must end the attempt (and close the connection)
        return
      case "split": {
        // a BOM, then the body in two writes that cut "–" (three bytes in UTF-8) in the middle
        const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(searchBody("a – b"))])
        const cut = bytes.indexOf(Buffer.from("–")) + 1
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": bytes.length })
        res.write(bytes.subarray(0, cut))
        return void setTimeout(() => res.end(bytes.subarray(cut)), 20)
      }
      case "echo":
        // a server echoing the key in a header and in the body
        return answerSearch(res, { "x-msedge-clientid": `id-${req.headers["ocp-apim-subscription-key"]}` }, KEY)
    }
  })
  // A plain HTTP server for BingHttp as an HttpClient of its own: echoes what it got.
  plain = await httpServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      if (req.url === "/empty") {
        res.writeHead(204)
        return res.end()
      }
      const body = JSON.stringify({
        method: req.method,
        body: Buffer.concat(chunks).toString(),
        x: req.headers["x-test"]
      })
      res.writeHead(201, { "content-type": "application/json", "x-many": ["a=1", "b=2"] })
      res.end(body)
    })
  })
})
afterAll(async () => {
  await Promise.all([bing.close(), target.close(), plain.close()])
  tls.remove()
})
beforeEach(() => {
  mode = "ok"
  for (const s of [bing, target]) {
    s.requests.length = 0
  }
})

const trusted = BingHttp.layerOptions({ connect: { ca: tls.cert } })

const options = (more: Partial<BingClient.Options> = {}): BingClient.Options => ({
  key: Redacted.make(KEY),
  endpoint: bing.url,
  retry: { baseDelay: 1, maxDelay: 2 },
  ...more
})

const withBing = (more: Partial<BingClient.Options> = {}, http: Layer.Layer<HttpClient.HttpClient> = trusted) =>
  Effect.provide(BingClient.layer(options(more)).pipe(Layer.provide(http)))

describe("BingClient over BingHttp", () => {
  it.live("the emulator: typed results and metadata; Bing's errors typed and retried", () =>
    Effect.gen(function*() {
      const client = yield* BingClient.BingClient
      const first = yield* client.webSearch({ q: "effect typescript", count: 3, mkt: "en-GB" })
      assert.strictEqual(first.value._type, "SearchResponse")
      assert.isAtMost(first.value.webPages?.value.length ?? 0, 3)
      assert.strictEqual(first.meta.status, 200)
      assert.strictEqual(first.meta.market, "en-GB")
      assert.isString(first.meta.traceId)
      assert.isString(first.meta.clientId)
      const images = yield* client.imageSearch({ q: "sailing", count: 2 })
      assert.strictEqual(images.value._type, "Images")
      const [logged] = emu.current.requests(1)
      assert.strictEqual(logged?.keyName, "main")
      // an error body is read and decoded like a result: a 429 is retried, a 401 is not
      emu.current.injectFault({ match: { count: 1 }, fault: { kind: "error", code: "RateLimitExceeded", status: 429 } })
      const retried = yield* client.webSearch({ q: "busy" })
      assert.strictEqual(retried.meta.attempts, 2)
      emu.current.injectFault({
        match: { count: 1 },
        fault: { kind: "error", code: "InvalidAuthorization", status: 401 }
      })
      const refused = yield* Effect.flip(client.webSearch({ q: "refused" }))
      assert.strictEqual(refused._tag, "InvalidAuthorization")
      assert.strictEqual(BingClient.attemptsOf(refused), 1)
    }).pipe(
      Effect.provide(
        BingClient.layer({
          key: Redacted.make(KEY),
          endpoint: emu.current.url,
          allowInsecureLoopback: true,
          retry: { baseDelay: 1, maxDelay: 2 }
        }).pipe(
          Layer.provide(BingHttp.layer)
        )
      )
    ))

  it.live("HTTPS with a trusted certificate works; with an untrusted one the attempt fails as ConnectionFailed", () =>
    Effect.gen(function*() {
      const client = yield* BingClient.BingClient
      const ok = yield* client.webSearch({ q: "x" })
      assert.strictEqual(ok.meta.status, 200)
      assert.strictEqual(ok.meta.clientId, "server-id-1")
      // the id Bing returned is sent with the next call
      yield* client.webSearch({ q: "y" })
      assert.isUndefined(bing.requests[0]?.headers["x-msedge-clientid"])
      assert.strictEqual(bing.requests[1]?.headers["x-msedge-clientid"], "server-id-1")
      assert.strictEqual(bing.requests[1]?.headers["ocp-apim-subscription-key"], KEY)
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }).pipe(withBing({}, BingHttp.layer)))
      assert.instanceOf(error, TransportError.ConnectionFailed)
      assert.strictEqual((error as TransportError.ConnectionFailed).phase, "request")
      assert.notInclude(`${error.message} ${JSON.stringify(error)}`, KEY)
    }).pipe(withBing()))

  it.live("a plain http:// endpoint that is not loopback is refused before anything is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        BingClient.webSearch({ q: "x" }).pipe(withBing({ endpoint: "http://example.com" }))
      )
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual(BingClient.attemptsOf(error), 0)
    }))

  it.live("a connection refused is ConnectionFailed in the request phase, retried, the key kept out", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        BingClient.webSearch({ q: "x" }).pipe(
          withBing({ endpoint: "http://127.0.0.1:9", allowInsecureLoopback: true, retry: { maxAttempts: 2 } })
        )
      )
      assert.instanceOf(error, TransportError.ConnectionFailed)
      assert.strictEqual((error as TransportError.ConnectionFailed).phase, "request")
      assert.include(error.message, "127.0.0.1:9")
      assert.strictEqual(BingClient.attemptsOf(error), 2)
    }))
})

describe("BingHttp: no redirect is followed", () => {
  const following = () =>
    new Agent({ connect: { ca: tls.cert } }).compose(interceptors.redirect({ maxRedirections: 3 }))

  it.live("a 302 is RedirectRefused; the target gets nothing", () =>
    Effect.gen(function*() {
      mode = "redirect"
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }).pipe(withBing()))
      assert.instanceOf(error, ResponseRefused.RedirectRefused)
      const refused = error as ResponseRefused.RedirectRefused
      assert.strictEqual(refused.status, 302)
      assert.strictEqual(refused.target, target.url)
      assert.isFalse(refused.followed)
      assert.strictEqual(BingClient.attemptsOf(refused), 1)
      assert.strictEqual(bing.requests.length, 1)
      assert.strictEqual(target.requests.length, 0)
    }))

  it.live("not even through a dispatcher with undici's redirect interceptor (direct and derived clients)", () =>
    Effect.gen(function*() {
      mode = "redirect"
      const dispatcher = following()
      const direct = yield* Effect.flip(
        BingClient.webSearch({ q: "x" }).pipe(withBing({}, BingHttp.layerDispatcher(dispatcher)))
      )
      assert.instanceOf(direct, ResponseRefused.RedirectRefused)
      // a client derived from BingHttp's takes the generic path: BingHttp's request refuses as well
      const derived = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(Effect.service(HttpClient.HttpClient), HttpClient.mapRequest((r) => r))
      ).pipe(Layer.provide(BingHttp.layerDispatcher(dispatcher)))
      const generic = yield* Effect.flip(BingClient.webSearch({ q: "x" }).pipe(withBing({}, derived)))
      assert.instanceOf(generic, ResponseRefused.RedirectRefused)
      assert.isFalse((generic as ResponseRefused.RedirectRefused).followed)
      assert.strictEqual(bing.requests.length, 2)
      assert.strictEqual(target.requests.length, 0)
      yield* Effect.promise(() => dispatcher.destroy())
    }))
})

describe("BingHttp: the response body is bounded", () => {
  for (const hostile of ["huge", "endless"] as const) {
    it.live(`a ${hostile === "huge" ? "100 MB" : "never-ending"} 200 fails at once with ResponseTooLarge, and the socket is closed`, () =>
      Effect.gen(function*() {
        mode = hostile
        const started = Date.now()
        const error = yield* Effect.flip(BingClient.webSearch({ q: hostile }))
        assert.instanceOf(error, ResponseRefused.ResponseTooLarge)
        const tooLarge = error as ResponseRefused.ResponseTooLarge
        assert.strictEqual(tooLarge.maxResponseBytes, BingClient.defaultMaxResponseBytes)
        assert.strictEqual(tooLarge.status, 200)
        assert.strictEqual(BingClient.attemptsOf(tooLarge), 1)
        assert.strictEqual(bing.requests.length, 1, "not retried")
        assert.isBelow(Date.now() - started, 5_000)
        // while the client (and its undici Agent) is still alive: the bound itself closed it
        yield* waitUntil(() => closedFor(hostile) === 1, "the client to close the connection")
      }).pipe(withBing()))
  }

  it.live("the bound is the configured one: a 16 KB emulator answer over a 4 KB bound fails", () =>
    Effect.gen(function*() {
      const layer = (maxResponseBytes?: number) =>
        BingClient.layer({
          key: Redacted.make(KEY),
          endpoint: emu.current.url,
          allowInsecureLoopback: true,
          maxResponseBytes
        }).pipe(Layer.provide(BingHttp.layer))
      const small = yield* Effect.flip(
        BingClient.webSearch({ q: "effect typescript" }).pipe(Effect.provide(layer(4096)))
      )
      assert.instanceOf(small, ResponseRefused.ResponseTooLarge)
      assert.strictEqual((small as ResponseRefused.ResponseTooLarge).maxResponseBytes, 4096)
      const { meta } = yield* BingClient.webSearch({ q: "effect typescript" }).pipe(Effect.provide(layer()))
      assert.strictEqual(meta.status, 200)
    }))
})

describe("BingHttp: timeout and interruption", () => {
  it.live("a server that never answers: RequestTimeout on the live clock, each attempt's connection closed", () =>
    Effect.gen(function*() {
      mode = "silent"
      const error = yield* Effect.flip(BingClient.webSearch({ q: "timed out" }))
      assert.instanceOf(error, TransportError.RequestTimeout)
      assert.strictEqual((error as TransportError.RequestTimeout).timeoutMs, 150)
      assert.strictEqual(BingClient.attemptsOf(error), 2)
      // while the client (and its undici Agent) is still alive: the timeout itself closed them
      yield* waitUntil(() => closedFor("timed out") === 2, "both attempts' connections to be closed")
    }).pipe(withBing({ timeout: "150 millis", retry: { maxAttempts: 2 } })))

  it.effect("under the TestClock only virtual time ends the attempt", () =>
    Effect.gen(function*() {
      mode = "silent"
      const fiber = yield* Effect.forkChild(Effect.flip(BingClient.webSearch({ q: "virtual" })))
      yield* waitUntil(() => bing.requests.length === 1, "the request")
      yield* realSleep(50)
      assert.isUndefined(fiber.pollUnsafe())
      // a minute of virtual time: a real timer would hold the test far past its own timeout
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, TransportError.RequestTimeout)
      assert.strictEqual((error as TransportError.RequestTimeout).timeoutMs, 60_000)
      yield* waitUntil(() => closedFor("virtual") === 1, "the connection to be closed")
    }).pipe(withBing({ timeout: "1 minute", retry: { maxAttempts: 1 } })))

  it.live("interrupting the call aborts the request in flight", () =>
    Effect.gen(function*() {
      mode = "silent"
      const fiber = yield* Effect.forkChild(BingClient.webSearch({ q: "interrupted" }))
      yield* waitUntil(() => bing.requests.length === 1, "the request")
      yield* Fiber.interrupt(fiber)
      yield* waitUntil(() => closedFor("interrupted") === 1, "the connection to be closed")
    }).pipe(withBing({ timeout: "Infinity" })))

  it("Promise API: an aborted signal aborts the request", async () => {
    mode = "silent"
    const client = createClient({ ...options(), httpClient: trusted })
    try {
      const controller = new AbortController()
      const pending = client.webSearch({ q: "aborted" }, { signal: controller.signal }).catch((e: unknown) => e)
      await Effect.runPromise(waitUntil(() => bing.requests.length === 1, "the request"))
      controller.abort(new Error("enough"))
      assert.strictEqual(((await pending) as Error).message, "enough")
      await Effect.runPromise(waitUntil(() => closedFor("aborted") === 1, "the connection to be closed"))
    } finally {
      await client.close()
    }
  })
})

describe("BingHttp: redaction", () => {
  it.live("a key echoed in a header and in the body is scrubbed from the result and the remembered id", () =>
    Effect.gen(function*() {
      mode = "echo"
      const client = yield* BingClient.BingClient
      const { value, meta } = yield* client.webSearch({ q: "x" })
      assert.strictEqual(value.queryContext?.originalQuery, "<redacted>")
      assert.strictEqual(meta.clientId, "id-<redacted>")
      assert.notInclude(JSON.stringify({ value, meta }), KEY)
      const remembered = yield* client.clientId()
      assert.strictEqual(remembered._tag === "Some" ? remembered.value : undefined, "id-<redacted>")
    }).pipe(withBing()))
})

describe("BingHttp: the body's text", () => {
  it.live("UTF-8 cut between two reads and a leading BOM decode as Bing sent them", () =>
    Effect.gen(function*() {
      mode = "split"
      const client = yield* BingClient.BingClient
      const { value } = yield* client.webSearch({ q: "x" })
      assert.strictEqual(value.queryContext?.originalQuery, "a – b")
    }).pipe(withBing()))
})

describe("BingHttp as a plain HttpClient", () => {
  it.live("sends method, headers and body; reads status, repeated headers and body; 204 has none", () =>
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const posted = yield* http.execute(
        HttpClientRequest.post(`${plain.url}/echo`).pipe(
          HttpClientRequest.setHeader("x-test", "yes"),
          HttpClientRequest.bodyText("hello")
        )
      )
      assert.strictEqual(posted.status, 201)
      assert.deepStrictEqual(yield* posted.json, { method: "POST", body: "hello", x: "yes" })
      assert.strictEqual(posted.headers["x-many"], "a=1, b=2")
      assert.strictEqual(posted.url, `${plain.url}/echo`)
      const empty = yield* http.get(`${plain.url}/empty`)
      assert.strictEqual(empty.status, 204)
      assert.strictEqual(yield* empty.text, "")
      const head = yield* http.head(`${plain.url}/echo`)
      assert.strictEqual(head.status, 201)
    }).pipe(Effect.provide(BingHttp.layer)))

  it.live("a client derived with mapRequest keeps its behaviour (the BingClient does not bypass it)", () =>
    Effect.gen(function*() {
      const derived = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(
          Effect.service(HttpClient.HttpClient),
          HttpClient.mapRequest(HttpClientRequest.setHeader("x-extra", "kept"))
        )
      ).pipe(Layer.provide(trusted))
      const { meta } = yield* BingClient.webSearch({ q: "x" }).pipe(withBing({}, derived))
      assert.strictEqual(meta.status, 200)
      assert.strictEqual(bing.requests[0]?.headers["x-extra"], "kept")
    }))
})

describe("undici stays behind the subpath", () => {
  // In a plain Node process, through the built exports map, as a user would import the package.
  const cwd = fileURLToPath(new URL("..", import.meta.url))
  const importing = (entry: string) =>
    promisify(execFile)(process.execPath, [
      "--input-type=module",
      "-e",
      `import { registerHooks } from "node:module"
      registerHooks({ resolve(specifier, context, next) {
        if (specifier === "undici") throw new Error("undici was imported")
        return next(specifier, context)
      } })
      await import(${JSON.stringify(entry)})
      console.log("loaded")`
    ], { cwd, encoding: "utf8", timeout: 20_000 }).then((r) => r.stdout.trim(), (e: Error) => e.message)

  it("the main and /promise entries never import undici; /undici does", async () => {
    assert.strictEqual(await importing("@bing-effect/client"), "loaded")
    assert.strictEqual(await importing("@bing-effect/client/promise"), "loaded")
    assert.include(await importing("@bing-effect/client/undici"), "undici was imported")
  })
})
