/**
 * Throughput and latency of @bing-effect/emulator's `/v7.0/search` with a valid key (routing,
 * authentication, three quota windows, the request log and a 10-result body), side by side in one
 * run with a bare `node:http` server that returns a fixed body of the same size.
 * Target (issue 5): the emulator reaches at least half the bare server's requests per second.
 *
 * The servers run on the main thread; the load generator runs in a worker thread (its own event
 * loop): CONNECTIONS keep-alive sockets, each sending the next GET as soon as the previous answer is
 * complete (a minimal HTTP/1.1 client: far cheaper than `http.request`, so the servers, not the
 * client, are measured). Rounds alternate bare / emulator; medians are reported.
 *
 * Run after building:
 *   pnpm turbo run build --filter=@bing-effect/emulator... && node bench/emulator-http.ts [--min-ratio 0.5]
 * Env: BENCH_SECONDS (per round, default 3), BENCH_ROUNDS (default 5), BENCH_CONNECTIONS (default 32).
 * With --min-ratio, exits 1 when the emulator/bare ratio of requests per second is below it.
 */
import { Emulator } from "@bing-effect/emulator"
import { createServer } from "node:http"
import { connect } from "node:net"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"

interface Load {
  readonly port: number
  readonly path: string
  readonly headers: string
  readonly seconds: number
  readonly connections: number
}

interface LoadResult {
  readonly requests: number
  readonly non200: number
  readonly errors: number
  readonly seconds: number
  readonly p50: number
  readonly p99: number
}

// ---------------------------------------------------------------------------------------------
// load generator (worker thread)

const runLoad = (load: Load): Promise<LoadResult> =>
  new Promise((resolve) => {
    const request = Buffer.from(
      `GET ${load.path} HTTP/1.1\r\nHost: 127.0.0.1:${load.port}\r\n${load.headers}\r\n`,
      "latin1"
    )
    const latencies: Array<number> = []
    let requests = 0
    let non200 = 0
    let errors = 0
    let open = load.connections
    const started = performance.now()
    const deadline = started + load.seconds * 1000
    const finish = () => {
      if (--open > 0) return
      const seconds = (performance.now() - started) / 1000
      latencies.sort((a, b) => a - b)
      const at = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN
      resolve({ requests, non200, errors, seconds, p50: at(0.5), p99: at(0.99) })
    }
    for (let c = 0; c < load.connections; c++) {
      const socket = connect(load.port, "127.0.0.1")
      socket.setNoDelay(true)
      let buf: Buffer = Buffer.alloc(0)
      let sentAt = 0
      const send = () => {
        if (performance.now() >= deadline) {
          socket.end()
          return
        }
        sentAt = performance.now()
        socket.write(request)
      }
      socket.on("connect", send)
      socket.on("data", (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
        for (;;) {
          const headEnd = buf.indexOf("\r\n\r\n")
          if (headEnd < 0) return
          const head = buf.toString("latin1", 0, headEnd)
          const m = /\r\ncontent-length: *(\d+)/i.exec(head)
          const length = m === null ? 0 : Number(m[1])
          const total = headEnd + 4 + length
          if (buf.length < total) return
          if (head.charCodeAt(9) !== 50 || head.charCodeAt(10) !== 48 || head.charCodeAt(11) !== 48) non200++ // "200"
          requests++
          latencies.push(performance.now() - sentAt)
          buf = buf.subarray(total)
          send()
        }
      })
      socket.on("error", () => {
        errors++
      })
      socket.on("close", finish)
    }
  })

if (!isMainThread) {
  runLoad(workerData as Load).then((r) => parentPort!.postMessage(r))
} else {
  await main()
}

// ---------------------------------------------------------------------------------------------
// servers and rounds (main thread)

