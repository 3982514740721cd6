package sqlstore

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

var _ billing.Store = (*Tx)(nil)

// The ledger's balances are rows of balances keyed by the account (org_id,
// asset, kind, ref), assets and kinds as their small integers. On a
// database with row locks, LockBalances creates a missing account's row
// (zero totals, written unset) so that it has a row to lock; the written
// flag, set by PutBalance, keeps such rows out of the listings, so an
// account has a balance exactly once PutBalance wrote it.
//
// A read-write transaction holds the balances it locked: no other
// transaction can change them until it ends (on SQLite, none can write at
// all), so it keeps their latest values in memory. LockBalances of a held
// account and Balance read them there, PutBalance of one writes there, and
// flush writes the written ones back in one statement, before a listing
// reads the table and before the commit. A transaction that posts many
// transfers between a few accounts thus locks each once and writes each
// once, instead of making a row version per transfer that the next one
// must step over.

const accountBalanceCols = `org_id, asset, kind, ref, debits_posted, credits_posted, debits_pending, credits_pending`

// heldBalance is a balance a transaction holds; dirty once PutBalance
// wrote it, until flush sends it.
type heldBalance struct {
	b     billing.Balance
	dirty bool
}

// balanceScanner returns a function that scans rows of accountBalanceCols
// into reused destinations.
func balanceScanner() func(Rows) (billing.AccountBalance, error) {
	var orgID, ref string
	var ab billing.AccountBalance
	dest := []any{&orgID, (*uint8)(&ab.Account.Asset), (*uint8)(&ab.Account.Kind), &ref,
		&ab.DebitsPosted, &ab.CreditsPosted, &ab.DebitsPending, &ab.CreditsPending}
	return func(r Rows) (billing.AccountBalance, error) {
		if err := r.Scan(dest...); err != nil {
			return billing.AccountBalance{}, err
		}
		ab.Account.Org, ab.Account.Ref = org.OrganisationID(orgID), ref
		return ab, nil
	}
}

// ledgerAccountArgs appends an account's key columns to args.
func ledgerAccountArgs(args []any, a billing.LedgerAccount) []any {
	return append(args, string(a.Org), int64(a.Asset), int64(a.Kind), a.Ref)
}

// accountLess orders accounts by their key columns, as the database does:
// the order LockBalances locks them in.
func accountLess(a, b billing.LedgerAccount) bool {
	switch {
	case a.Org != b.Org:
		return a.Org < b.Org
	case a.Asset != b.Asset:
		return a.Asset < b.Asset
	case a.Kind != b.Kind:
		return a.Kind < b.Kind
	}
	return a.Ref < b.Ref
}

// statements memoises the statements of n rows that rowStatement builds,
// by name and n.
var statements sync.Map

type statementKey struct {
	name string
	n    int
}

// rowStatement returns build(n), built once per name and n.
func rowStatement(name string, n int, build func(n int) string) string {
	k := statementKey{name, n}
	if s, ok := statements.Load(k); ok {
		return s.(string)
	}
	s, _ := statements.LoadOrStore(k, build(n))
	return s.(string)
}

// valueRows returns n rows of VALUES for a statement, each of the given
// columns and then suffix, numbering the parameters from 1.
func valueRows(n, columns int, suffix string) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range columns {
			if c > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "$%d", i*columns+c+1)
		}
		sb.WriteString(suffix)
		sb.WriteByte(')')
	}
	return sb.String()
}

