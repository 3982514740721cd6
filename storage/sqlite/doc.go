// Package sqlite is orgspace's embedded backend: one SQLite file, nothing
// to install, on modernc.org/sqlite (pure Go, no cgo).
//
//	db, err := sqlite.Open(ctx, "orgspace.db", sqlite.Options{})
//	…
//	defer db.Close()
//	space, err := orgspace.Open(ctx, db, orgspace.Config{})
//
// # Schema
//
// The schema is a list of versioned migrations embedded in the binary
// (migrations/NNNN_what.sql). Open applies the missing ones in one
// transaction and records each in schema_migrations with its checksum. It
// refuses a file whose schema is newer than this build or whose applied
// migrations differ from this build's, and then changes nothing. Foreign
// keys, unique keys (a user's email, an invitation's token hash) and the
// one-row-per-user favourites table back the domain rules in the data
// itself.
//
// # Transactions
//
// The file is in WAL mode with synchronous=FULL: a committed write survives
// a crash or a power cut. [DB.Update] runs on the one writer connection and
// begins with BEGIN IMMEDIATE, so write transactions run one at a time,
// serialisably, and a second process on the same file waits for the write
// lock (up to Options.BusyTimeout) instead of failing half way. [DB.View]
// runs on a pool of read-only connections, each transaction on a snapshot
// that writers do not change, while writes go on.
//
// [DB.UpdateUnlogged], with which package billing writes its ledger, runs
// on the same writer connection, one at a time with every other write,
// but advances no revision and appends nothing to the change log (Append
// fails in it with storage.ErrFailedPrecondition): the ledger's record is
// billing's own journal, and no compiled index follows it. On PostgreSQL
// such transactions commit concurrently, kept apart by row locks; here
// they need no locks, their function runs exactly once, and the journal's
// Seq is commit order. A write transaction keeps the ledger balances it
// reads in memory and writes each back once, when it commits.
//
// Several processes may open one file; they are several instances of one
// orgspace, like PostgreSQL clients, and follow each other through the
// change log (orgspace.Space's Access.Index with storage.AtLeast).
//
// Errors map to the storage sentinels: a taken key is
// storage.ErrAlreadyExists, a missing row storage.ErrNotFound, a View ahead
// of the head storage.ErrInvalidArgument.
package sqlite
