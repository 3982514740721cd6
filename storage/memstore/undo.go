package memstore

import (
	"cmp"

	"github.com/orgspace/orgspace/billing"
)

// The functions below are the only way a Tx changes the state: each makes
// one change and records on the Tx the change that undoes it, so a failed
// Update can roll back by running the undo log in reverse.

// undoRecord is one record of the undo log: a function to run, or, for the
// ledger's writes, which every transfer makes several of, a typed record
// that costs no allocation (see undoLedger).
type undoRecord struct {
	fn func()
	// op, flag, i and bal are a typed record, read as op says.
	op   ledgerOp
	flag bool
	i    int32
	bal  billing.Balance
}

// onUndo records f to run if the transaction rolls back.
func (tx *Tx) onUndo(f func()) { tx.undo = append(tx.undo, undoRecord{fn: f}) }

// rollback undoes every recorded change, newest first, and drops the
// entries appended so far.
func (tx *Tx) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		if u := &tx.undo[i]; u.fn != nil {
			u.fn()
		} else {
			tx.st.undoLedger(u)
		}
	}
	tx.pending = nil
}

// put sets m[k] = v.
func put[K comparable, V any](tx *Tx, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	tx.onUndo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// rowPut sets the row of k in t to v.
func rowPut[K comparable, V any](tx *Tx, t *rowTable[K, V], k K, v V) {
	old, had := t.get(k)
	t.set(k, v)
	tx.onUndo(func() {
		if had {
			t.set(k, old)
		} else {
			t.remove(k) // the last row: undone in reverse, nothing moves
		}
	})
}

// rowDelete deletes the row of k from t, if present.
func rowDelete[K comparable, V any](tx *Tx, t *rowTable[K, V], k K) {
	old, had := t.get(k)
	if !had {
		return
	}
	i := t.remove(k)
	tx.onUndo(func() { t.insertAt(k, old, i) })
}

// del deletes m[k], if present.
func del[K comparable, V any](tx *Tx, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	tx.onUndo(func() { m[k] = old })
}

// count adds d to the counter m[k]; counters at zero are dropped.
func count[K comparable](tx *Tx, m map[K]int, k K, d int) {
	add := func(d int) {
		if n := m[k] + d; n == 0 {
			delete(m, k)
		} else {
			m[k] = n
		}
	}
	add(d)
	tx.onUndo(func() { add(-d) })
}

// setAdd adds k to s.
func setAdd[K cmp.Ordered](tx *Tx, s *sortedSet[K], k K) {
	if s.add(k) {
		tx.onUndo(func() { s.remove(k) })
	}
}

// indexAdd adds k to the set of p.
func indexAdd[P comparable, K cmp.Ordered](tx *Tx, ix index[P, K], p P, k K) {
	if ix.add(p, k) {
		tx.onUndo(func() { ix.remove(p, k) })
	}
}

// indexRemove removes k from the set of p.
func indexRemove[P comparable, K cmp.Ordered](tx *Tx, ix index[P, K], p P, k K) {
	if ix.remove(p, k) {
		tx.onUndo(func() { ix.add(p, k) })
	}
}

// indexMove moves k from the set of p to the set of q.
func indexMove[P comparable, K cmp.Ordered](tx *Tx, ix index[P, K], p, q P, k K) {
	if p != q {
		indexRemove(tx, ix, p, k)
		indexAdd(tx, ix, q, k)
	}
}
