/**
 * The dashboard page's script (bundled into `dist/assets/dashboard.js`; uPlot is its own file,
 * loaded before it). The admin token comes from the login form or the URL fragment
 * (`#token=...`, removed from the address bar at once) and is kept in `sessionStorage`: it goes
 * to the gateway only in the `Authorization` header, never in a URL. Every 2 s the page reads
 * `/_gateway/history`; a gateway without it (404) is read through `/_gateway/status`, the page
 * keeping its own samples. Every text is set with `textContent`: a name from the gateway is
 * never markup.
 */
import {
  type ChartData,
  chartData,
  describeEvent,
  duration,
  fromStatus,
  type HistoryDocument,
  type HistoryTenant,
  type HistoryTier,
  type HistoryWindow,
  parseHistory,
  SampleMemory,
  type Spend
} from "./model.js"

const tokenKey = "bing-gateway.admin-token"
const pollMs = 2_000
const fetchTimeoutMs = 5_000
const chartHeight = 190
const maxEvents = 50

const $ = <E extends HTMLElement>(id: string): E => {
  const e = document.getElementById(id)
  if (e === null) throw new Error(`the page has no #${id}`)
  return e as E
}

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  e.append(...children)
  return e
}

// ---------------------------------------------------------------------------------------------
// The token

const readToken = (): string | null => {
  // `#token=...` once, then only sessionStorage: the fragment leaves the address bar (and history)
  if (location.hash.length > 1) {
    const token = new URLSearchParams(location.hash.slice(1)).get("token")
    if (token !== null && token !== "") sessionStorage.setItem(tokenKey, token)
    history.replaceState(null, "", location.pathname + location.search)
  }
  return sessionStorage.getItem(tokenKey)
}

// ---------------------------------------------------------------------------------------------
// Reading the gateway

type Read =
  | { readonly _tag: "ok"; readonly doc: HistoryDocument; readonly source: "history" | "status" }
  | { readonly _tag: "unauthorized" }
  | { readonly _tag: "failed"; readonly message: string }

let reading: "history" | "status" = "history"
const memory = new SampleMemory()

const get = async (path: string, token: string): Promise<Response> =>
  fetch(path, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
    signal: AbortSignal.timeout(fetchTimeoutMs)
  })

const read = async (token: string): Promise<Read> => {
  try {
    if (reading === "history") {
      const r = await get("/_gateway/history", token)
      if (r.status === 401) return { _tag: "unauthorized" }
      if (r.status === 404) reading = "status"
      else if (!r.ok) return { _tag: "failed", message: `/_gateway/history answered ${r.status}` }
      else {
        const doc = parseHistory(await r.json())
        return typeof doc === "string" ? { _tag: "failed", message: doc } : { _tag: "ok", doc, source: reading }
      }
    }
    const r = await get("/_gateway/status", token)
    if (r.status === 401) return { _tag: "unauthorized" }
    if (!r.ok) return { _tag: "failed", message: `/_gateway/status answered ${r.status}` }
    const doc = fromStatus(await r.json(), memory)
    return typeof doc === "string" ? { _tag: "failed", message: doc } : { _tag: "ok", doc, source: reading }
  } catch (e) {
    return { _tag: "failed", message: e instanceof Error ? e.message : "the gateway did not answer" }
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const number = new Intl.NumberFormat(undefined)
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
const dateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit"
})
const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString()
const when = (ms: number, now: number) => (sameDay(ms, now) ? time : dateTime).format(ms)
// cents, and up to four decimals below one unit: a few requests at $28 per 1,000 cost $0.084
const money = (amount: number, currency: string) => {
  try {
    return new Intl.NumberFormat(undefined, {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: Math.abs(amount) < 1 ? 4 : 2
    }).format(amount)
  } catch {
    return `${amount.toFixed(4)} ${currency}`
  }
}
const pct = (used: number, limit: number) => (limit > 0 ? Math.round((used / limit) * 1000) / 10 : 0)

// ---------------------------------------------------------------------------------------------
// Charts (uPlot)

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

