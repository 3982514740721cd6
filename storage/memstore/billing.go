package memstore

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

var _ billing.Store = (*Tx)(nil)

// The ledger is laid out for the journal, which holds every transfer ever
// made: a ledger account is interned once, with its balance, and journal
// entries name their accounts by index. An entry's Seq is its position in
// the journal plus one, so rolling back an insert hands its Seq out again.
// Each organisation's ledger keeps the positions of the entries touching
// its accounts, so that a journal query reads that organisation's entries
// only.
//
// The ledger's writes, several per transfer, record typed undo records
// (see ledgerOp) rather than closures, so that posting a transfer
// allocates only what the journal keeps.

// ledgerAccount is an interned ledger account, with its balance once
// PutBalance wrote one (has).
type ledgerAccount struct {
	account billing.LedgerAccount
	bal     billing.Balance
	has     bool
	org     *orgLedger
}

// orgLedger is one organisation's part of the ledger: the journal
// positions of the entries with an account of the organisation on either
// side, in order, and the indexes of its accounts that have a balance, in
// the order they got one.
type orgLedger struct {
	entries  []int32
	balances []int32
}

// journalEntry is a billing.JournalEntry as the journal keeps it.
type journalEntry struct {
	id, pendingID, reason, actor string
	time                         time.Time
	amount                       int64
	from, to                     int32 // indexes in state.ledger
	asset                        billing.Asset
	pending, void, open          bool
}

// journalBlock is how many entries a block of the journal holds.
const journalBlock = 1024

// journal is a sequence of entries held in blocks of journalBlock, every
// block but the last full: growing, it never copies what it holds (as a
// slice would, holding it twice for a moment).
type journal struct {
	blocks [][]journalEntry
	// spare is a block emptied by a rollback, kept so that inserting and
	// rolling back at a block's start does not allocate every time.
	spare []journalEntry
}

func (j *journal) len() int {
	n := len(j.blocks)
	if n == 0 {
		return 0
	}
	return (n-1)*journalBlock + len(j.blocks[n-1])
}

func (j *journal) at(i int32) *journalEntry {
	return &j.blocks[i/journalBlock][i%journalBlock]
}

func (j *journal) push(e journalEntry) {
	n := len(j.blocks)
	if n == 0 || len(j.blocks[n-1]) == journalBlock {
		b := j.spare
		if b == nil {
			b = make([]journalEntry, 0, journalBlock)
		}
		j.blocks, j.spare = append(j.blocks, b), nil
		n++
	}
	j.blocks[n-1] = append(j.blocks[n-1], e)
}

// pop removes the last entry and returns it.
func (j *journal) pop() journalEntry {
	n := len(j.blocks)
	b := j.blocks[n-1]
	e := b[len(b)-1]
	b[len(b)-1] = journalEntry{}
	if b = b[:len(b)-1]; len(b) == 0 {
		j.blocks[n-1], j.blocks, j.spare = nil, j.blocks[:n-1], b
	} else {
		j.blocks[n-1] = b
	}
	return e
}

// ledgerOp says how a typed undo record undoes a write of the ledger.
type ledgerOp uint8

const (
	_ ledgerOp = iota
	// undoIntern removes the last interned account, and its
	// organisation's ledger when flag says the account started it.
	undoIntern
	// undoBalance gives account i back its balance bal, and takes its
	// balance away when flag says it had none.
	undoBalance
	// undoInsert removes the last journal entry.
	undoInsert
	// undoClose reopens the journal entry at position i.
	undoClose
)

// undoLedger applies the typed undo record u.
func (st *state) undoLedger(u *undoRecord) {
	switch u.op {
	case undoIntern:
		last := len(st.ledger) - 1
		a := st.ledger[last].account
		st.ledger[last] = ledgerAccount{}
		st.ledger = st.ledger[:last]
		delete(st.ledgerIndex, a)
		if u.flag {
			delete(st.ledgerOfOrg, a.Org)
		}
	case undoBalance:
		la := &st.ledger[u.i]
		la.bal = u.bal
		if !u.flag {
			la.has = false
			la.org.balances = la.org.balances[:len(la.org.balances)-1]
		}
	case undoInsert:
		e := st.journal.pop()
		delete(st.transfers, e.id)
		from, to := st.ledger[e.from].org, st.ledger[e.to].org
		from.entries = from.entries[:len(from.entries)-1]
		if to != from {
			to.entries = to.entries[:len(to.entries)-1]
		}
	case undoClose:
		st.journal.at(u.i).open = true
	default:
		panic(fmt.Sprintf("memstore: undo record with no function and op %d", u.op))
	}
}

