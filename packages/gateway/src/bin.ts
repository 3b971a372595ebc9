/**
 * The `bing-gateway` executable (see `internal/cli.ts`).
 */
import { main } from "./internal/cli.js"

main()