interface Chart {
  readonly plot: uPlot
  readonly signature: string
  /** Read by the draw hook: the reset and the switches to mark. */
  marks: {
    resets: ReadonlyArray<number>
    switches: ReadonlyArray<{ readonly at: number; readonly label: string }>
  }
  /** Read by the y range: the limit. */
  limit: number
}

const charts = new Map<string, Chart>()

/** The x axis' tick steps, in seconds: seconds, minutes, hours, days. */
const timeSteps = [
  1,
  2,
  5,
  10,
  15,
  30,
  ...[1, 2, 5, 10, 15, 30].map((n) => n * 60),
  ...[1, 2, 3, 6, 12].map((n) => n * 3600),
  ...[1, 2, 7, 14, 28].map((n) => n * 86_400)
]

const alignedOf = (data: ChartData): uPlot.AlignedData => [
  [...data.xs],
  [...data.used],
  [...data.forecast],
  ...data.levels.map((l) => data.xs.map(() => l.value))
]

const makeChart = (host: HTMLElement, data: ChartData, signature: string): Chart => {
  const colour = {
    fg: css("--muted"),
    grid: css("--grid"),
    used: css("--used"),
    usedFill: css("--used-fill"),
    forecast: css("--forecast"),
    limit: css("--limit"),
    threshold: css("--threshold"),
    switchAt: css("--switch"),
    marker: css("--marker")
  }
  const chart: Chart = {
    plot: undefined as unknown as uPlot,
    signature,
    marks: { resets: data.resets, switches: [] },
    limit: data.levels[0]?.value ?? 1
  }
  const axis: uPlot.Axis = {
    stroke: colour.fg,
    grid: { stroke: colour.grid, width: 1 },
    ticks: { stroke: colour.grid, width: 1 }
  }
  // a vertical line at `at`, its label at the top (switches) or the bottom (resets): the two may coincide
  const marker = (u: uPlot, at: number, label: string, where: "top" | "bottom") => {
    const x = Math.round(u.valToPos(at, "x", true))
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return
    const ctx = u.ctx
    ctx.save()
    ctx.strokeStyle = colour.marker
    ctx.fillStyle = colour.marker
    ctx.lineWidth = devicePixelRatio
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio])
    ctx.beginPath()
    ctx.moveTo(x, u.bbox.top)
    ctx.lineTo(x, u.bbox.top + u.bbox.height)
    ctx.stroke()
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`
    ctx.textAlign = x > u.bbox.left + u.bbox.width / 2 ? "right" : "left"
    const y = where === "top" ? u.bbox.top + 12 * devicePixelRatio : u.bbox.top + u.bbox.height - 4 * devicePixelRatio
    ctx.fillText(label, x + (ctx.textAlign === "right" ? -4 : 4) * devicePixelRatio, y)
    ctx.restore()
  }
  const opts: uPlot.Options = {
    width: Math.max(240, host.clientWidth),
    height: chartHeight,
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, Math.max(chart.limit * 1.08, max, 1)] }
    },
    // whole seconds at least: a chart of the last few seconds gets no millisecond ticks
    axes: [{ ...axis, incrs: timeSteps }, { ...axis, size: 48 }],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    series: [
      {},
      { label: "used", stroke: colour.used, fill: colour.usedFill, width: 2, spanGaps: true, points: { show: false } },
      { label: "forecast", stroke: colour.forecast, width: 2, dash: [6, 4], spanGaps: true, points: { show: false } },
      ...data.levels.map((l): uPlot.Series => ({
        label: l.label,
        stroke: l.kind === "limit" ? colour.limit : l.kind === "switchAt" ? colour.switchAt : colour.threshold,
        width: l.kind === "limit" ? 2 : 1.5,
        ...(l.kind === "limit" ? {} : { dash: l.kind === "switchAt" ? [10, 4] : [3, 3] }),
        points: { show: false }
      }))
    ],
    hooks: {
      draw: [
        (u) => {
          for (const at of chart.marks.resets) marker(u, at, "reset", "bottom")
          for (const s of chart.marks.switches) marker(u, s.at, s.label, "top")
        }
      ]
    }
  }
  const plot = new uPlot(opts, alignedOf(data), host)
  ;(chart as { plot: uPlot }).plot = plot
  return chart
}

const drawChart = (
  host: HTMLElement,
  key: string,
  w: HistoryWindow,
  now: number,
  switches: ReadonlyArray<{ readonly at: number; readonly label: string }>
) => {
  const data = chartData(w, now)
  const signature = data.levels.map((l) => `${l.kind}:${l.label}`).join("|")
  let chart = charts.get(key)
  if (chart !== undefined && (chart.signature !== signature || !host.contains(chart.plot.root))) {
    chart.plot.destroy()
    chart = undefined
  }
  const first = data.xs[0] ?? now / 1000
  const inRange = switches.filter((s) => s.at >= first && s.at <= (data.xs.at(-1) ?? first))
  if (chart === undefined) {
    chart = makeChart(host, data, signature)
    charts.set(key, chart)
  }
  chart.limit = w.limit
  chart.marks = { resets: data.resets, switches: inRange }
  chart.plot.setData(alignedOf(data))
  host.dataset["points"] = String(data.points)
}

// resize every chart with its card; a phone turned sideways gets wider charts
const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const key = (entry.target as HTMLElement).dataset["chart"]
    const chart = key === undefined ? undefined : charts.get(key)
    const width = Math.floor(entry.contentRect.width)
    if (chart !== undefined && width > 0 && width !== chart.plot.width) {
      chart.plot.setSize({ width, height: chartHeight })
    }
  }
})

const clearCharts = () => {
  for (const chart of charts.values()) chart.plot.destroy()
  charts.clear()
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** The child of `parent` with `data-key=key`, made by `create` the first time. */
const keyed = <E extends HTMLElement>(parent: HTMLElement, key: string, create: () => E): E => {
  for (const child of parent.children) {
    if ((child as HTMLElement).dataset["key"] === key) return child as E
  }
  const made = create()
  made.dataset["key"] = key
  parent.append(made)
  return made
}

/** Removes the children of `parent` whose key is not in `keep`. */
const prune = (parent: HTMLElement, keep: ReadonlySet<string>) => {
  // a copy: removing from the live collection while walking it would skip the next child
  for (const child of Array.from(parent.children)) {
    const key = (child as HTMLElement).dataset["key"]
    if (key !== undefined && !keep.has(key)) child.remove()
  }
}

const setText = (parent: HTMLElement, selector: string, text: string) => {
  const e = parent.querySelector(selector)
  if (e !== null && e.textContent !== text) e.textContent = text
}

const windowFacts = (w: HistoryWindow, now: number): Array<[string, string]> => {
  const facts: Array<[string, string]> = [
    ["used", `${number.format(w.used)} / ${number.format(w.limit)} (${pct(w.used, w.limit)}%)`],
    ["reset", `resets ${when(w.resetsAtMs, now)} (in ${duration(w.resetsAtMs - now)})`]
  ]
  if (w.window !== "second") {
    facts.push([
      "forecast",
      w.used >= w.limit
        ? "out until the reset"
        : w.forecastMs === null
        ? "lasts until the reset at the current rate"
        : `runs out ${when(w.forecastMs, now)} (in ${duration(w.forecastMs - now)}) at the current rate`
    ])
  }
  return facts
}

const renderTier = (
  list: HTMLElement,
  tier: HistoryTier,
  doc: HistoryDocument,
  switches: ReadonlyArray<{ readonly at: number; readonly label: string; readonly tiers: ReadonlyArray<string> }>
) => {
  const section = keyed(list, tier.name, () =>
    el(
      "section",
      { class: "tier", "data-tier": tier.name },
      el("h3", {}, el("span", { class: "name" }), el("span", { class: "badge" })),
      el("p", { class: "price" }),
      el("div", { class: "windows" })
    ))
  setText(section, ".name", tier.name)
  const exhausted = tier.windows.some((w) => w.window !== "second" && w.used >= w.limit)
  setText(section, ".badge", tier.active ? "active" : exhausted ? "exhausted" : "standby")
  section.classList.toggle("active", tier.active)
  section.classList.toggle("exhausted", exhausted && !tier.active)
  setText(
    section,
    ".price",
    tier.price === null
      ? ""
      : `${money(tier.price.perThousand, tier.price.currency)} per 1,000 transactions (${tier.price.confidence})`
  )
  const windows = section.querySelector<HTMLElement>(".windows")!
  const mine = switches.filter((s) => s.tiers.includes(tier.name))
  for (const w of tier.windows) {
    const key = `tier:${tier.name}/${w.window}`
    const card = keyed(windows, w.window, () =>
      el(
        "article",
        { class: "window", "data-window": w.window },
        el("h4", {}, `${tier.name} · ${w.window}`),
        el("ul", { class: "facts" }),
        el("div", { class: "chart", "data-chart": key, role: "img", "aria-label": `${tier.name} ${w.window} usage` })
      ))
    const facts = card.querySelector<HTMLElement>(".facts")!
    for (const [name, text] of windowFacts(w, doc.at)) {
      const li = keyed(facts, name, () => el("li", { "data-fact": name }))
      if (li.textContent !== text) li.textContent = text
    }
    const host = card.querySelector<HTMLElement>(".chart")!
    if (!host.dataset["observed"]) {
      resizer.observe(host)
      host.dataset["observed"] = "1"
    }
    drawChart(host, key, w, doc.at, mine)
  }
  prune(windows, new Set(tier.windows.map((w) => w.window)))
}

const renderEvents = (doc: HistoryDocument) => {
  const list = $<HTMLOListElement>("events")
  const events = doc.events.slice(-maxEvents).toReversed()
  $("events-empty").hidden = events.length > 0
  const items = events.map((e) =>
    el(
      "li",
      { class: `event ${e.kind}`, "data-kind": e.kind },
      el("time", { datetime: new Date(e.atMs).toISOString() }, when(e.atMs, doc.at)),
      el("span", { class: "kind" }, e.kind),
      el("span", { class: "what" }, describeEvent(e))
    )
  )
  const text = items.map((i) => i.textContent).join("\n")
  if (list.dataset["text"] !== text) {
    list.replaceChildren(...items)
    list.dataset["text"] = text
  }
}

const renderSpend = (spend: Spend | null, source: "history" | "status") => {
  const table = $<HTMLTableElement>("spend-table")
  const note = $("spend-note")
  if (spend === null) {
    table.hidden = true
    note.textContent = source === "status"
      ? "Spend needs /_gateway/history, which this gateway does not serve (its status has no prices)."
      : "This gateway has no price table for its tiers."
    return
  }
  table.hidden = false
  const cell = (tier: string, period: "day" | "month", which: "soFar" | "projected", value: number | undefined) =>
    el("td", { "data-spend": `${tier}/${period}/${which}` }, value === undefined ? "–" : money(value, spend.currency))
  const rows = spend.tiers.map((t) =>
    el(
      "tr",
      { "data-tier": t.name },
      el("th", { scope: "row" }, t.name),
      cell(t.name, "day", "soFar", t.day?.soFar),
      cell(t.name, "day", "projected", t.day?.projected),
      cell(t.name, "month", "soFar", t.month?.soFar),
      cell(t.name, "month", "projected", t.month?.projected)
    )
  )
  const body = table.tBodies[0]!
  const text = rows.map((r) => r.textContent).join("\n")
  if (body.dataset["text"] !== text) {
    body.replaceChildren(...rows)
    body.dataset["text"] = text
  }
  const { day, month } = spend.fromSwitching
  note.textContent = day === null && month === null
    ? ""
    : `From switching to a dearer tier: ${day === null ? "–" : money(day, spend.currency)} today, ${
      month === null ? "–" : money(month, spend.currency)
    } this month.`
}

const renderTenant = (list: HTMLElement, tenant: HistoryTenant, now: number) => {
  const section = keyed(
    list,
    tenant.name,
    () =>
      el(
        "section",
        { class: "tenant", "data-tenant": tenant.name },
        el("h3", {}, tenant.name),
        el("div", { class: "bars" })
      )
  )
  const bars = section.querySelector<HTMLElement>(".bars")!
  for (const w of tenant.windows) {
    const row = keyed(bars, w.window, () =>
      el(
        "div",
        { class: "bar-row", "data-window": w.window },
        el("span", { class: "label" }, w.window),
        el("span", { class: "bar" }, el("span", { class: "fill" })),
        el("span", { class: "value" })
      ))
    const p = Math.min(100, pct(w.used, w.limit))
    const fill = row.querySelector<HTMLElement>(".fill")!
    // CSSOM, not a style attribute: allowed by the page's style-src 'self'
    fill.style.width = `${p}%`
    fill.classList.toggle("warn", p >= 80)
    fill.classList.toggle("full", p >= 100)
    setText(
      row,
      ".value",
      `${number.format(w.used)} / ${number.format(w.limit)} · resets in ${duration(w.resetsAtMs - now)}`
    )
  }
  prune(bars, new Set(tenant.windows.map((w) => w.window)))
}

let lastDoc: HistoryDocument | undefined

const render = (doc: HistoryDocument, from: "history" | "status") => {
  lastDoc = doc
  const active = doc.tiers.find((t) => t.active)
  $("active-tier").textContent = active?.name ?? "none (every tier is out)"
  $("active").classList.toggle("out", active === undefined)
  const store = doc.historyStore
  $("source").textContent = from === "status"
    ? "status only (no /_gateway/history: charts start when the page opened)"
    : store === null
    ? "history"
    : store.available
    ? `history (${store.name} store)`
    : `history: the ${store.name} store does not answer, live values only`
  $("source").classList.toggle("warn", store?.available === false)
  $("updated").textContent = `updated ${time.format(doc.at)}`
  const switches = doc.events.filter((e) => e.kind === "switch").map((e) => ({
    at: e.atMs / 1000,
    label: `→ ${e.to ?? "?"}`,
    tiers: [e.from ?? "", e.to ?? ""]
  }))
  const tiers = $("tier-list")
  for (const t of doc.tiers) renderTier(tiers, t, doc, switches)
  prune(tiers, new Set(doc.tiers.map((t) => t.name)))
  renderEvents(doc)
  renderSpend(doc.spend, from)
  const tenants = $("tenant-list")
  $("tenants").hidden = doc.tenants.length === 0
  for (const t of doc.tenants) renderTenant(tenants, t, doc.at)
  prune(tenants, new Set(doc.tenants.map((t) => t.name)))
  document.body.dataset["state"] = "live"
}

// ---------------------------------------------------------------------------------------------
// The loop

let timer: ReturnType<typeof setTimeout> | undefined
let generation = 0

const showError = (message: string | null) => {
  const banner = $("error")
  banner.hidden = message === null
  banner.textContent = message === null ? "" : `Cannot read the gateway: ${message}. Retrying every ${pollMs / 1000} s.`
}

const poll = async (run: number) => {
  const token = sessionStorage.getItem(tokenKey)
  if (token === null || run !== generation) return
  const r = await read(token)
  if (run !== generation) return
  if (r._tag === "unauthorized") return signOut("The gateway refused this admin token.")
  if (r._tag === "failed") showError(r.message)
  else {
    showError(null)
    render(r.doc, r.source)
  }
  timer = setTimeout(() => void poll(run), pollMs)
}

const start = () => {
  $("login").hidden = true
  $("main").hidden = false
  $("sign-out").hidden = false
  generation++
  void poll(generation)
}

function signOut(message: string | null) {
  sessionStorage.removeItem(tokenKey)
  generation++
  if (timer !== undefined) clearTimeout(timer)
  clearCharts()
  $("tier-list").replaceChildren()
  $("tenant-list").replaceChildren()
  $("main").hidden = true
  $("sign-out").hidden = true
  $("login").hidden = false
  $("login-error").textContent = message ?? ""
  document.body.dataset["state"] = "signed-out"
  $<HTMLInputElement>("token").focus()
}

const main = () => {
  $<HTMLFormElement>("login-form").addEventListener("submit", (event) => {
    event.preventDefault()
    const input = $<HTMLInputElement>("token")
    const token = input.value.trim()
    input.value = ""
    if (token === "") return
    sessionStorage.setItem(tokenKey, token)
    start()
  })
  $("sign-out").addEventListener("click", () => signOut(null))
  // the theme changed: the charts take their colours from the page's at creation
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    clearCharts()
    if (lastDoc !== undefined) render(lastDoc, reading)
  })
  if (readToken() === null) signOut(null)
  else start()
}

main()
