package storage

import (
	"context"
	"fmt"
)

// Revision numbers committed write transactions: 1, 2, 3, … in commit order.
// Zero means "nothing committed yet".
type Revision uint64

// Consistency says how fresh a read must be. The zero value is [Latest].
type Consistency struct {
	min Revision
}

// Latest reads whatever the store has committed when the read starts.
func Latest() Consistency { return Consistency{} }

// AtLeast reads a state that includes revision r and every revision before it.
func AtLeast(r Revision) Consistency { return Consistency{min: r} }

// MinRevision is the oldest revision the read may observe (0 for Latest).
func (c Consistency) MinRevision() Revision { return c.min }

// Satisfied reports whether a state at revision head is fresh enough.
func (c Consistency) Satisfied(head Revision) bool { return head >= c.min }

// String describes c for error messages.
func (c Consistency) String() string {
	if c.min == 0 {
		return "latest"
	}
	return fmt.Sprintf("at least revision %d", c.min)
}

// Transactor runs functions in transactions over a Store S. Backends
// implement Transactor over their own transaction type; services hold one
// over the domain Store they need (see [Narrow]).
type Transactor[S any] interface {
	// Update runs fn in a read-write transaction and commits it as a new
	// revision, which it returns. If fn returns an error, nothing is kept
	// and Update returns that error (wrapped errors keep their sentinels);
	// if fn panics, nothing is kept and the panic goes on. A cancelled ctx
	// fails with an error wrapping ctx.Err() before fn runs. Inside fn, the
	// Log's Head and Entries see the state before the transaction. fn may
	// run more than once when the database aborts the transaction to break
	// a deadlock (see UpdateUnlogged), so it must have no effect outside
	// the transaction.
	Update(ctx context.Context, fn func(S) error) (Revision, error)
	// UpdateUnlogged runs fn in a read-write transaction that takes no
	// part in the change log: it neither advances the revision nor may
	// append an entry (Append fails with ErrFailedPrecondition, and so
	// does fn's whole transaction). Such a transaction waits for no other
	// write to finish except those touching the rows it locks, so on a
	// backend with row locks many of them commit at once and share the
	// disk's flushes. Package billing writes with it: its ledger keeps its
	// own journal and no compiled index follows it. Rollback on an error or
	// a panic is as in Update. fn may run more than once when the database
	// aborts the transaction to break a deadlock or a serialisation
	// conflict, so it must have no effect outside the transaction.
	UpdateUnlogged(ctx context.Context, fn func(S) error) error
	// View runs fn in a read-only transaction on a state that satisfies c;
	// writes through its Store fail. A c ahead of anything committed fails
	// with ErrInvalidArgument.
	View(ctx context.Context, c Consistency, fn func(S) error) error
}

// Narrow turns a backend's Transactor over its transaction type T into a
// Transactor over a domain Store S that T implements; as is the conversion,
// usually func(t T) S { return t }.
func Narrow[S, T any](b Transactor[T], as func(T) S) Transactor[S] {
	return narrowed[S, T]{b: b, as: as}
}

type narrowed[S, T any] struct {
	b  Transactor[T]
	as func(T) S
}

func (n narrowed[S, T]) Update(ctx context.Context, fn func(S) error) (Revision, error) {
	return n.b.Update(ctx, func(t T) error { return fn(n.as(t)) })
}

func (n narrowed[S, T]) UpdateUnlogged(ctx context.Context, fn func(S) error) error {
	return n.b.UpdateUnlogged(ctx, func(t T) error { return fn(n.as(t)) })
}

func (n narrowed[S, T]) View(ctx context.Context, c Consistency, fn func(S) error) error {
	return n.b.View(ctx, c, func(t T) error { return fn(n.as(t)) })
}
