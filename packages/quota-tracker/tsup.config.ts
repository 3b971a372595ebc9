import { library } from "../../tsup.config.base.ts"

// ESM splits shared code into one chunk by default: QuotaStore and QuotaError are the same
// objects whether they come from "@bing-effect/quota-tracker", ".../redis" or ".../postgres".
export default library({ entry: ["src/index.ts", "src/redis.ts", "src/postgres.ts"] })