// LockBalances implements billing.Store. In a read-write transaction it
// holds the balances (see above); with row locks, one upsert both creates
// the accounts' rows if missing and locks them, in the order of its
// VALUES, which is the accounts' key order: two transactions that lock the
// same two accounts take them in the same order and never deadlock.
// Otherwise it reads them.
func (tx *Tx) LockBalances(a, b billing.LedgerAccount) (billing.Balance, billing.Balance, error) {
	if err := tx.usable(false); err != nil {
		return billing.Balance{}, billing.Balance{}, err
	}
	what := func() string { return "lock balances of " + a.String() + " and " + b.String() }
	if a == b {
		return billing.Balance{}, billing.Balance{}, fmt.Errorf("%s: %s: the accounts are the same: %w", tx.d.Name, what(), storage.ErrInvalidArgument)
	}
	var missing []billing.LedgerAccount
	for _, acc := range [2]billing.LedgerAccount{a, b} {
		if tx.held[acc] == nil {
			missing = append(missing, acc)
		}
	}
	if len(missing) == 2 && accountLess(b, a) {
		missing[0], missing[1] = b, a
	}
	if len(missing) > 0 {
		var args []any
		for _, acc := range missing {
			args = ledgerAccountArgs(args, acc)
		}
		var query string
		if tx.lockRow() != "" {
			query = rowStatement("lock balances", len(missing), func(n int) string {
				return `INSERT INTO balances (org_id, asset, kind, ref) VALUES ` + valueRows(n, 4, "") + `
				ON CONFLICT (org_id, asset, kind, ref) DO UPDATE SET written = balances.written
				RETURNING ` + accountBalanceCols
			})
		} else {
			query = `SELECT ` + accountBalanceCols + ` FROM balances WHERE org_id = $1 AND asset = $2 AND kind = $3 AND ref = $4`
			if len(missing) == 2 {
				query += ` OR org_id = $5 AND asset = $6 AND kind = $7 AND ref = $8`
			}
		}
		found := map[billing.LedgerAccount]billing.Balance{}
		scan := balanceScanner()
		if err := tx.query(what(), func(r Rows) error {
			ab, err := scan(r)
			if err != nil {
				return tx.fail(what(), err)
			}
			found[ab.Account] = ab.Balance
			return nil
		}, query, args...); err != nil {
			return billing.Balance{}, billing.Balance{}, err
		}
		if !tx.writable {
			return found[a], found[b], nil
		}
		if tx.held == nil {
			tx.held = map[billing.LedgerAccount]*heldBalance{}
		}
		for _, acc := range missing {
			tx.held[acc] = &heldBalance{b: found[acc]}
		}
	}
	return tx.held[a].b, tx.held[b].b, nil
}

// PutBalance implements billing.Store: a balance the transaction holds is
// written in memory until flush, any other at once.
func (tx *Tx) PutBalance(a billing.LedgerAccount, b billing.Balance) error {
	if err := tx.usable(true); err != nil {
		return err
	}
	if h := tx.held[a]; h != nil {
		if !h.dirty {
			tx.dirty = append(tx.dirty, a)
		}
		h.b, h.dirty = b, true
		return nil
	}
	_, err := tx.exec("put balance of "+a.String(), putBalances(1),
		string(a.Org), int64(a.Asset), int64(a.Kind), a.Ref, b.DebitsPosted, b.CreditsPosted, b.DebitsPending, b.CreditsPending)
	return err
}

// putBalances is the statement that writes n balances, each given as the
// account's key and its four totals.
func putBalances(n int) string {
	return rowStatement("put balances", n, buildPutBalances)
}

func buildPutBalances(n int) string {
	return `INSERT INTO balances (org_id, asset, kind, ref, debits_posted, credits_posted, debits_pending, credits_pending, written)
		VALUES ` + valueRows(n, 8, ", TRUE") + `
		ON CONFLICT (org_id, asset, kind, ref) DO UPDATE SET debits_posted = excluded.debits_posted,
			credits_posted = excluded.credits_posted, debits_pending = excluded.debits_pending,
			credits_pending = excluded.credits_pending, written = TRUE`
}

// flushChunk is the most rows one statement of flush writes: 8 (a
// balance) or 18 (a transfer) parameters each stay well within SQLite's
// and PostgreSQL's limits.
const flushChunk = 512

// chunk is how many of n rows the next statement of flush writes: a power
// of two, so that a connection prepares at most ten forms of each
// statement however many rows transactions write.
func chunk(n int) int {
	c := 1
	for c*2 <= min(n, flushChunk) {
		c *= 2
	}
	return c
}

