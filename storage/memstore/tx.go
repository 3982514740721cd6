package memstore

import (
	"errors"
	"fmt"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Tx is a transaction of a [DB], passed to the functions of [DB.Update]
// and [DB.UpdateUnlogged] (read-write) and [DB.View] (read-only). It
// implements orgspace.Store, which includes structure.Store,
// billing.Store and community.Store.
// It is valid only while that function runs.
type Tx struct {
	st       *state // nil once the transaction has ended
	writable bool
	// unlogged is set in a transaction of UpdateUnlogged, where Append
	// fails; refused is the error of the first Append it refused, which
	// fails the whole transaction.
	unlogged bool
	refused  error
	undo     []undoRecord
	pending  []storage.Entry
}

var (
	_ storage.Log    = (*Tx)(nil)
	_ org.Store      = (*Tx)(nil)
	_ access.Store   = (*Tx)(nil)
	_ orgspace.Store = (*Tx)(nil)
)

var (
	errReadOnly = errors.New("memstore: write in a read-only transaction")
	errEnded    = errors.New("memstore: transaction used after it ended")
)

// read returns the state for a read.
func (tx *Tx) read() (*state, error) {
	if tx.st == nil {
		return nil, errEnded
	}
	return tx.st, nil
}

// write returns the state for a write, refused in a read-only transaction.
func (tx *Tx) write() (*state, error) {
	st, err := tx.read()
	if err == nil && !tx.writable {
		err = errReadOnly
	}
	return st, err
}

// end makes tx unusable.
func (tx *Tx) end() { tx.st, tx.undo, tx.pending = nil, nil, nil }

// commit stamps the pending entries with the next revision, adds them to
// the log and makes that revision the head; an unlogged transaction, which
// has no entries, keeps the head. The undo log is left to the caller,
// which recycles it.
func (tx *Tx) commit() storage.Revision {
	st := tx.st
	if tx.unlogged {
		return st.head
	}
	rev := st.head + 1
	for i, e := range tx.pending {
		e.Revision, e.Seq = rev, i
		st.log = append(st.log, e)
		if e.Org != "" {
			st.logOfOrg[e.Org] = append(st.logOfOrg[e.Org], len(st.log)-1)
		}
	}
	st.head = rev
	tx.pending = nil
	return rev
}

// checkLimit refuses a listing limit that is not positive.
func checkLimit(what string, limit int) error {
	if limit <= 0 {
		return fmt.Errorf("memstore: %s: limit %d is not positive: %w", what, limit, storage.ErrInvalidArgument)
	}
	return nil
}

func notFound(what string, key any) error {
	return fmt.Errorf("memstore: %s %q: %w", what, key, storage.ErrNotFound)
}

func exists(what string, key any) error {
	return fmt.Errorf("memstore: %s %q: %w", what, key, storage.ErrAlreadyExists)
}

// lookup returns m[k] or an ErrNotFound error naming it.
func lookup[K comparable, V any](m map[K]V, what string, k K) (V, error) {
	v, ok := m[k]
	if !ok {
		return v, notFound(what, k)
	}
	return v, nil
}

// each calls fn for every value of m and stops at its first error.
func each[K comparable, V any](m map[K]V, fn func(V) error) error {
	for _, v := range m {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// collect looks up the values of keys in m, converted by conv.
func collect[K comparable, V, W any](m map[K]V, keys []K, conv func(V) W) []W {
	out := make([]W, 0, len(keys))
	for _, k := range keys {
		out = append(out, conv(m[k]))
	}
	return out
}

func same[V any](v V) V { return v }
