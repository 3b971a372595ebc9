/**
 * @bing-effect/quota-tracker/postgres: the PostgreSQL store with a connection pool of its own
 * (`@effect/sql-pg`), whose every connection attempt has a deadline. A subpath, so that
 * `@bing-effect/quota-tracker` never loads the driver; install `@effect/sql-pg` to use it.
 *
 * @since 0.4.0
 */
export * as PostgresStore from "./PostgresStore.js"
