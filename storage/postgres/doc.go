// Package postgres is orgspace's backend for services that run several
// instances: a PostgreSQL database reached through a pgx connection pool
// (github.com/jackc/pgx/v5).
//
//	db, err := postgres.Open(ctx, "postgres://orgspace@db/orgspace", postgres.Options{})
//	…
//	defer db.Close()
//	space, err := orgspace.Open(ctx, db, orgspace.Config{})
//
// # Schema
//
// The tables are those of the SQLite backend, in the same versioned
// migrations (migrations/NNNN_what.sql, embedded in the binary), declared
// with PostgreSQL's types and byte-order (COLLATE "C") keys. Open applies
// the missing migrations in one transaction while holding an advisory lock,
// so when several instances start together exactly one applies them and
// the others wait and find them done. Options.Schema keeps orgspace's
// tables in a schema of their own, created if needed.
//
// # Transactions: one writer at a time
//
// Every [DB.Update] begins by locking the one row of the head table
// (SELECT … FOR UPDATE), across all instances, and commits the next
// revision from it. Write transactions therefore run one after another,
// each on the state the previous one committed: they are serialisable
// without retries, and a function passed to Update runs exactly once.
// Rules that read several rows and write one, such as "an organisation
// keeps at least one Owner", cannot be broken by two instances demoting
// two Owners at the same moment (the write-skew anomaly that snapshot
// isolation allows), and revisions are committed in order, so an instance
// that has read the log up to revision r has missed nothing before it.
//
// We chose this over SERIALIZABLE with retries: orgspace's writes are
// short, rare next to its reads (a permission check never reaches the
// database), and some of them send mail, which a retried function would
// send twice. The cost is that writes do not run in parallel; BENCHMARKS.md
// gives the figures.
//
// [DB.View] runs a REPEATABLE READ, READ ONLY transaction: one snapshot,
// never blocked by writers.
//
// # Several instances
//
// Instances on one database follow each other through the change log: a
// write on one is visible to another's Check once that instance's index is
// at least at the write's revision (Space.Access.Index with
// storage.AtLeast(rev)); the index applies the log entries since its own
// revision instead of rebuilding.
package postgres
