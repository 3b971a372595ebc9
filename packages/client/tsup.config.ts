import { library } from "../../tsup.config.base.ts"

// ESM splits shared code into one chunk by default, so both entries share the error classes.
export default library({ entry: ["src/index.ts", "src/promise.ts", "src/undici.ts"] })
