/**
 * A prepared HTTP answer: status, headers (flat name/value list, without the per-request
 * BingAPIs-* headers) and body bytes. Error answers are built once per distinct error and reused.
 */
export interface Wire {
  readonly status: number
  readonly headers: ReadonlyArray<string>
  readonly body: Buffer
}

export const JSON_TYPE = "application/json; charset=utf-8"

export const jsonWire = (status: number, body: string, extra: ReadonlyArray<string> = []): Wire => {
  const bytes = Buffer.from(body, "utf8")
  return { status, headers: ["Content-Type", JSON_TYPE, ...extra], body: bytes }
}

/**
 * A map keeping the most recently used entries, bounded by count and, with a `weigh` function, by
 * total weight (e.g. bytes).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()
  private weight = 0
  constructor(
    private readonly max: number,
    private readonly maxWeight = Infinity,
    private readonly weigh: (v: V) => number = () => 0
  ) {}
  get(k: K): V | undefined {
    const v = this.map.get(k)
    if (v !== undefined) {
      this.map.delete(k)
      this.map.set(k, v)
    }
    return v
  }
  set(k: K, v: V): void {
    const old = this.map.get(k)
    if (old !== undefined) {
      this.map.delete(k)
      this.weight -= this.weigh(old)
    }
    this.map.set(k, v)
    this.weight += this.weigh(v)
    while (this.map.size > 1 && (this.map.size > this.max || this.weight > this.maxWeight)) {
      const oldest = this.map.entries().next()
      if (oldest.done === true) break
      this.map.delete(oldest.value[0])
      this.weight -= this.weigh(oldest.value[1])
    }
  }
  clear(): void {
    this.map.clear()
    this.weight = 0
  }
  get size(): number {
    return this.map.size
  }
}