// flush writes what the transaction holds back: the transfers of an
// optimistic one and the held balances that PutBalance wrote, in
// statements that a Deferrer may send with the next statement or the
// commit.
func (tx *Tx) flush() error {
	if err := tx.flushJournal(); err != nil {
		return err
	}
	for len(tx.dirty) > 0 {
		n := chunk(len(tx.dirty))
		args := make([]any, 0, 8*n)
		for _, a := range tx.dirty[:n] {
			h := tx.held[a]
			args = append(ledgerAccountArgs(args, a), h.b.DebitsPosted, h.b.CreditsPosted, h.b.DebitsPending, h.b.CreditsPending)
			h.dirty = false
		}
		if err := tx.deferExec(fmt.Sprintf("put %d balances", n), putBalances(n), args...); err != nil {
			return err
		}
		tx.dirty = tx.dirty[n:]
	}
	tx.dirty = nil
	return nil
}

// Balance implements billing.Store.
func (tx *Tx) Balance(a billing.LedgerAccount) (billing.Balance, error) {
	if err := tx.usable(false); err != nil {
		return billing.Balance{}, err
	}
	if h := tx.held[a]; h != nil {
		return h.b, nil
	}
	var b billing.Balance
	scan := balanceScanner()
	err := tx.query("balance of "+a.String(), func(r Rows) error {
		ab, err := scan(r)
		b = ab.Balance
		return err
	}, `SELECT `+accountBalanceCols+` FROM balances WHERE org_id = $1 AND asset = $2 AND kind = $3 AND ref = $4`,
		ledgerAccountArgs(nil, a)...)
	return b, err
}

// BalancesOfOrg implements billing.Store.
func (tx *Tx) BalancesOfOrg(o org.OrganisationID) ([]billing.AccountBalance, error) {
	if err := tx.flush(); err != nil {
		return nil, err
	}
	return list(tx, "balances of organisation "+string(o), balanceScanner(),
		`SELECT `+accountBalanceCols+` FROM balances WHERE org_id = $1 AND written ORDER BY asset, kind, ref`, o)
}

// AllBalances implements billing.Store.
func (tx *Tx) AllBalances(fn func(billing.AccountBalance) error) error {
	if err := tx.flush(); err != nil {
		return err
	}
	return each(tx, "all balances", balanceScanner(), fn,
		`SELECT `+accountBalanceCols+` FROM balances WHERE written`)
}

// The journal: one row per transfer, seq numbering them as inserted. Each
// side's account is four columns; CloseTransfer is the one update.

const journalCols = `seq, id, asset, from_org, from_asset, from_kind, from_ref, to_org, to_asset, to_kind, to_ref,
	amount, pending, pending_id, void, time, reason, open, actor`

// journalScanner returns a function that scans rows of journalCols into
// reused destinations.
func journalScanner() func(Rows) (billing.JournalEntry, error) {
	var id, fromOrg, fromRef, toOrg, toRef, pendingID, reason, actor string
	var e billing.JournalEntry
	dest := []any{&e.Seq, &id, (*uint8)(&e.Asset),
		&fromOrg, (*uint8)(&e.From.Asset), (*uint8)(&e.From.Kind), &fromRef,
		&toOrg, (*uint8)(&e.To.Asset), (*uint8)(&e.To.Kind), &toRef,
		&e.Amount, &e.Pending, &pendingID, &e.Void, timeCol{&e.Time}, &reason, &e.Open, &actor}
	return func(r Rows) (billing.JournalEntry, error) {
		if err := r.Scan(dest...); err != nil {
			return billing.JournalEntry{}, err
		}
		e.ID, e.PendingID, e.Reason, e.Actor = id, pendingID, reason, actor
		e.From.Org, e.From.Ref = org.OrganisationID(fromOrg), fromRef
		e.To.Org, e.To.Ref = org.OrganisationID(toOrg), toRef
		return e, nil
	}
}

// journalInsertCols are the columns InsertTransfer writes: all but seq.
const journalInsertCols = `id, asset, from_org, from_asset, from_kind, from_ref, to_org, to_asset, to_kind, to_ref,
	amount, pending, pending_id, void, time, reason, open, actor`