async function main(): Promise<void> {
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
  const minIndex = process.argv.indexOf("--min-ratio")
  const minRatio = minIndex > 0 ? Number(process.argv[minIndex + 1]) : 0
  const BIG = 1e12

  const key = "bench-key"
  const paths = [
    "/v7.0/search?q=effect%20typescript",
    "/v7.0/search?q=effect%20typescript&responseFilter=Webpages"
  ] as const
  const bing = await Emulator.start({
    keys: [{ name: "bench", key, limits: { perSecond: BIG, perDay: BIG, perMonth: BIG } }]
  })

  // for each request, a bare server that sends as many bytes as the emulator does
  const pairs = []
  for (const path of paths) {
    const probe = await fetch(`${bing.url}${path}`, { headers: { "Ocp-Apim-Subscription-Key": key } })
    const sample = Buffer.from(await probe.arrayBuffer())
    if (probe.status !== 200) throw new Error(`emulator probe answered ${probe.status}`)
    const pages =
      (JSON.parse(sample.toString("utf8")) as { webPages: { value: ReadonlyArray<unknown> } }).webPages.value.length
    const fixed = Buffer.from(sample)
    const bare = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": fixed.length })
      res.end(fixed)
    })
    await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
    pairs.push({ path, bytes: sample.length, pages, bare, barePort: (bare.address() as { port: number }).port })
  }

  const load = (port: number, path: string, headers: string): Promise<LoadResult> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { port, path, headers, seconds: SECONDS, connections: CONNECTIONS } satisfies Load
      })
      worker.once("message", (r: LoadResult) => {
        resolve(r)
        void worker.terminate()
      })
      worker.once("error", reject)
    })

  const cases = pairs.flatMap((p) => [
    {
      name: `bare node:http, fixed ${p.bytes} B body`,
      port: p.barePort,
      path: p.path,
      headers: "",
      pair: p.path,
      bare: true
    },
    {
      name: `emulator GET ${p.path} (${p.pages} web results)`,
      port: bing.port,
      path: p.path,
      headers: `Ocp-Apim-Subscription-Key: ${key}\r\n`,
      pair: p.path,
      bare: false
    }
  ])

  // warm-up: one round each
  for (const c of cases) await load(c.port, c.path, c.headers)

  const results = new Map<string, Array<LoadResult>>(cases.map((c) => [c.name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) results.get(c.name)!.push(await load(c.port, c.path, c.headers))
  }
  await bing.stop()
  for (const p of pairs) await new Promise<void>((resolve) => p.bare.close(() => resolve()))

  const median = (xs: ReadonlyArray<number>): number => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.floor(s.length / 2)]!
  }
  const rows = cases.map((c) => {
    const rs = results.get(c.name)!
    return {
      ...c,
      rps: median(rs.map((x) => x.requests / x.seconds)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      non200: rs.reduce((n, x) => n + x.non200, 0),
      errors: rs.reduce((n, x) => n + x.errors, 0)
    }
  })
  console.log(
    `emulator-http: ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds x ${SECONDS} s per case (alternating), medians; node ${process.version}`
  )
  console.log("")
  console.log("| server | requests/s | p50 ms | p99 ms | vs bare (same bytes) | non-200 | socket errors |")
  console.log("|---|---:|---:|---:|---:|---:|---:|")
  let worst = Infinity
  for (const r of rows) {
    const base = rows.find((x) => x.pair === r.pair && x.bare)!.rps
    if (!r.bare) worst = Math.min(worst, r.rps / base)
    console.log(
      `| ${r.name} | ${Math.round(r.rps).toLocaleString("en-US")} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${
        (r.rps / base).toFixed(2)
      }x | ${r.non200} | ${r.errors} |`
    )
  }
  console.log("")
  console.log(`lowest ratio emulator / bare = ${worst.toFixed(2)} (target >= 0.50)`)
  if (rows.some((r) => !r.bare && r.non200 > 0)) {
    console.error("the emulator answered non-200: the limits are not high enough or the request is wrong")
    process.exitCode = 1
  }
  if (worst < minRatio) process.exitCode = 1
}
