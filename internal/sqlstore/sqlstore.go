package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/storage"
)

// Querier runs the statements of one database transaction. The backends
// adapt database/sql and pgx to it.
type Querier interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query; the caller closes the Rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
}

// Deferrer is a Querier that can hold a write back and send it with the
// next statement, or with the commit, in one round trip. When the write
// fails, the call that sent it (Exec, Query or the backend's commit)
// returns fail of its native error.
type Deferrer interface {
	Defer(query string, args []any, fail func(error) error)
}

// Rows is a query's result, read row by row.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Name prefixes error messages: "sqlite", "postgres".
	Name string
	// Classify returns the storage sentinel a native error stands for
	// (storage.ErrAlreadyExists for a unique key, storage.ErrNotFound for a
	// foreign key), or nil when it stands for none.
	Classify func(err error) error
	// RowLocks is set for a database whose write transactions run
	// concurrently (PostgreSQL's unlogged ones): in a read-write
	// transaction, the lookups billing.Store says lock their row take it
	// with SELECT … FOR UPDATE, and LockBalances creates and locks the
	// accounts' rows with one upsert. Without it (SQLite, one writer at a
	// time) they are plain reads.
	RowLocks bool
}

// Hook, when set, runs before every statement a Tx sends (and before the
// backend's COMMIT, which the backend reports as "COMMIT"); an error it
// returns fails that statement. Fault-injection tests use it.
type Hook func(query string) error

// Tx is a transaction of a SQL backend; it implements orgspace.Store. It is
// valid only while the function it is passed to runs, and must not be used
// from two goroutines at once. Methods that call a function for every row
// (AllGrants, …) stream the rows while it runs, so the function must not
// use the Tx.
type Tx struct {
	ctx      context.Context
	q        Querier
	d        *Dialect
	hook     Hook
	writable bool
	ended    bool
	pending  []storage.Entry
	// unlogged is set on a transaction of UpdateUnlogged, whose Append
	// fails; refused is the first error it failed with.
	unlogged bool
	refused  error
	// held are the balances this read-write transaction locked (see
	// LockBalances), written by PutBalance to dirty until flush sends them.
	held  map[billing.LedgerAccount]*heldBalance
	dirty []billing.LedgerAccount
	// optimistic is set on an unlogged transaction whose InsertTransfer
	// holds transfers back in journal, assuming their IDs free; the IDs
	// it took are optimisticIDs.
	optimistic    bool
	journal       []journalRow
	optimisticIDs map[string]struct{}
}

var _ orgspace.Store = (*Tx)(nil)

// Begin wraps a database transaction that the backend has begun.
func Begin(ctx context.Context, q Querier, d *Dialect, writable bool, hook Hook) *Tx {
	return &Tx{ctx: ctx, q: q, d: d, writable: writable, hook: hook}
}

// BeginUnlogged wraps a read-write database transaction that takes no part
// in the change log (storage.Transactor.UpdateUnlogged): its Append fails
// with storage.ErrFailedPrecondition, and the backend ends it with
// [Tx.CheckUnlogged] instead of [Tx.Seal].
//
// An optimistic transaction's InsertTransfer sends nothing: it assumes
// that the transfer's ID is free, unless the transaction used it, and the
// transfers go to the journal in one statement, sent with the commit or
// before a read of the journal. That saves a round trip per transfer. When
// an ID was taken after all, that statement fails the transaction with an
// error wrapping [ErrRerun], and the backend must roll it back and run the
// function again in a transaction that is not optimistic. So must it when
// the transaction fails otherwise after it assumed IDs free
// ([Tx.OptimisticIDs]) and one of them is taken, since the failure may
// follow from the wrong assumption. Only a function that may run more than
// once, as UpdateUnlogged's, may be optimistic.
func BeginUnlogged(ctx context.Context, q Querier, d *Dialect, hook Hook, optimistic bool) *Tx {
	return &Tx{ctx: ctx, q: q, d: d, writable: true, hook: hook, unlogged: true, optimistic: optimistic}
}

// ErrRerun fails an optimistic transaction that assumed a taken transfer
// ID free; see [BeginUnlogged].
var ErrRerun = errors.New("a transfer ID assumed free was taken: run the transaction again, not optimistic")

// OptimisticIDs returns the transfer IDs the optimistic transaction
// assumed free. After the function failed and the transaction rolled back,
// the backend checks whether any is taken: then the failure may be the
// assumption's, and the function must run again (see [BeginUnlogged]).
func (tx *Tx) OptimisticIDs() []string {
	ids := make([]string, 0, len(tx.optimisticIDs))
	for id := range tx.optimisticIDs {
		ids = append(ids, id)
	}
	return ids
}

// End makes tx unusable; the backend calls it when the function returns.
func (tx *Tx) End() {
	tx.ended, tx.q, tx.pending, tx.held, tx.dirty, tx.journal = true, nil, nil, nil, nil, nil
}

// errReadOnly and errEnded are the errors of misused transactions.
var (
	errReadOnly = errors.New("write in a read-only transaction")
	errEnded    = errors.New("transaction used after it ended")
)

