/**
 * Two `bing-gateway` processes sharing one Redis (a prefix of this run's own) in front of one
 * emulator whose S15 and S16 keys allow 300 requests a day each (the gateway's tiers say the same):
 * 4 callers, each with its own client key, fire 250 concurrent requests, half of them at each
 * gateway. Exactly 600 are answered 200 (300 on S15, then 300 on S16), the other 400 get Bing's 403
 * RateLimitExceeded from the gateway without reaching the emulator, and the emulator confirms it
 * served exactly 600 and refused none.
 *
 * Then the same with one gateway SIGKILLed once 200 answers have come back: the other keeps
 * answering every request sent to it; the requests the dead one held fail at the socket and are not
 * counted as 200; the emulator never served more than 600 nor refused any (nothing went over quota
 * upstream); every 200 a caller saw was served by the emulator, and the few the emulator served
 * that never reached a caller are bounded by the requests in flight at the dead gateway.
 */
import { Emulator } from "@bing-effect/emulator"
import { Agent } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  bingError,
  call,
  type Gateway,
  isAnswer,
  type Outcome,
  scratch,
  startGateway,
  stopGateway
} from "./GatewayFixture.js"
import { killChildren, printFigures, redisKeys, redisUrl, runId, secret, skipRedis } from "./support.js"

const CALLERS = 4
const PER_CALLER = 250
const LIMIT = 300

