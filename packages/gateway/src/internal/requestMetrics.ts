/**
 * The gateway's own request metrics: answered requests by route, status, tenant and outcome, and
 * the upstream latency histogram. `observe` runs once per answer on the request path, so it only
 * bumps numbers in maps; families are built when `/metrics` is scraped.
 *
 * Label values are bounded whatever a caller sends: routes and outcomes come from their unions,
 * tenants from the configured clients (anything else is `"unknown"`, no client at all `"none"`),
 * statuses from the three-digit HTTP range. A series per distinct value of a caller-controlled
 * string would let one caller grow the scrape (and the process) without limit.
 */
import type { Outcome, RequestRecord, Route } from "./observe.js"
import { type Family, Histogram, type Labels, type Sample } from "./prometheus.js"

/** Names of the families below, as they appear in the exposition and the README. */
export const names = {
  requests: "bing_gateway_requests_total",
  upstreamLatency: "bing_gateway_upstream_latency_seconds"
} as const

/** Upper bounds (seconds) of the latency buckets: Prometheus' defaults, which span loopback to a slow upstream. */
export const latencyBounds: ReadonlyArray<number> = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const routes: ReadonlySet<string> = new Set<Route>([
  "search",
  "images/search",
  "images/trending",
  "forward",
  "ops",
  "unknown"
])
const outcomes: ReadonlySet<string> = new Set<Outcome>([
  "served",
  "invalid",
  "unauthorized",
  "tenant-limited",
  "exhausted",
  "store-unavailable",
  "upstream-error",
  "not-found"
])

/** The `tenant` label of a client name: configured names only, so the label set stays bounded. */
export const tenantLabel = (clients: ReadonlySet<string>, tenant: string | undefined): string =>
  tenant === undefined ? "none" : clients.has(tenant) ? tenant : "unknown"

const statusLabel = (status: number): string =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "unknown"

export interface RequestMetrics {
  readonly observe: (record: RequestRecord) => void
  readonly families: () => ReadonlyArray<Family>
}

interface Count {
  readonly labels: Labels
  value: number
}

/** Counters of one gateway: built inside `Ops.make`, never shared between two gateways. */
export const make = (clients: ReadonlySet<string>): RequestMetrics => {
  const requests = new Map<string, Count>()
  const latency = new Map<string, { readonly labels: Labels; readonly histogram: Histogram }>()
  return {
    observe: (record) => {
      const route = routes.has(record.route) ? record.route : "unknown"
      const status = statusLabel(record.status)
      const tenant = tenantLabel(clients, record.tenant)
      const outcome = outcomes.has(record.outcome) ? record.outcome : "unknown"
      // NUL cannot occur in any of the four values (all come from the bounded sets above)
      const key = `${route}\0${status}\0${tenant}\0${outcome}`
      const count = requests.get(key)
      if (count !== undefined) count.value++
      else {
        requests.set(key, {
          labels: [["route", route], ["status", status], ["tenant", tenant], ["outcome", outcome]],
          value: 1
        })
      }
      const upstreamMs = record.upstreamMs
      if (upstreamMs !== undefined && Number.isFinite(upstreamMs) && upstreamMs >= 0) {
        let entry = latency.get(route)
        if (entry === undefined) {
          entry = { labels: [["route", route]], histogram: new Histogram(latencyBounds) }
          latency.set(route, entry)
        }
        entry.histogram.observe(upstreamMs / 1000)
      }
    },
    families: () => {
      const latencySamples: Array<Sample> = []
      for (const { histogram, labels } of latency.values()) latencySamples.push(...histogram.samples(labels))
      return [
        {
          name: names.requests,
          help: "Requests answered by the gateway, by route, HTTP status, tenant (client name) and outcome.",
          type: "counter",
          samples: Array.from(requests.values(), ({ labels, value }) => ({ labels, value }))
        },
        {
          name: names.upstreamLatency,
          help: "Time from sending a request upstream to its answer, in seconds, by route.",
          type: "histogram",
          samples: latencySamples
        }
      ]
    }
  }
}