// insertJournal is the statement that appends n transfers to the journal,
// each given as its journalInsertCols; with skipTaken, a transfer whose ID
// is taken is skipped (ON CONFLICT DO NOTHING), otherwise it fails the
// statement.
func insertJournal(n int, skipTaken bool) string {
	if skipTaken {
		return rowStatement("insert transfers skipping taken", n, func(n int) string {
			return `INSERT INTO journal (` + journalInsertCols + `) VALUES ` + valueRows(n, 18, "") + ` ON CONFLICT DO NOTHING`
		})
	}
	return rowStatement("insert transfers", n, func(n int) string {
		return `INSERT INTO journal (` + journalInsertCols + `) VALUES ` + valueRows(n, 18, "")
	})
}

// journalRow is a transfer as InsertTransfer's statement takes it.
type journalRow [18]any

func newJournalRow(t billing.Transfer, actor string) (journalRow, error) {
	tm, err := timeArg("transfer time", t.Time)
	return journalRow{t.ID, int64(t.Asset), string(t.From.Org), int64(t.From.Asset), int64(t.From.Kind), t.From.Ref,
		string(t.To.Org), int64(t.To.Asset), int64(t.To.Kind), t.To.Ref,
		t.Amount, t.Pending, t.PendingID, t.Void, tm, t.Reason, t.Pending, actor}, err
}

// InsertTransfer implements billing.Store. In an optimistic transaction
// (see BeginUnlogged) it holds the transfer back, assuming its ID free
// unless this transaction used it, and flush appends it with the others.
func (tx *Tx) InsertTransfer(t billing.Transfer, actor string) error {
	row, err := newJournalRow(t, actor)
	if err != nil {
		return err
	}
	if !tx.optimistic {
		n, err := tx.exec("insert transfer "+t.ID, insertJournal(1, true), row[:]...)
		return tx.inserted("transfer "+t.ID, n, err)
	}
	if err := tx.usable(true); err != nil {
		return err
	}
	if _, ok := tx.optimisticIDs[t.ID]; ok {
		return tx.inserted("transfer "+t.ID, 0, nil)
	}
	if tx.optimisticIDs == nil {
		tx.optimisticIDs = map[string]struct{}{}
	}
	tx.optimisticIDs[t.ID] = struct{}{}
	tx.journal = append(tx.journal, row)
	return nil
}

// flushJournal appends the transfers an optimistic transaction holds back,
// in statements that a Deferrer may send with the next statement or the
// commit. A taken ID fails the statement (it has no ON CONFLICT clause),
// and with it the transaction, with ErrRerun.
func (tx *Tx) flushJournal() error {
	for len(tx.journal) > 0 {
		n := chunk(len(tx.journal))
		args := make([]any, 0, 18*n)
		for _, row := range tx.journal[:n] {
			args = append(args, row[:]...)
		}
		what := fmt.Sprintf("insert %d transfers", n)
		fail := func(err error) error {
			if tx.d.Classify(err) == storage.ErrAlreadyExists {
				return fmt.Errorf("%s: %s: %w (%v)", tx.d.Name, what, ErrRerun, err)
			}
			return tx.fail(what, err)
		}
		if err := tx.deferWrite(what, fail, insertJournal(n, false), args); err != nil {
			return err
		}
		tx.journal = tx.journal[n:]
	}
	tx.journal = nil
	return nil
}

// Transfer implements billing.Store.
func (tx *Tx) Transfer(id string) (e billing.JournalEntry, err error) {
	if err := tx.flushHeld(id); err != nil {
		return e, err
	}
	scan := journalScanner()
	err = tx.one("transfer "+id, func(r Rows) (err error) { e, err = scan(r); return err },
		`SELECT `+journalCols+` FROM journal WHERE id = $1`+tx.lockRow(), id)
	return e, err
}

// flushHeld flushes the journal if it holds back the transfer id.
func (tx *Tx) flushHeld(id string) error {
	if _, ok := tx.optimisticIDs[id]; ok && len(tx.journal) > 0 {
		return tx.flushJournal()
	}
	return nil
}

// CloseTransfer implements billing.Store.
func (tx *Tx) CloseTransfer(id string) error {
	if err := tx.flushHeld(id); err != nil {
		return err
	}
	n, err := tx.exec("close transfer "+id, `UPDATE journal SET open = FALSE WHERE id = $1`, id)
	return tx.found("transfer "+id, n, err)
}