// usable refuses a Tx that has ended, and a write in a read-only one.
func (tx *Tx) usable(write bool) error {
	switch {
	case tx.ended:
		return fmt.Errorf("%s: %w", tx.d.Name, errEnded)
	case write && !tx.writable:
		return fmt.Errorf("%s: %w", tx.d.Name, errReadOnly)
	}
	return nil
}

// lockRow is what a lookup of one row that billing.Store says locks it
// appends to its SELECT: FOR UPDATE in a read-write transaction of a
// database with row locks, nothing otherwise.
func (tx *Tx) lockRow() string {
	if tx.writable && tx.d.RowLocks {
		return ` FOR UPDATE`
	}
	return ``
}

// deferExec runs a write whose only result is success: on a Deferrer it
// is sent with the next statement or the commit, and fails there.
func (tx *Tx) deferExec(what, query string, args ...any) error {
	return tx.deferWrite(what, func(err error) error { return tx.fail(what, err) }, query, args)
}

// deferWrite is deferExec with fail turning the statement's native error
// into the one to return.
func (tx *Tx) deferWrite(what string, fail func(error) error, query string, args []any) error {
	if err := tx.usable(true); err != nil {
		return err
	}
	if err := tx.before(query); err != nil {
		return tx.fail(what, err)
	}
	if d, ok := tx.q.(Deferrer); ok {
		d.Defer(query, args, fail)
		return nil
	}
	if _, err := tx.q.Exec(tx.ctx, query, args...); err != nil {
		return fail(err)
	}
	return nil
}

// exec runs a write statement and returns the rows it changed.
func (tx *Tx) exec(what, query string, args ...any) (int64, error) {
	if err := tx.usable(true); err != nil {
		return 0, err
	}
	if err := tx.before(query); err != nil {
		return 0, tx.fail(what, err)
	}
	n, err := tx.q.Exec(tx.ctx, query, args...)
	if err != nil {
		return 0, tx.fail(what, err)
	}
	return n, nil
}

// query runs a read and calls scan for every row.
func (tx *Tx) query(what string, scan func(Rows) error, query string, args ...any) error {
	if err := tx.usable(false); err != nil {
		return err
	}
	if err := tx.before(query); err != nil {
		return tx.fail(what, err)
	}
	rows, err := tx.q.Query(tx.ctx, query, args...)
	if err != nil {
		return tx.fail(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return tx.fail(what, err)
	}
	return nil
}

// one runs a query that finds at most one row, scanned by scan; no row is
// an ErrNotFound naming what.
func (tx *Tx) one(what string, scan func(Rows) error, query string, args ...any) error {
	found := false
	err := tx.query(what, func(r Rows) error {
		found = true
		return tx.scan(what, r, scan)
	}, query, args...)
	if err == nil && !found {
		err = fmt.Errorf("%s: %s: %w", tx.d.Name, what, storage.ErrNotFound)
	}
	return err
}

// list runs a query and collects its rows, scanned into T.
func list[T any](tx *Tx, what string, scan func(Rows) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := tx.query(what, func(r Rows) error {
		v, err := scan(r)
		if err != nil {
			return tx.fail(what, err)
		}
		out = append(out, v)
		return nil
	}, query, args...)
	return out, err
}

// each runs a query and calls fn with every row, scanned into T.
func each[T any](tx *Tx, what string, scan func(Rows) (T, error), fn func(T) error, query string, args ...any) error {
	return tx.query(what, func(r Rows) error {
		v, err := scan(r)
		if err != nil {
			return tx.fail(what, err)
		}
		return fn(v)
	}, query, args...)
}

// scan runs scan on a row and names what on a failure.
func (tx *Tx) scan(what string, r Rows, scan func(Rows) error) error {
	if err := scan(r); err != nil {
		return tx.fail(what, err)
	}
	return nil
}

// before runs the hook.
func (tx *Tx) before(query string) error {
	if tx.hook == nil {
		return nil
	}
	return tx.hook(query)
}

// fail wraps a database error with what failed and the sentinel it stands
// for, if any.
func (tx *Tx) fail(what string, err error) error {
	if s := tx.d.Classify(err); s != nil {
		return fmt.Errorf("%s: %s: %w (%w)", tx.d.Name, what, s, err)
	}
	return fmt.Errorf("%s: %s: %w", tx.d.Name, what, err)
}

// found turns "no row changed" into an ErrNotFound naming what.
func (tx *Tx) found(what string, n int64, err error) error {
	if err == nil && n == 0 {
		err = fmt.Errorf("%s: %s: %w", tx.d.Name, what, storage.ErrNotFound)
	}
	return err
}

// inserted turns "no row inserted" (ON CONFLICT DO NOTHING) into an
// ErrAlreadyExists naming what.
func (tx *Tx) inserted(what string, n int64, err error) error {
	if err == nil && n == 0 {
		err = fmt.Errorf("%s: %s: %w", tx.d.Name, what, storage.ErrAlreadyExists)
	}
	return err
}

// checkLimit refuses a listing limit that is not positive.
func (tx *Tx) checkLimit(what string, limit int) error {
	if limit <= 0 {
		return fmt.Errorf("%s: %s: limit %d is not positive: %w", tx.d.Name, what, limit, storage.ErrInvalidArgument)
	}
	return nil
}