// intern returns the index of ledger account a, interning it if new.
func (tx *Tx) intern(st *state, a billing.LedgerAccount) (int32, error) {
	if i, ok := st.ledgerIndex[a]; ok {
		return i, nil
	}
	if len(st.ledger) >= math.MaxInt32 {
		return 0, fmt.Errorf("memstore: ledger account %v: the ledger is full: %w", a, storage.ErrFailedPrecondition)
	}
	ol := st.ledgerOfOrg[a.Org]
	started := ol == nil
	if started {
		ol = new(orgLedger)
		st.ledgerOfOrg[a.Org] = ol
	}
	i := int32(len(st.ledger))
	st.ledger = append(st.ledger, ledgerAccount{account: a, org: ol})
	st.ledgerIndex[a] = i
	tx.undo = append(tx.undo, undoRecord{op: undoIntern, flag: started})
	return i, nil
}

// balance returns the balance of a, zero when it has none.
func (st *state) balance(a billing.LedgerAccount) billing.Balance {
	if i, ok := st.ledgerIndex[a]; ok {
		return st.ledger[i].bal
	}
	return billing.Balance{}
}

// LockBalances implements billing.Store. Write transactions run one at a
// time, so it locks nothing.
func (tx *Tx) LockBalances(a, b billing.LedgerAccount) (billing.Balance, billing.Balance, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Balance{}, billing.Balance{}, err
	}
	return st.balance(a), st.balance(b), nil
}

// PutBalance implements billing.Store.
func (tx *Tx) PutBalance(a billing.LedgerAccount, b billing.Balance) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	i, err := tx.intern(st, a)
	if err != nil {
		return err
	}
	la := &st.ledger[i]
	tx.undo = append(tx.undo, undoRecord{op: undoBalance, i: i, flag: la.has, bal: la.bal})
	la.bal = b
	if !la.has {
		la.has = true
		la.org.balances = append(la.org.balances, i)
	}
	return nil
}

// Balance implements billing.Store.
func (tx *Tx) Balance(a billing.LedgerAccount) (billing.Balance, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Balance{}, err
	}
	return st.balance(a), nil
}

// BalancesOfOrg implements billing.Store.
func (tx *Tx) BalancesOfOrg(o org.OrganisationID) ([]billing.AccountBalance, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	ol := st.ledgerOfOrg[o]
	if ol == nil {
		return nil, nil
	}
	out := make([]billing.AccountBalance, 0, len(ol.balances))
	for _, i := range ol.balances {
		out = append(out, billing.AccountBalance{Account: st.ledger[i].account, Balance: st.ledger[i].bal})
	}
	slices.SortFunc(out, func(x, y billing.AccountBalance) int {
		return cmp.Or(cmp.Compare(x.Account.Asset, y.Account.Asset),
			cmp.Compare(x.Account.Kind, y.Account.Kind),
			strings.Compare(x.Account.Ref, y.Account.Ref))
	})
	return out, nil
}

// AllBalances implements billing.Store.
func (tx *Tx) AllBalances(fn func(billing.AccountBalance) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for i := range st.ledger {
		if la := &st.ledger[i]; la.has {
			if err := fn(billing.AccountBalance{Account: la.account, Balance: la.bal}); err != nil {
				return err
			}
		}
	}
	return nil
}

// InsertTransfer implements billing.Store: the entry's Seq is the
// journal's length plus one.
func (tx *Tx) InsertTransfer(t billing.Transfer, actor string) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.transfers[t.ID]; ok {
		return exists("transfer", t.ID)
	}
	n := st.journal.len()
	if n >= math.MaxInt32 {
		return fmt.Errorf("memstore: transfer %q: the journal is full: %w", t.ID, storage.ErrFailedPrecondition)
	}
	from, err := tx.intern(st, t.From)
	if err != nil {
		return err
	}
	to, err := tx.intern(st, t.To)
	if err != nil {
		return err
	}
	pos := int32(n)
	st.journal.push(journalEntry{
		id: t.ID, pendingID: t.PendingID, reason: t.Reason, actor: actor,
		time: t.Time, amount: t.Amount, from: from, to: to, asset: t.Asset,
		pending: t.Pending, void: t.Void, open: t.Pending,
	})
	st.transfers[t.ID] = pos
	fromOrg, toOrg := st.ledger[from].org, st.ledger[to].org
	fromOrg.entries = append(fromOrg.entries, pos)
	if toOrg != fromOrg {
		toOrg.entries = append(toOrg.entries, pos)
	}
	tx.undo = append(tx.undo, undoRecord{op: undoInsert})
	return nil
}