// Journal implements billing.Store. The entries whose from side matches
// and those whose to side alone does are each read in seq order from
// their own index, at most q.Limit of each, and merged.
func (tx *Tx) Journal(q billing.JournalQuery) ([]billing.JournalEntry, error) {
	what := "journal of organisation " + string(q.Org)
	if err := tx.checkLimit(what, q.Limit); err != nil {
		return nil, err
	}
	if err := tx.flush(); err != nil {
		return nil, err
	}
	args := []any{string(q.Org), q.After, q.Limit}
	side := func(s string) string {
		cond := s + `_org = $1`
		if q.Asset != 0 {
			cond += ` AND ` + s + `_asset = ` + fmt.Sprint(int64(q.Asset))
		}
		if q.Kind != 0 {
			cond += ` AND ` + s + `_kind = ` + fmt.Sprint(int64(q.Kind))
		}
		if q.Ref != "" {
			if len(args) == 3 {
				args = append(args, q.Ref)
			}
			cond += ` AND ` + s + `_ref = $4`
		}
		return cond
	}
	from, to := side("from"), side("to")
	return list(tx, what, journalScanner(),
		`SELECT `+journalCols+` FROM (SELECT `+journalCols+` FROM journal WHERE `+from+` AND seq > $2 ORDER BY seq LIMIT $3) AS f
		UNION ALL
		SELECT `+journalCols+` FROM (SELECT `+journalCols+` FROM journal WHERE `+to+` AND NOT (`+from+`) AND seq > $2 ORDER BY seq LIMIT $3) AS t
		ORDER BY seq LIMIT $3`, args...)
}

// AllTransfers implements billing.Store.
func (tx *Tx) AllTransfers(fn func(billing.JournalEntry) error) error {
	if err := tx.flush(); err != nil {
		return err
	}
	return each(tx, "all transfers", journalScanner(), fn, `SELECT `+journalCols+` FROM journal ORDER BY seq`)
}

// Listings by a time and an ID order a missing (NULL) time first, as the
// zero time.Time is before every other; afterCond is their cursor.

// afterCond returns the condition that keeps the rows of a listing ordered
// by (col, id) after (t, id), and args with its arguments appended; a zero
// t and an empty id keep every row.
func afterCond(col string, t time.Time, id string, args []any) (string, []any, error) {
	n := len(args) + 1
	switch {
	case t.IsZero() && id == "":
		return `TRUE`, args, nil
	case t.IsZero():
		return fmt.Sprintf(`(%s IS NULL AND id > $%d OR %s IS NOT NULL)`, col, n, col), append(args, id), nil
	}
	v, err := timeArg("listing cursor time", t)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf(`(%s, id) > ($%d, $%d)`, col, n, n+1), append(args, v, id), nil
}

// PutEvent implements billing.Store.
func (tx *Tx) PutEvent(e billing.Event) error {
	a := args{}
	a.add(e.ID, e.Org)
	a.time("event start", e.Start)
	if a.err != nil {
		return a.err
	}
	_, err := tx.exec("put event "+string(e.ID),
		`INSERT INTO billing_events (id, org_id, starts_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at`, a.vals...)
	return err
}

// Event implements billing.Store.
func (tx *Tx) Event(id billing.EventID) (e billing.Event, err error) {
	err = tx.one("event "+string(id), func(r Rows) error { return r.Scan(&e.ID, &e.Org, timeCol{&e.Start}) },
		`SELECT id, org_id, starts_at FROM billing_events WHERE id = $1`+tx.lockRow(), id)
	return e, err
}

const purchaseCols = `id, org_id, idempotency_key, asset, quantity, currency, price_minor, status, provider_ref,
	created_at, created_by, settled_at`

func scanPurchase(r Rows) (billing.Purchase, error) {
	var p billing.Purchase
	err := r.Scan(&p.ID, &p.Org, &p.Key, (*uint8)(&p.Asset), &p.Quantity, &p.Price.Currency, &p.Price.Minor,
		(*uint8)(&p.Status), &p.ProviderRef, timeCol{&p.CreatedAt}, &p.CreatedBy, timeCol{&p.SettledAt})
	return p, err
}