describe.skipIf(skipRedis)("two gateway processes sharing one Redis", () => {
  const s15 = secret("gw-exact-s15")
  const s16 = secret("gw-exact-s16")
  const clientKeys = Array.from({ length: CALLERS }, (_, i) => secret(`gw-exact-client-${i}`))
  const env: Record<string, string> = {
    REL_GW_S15: s15,
    REL_GW_S16: s16,
    ...Object.fromEntries(clientKeys.map((k, i) => [`REL_GW_CLIENT_${i}`, k]))
  }
  const files = scratch()
  const prefixes: Array<string> = []
  let emulator: Emulator.EmulatorHandle

  beforeAll(async () => {
    emulator = await Emulator.start({
      keys: [
        { name: "S15", key: s15, limits: { perDay: LIMIT } },
        { name: "S16", key: s16, limits: { perDay: LIMIT } }
      ],
      requestLogSize: 10_000
    })
  })
  afterAll(async () => {
    killChildren()
    await emulator?.stop()
    for (const prefix of prefixes) await redisKeys(redisUrl, `${prefix}*`, true)
    files.remove()
  })

  const pair = async (label: string): Promise<[Gateway, Gateway]> => {
    emulator.reset()
    const prefix = `bing-effect-reliability:${runId}:gw-${label}:`
    prefixes.push(prefix)
    const config = files.write({
      upstream: { endpoint: emulator.url, allowInsecureLoopback: true },
      tiers: [
        { name: "S15", keyEnv: "REL_GW_S15", limits: { perDay: LIMIT } },
        { name: "S16", keyEnv: "REL_GW_S16", limits: { perDay: LIMIT } }
      ],
      clients: clientKeys.map((_, i) => ({ name: `caller-${i}`, keyEnv: `REL_GW_CLIENT_${i}` })),
      store: redisUrl,
      storePrefix: prefix
    })
    return Promise.all([startGateway(config, env), startGateway(config, env)])
  }

  /** Every caller's requests at once, alternating between the two gateways. */
  const burst = (gateways: ReadonlyArray<Gateway>, onAnswer: (done: number) => void = () => {}) => {
    const agent = new Agent({ keepAlive: true, maxSockets: CALLERS * PER_CALLER })
    let done = 0
    const calls = clientKeys.flatMap((key, c) =>
      Array.from({ length: PER_CALLER }, async (_, i) => {
        const target = gateways[(c * PER_CALLER + i) % 2]!
        const outcome = await call(
          target.url,
          `/v7.0/search?q=${encodeURIComponent(`exact ${c} ${i}`)}&count=3`,
          { "ocp-apim-subscription-key": key },
          { agent, timeoutMs: 60_000 }
        )
        onAnswer(++done)
        return { target, outcome }
      })
    )
    return Promise.all(calls).finally(() => agent.destroy())
  }

  const tally = (outcomes: ReadonlyArray<Outcome>) => {
    const t: Record<string, number> = {}
    for (const o of outcomes) {
      const error = isAnswer(o) && o.status !== 200 ? bingError(o) : undefined
      const label = !isAnswer(o)
        ? o.status === 0 ? "socket error" : "no answer"
        : o.status === 200
        ? "200"
        : error === undefined
        ? `undocumented ${o.status}`
        : `${o.status} ${error.code}`
      t[label] = (t[label] ?? 0) + 1
    }
    return t
  }

  /** The day counters of both tiers in Redis, summed (not the threshold marks). */
  const dayCounters = async (prefix: string) =>
    Object.entries(await redisKeys(redisUrl, `${prefix}*`))
      .filter(([k]) => k.includes(":day:") && !k.includes(":fired:"))
      .reduce((n, [, v]) => n + Number(v), 0)

  const leaks = (outcomes: ReadonlyArray<Outcome>, gateways: ReadonlyArray<Gateway>) => {
    const haystack = [
      ...outcomes.map((o) => (isAnswer(o) ? `${JSON.stringify(o.headers)} ${o.body}` : o.error)),
      ...gateways.map((g) => `${g.child.out} ${g.child.err}`)
    ].join("\n")
    return [s15, s16].filter((k) => haystack.includes(k))
  }

  it("admits exactly 600 of 1,000 across two processes: 300 on S15, 300 on S16, 400 Bing 403s", async () => {
    const gateways = await pair("exact")
    const started = performance.now()
    const results = await burst(gateways)
    const ms = performance.now() - started
    const outcomes = results.map((r) => r.outcome)
    const t = tally(outcomes)
    const [a, b] = [emulator.usage("S15"), emulator.usage("S16")]
    const byGateway = gateways.map((g) => results.filter((r) => r.target === g && r.outcome.status === 200).length)
    const retryAfter = outcomes.filter((o) => isAnswer(o) && o.status === 403).map((o) =>
      (o as { headers: Record<string, unknown> }).headers["retry-after"]
    )
    printFigures(
      "gateway exactness: 2 gateway processes, one Redis, 4 callers x 250 concurrent, S15 300/day + S16 300/day",
      {
        requests: CALLERS * PER_CALLER,
        "answered 200": t["200"] ?? 0,
        "answered 403 RateLimitExceeded": t["403 RateLimitExceeded"] ?? 0,
        "other outcomes": CALLERS * PER_CALLER - (t["200"] ?? 0) - (t["403 RateLimitExceeded"] ?? 0),
        "200 via gateway 1 / 2": byGateway.join(" / "),
        "emulator served S15 / S16": `${a.served} / ${b.served}`,
        "emulator refused (403)": a.throttled + b.throttled,
        "403s with Retry-After": retryAfter.filter((v) => v !== undefined).length,
        "counted in Redis (day, both tiers)": await dayCounters(prefixes.at(-1)!),
        "wall ms": Math.round(ms)
      }
    )
    expect(t).toEqual({ "200": 600, "403 RateLimitExceeded": 400 })
    expect([a.served, b.served, a.throttled + b.throttled]).toEqual([LIMIT, LIMIT, 0])
    expect(a.requests + b.requests).toBe(600)
    expect(await dayCounters(prefixes.at(-1)!)).toBe(600)
    expect(retryAfter.every((v) => typeof v === "string" && Number(v) > 0)).toBe(true)
    expect(leaks(outcomes, gateways)).toEqual([])
    await Promise.all(gateways.map((g) => stopGateway(g)))
  }, 120_000)

  it("one gateway SIGKILLed mid-burst: the other keeps serving, nothing goes over quota", async () => {
    const [victim, survivor] = await pair("kill")
    let killedAt = -1
    const results = await burst([victim, survivor], (done) => {
      if (done === 200 && killedAt < 0) {
        killedAt = performance.now()
        victim.child.kill("SIGKILL")
      }
    })
    await victim.child.exited
    const toVictim = results.filter((r) => r.target === victim).map((r) => r.outcome)
    const toSurvivor = results.filter((r) => r.target === survivor).map((r) => r.outcome)
    const all = results.map((r) => r.outcome)
    const t = tally(all)
    const victimT = tally(toVictim)
    const survivorT = tally(toSurvivor)
    const [a, b] = [emulator.usage("S15"), emulator.usage("S16")]
    const served = a.served + b.served
    const ok = t["200"] ?? 0
    const acquired = await dayCounters(prefixes.at(-1)!)
    const victimFailed = (victimT["socket error"] ?? 0) + (victimT["no answer"] ?? 0)
    // after the kill the survivor still answers: a later request to it must still be served or refused by Bing's rules
    const after = await call(survivor.url, "/v7.0/search?q=after", { "ocp-apim-subscription-key": clientKeys[0]! })
    printFigures("gateway exactness with one gateway SIGKILLed after 200 answers", {
      requests: CALLERS * PER_CALLER,
      "answered 200": ok,
      "answered 403 RateLimitExceeded": t["403 RateLimitExceeded"] ?? 0,
      "to the killed gateway: 200 / 403 / socket error": `${victimT["200"] ?? 0} / ${
        victimT["403 RateLimitExceeded"] ?? 0
      } / ${victimFailed}`,
      "to the survivor: 200 / 403 / other": `${survivorT["200"] ?? 0} / ${survivorT["403 RateLimitExceeded"] ?? 0} / ${
        toSurvivor.length - (survivorT["200"] ?? 0) - (survivorT["403 RateLimitExceeded"] ?? 0)
      }`,
      "emulator served S15 / S16": `${a.served} / ${b.served}`,
      "emulator refused (403)": a.throttled + b.throttled,
      "served upstream, never answered to a caller": served - ok,
      "counted in Redis (day, both tiers)": acquired,
      "survivor after the burst": after.status
    })
    // the survivor answered every request sent to it, with a 200 or Bing's 403
    expect((survivorT["200"] ?? 0) + (survivorT["403 RateLimitExceeded"] ?? 0)).toBe(toSurvivor.length)
    // the victim's requests ended in a 200 (before the kill) or at the socket: nothing else, no 200 invented
    expect((victimT["200"] ?? 0) + (victimT["403 RateLimitExceeded"] ?? 0) + victimFailed).toBe(toVictim.length)
    expect(victimFailed).toBeGreaterThan(0)
    // the quota held upstream: at most 300 per tier, none refused by the emulator
    expect(a.served).toBeLessThanOrEqual(LIMIT)
    expect(b.served).toBeLessThanOrEqual(LIMIT)
    expect(a.throttled + b.throttled).toBe(0)
    // every 200 a caller saw was served; what was served and never answered died with the victim
    expect(ok).toBeLessThanOrEqual(served)
    expect(served - ok).toBeLessThanOrEqual(victimFailed)
    // what the store counted: never more than 600; at least what was served; the difference is the
    // victim's acquired-and-lost requests; and once the survivor refused one, the quota was used up
    expect(acquired).toBeLessThanOrEqual(600)
    expect(acquired).toBeGreaterThanOrEqual(served)
    expect(acquired - served).toBeLessThanOrEqual(victimFailed)
    if ((survivorT["403 RateLimitExceeded"] ?? 0) > 0) expect(acquired).toBe(600)
    expect([200, 403]).toContain(after.status)
    expect(leaks(all, [victim, survivor])).toEqual([])
    await stopGateway(survivor)
  }, 120_000)
})
