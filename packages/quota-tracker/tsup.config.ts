import { library } from "../../tsup.config.base.ts"

export default library({
  entry: ["src/index.ts", "src/redis.ts"],
  // one shared chunk for both entries, in CJS too: QuotaStore and QuotaError must be the same
  // objects whether they come from "@bing-effect/quota-tracker" or ".../redis"
  splitting: true
})
