package sqlstore

import (
	"fmt"

	"github.com/orgspace/orgspace/storage"
)

const entryCols = `revision, seq, time, actor, action, target, org_id, account_id, user_id, detail`

func scanEntry(r Rows) (storage.Entry, error) {
	var e storage.Entry
	var rev int64
	err := r.Scan(&rev, &e.Seq, timeCol{&e.Time}, &e.Actor, &e.Action, &e.Target, &e.Org, &e.Account, &e.User, &e.Detail)
	e.Revision = storage.Revision(rev)
	return e, err
}

// Append implements storage.Log: it validates e and keeps it with the
// transaction until Seal writes it. In an unlogged transaction it fails
// with storage.ErrFailedPrecondition, and so does the transaction (see
// CheckUnlogged).
func (tx *Tx) Append(e storage.Entry) error {
	if err := tx.usable(true); err != nil {
		return err
	}
	if tx.unlogged {
		err := fmt.Errorf("%s: append log entry %q: a transaction of UpdateUnlogged takes no part in the change log: %w",
			tx.d.Name, e.Action, storage.ErrFailedPrecondition)
		if tx.refused == nil {
			tx.refused = err
		}
		return err
	}
	if err := storage.CheckEntry(e); err != nil {
		return err
	}
	if _, err := timeArg("log entry time", e.Time); err != nil {
		return err
	}
	tx.pending = append(tx.pending, e)
	return nil
}

// Entries implements storage.Log: committed entries only.
func (tx *Tx) Entries(q storage.LogQuery) ([]storage.Entry, error) {
	if err := tx.checkLimit("log entries", q.Limit); err != nil {
		return nil, err
	}
	after, seq := int64(q.After.Revision), q.After.Seq
	if q.Org == "" {
		return list(tx, "log entries", scanEntry,
			`SELECT `+entryCols+` FROM log WHERE (revision, seq) > ($1, $2) ORDER BY revision, seq LIMIT $3`,
			after, seq, q.Limit)
	}
	return list(tx, "log entries of "+q.Org, scanEntry,
		`SELECT `+entryCols+` FROM log WHERE org_id = $1 AND (revision, seq) > ($2, $3) ORDER BY revision, seq LIMIT $4`,
		q.Org, after, seq, q.Limit)
}

// Head implements storage.Log: the latest committed revision.
func (tx *Tx) Head() (storage.Revision, error) {
	var head int64
	err := tx.one("head revision", func(r Rows) error { return r.Scan(&head) }, `SELECT revision FROM head`)
	return storage.Revision(head), err
}

// Seal ends a write transaction's work: it writes the balances it holds
// back (see flush), takes the next revision from the head row and writes
// the pending log entries under it. The backend calls it after the
// transaction's function succeeded and commits right after; the returned
// revision is the transaction's. Its writes may be deferred to the commit.
func (tx *Tx) Seal() (storage.Revision, error) {
	if err := tx.usable(true); err != nil {
		return 0, err
	}
	if tx.unlogged {
		return 0, fmt.Errorf("%s: seal: the transaction is unlogged: %w", tx.d.Name, storage.ErrFailedPrecondition)
	}
	if err := tx.flush(); err != nil {
		return 0, err
	}
	var head int64
	if err := tx.one("next revision", func(r Rows) error { return r.Scan(&head) },
		`UPDATE head SET revision = revision + 1 RETURNING revision`); err != nil {
		return 0, err
	}
	for i, e := range tx.pending {
		t, _ := timeArg("log entry time", e.Time) // checked by Append
		if err := tx.deferExec("append log entry",
			`INSERT INTO log (`+entryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			head, i, t, e.Actor, e.Action, e.Target, e.Org, e.Account, e.User, e.Detail); err != nil {
			return 0, err
		}
	}
	tx.pending = nil
	return storage.Revision(head), nil
}

// CheckUnlogged ends an unlogged transaction's work in place of Seal: it
// returns the error of the first Append the transaction refused, so that a
// function that went on after it still fails as a whole, and otherwise
// writes the balances it holds back (see flush), maybe deferred to the
// commit. The backend calls it after the transaction's function succeeded
// and commits right after.
func (tx *Tx) CheckUnlogged() error {
	if err := tx.usable(true); err != nil {
		return err
	}
	if !tx.unlogged {
		return fmt.Errorf("%s: check unlogged: the transaction is logged: %w", tx.d.Name, storage.ErrFailedPrecondition)
	}
	if tx.refused != nil {
		return tx.refused
	}
	return tx.flush()
}
