/**
 * How many replicas must acknowledge a script's writes, and how long to wait for them: its own
 * module (no `redis` import), so that the public declarations of `RedisCluster` never name the
 * optional `redis` peer.
 */
export interface WaitReplicas {
  readonly count: number
  readonly timeoutMs: number
}