// entry returns the journal entry at position i.
func (st *state) entry(i int32) billing.JournalEntry {
	e := st.journal.at(i)
	return billing.JournalEntry{
		Seq: int64(i) + 1,
		Transfer: billing.Transfer{
			ID: e.id, Asset: e.asset, From: st.ledger[e.from].account, To: st.ledger[e.to].account,
			Amount: e.amount, Pending: e.pending, PendingID: e.pendingID, Void: e.void,
			Time: e.time, Reason: e.reason,
		},
		Open:  e.open,
		Actor: e.actor,
	}
}

// Transfer implements billing.Store.
func (tx *Tx) Transfer(id string) (billing.JournalEntry, error) {
	st, err := tx.read()
	if err != nil {
		return billing.JournalEntry{}, err
	}
	i, ok := st.transfers[id]
	if !ok {
		return billing.JournalEntry{}, notFound("transfer", id)
	}
	return st.entry(i), nil
}

// CloseTransfer implements billing.Store.
func (tx *Tx) CloseTransfer(id string) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	i, ok := st.transfers[id]
	if !ok {
		return notFound("transfer", id)
	}
	if e := st.journal.at(i); e.open {
		e.open = false
		tx.undo = append(tx.undo, undoRecord{op: undoClose, i: i})
	}
	return nil
}

// Journal implements billing.Store. It reads the entries of q.Org only.
func (tx *Tx) Journal(q billing.JournalQuery) ([]billing.JournalEntry, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("journal", q.Limit); err != nil {
		return nil, err
	}
	ol := st.ledgerOfOrg[q.Org]
	if ol == nil {
		return nil, nil
	}
	selects := func(i int32) bool {
		a := &st.ledger[i].account
		return a.Org == q.Org && (q.Asset == 0 || a.Asset == q.Asset) &&
			(q.Kind == 0 || a.Kind == q.Kind) && (q.Ref == "" || a.Ref == q.Ref)
	}
	// The entry at position p has Seq p+1: those after q.After are at
	// q.After and beyond.
	ps := ol.entries
	ps = ps[sort.Search(len(ps), func(j int) bool { return int64(ps[j]) >= q.After }):]
	var out []billing.JournalEntry
	for _, p := range ps {
		if e := st.journal.at(p); selects(e.from) || selects(e.to) {
			out = append(out, st.entry(p))
			if len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}

// AllTransfers implements billing.Store.
func (tx *Tx) AllTransfers(fn func(billing.JournalEntry) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for i, n := int32(0), int32(st.journal.len()); i < n; i++ {
		if err := fn(st.entry(i)); err != nil {
			return err
		}
	}
	return nil
}

// PutEvent implements billing.Store: it inserts or replaces the event.
func (tx *Tx) PutEvent(e billing.Event) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	put(tx, st.events, e.ID, e)
	return nil
}

// Event implements billing.Store.
func (tx *Tx) Event(id billing.EventID) (billing.Event, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Event{}, err
	}
	return lookup(st.events, "event", id)
}

// InsertPurchase implements billing.Store.
func (tx *Tx) InsertPurchase(p billing.Purchase) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.purchases[p.ID]; ok {
		return exists("purchase", p.ID)
	}
	k := purchaseKey{p.Org, p.Key}
	if other, ok := st.purchaseByKey[k]; ok {
		return fmt.Errorf("memstore: purchase %q: key %q of organisation %q is purchase %q's: %w",
			p.ID, p.Key, p.Org, other, storage.ErrAlreadyExists)
	}
	put(tx, st.purchases, p.ID, p)
	put(tx, st.purchaseByKey, k, p.ID)
	timeIndexAdd(tx, st.purchasesOfOrg, p.Org, timeKey[billing.PurchaseID]{p.CreatedAt, p.ID})
	if p.Status == billing.PurchasePending {
		timeAdd(tx, st.pendingPurchases, timeKey[billing.PurchaseID]{p.CreatedAt, p.ID})
	}
	return nil
}

