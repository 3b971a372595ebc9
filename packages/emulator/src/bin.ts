/**
 * The `bing-emulator` executable (see `internal/cli.ts`).
 */
import { main } from "./internal/cli.js"

void main()
