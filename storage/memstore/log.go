package memstore

import (
	"fmt"
	"sort"

	"github.com/orgspace/orgspace/storage"
)

// Append implements storage.Log: it validates e with storage.CheckEntry and
// keeps it with the transaction; Update stamps and logs it on commit, or
// drops it on rollback. In a transaction of UpdateUnlogged it fails with
// an error wrapping storage.ErrFailedPrecondition, and the transaction
// fails with it.
func (tx *Tx) Append(e storage.Entry) error {
	if _, err := tx.write(); err != nil {
		return err
	}
	if tx.unlogged {
		err := fmt.Errorf("memstore: append %q: the transaction takes no part in the change log: %w",
			e.Action, storage.ErrFailedPrecondition)
		if tx.refused == nil {
			tx.refused = err
		}
		return err
	}
	if err := storage.CheckEntry(e); err != nil {
		return err
	}
	tx.pending = append(tx.pending, e)
	return nil
}

// Entries implements storage.Log. It sees committed entries only, not the
// ones the running transaction appended.
func (tx *Tx) Entries(q storage.LogQuery) ([]storage.Entry, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("log entries", q.Limit); err != nil {
		return nil, err
	}
	after := func(e storage.Entry) bool { return q.After.Before(e.Position()) }
	if q.Org == "" {
		i := sort.Search(len(st.log), func(i int) bool { return after(st.log[i]) })
		return append([]storage.Entry(nil), st.log[i:upTo(i, len(st.log), q.Limit)]...), nil
	}
	ix := st.logOfOrg[q.Org]
	j := sort.Search(len(ix), func(j int) bool { return after(st.log[ix[j]]) })
	ix = ix[j:upTo(j, len(ix), q.Limit)]
	out := make([]storage.Entry, 0, len(ix))
	for _, i := range ix {
		out = append(out, st.log[i])
	}
	return out, nil
}

// Head implements storage.Log: the latest committed revision (inside
// Update, the revision before the running transaction's).
func (tx *Tx) Head() (storage.Revision, error) {
	st, err := tx.read()
	if err != nil {
		return 0, err
	}
	return st.head, nil
}

// upTo returns the end of a range of at most limit items from i to n,
// without overflowing.
func upTo(i, n, limit int) int {
	if n-i > limit {
		return i + limit
	}
	return n
}