// UpdatePurchase implements billing.Store: it writes the status, the
// provider's reference and the settlement time.
func (tx *Tx) UpdatePurchase(p billing.Purchase) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.purchases, "purchase", p.ID)
	if err != nil {
		return err
	}
	n := old
	n.Status, n.ProviderRef, n.SettledAt = p.Status, p.ProviderRef, p.SettledAt
	put(tx, st.purchases, p.ID, n)
	k := timeKey[billing.PurchaseID]{old.CreatedAt, old.ID}
	switch was, is := old.Status == billing.PurchasePending, n.Status == billing.PurchasePending; {
	case was && !is:
		timeRemove(tx, st.pendingPurchases, k)
	case !was && is:
		timeAdd(tx, st.pendingPurchases, k)
	}
	return nil
}

// Purchase implements billing.Store.
func (tx *Tx) Purchase(id billing.PurchaseID) (billing.Purchase, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Purchase{}, err
	}
	return lookup(st.purchases, "purchase", id)
}

// PurchaseByKey implements billing.Store.
func (tx *Tx) PurchaseByKey(o org.OrganisationID, key string) (billing.Purchase, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Purchase{}, err
	}
	id, ok := st.purchaseByKey[purchaseKey{o, key}]
	if !ok {
		return billing.Purchase{}, fmt.Errorf("memstore: purchase with key %q of organisation %q: %w", key, o, storage.ErrNotFound)
	}
	return st.purchases[id], nil
}

// PurchasesOfOrg implements billing.Store.
func (tx *Tx) PurchasesOfOrg(o org.OrganisationID, afterTime time.Time, afterID billing.PurchaseID, limit int) ([]billing.Purchase, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("purchases of organisation", limit); err != nil {
		return nil, err
	}
	keys := st.purchasesOfOrg[o].after(timeKey[billing.PurchaseID]{afterTime, afterID}, limit)
	return collectTimed(st.purchases, keys, same), nil
}

// PendingPurchases implements billing.Store.
func (tx *Tx) PendingPurchases(before time.Time, limit int) ([]billing.Purchase, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("pending purchases", limit); err != nil {
		return nil, err
	}
	keys := st.pendingPurchases.keys
	n := sort.Search(len(keys), func(i int) bool { return !keys[i].at.Before(before) })
	return collectTimed(st.purchases, keys[:min(n, limit)], same), nil
}

// cloneCoupon copies c with a code hash of its own; an empty one is nil.
func cloneCoupon(c billing.Coupon) billing.Coupon {
	c.CodeHash = cloneBytes(c.CodeHash)
	return c
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// expiring reports whether c belongs in expiringCoupons.
func expiring(c billing.Coupon) bool {
	return c.Status == billing.CouponActive && !c.ExpiresAt.IsZero()
}

// InsertCoupon implements billing.Store. A coupon with an empty code hash
// has no code: CouponByCode finds no coupon by an empty hash.
func (tx *Tx) InsertCoupon(c billing.Coupon) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.coupons[c.ID]; ok {
		return exists("coupon", c.ID)
	}
	if other, ok := st.couponByCode[string(c.CodeHash)]; ok && len(c.CodeHash) > 0 {
		return fmt.Errorf("memstore: coupon %q: its code hash is coupon %q's: %w", c.ID, other, storage.ErrAlreadyExists)
	}
	c = cloneCoupon(c)
	put(tx, st.coupons, c.ID, c)
	if len(c.CodeHash) > 0 {
		put(tx, st.couponByCode, string(c.CodeHash), c.ID)
	}
	timeIndexAdd(tx, st.couponsOfOrg, c.Org, timeKey[billing.CouponID]{c.CreatedAt, c.ID})
	if c.Event != "" {
		timeIndexAdd(tx, st.couponsOfEvent, c.Event, timeKey[billing.CouponID]{c.ClosedAt, c.ID})
	}
	if expiring(c) {
		timeAdd(tx, st.expiringCoupons, timeKey[billing.CouponID]{c.ExpiresAt, c.ID})
	}
	return nil
}

// UpdateCoupon implements billing.Store: it writes the status, the event
// and when and by whom the coupon was closed.
func (tx *Tx) UpdateCoupon(c billing.Coupon) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.coupons, "coupon", c.ID)
	if err != nil {
		return err
	}
	n := old
	n.Status, n.Event, n.ClosedAt, n.ClosedBy = c.Status, c.Event, c.ClosedAt, c.ClosedBy
	put(tx, st.coupons, c.ID, n)
	if old.Event != "" {
		timeIndexRemove(tx, st.couponsOfEvent, old.Event, timeKey[billing.CouponID]{old.ClosedAt, old.ID})
	}
	if n.Event != "" {
		timeIndexAdd(tx, st.couponsOfEvent, n.Event, timeKey[billing.CouponID]{n.ClosedAt, n.ID})
	}
	k := timeKey[billing.CouponID]{old.ExpiresAt, old.ID}
	switch was, is := expiring(old), expiring(n); {
	case was && !is:
		timeRemove(tx, st.expiringCoupons, k)
	case !was && is:
		timeAdd(tx, st.expiringCoupons, k)
	}
	return nil
}

