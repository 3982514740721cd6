// Package sqlstore implements orgspace.Store on SQL, for the SQLite and
// PostgreSQL backends: one [Tx] type, one set of queries, one migration
// runner. The backends own connections, transactions and locking; this
// package owns what a transaction says to the database.
//
// # Dialect
//
// Every query is written once, in the SQL that SQLite and PostgreSQL share:
// $1-style parameters (SQLite accepts them), ON CONFLICT upserts, row-value
// comparisons and RETURNING. Identifiers compare by bytes (PostgreSQL
// columns are declared COLLATE "C"), so listings order IDs as the in-memory
// backend does. What differs is in a [Dialect]: the backend's name and how
// its native errors map to the storage sentinels.
//
// # Values
//
// Times are stored as int64 Unix nanoseconds, NULL for the zero time, so a
// time reads back exactly as written (PostgreSQL's timestamptz would drop
// the nanoseconds). A time the column cannot hold, before 1678 or after
// 2262, fails with storage.ErrInvalidArgument naming the field. Enumerations
// and permission sets are integers; an empty token hash is NULL, so any
// number of invitations can have none while a set one stays unique.
//
// # Errors
//
// Inserts use ON CONFLICT DO NOTHING and report a taken key as
// storage.ErrAlreadyExists without a database error: a PostgreSQL
// transaction that hits an error cannot run another statement, and a domain
// service may go on after "already exists". A foreign key that names a
// missing object maps to storage.ErrNotFound; the services check parents
// first, so the keys are a backstop that keeps the data whole.
//
// # Log and revisions
//
// A write transaction keeps its log entries in memory until [Tx.Seal],
// which the backend calls just before it commits: Seal takes the next
// revision from the one-row head table and writes the entries under it. So
// Head and Entries inside a transaction see the state before it, as the
// storage contract says, and a transaction that fails writes none. The
// backends make writers take the head row in commit order (SQLite has one
// writer; PostgreSQL locks the row first thing), so revisions are gap-free
// and a reader that saw revision r has seen every entry up to r.
//
// # Unlogged transactions and row locks
//
// Billing writes run in unlogged transactions ([BeginUnlogged], ended by
// [Tx.CheckUnlogged] instead of Seal): no revision, no log entries, Append
// refused. On a database with row locks (Dialect.RowLocks, PostgreSQL) they
// do not take the head row, so they run concurrently, and every billing
// lookup of one row in a write transaction locks it (SELECT … FOR UPDATE;
// LockBalances as one upsert that creates and locks both rows, the smaller
// key first). A write transaction keeps the balances it locked in memory
// and writes them back in one statement before a listing reads them or at
// commit. An optimistic unlogged transaction also holds its journal inserts
// back, assuming the IDs free, and sends them with the commit; when one was
// taken the backend runs the function again, not optimistic ([ErrRerun]).
// That is what brings a batch of transfers down to a handful of round trips.
package sqlstore
