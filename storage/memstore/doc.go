// Package memstore is an in-memory orgspace backend: a [DB] runs
// transactions whose [Tx] implements orgspace.Store (org.Store,
// access.Store, structure.Store, billing.Store, community.Store and the
// audit and change log).
//
// It is meant for tests, examples and single-process tools. It keeps
// nothing across restarts: the state lives in maps owned by the DB and
// disappears with it.
//
// # Locking
//
// A DB has one sync.RWMutex. [DB.Update] holds the write lock for the whole
// of its function, so read-write transactions run one at a time and are
// serialisable; [DB.View] holds the read lock, so any number of read-only
// transactions run together, each on a state that no writer changes under
// it. A Tx belongs to the function it is passed to: it must not be used
// after that function returns, and a Tx of Update must not be used from two
// goroutines at once. The lock is not reentrant: calling Update or View of
// the same DB from inside a transaction deadlocks. [DB.UpdateUnlogged]
// holds the write lock too: in memory there is nothing to gain from row
// locks, and one writer at a time makes every transaction serialisable.
//
// # Atomicity
//
// Update writes straight into the maps and records, for every change, the
// change that undoes it. When the function returns an error, panics or
// exits its goroutine (runtime.Goexit, as t.FailNow does), the undo log is
// applied in reverse and the state is exactly what it was; the log entries
// the function appended are dropped. Otherwise the transaction commits as
// the next revision and its entries are stamped with it; an UpdateUnlogged
// transaction commits without a revision, and refuses Append. The undo log
// holds typed records for the ledger's hot path (a balance, a journal
// entry), so posting a transfer allocates next to nothing, and closures for
// everything else.
//
// # Copies
//
// Every value going in or out is copied, byte slices and a link's
// selections included, so a caller cannot change the store through a value
// it passed or received. A selection's empty account or item list reads
// back as nil, as in the SQL backends; lists keep their order.
package memstore