// InsertPurchase implements billing.Store.
func (tx *Tx) InsertPurchase(p billing.Purchase) error {
	a := args{}
	a.add(p.ID, p.Org, p.Key, int64(p.Asset), p.Quantity, p.Price.Currency, p.Price.Minor, int64(p.Status), p.ProviderRef)
	a.time("purchase created at", p.CreatedAt)
	a.add(p.CreatedBy)
	a.time("purchase settled at", p.SettledAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert purchase "+string(p.ID),
		`INSERT INTO purchases (`+purchaseCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("purchase "+string(p.ID)+" or the key "+p.Key+" of organisation "+string(p.Org), n, err)
}

// UpdatePurchase implements billing.Store.
func (tx *Tx) UpdatePurchase(p billing.Purchase) error {
	a := args{}
	a.add(p.ID, int64(p.Status), p.ProviderRef)
	a.time("purchase settled at", p.SettledAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update purchase "+string(p.ID),
		`UPDATE purchases SET status = $2, provider_ref = $3, settled_at = $4 WHERE id = $1`, a.vals...)
	return tx.found("purchase "+string(p.ID), n, err)
}

// Purchase implements billing.Store.
func (tx *Tx) Purchase(id billing.PurchaseID) (p billing.Purchase, err error) {
	err = tx.one("purchase "+string(id), func(r Rows) (err error) { p, err = scanPurchase(r); return err },
		`SELECT `+purchaseCols+` FROM purchases WHERE id = $1`+tx.lockRow(), id)
	return p, err
}

// PurchaseByKey implements billing.Store.
func (tx *Tx) PurchaseByKey(o org.OrganisationID, key string) (p billing.Purchase, err error) {
	what := "purchase of organisation " + string(o) + " with the key " + key
	err = tx.one(what, func(r Rows) (err error) { p, err = scanPurchase(r); return err },
		`SELECT `+purchaseCols+` FROM purchases WHERE org_id = $1 AND idempotency_key = $2`+tx.lockRow(), o, key)
	return p, err
}

// PurchasesOfOrg implements billing.Store.
func (tx *Tx) PurchasesOfOrg(o org.OrganisationID, afterTime time.Time, afterID billing.PurchaseID, limit int) ([]billing.Purchase, error) {
	what := "purchases of organisation " + string(o)
	if err := tx.checkLimit(what, limit); err != nil {
		return nil, err
	}
	after, args, err := afterCond("created_at", afterTime, string(afterID), []any{string(o), limit})
	if err != nil {
		return nil, err
	}
	return list(tx, what, scanPurchase,
		`SELECT `+purchaseCols+` FROM purchases WHERE org_id = $1 AND `+after+`
		ORDER BY created_at NULLS FIRST, id LIMIT $2`, args...)
}

// PendingPurchases implements billing.Store. A purchase without a creation
// time was created at the zero time, before any other.
func (tx *Tx) PendingPurchases(before time.Time, limit int) ([]billing.Purchase, error) {
	const what = "pending purchases"
	if err := tx.checkLimit(what, limit); err != nil {
		return nil, err
	}
	if !before.After(time.Time{}) {
		return nil, nil
	}
	return list(tx, what, scanPurchase,
		`SELECT `+purchaseCols+` FROM purchases WHERE status = $1 AND (created_at IS NULL OR created_at <= $2)
		ORDER BY created_at NULLS FIRST, id LIMIT $3`, int64(billing.PurchasePending), atOrBefore(before.Add(-1)), limit)
}

const couponCols = `id, org_id, licences, code_hash, status, expires_at, created_at, created_by, event_id, closed_at, closed_by`

func scanCoupon(r Rows) (billing.Coupon, error) {
	var c billing.Coupon
	err := r.Scan(&c.ID, &c.Org, &c.Licences, &c.CodeHash, (*uint8)(&c.Status), timeCol{&c.ExpiresAt},
		timeCol{&c.CreatedAt}, &c.CreatedBy, &c.Event, timeCol{&c.ClosedAt}, &c.ClosedBy)
	return c, err
}

// InsertCoupon implements billing.Store.
func (tx *Tx) InsertCoupon(c billing.Coupon) error {
	a := args{}
	a.add(c.ID, c.Org, c.Licences, bytesArg(c.CodeHash), int64(c.Status))
	a.time("coupon expires at", c.ExpiresAt)
	a.time("coupon created at", c.CreatedAt)
	a.add(c.CreatedBy, c.Event)
	a.time("coupon closed at", c.ClosedAt)
	a.add(c.ClosedBy)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert coupon "+string(c.ID),
		`INSERT INTO coupons (`+couponCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("coupon "+string(c.ID)+" or its code", n, err)
}

// UpdateCoupon implements billing.Store.
func (tx *Tx) UpdateCoupon(c billing.Coupon) error {
	a := args{}
	a.add(c.ID, int64(c.Status), c.Event)
	a.time("coupon closed at", c.ClosedAt)
	a.add(c.ClosedBy)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update coupon "+string(c.ID),
		`UPDATE coupons SET status = $2, event_id = $3, closed_at = $4, closed_by = $5 WHERE id = $1`, a.vals...)
	return tx.found("coupon "+string(c.ID), n, err)
}

