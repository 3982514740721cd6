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
// # Logged transactions: one writer at a time
//
// Every [DB.Update] begins by locking the one row of the head table
// (SELECT … FOR UPDATE), across all instances, and commits the next
// revision from it. Update's transactions therefore run one after
// another, each on the state the previous one committed: they are
// serialisable without serialisation retries. (One that also takes
// billing's row locks can still meet an unlogged write in a deadlock; see
// below.)
// Rules that read several rows and write one, such as "an organisation
// keeps at least one Owner", cannot be broken by two instances demoting
// two Owners at the same moment (the write-skew anomaly that snapshot
// isolation allows), and revisions are committed in order, so an instance
// that has read the log up to revision r has missed nothing before it.
//
// We chose this over SERIALIZABLE with retries: orgspace's writes are
// short and rare next to its reads (a permission check never reaches the
// database). Services send mail and other messages after the commit, never
// from inside the function. The cost is that writes do not run in parallel; BENCHMARKS.md
// gives the figures.
//
// [DB.View] runs a REPEATABLE READ, READ ONLY transaction: one snapshot,
// never blocked by writers.
//
// # Ledger writes: many at a time
//
// Package billing writes with [DB.UpdateUnlogged]: a READ COMMITTED
// transaction that does not lock the head row, advances no revision and
// appends nothing to the change log (Append fails in it with
// storage.ErrFailedPrecondition). Its record is billing's own journal,
// and no compiled index follows it, so it need not wait its turn behind
// the head: such transactions run at the same time, and their commits
// share the disk's flushes (group commit) instead of paying one each.
// They are kept apart by row locks, in Update's transactions too: every
// lookup of one row that billing.Store names (Transfer, Coupon, Event, …)
// is a SELECT … FOR UPDATE, and LockBalances locks both accounts in one
// upsert that creates a missing account's row, taking them in the
// accounts' key order so that two transfers between the same accounts
// never deadlock. A lookup that finds no row locks nothing (READ
// COMMITTED has no predicate locks): billing serialises such cases on a
// row that exists, as TakeLicence does on its event.
//
// Transactions that lock several rows in different orders can still
// deadlock, and PostgreSQL then aborts one of them; UpdateUnlogged runs
// its function again, in a new transaction, when PostgreSQL aborts it with
// a deadlock (40P01) or a serialisation failure (40001), up to 10 times in
// all. Update does the same: its transactions wait on each other only at
// the head row, but one that takes billing's row locks (package community
// accepting a participant takes a licence) can deadlock with an unlogged
// write. So every write function must have no effect outside its
// transaction, as storage.Transactor says.
//
// A transaction posts a transfer in two round trips. Its BEGIN goes with
// its first statement; a balance it locked is then kept in memory until
// the commit, however many transfers move it; and the journal entries it
// records are held back too, their IDs assumed free, and sent with the
// COMMIT in one statement (sqlstore.BeginUnlogged, "optimistic"). When an
// ID turns out to be taken, that statement fails, and UpdateUnlogged runs
// the function again without the assumption, which then sees the ID taken
// (a retried transfer is recognised and changes nothing); it does the same
// when the function fails after assuming an ID free that is taken, since
// the failure may follow from the assumption. BenchmarkBillingTransfers
// measures both shapes: many clients posting a transfer each, and one
// transaction posting many.
//
// Journal entries are numbered (Seq) when their statement runs, not when
// they commit: with ledger writes committing concurrently, an entry may
// become visible after one with a higher Seq, and a rolled-back one leaves
// a gap. A reader paging through the journal by Seq must not assume that
// no entry below the last Seq it read can appear later.
//
// # Several instances
//
// Instances on one database follow each other through the change log: a
// write on one is visible to another's Check once that instance's index is
// at least at the write's revision (Space.Access.Index with
// storage.AtLeast(rev)); the index applies the log entries since its own
// revision instead of rebuilding.
package postgres