// Coupon implements billing.Store.
func (tx *Tx) Coupon(id billing.CouponID) (billing.Coupon, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Coupon{}, err
	}
	c, err := lookup(st.coupons, "coupon", id)
	return cloneCoupon(c), err
}

// CouponByCode implements billing.Store.
func (tx *Tx) CouponByCode(hash []byte) (billing.Coupon, error) {
	st, err := tx.read()
	if err != nil {
		return billing.Coupon{}, err
	}
	id, ok := st.couponByCode[string(hash)]
	if !ok || len(hash) == 0 {
		return billing.Coupon{}, fmt.Errorf("memstore: coupon with code hash %x: %w", hash, storage.ErrNotFound)
	}
	return cloneCoupon(st.coupons[id]), nil
}

// CouponsOfOrg implements billing.Store.
func (tx *Tx) CouponsOfOrg(o org.OrganisationID, afterTime time.Time, afterID billing.CouponID, limit int) ([]billing.Coupon, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("coupons of organisation", limit); err != nil {
		return nil, err
	}
	keys := st.couponsOfOrg[o].after(timeKey[billing.CouponID]{afterTime, afterID}, limit)
	return collectTimed(st.coupons, keys, cloneCoupon), nil
}

// CouponsOfEvent implements billing.Store. No event has an empty ID: it
// lists nothing for one.
func (tx *Tx) CouponsOfEvent(e billing.EventID) ([]billing.Coupon, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collectTimed(st.coupons, st.couponsOfEvent[e].all(), cloneCoupon), nil
}

// ExpiredCoupons implements billing.Store. It reads the coupons of every
// organisation that are due, and keeps o's.
func (tx *Tx) ExpiredCoupons(o org.OrganisationID, now time.Time, limit int) ([]billing.Coupon, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("expired coupons", limit); err != nil {
		return nil, err
	}
	var out []billing.Coupon
	for _, k := range st.expiringCoupons.keys {
		if k.at.After(now) || len(out) == limit {
			break
		}
		if c := st.coupons[k.id]; o == "" || c.Org == o {
			out = append(out, cloneCoupon(c))
		}
	}
	return out, nil
}

// PutLicenceUse implements billing.Store.
func (tx *Tx) PutLicenceUse(u billing.LicenceUse) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	put(tx, st.licenceUses, licenceKey{u.Event, u.Person}, u)
	indexAdd(tx, st.usesOfEvent, u.Event, u.Person)
	return nil
}

// LicenceUse implements billing.Store.
func (tx *Tx) LicenceUse(e billing.EventID, p billing.PersonID) (billing.LicenceUse, error) {
	st, err := tx.read()
	if err != nil {
		return billing.LicenceUse{}, err
	}
	u, ok := st.licenceUses[licenceKey{e, p}]
	if !ok {
		return billing.LicenceUse{}, fmt.Errorf("memstore: licence use of person %q on event %q: %w", p, e, storage.ErrNotFound)
	}
	return u, nil
}

// LicenceUsesOfEvent implements billing.Store.
func (tx *Tx) LicenceUsesOfEvent(e billing.EventID) ([]billing.LicenceUse, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	people := st.usesOfEvent[e].all()
	out := make([]billing.LicenceUse, 0, len(people))
	for _, p := range people {
		out = append(out, st.licenceUses[licenceKey{e, p}])
	}
	return out, nil
}

// InsertSMS implements billing.Store.
func (tx *Tx) InsertSMS(m billing.SMS) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := smsKey{m.Org, m.ID}
	if _, ok := st.sms[k]; ok {
		return fmt.Errorf("memstore: SMS %q of organisation %q: %w", m.ID, m.Org, storage.ErrAlreadyExists)
	}
	put(tx, st.sms, k, m)
	return nil
}