// Coupon implements billing.Store.
func (tx *Tx) Coupon(id billing.CouponID) (c billing.Coupon, err error) {
	err = tx.one("coupon "+string(id), func(r Rows) (err error) { c, err = scanCoupon(r); return err },
		`SELECT `+couponCols+` FROM coupons WHERE id = $1`+tx.lockRow(), id)
	return c, err
}

// CouponByCode implements billing.Store. An empty hash matches no coupon.
func (tx *Tx) CouponByCode(hash []byte) (c billing.Coupon, err error) {
	err = tx.one("coupon by code", func(r Rows) (err error) { c, err = scanCoupon(r); return err },
		`SELECT `+couponCols+` FROM coupons WHERE code_hash = $1`+tx.lockRow(), bytesArg(hash))
	return c, err
}

// CouponsOfOrg implements billing.Store.
func (tx *Tx) CouponsOfOrg(o org.OrganisationID, afterTime time.Time, afterID billing.CouponID, limit int) ([]billing.Coupon, error) {
	what := "coupons of organisation " + string(o)
	if err := tx.checkLimit(what, limit); err != nil {
		return nil, err
	}
	after, args, err := afterCond("created_at", afterTime, string(afterID), []any{string(o), limit})
	if err != nil {
		return nil, err
	}
	return list(tx, what, scanCoupon,
		`SELECT `+couponCols+` FROM coupons WHERE org_id = $1 AND `+after+`
		ORDER BY created_at NULLS FIRST, id LIMIT $2`, args...)
}

// CouponsOfEvent implements billing.Store.
func (tx *Tx) CouponsOfEvent(e billing.EventID) ([]billing.Coupon, error) {
	return list(tx, "coupons of event "+string(e), scanCoupon,
		`SELECT `+couponCols+` FROM coupons WHERE event_id = $1 ORDER BY closed_at NULLS FIRST, id`, e)
}

// ExpiredCoupons implements billing.Store.
func (tx *Tx) ExpiredCoupons(o org.OrganisationID, now time.Time, limit int) ([]billing.Coupon, error) {
	const what = "expired coupons"
	if err := tx.checkLimit(what, limit); err != nil {
		return nil, err
	}
	query := `SELECT ` + couponCols + ` FROM coupons WHERE status = $1 AND expires_at <= $2`
	args := []any{int64(billing.CouponActive), atOrBefore(now), limit}
	if o != "" {
		query += ` AND org_id = $4`
		args = append(args, string(o))
	}
	return list(tx, what, scanCoupon, query+` ORDER BY expires_at, id LIMIT $3`, args...)
}

const licenceUseCols = `event_id, person_id, coupon_id, transfer_id, returned, taken_at, updated_at`

