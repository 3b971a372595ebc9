/**
 * The one place the request path gets its operations side from. Until `internal/ops.ts` lands,
 * the no-op stand-in; then this import becomes `./ops.js`.
 */
export { make, type Ops, type OpsOptions } from "./noopOps.js"