// UpdateSMS implements billing.Store: it writes the status, the sender's
// reference, the error and the settlement time.
func (tx *Tx) UpdateSMS(m billing.SMS) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := smsKey{m.Org, m.ID}
	old, ok := st.sms[k]
	if !ok {
		return smsNotFound(m.Org, m.ID)
	}
	old.Status, old.ProviderRef, old.Error, old.SettledAt = m.Status, m.ProviderRef, m.Error, m.SettledAt
	put(tx, st.sms, k, old)
	return nil
}

// SMS implements billing.Store.
func (tx *Tx) SMS(o org.OrganisationID, id string) (billing.SMS, error) {
	st, err := tx.read()
	if err != nil {
		return billing.SMS{}, err
	}
	m, ok := st.sms[smsKey{o, id}]
	if !ok {
		return billing.SMS{}, smsNotFound(o, id)
	}
	return m, nil
}

func smsNotFound(o org.OrganisationID, id string) error {
	return fmt.Errorf("memstore: SMS %q of organisation %q: %w", id, o, storage.ErrNotFound)
}

// timeKey orders objects by a time and then by ID.
type timeKey[ID ~string] struct {
	at time.Time
	id ID
}

func compareTimeKeys[ID ~string](a, b timeKey[ID]) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// timeSet is a set of timeKeys kept sorted, as sortedSet keeps keys.
type timeSet[ID ~string] struct {
	keys []timeKey[ID]
}

// add inserts k and reports whether it was absent.
func (s *timeSet[ID]) add(k timeKey[ID]) bool {
	i, found := slices.BinarySearchFunc(s.keys, k, compareTimeKeys[ID])
	if found {
		return false
	}
	s.keys = slices.Insert(s.keys, i, k)
	return true
}

// remove deletes k and reports whether it was present.
func (s *timeSet[ID]) remove(k timeKey[ID]) bool {
	i, found := slices.BinarySearchFunc(s.keys, k, compareTimeKeys[ID])
	if !found {
		return false
	}
	s.keys = slices.Delete(s.keys, i, i+1)
	return true
}

// after returns at most limit keys greater than k. The result aliases the
// set: use it before the next change.
func (s *timeSet[ID]) after(k timeKey[ID], limit int) []timeKey[ID] {
	if s == nil {
		return nil
	}
	i, found := slices.BinarySearchFunc(s.keys, k, compareTimeKeys[ID])
	if found {
		i++
	}
	keys := s.keys[i:]
	return keys[:min(len(keys), limit)]
}

// all returns every key in order; the result aliases the set.
func (s *timeSet[ID]) all() []timeKey[ID] {
	if s == nil {
		return nil
	}
	return s.keys
}

// timeIndex maps a parent to the timeSet of its children. Empty sets are
// dropped.
type timeIndex[P comparable, ID ~string] map[P]*timeSet[ID]

func (ix timeIndex[P, ID]) add(p P, k timeKey[ID]) bool {
	s := ix[p]
	if s == nil {
		s = new(timeSet[ID])
		ix[p] = s
	}
	return s.add(k)
}

func (ix timeIndex[P, ID]) remove(p P, k timeKey[ID]) bool {
	s := ix[p]
	if s == nil || !s.remove(k) {
		return false
	}
	if len(s.keys) == 0 {
		delete(ix, p)
	}
	return true
}

// timeAdd adds k to s.
func timeAdd[ID ~string](tx *Tx, s *timeSet[ID], k timeKey[ID]) {
	if s.add(k) {
		tx.onUndo(func() { s.remove(k) })
	}
}

// timeRemove removes k from s.
func timeRemove[ID ~string](tx *Tx, s *timeSet[ID], k timeKey[ID]) {
	if s.remove(k) {
		tx.onUndo(func() { s.add(k) })
	}
}

// timeIndexAdd adds k to the set of p.
func timeIndexAdd[P comparable, ID ~string](tx *Tx, ix timeIndex[P, ID], p P, k timeKey[ID]) {
	if ix.add(p, k) {
		tx.onUndo(func() { ix.remove(p, k) })
	}
}

// timeIndexRemove removes k from the set of p.
func timeIndexRemove[P comparable, ID ~string](tx *Tx, ix timeIndex[P, ID], p P, k timeKey[ID]) {
	if ix.remove(p, k) {
		tx.onUndo(func() { ix.add(p, k) })
	}
}

// collectTimed looks up the values of the keys' IDs in m, converted by
// conv.
func collectTimed[ID ~string, V any](m map[ID]V, keys []timeKey[ID], conv func(V) V) []V {
	out := make([]V, 0, len(keys))
	for _, k := range keys {
		out = append(out, conv(m[k.id]))
	}
	return out
}