func scanLicenceUse(r Rows) (billing.LicenceUse, error) {
	var u billing.LicenceUse
	err := r.Scan(&u.Event, &u.Person, &u.Coupon, &u.TransferID, &u.Returned, timeCol{&u.TakenAt}, timeCol{&u.UpdatedAt})
	return u, err
}

func licenceUseName(e billing.EventID, p billing.PersonID) string {
	return "licence use of person " + string(p) + " on event " + string(e)
}

// PutLicenceUse implements billing.Store.
func (tx *Tx) PutLicenceUse(u billing.LicenceUse) error {
	a := args{}
	a.add(u.Event, u.Person, u.Coupon, u.TransferID, u.Returned)
	a.time("licence use taken at", u.TakenAt)
	a.time("licence use updated at", u.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	_, err := tx.exec("put "+licenceUseName(u.Event, u.Person),
		`INSERT INTO licence_uses (`+licenceUseCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (event_id, person_id) DO UPDATE SET coupon_id = excluded.coupon_id, transfer_id = excluded.transfer_id,
			returned = excluded.returned, taken_at = excluded.taken_at, updated_at = excluded.updated_at`, a.vals...)
	return err
}

// LicenceUse implements billing.Store.
func (tx *Tx) LicenceUse(e billing.EventID, p billing.PersonID) (u billing.LicenceUse, err error) {
	err = tx.one(licenceUseName(e, p), func(r Rows) (err error) { u, err = scanLicenceUse(r); return err },
		`SELECT `+licenceUseCols+` FROM licence_uses WHERE event_id = $1 AND person_id = $2`+tx.lockRow(), e, p)
	return u, err
}

// LicenceUsesOfEvent implements billing.Store.
func (tx *Tx) LicenceUsesOfEvent(e billing.EventID) ([]billing.LicenceUse, error) {
	return list(tx, "licence uses of event "+string(e), scanLicenceUse,
		`SELECT `+licenceUseCols+` FROM licence_uses WHERE event_id = $1 ORDER BY person_id`, e)
}

const smsCols = `org_id, id, event_id, recipient, body, credits, status, provider_ref, error, created_at, created_by, settled_at`

func scanSMS(r Rows) (billing.SMS, error) {
	var m billing.SMS
	err := r.Scan(&m.Org, &m.ID, &m.Event, &m.To, &m.Body, &m.Credits, (*uint8)(&m.Status), &m.ProviderRef, &m.Error,
		timeCol{&m.CreatedAt}, &m.CreatedBy, timeCol{&m.SettledAt})
	return m, err
}

func smsName(o org.OrganisationID, id string) string {
	return "SMS " + id + " of organisation " + string(o)
}

// InsertSMS implements billing.Store.
func (tx *Tx) InsertSMS(m billing.SMS) error {
	a := args{}
	a.add(m.Org, m.ID, m.Event, m.To, m.Body, m.Credits, int64(m.Status), m.ProviderRef, m.Error)
	a.time("SMS created at", m.CreatedAt)
	a.add(m.CreatedBy)
	a.time("SMS settled at", m.SettledAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert "+smsName(m.Org, m.ID),
		`INSERT INTO sms (`+smsCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted(smsName(m.Org, m.ID), n, err)
}

// UpdateSMS implements billing.Store.
func (tx *Tx) UpdateSMS(m billing.SMS) error {
	a := args{}
	a.add(m.Org, m.ID, int64(m.Status), m.ProviderRef, m.Error)
	a.time("SMS settled at", m.SettledAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update "+smsName(m.Org, m.ID),
		`UPDATE sms SET status = $3, provider_ref = $4, error = $5, settled_at = $6 WHERE org_id = $1 AND id = $2`, a.vals...)
	return tx.found(smsName(m.Org, m.ID), n, err)
}

// SMS implements billing.Store.
func (tx *Tx) SMS(o org.OrganisationID, id string) (m billing.SMS, err error) {
	err = tx.one(smsName(o, id), func(r Rows) (err error) { m, err = scanSMS(r); return err },
		`SELECT `+smsCols+` FROM sms WHERE org_id = $1 AND id = $2`+tx.lockRow(), o, id)
	return m, err
}
