package storagetest

// The store-level tests of billing.Store, and of UpdateUnlogged, the
// transaction billing writes in. Values round-trip exactly: the fixtures'
// times are UTC with nanoseconds and read back so, zero times read back
// zero, and an empty byte slice reads back nil.

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// billingT0 is the time of the billing fixtures: UTC, with nanoseconds,
// which every backend must keep.
var billingT0 = storeT0.Add(13*time.Minute + 123456789*time.Nanosecond)

// billingActor is who the tests record transfers as made by.
const billingActor = "user:user-1"

// ledgerAccount names a ledger account of organisation o.
func (storeFixtures) ledgerAccount(o string, asset billing.Asset, kind billing.AccountKind, ref string) billing.LedgerAccount {
	return billing.LedgerAccount{Org: org.OrganisationID(o), Asset: asset, Kind: kind, Ref: ref}
}

// transfer makes a posted transfer of from's asset.
func (storeFixtures) transfer(id string, from, to billing.LedgerAccount, amount int64) billing.Transfer {
	return billing.Transfer{ID: id, Asset: from.Asset, From: from, To: to, Amount: amount, Time: billingT0, Reason: "reason of " + id}
}

func (storeFixtures) event(id, o string) billing.Event {
	return billing.Event{ID: billing.EventID(id), Org: org.OrganisationID(o), Start: billingT0.Add(30 * 24 * time.Hour)}
}

// purchase makes a pending purchase whose key is "key-" + id.
func (storeFixtures) purchase(id, o string) billing.Purchase {
	return billing.Purchase{
		ID:        billing.PurchaseID(id),
		Org:       org.OrganisationID(o),
		Key:       "key-" + id,
		Asset:     billing.Licences,
		Quantity:  10,
		Price:     billing.Money{Currency: "EUR", Minor: 12345},
		Status:    billing.PurchasePending,
		CreatedAt: billingT0,
		CreatedBy: billingActor,
	}
}

// coupon makes an active coupon whose code hash is sf.hash("coupon " + id).
func (storeFixtures) coupon(id, o string) billing.Coupon {
	return billing.Coupon{
		ID:        billing.CouponID(id),
		Org:       org.OrganisationID(o),
		Licences:  3,
		CodeHash:  sf.hash("coupon " + id),
		Status:    billing.CouponActive,
		ExpiresAt: billingT0.Add(7 * 24 * time.Hour),
		CreatedAt: billingT0,
		CreatedBy: billingActor,
	}
}

// redeemed returns c redeemed by event e at time at.
func redeemed(c billing.Coupon, e string, at time.Time) billing.Coupon {
	c.Status, c.Event, c.ClosedAt, c.ClosedBy = billing.CouponRedeemed, billing.EventID(e), at, "user:user-2"
	return c
}

func (storeFixtures) licenceUse(e, p string) billing.LicenceUse {
	return billing.LicenceUse{
		Event:      billing.EventID(e),
		Person:     billing.PersonID(p),
		TransferID: "take-" + e + "-" + p,
		TakenAt:    billingT0,
		UpdatedAt:  billingT0,
	}
}

func (storeFixtures) sms(id, o, e string) billing.SMS {
	return billing.SMS{
		ID:        id,
		Org:       org.OrganisationID(o),
		Event:     billing.EventID(e),
		To:        "+32470000000",
		Body:      "Message " + id,
		Credits:   1,
		Status:    billing.SMSAccepted,
		CreatedAt: billingT0,
		CreatedBy: billingActor,
	}
}

// The accounts of the billing fixtures.
var (
	bExt1     = sf.ledgerAccount("org-1", billing.Licences, billing.External, "")
	bPool1    = sf.ledgerAccount("org-1", billing.Licences, billing.Pool, "")
	bEscrow1  = sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-1")
	bUsed1    = sf.ledgerAccount("org-1", billing.Licences, billing.Consumed, "")
	bSMSExt1  = sf.ledgerAccount("org-1", billing.SMSCredits, billing.External, "")
	bSMSPool1 = sf.ledgerAccount("org-1", billing.SMSCredits, billing.Pool, "")
	bSMSUsed1 = sf.ledgerAccount("org-1", billing.SMSCredits, billing.Consumed, "")
	bExt2     = sf.ledgerAccount("org-2", billing.Licences, billing.External, "")
	bPool2    = sf.ledgerAccount("org-2", billing.Licences, billing.Pool, "")
	bAlloc2   = sf.ledgerAccount("org-2", billing.Licences, billing.Allocation, "ev-2")
)

// billingSeed is a set of billing objects to write, written as given (the
// store checks no ledger rule).
type billingSeed struct {
	Events []billing.Event
	// Transfers are inserted in order, made by billingActor.
	Transfers []billing.Transfer
	Balances  []billing.AccountBalance
	Purchases []billing.Purchase
	Coupons   []billing.Coupon
	Uses      []billing.LicenceUse
	SMS       []billing.SMS
}

func (s billingSeed) write(st billing.Store) error {
	for _, e := range s.Events {
		if err := st.PutEvent(e); err != nil {
			return err
		}
	}
	for _, tr := range s.Transfers {
		if err := st.InsertTransfer(tr, billingActor); err != nil {
			return err
		}
	}
	for _, b := range s.Balances {
		if err := st.PutBalance(b.Account, b.Balance); err != nil {
			return err
		}
	}
	for _, p := range s.Purchases {
		if err := st.InsertPurchase(p); err != nil {
			return err
		}
	}
	for _, c := range s.Coupons {
		if err := st.InsertCoupon(c); err != nil {
			return err
		}
	}
	for _, u := range s.Uses {
		if err := st.PutLicenceUse(u); err != nil {
			return err
		}
	}
	for _, m := range s.SMS {
		if err := st.InsertSMS(m); err != nil {
			return err
		}
	}
	return nil
}

// billingBase is what most billing tests start from: in org-1 and org-2,
// an event each, a posted and a pending transfer with their balances, a
// pending and a completed purchase, an active and a redeemed coupon, two
// licence uses and two SMS.
func billingBase() billingSeed {
	completed := sf.purchase("pur-2", "org-2")
	completed.Status, completed.ProviderRef, completed.SettledAt = billing.PurchaseCompleted, "ch_2", billingT0.Add(time.Minute)
	returned := sf.licenceUse("ev-1", "person-2")
	returned.Returned, returned.UpdatedAt = true, billingT0.Add(time.Hour)
	fromCoupon := sf.licenceUse("ev-1", "person-1")
	fromCoupon.Coupon = "cpn-2"
	sent := sf.sms("sms-2", "org-2", "ev-2")
	sent.Status, sent.ProviderRef, sent.SettledAt = billing.SMSSent, "msg_2", billingT0.Add(time.Second)
	hold := sf.transfer("trf-2", bPool1, bEscrow1, 3)
	hold.Pending = true
	return billingSeed{
		Events:    []billing.Event{sf.event("ev-1", "org-1"), sf.event("ev-2", "org-2")},
		Transfers: []billing.Transfer{sf.transfer("trf-1", bExt1, bPool1, 10), hold},
		Balances: []billing.AccountBalance{
			{Account: bExt1, Balance: billing.Balance{DebitsPosted: 10}},
			{Account: bPool1, Balance: billing.Balance{CreditsPosted: 10, DebitsPending: 3}},
			{Account: bEscrow1, Balance: billing.Balance{CreditsPending: 3}},
		},
		Purchases: []billing.Purchase{sf.purchase("pur-1", "org-1"), completed},
		Coupons:   []billing.Coupon{sf.coupon("cpn-1", "org-1"), redeemed(sf.coupon("cpn-2", "org-2"), "ev-1", billingT0.Add(time.Hour))},
		Uses:      []billing.LicenceUse{fromCoupon, returned},
		SMS:       []billing.SMS{sf.sms("sms-1", "org-1", "ev-1"), sent},
	}
}

// seedBilling writes the organisations org-1 and org-2 in an Update and
// then s in an UpdateUnlogged; it returns the Head.
func (db storeDB) seedBilling(s billingSeed) storage.Revision {
	db.t.Helper()
	head := db.seed(storeSeed{Orgs: []org.Organisation{sf.org("org-1"), sf.org("org-2")}})
	db.unlogged(func(st orgspace.Store) error { return s.write(st) })
	return head
}

// unlogged runs fn in an UpdateUnlogged and fails the test on an error.
func (db storeDB) unlogged(fn func(st orgspace.Store) error) {
	db.t.Helper()
	if err := db.tx.UpdateUnlogged(db.t.Context(), fn); err != nil {
		db.t.Fatalf("UpdateUnlogged: %v", err)
	}
}

// tryUnlogged runs fn in an UpdateUnlogged.
func (db storeDB) tryUnlogged(fn func(st orgspace.Store) error) error {
	return db.tx.UpdateUnlogged(db.t.Context(), fn)
}

// billingProbe names the keys a billing snapshot looks up one by one. A
// pair is (organisation, key), (organisation, SMS ID) or (event, person).
type billingProbe struct {
	Orgs      []string
	Transfers []string
	Events    []string
	Purchases []string
	Keys      [][2]string
	Coupons   []string
	// Hashes are looked up with CouponByCode.
	Hashes [][]byte
	Uses   [][2]string
	SMS    [][2]string
}

func billingBaseProbe() billingProbe {
	return billingProbe{
		Orgs:      []string{"org-1", "org-2", "org-x"},
		Transfers: []string{"trf-1", "trf-2", "trf-9", "trf-10", "trf-x"},
		Events:    []string{"ev-1", "ev-2", "ev-9", "ev-x"},
		Purchases: []string{"pur-1", "pur-2", "pur-9", "pur-x"},
		Keys:      [][2]string{{"org-1", "key-pur-1"}, {"org-2", "key-pur-2"}, {"org-2", "key-pur-1"}, {"org-1", "key-pur-9"}, {"org-2", "key-pur-9"}},
		Coupons:   []string{"cpn-1", "cpn-2", "cpn-9", "cpn-x"},
		Hashes:    [][]byte{sf.hash("coupon cpn-1"), sf.hash("coupon cpn-2"), sf.hash("coupon cpn-9"), sf.hash("coupon cpn-x")},
		Uses:      [][2]string{{"ev-1", "person-1"}, {"ev-1", "person-2"}, {"ev-2", "person-1"}, {"ev-1", "person-9"}},
		SMS:       [][2]string{{"org-1", "sms-1"}, {"org-2", "sms-2"}, {"org-2", "sms-1"}, {"org-1", "sms-9"}},
	}
}

// billingFar is a time after every fixture, for listings up to "now".
var billingFar = billingT0.AddDate(10, 0, 0)

// billingSnapshot is everything a Store shows of billing.
type billingSnapshot struct {
	Balances           []billing.AccountBalance
	Journal            []billing.JournalEntry
	PendingPurchases   []billing.Purchase
	BalancesOfOrg      map[string][]billing.AccountBalance
	JournalOfOrg       map[string][]billing.JournalEntry
	PurchasesOfOrg     map[string][]billing.Purchase
	CouponsOfOrg       map[string][]billing.Coupon
	ExpiredCoupons     map[string][]billing.Coupon
	Transfer           map[string]storeLookup[billing.JournalEntry]
	Event              map[string]storeLookup[billing.Event]
	Purchase           map[string]storeLookup[billing.Purchase]
	PurchaseByKey      map[string]storeLookup[billing.Purchase]
	Coupon             map[string]storeLookup[billing.Coupon]
	CouponByCode       map[string]storeLookup[billing.Coupon]
	CouponsOfEvent     map[string][]billing.Coupon
	LicenceUse         map[string]storeLookup[billing.LicenceUse]
	LicenceUsesOfEvent map[string][]billing.LicenceUse
	SMS                map[string]storeLookup[billing.SMS]
}

func takeBillingSnapshot(st orgspace.Store, p billingProbe) (s billingSnapshot, err error) {
	if s.Balances, err = billingAllBalances(st); err != nil {
		return s, err
	}
	if s.Journal, err = billingAllTransfers(st); err != nil {
		return s, err
	}
	if s.PendingPurchases, err = st.PendingPurchases(billingFar, storage.MaxPageSize); err != nil {
		return s, err
	}
	s.BalancesOfOrg = map[string][]billing.AccountBalance{}
	s.JournalOfOrg = map[string][]billing.JournalEntry{}
	s.PurchasesOfOrg = map[string][]billing.Purchase{}
	s.CouponsOfOrg = map[string][]billing.Coupon{}
	s.ExpiredCoupons = map[string][]billing.Coupon{}
	if s.ExpiredCoupons[""], err = st.ExpiredCoupons("", billingFar, storage.MaxPageSize); err != nil {
		return s, err
	}
	for _, o := range p.Orgs {
		id := org.OrganisationID(o)
		if s.BalancesOfOrg[o], err = st.BalancesOfOrg(id); err != nil {
			return s, err
		}
		if s.JournalOfOrg[o], err = billingJournal(st, billing.JournalQuery{Org: id}); err != nil {
			return s, err
		}
		if s.PurchasesOfOrg[o], err = billingAll(purchasesOf(st, o), purchaseKey); err != nil {
			return s, err
		}
		if s.CouponsOfOrg[o], err = billingAll(couponsOf(st, o), couponKey); err != nil {
			return s, err
		}
		if s.ExpiredCoupons[o], err = st.ExpiredCoupons(id, billingFar, storage.MaxPageSize); err != nil {
			return s, err
		}
	}
	if s.Transfer, err = storeLookupsOf(p.Transfers, storeKeyOf, func(id string) (billing.JournalEntry, error) { return st.Transfer(id) }); err != nil {
		return s, err
	}
	s.Event = map[string]storeLookup[billing.Event]{}
	s.CouponsOfEvent = map[string][]billing.Coupon{}
	s.LicenceUsesOfEvent = map[string][]billing.LicenceUse{}
	for _, id := range p.Events {
		e := billing.EventID(id)
		if s.Event[id], err = storeLookupOf(func() (billing.Event, error) { return st.Event(e) }); err != nil {
			return s, err
		}
		if s.CouponsOfEvent[id], err = st.CouponsOfEvent(e); err != nil {
			return s, err
		}
		if s.LicenceUsesOfEvent[id], err = st.LicenceUsesOfEvent(e); err != nil {
			return s, err
		}
	}
	if s.Purchase, err = storeLookupsOf(p.Purchases, storeKeyOf, func(id string) (billing.Purchase, error) { return st.Purchase(billing.PurchaseID(id)) }); err != nil {
		return s, err
	}
	if s.PurchaseByKey, err = storeLookupsOf(p.Keys, storePairKey, func(k [2]string) (billing.Purchase, error) { return st.PurchaseByKey(org.OrganisationID(k[0]), k[1]) }); err != nil {
		return s, err
	}
	if s.Coupon, err = storeLookupsOf(p.Coupons, storeKeyOf, func(id string) (billing.Coupon, error) { return st.Coupon(billing.CouponID(id)) }); err != nil {
		return s, err
	}
	if s.CouponByCode, err = storeLookupsOf(p.Hashes, hex.EncodeToString, func(h []byte) (billing.Coupon, error) { return st.CouponByCode(h) }); err != nil {
		return s, err
	}
	if s.LicenceUse, err = storeLookupsOf(p.Uses, storePairKey, func(k [2]string) (billing.LicenceUse, error) {
		return st.LicenceUse(billing.EventID(k[0]), billing.PersonID(k[1]))
	}); err != nil {
		return s, err
	}
	if s.SMS, err = storeLookupsOf(p.SMS, storePairKey, func(k [2]string) (billing.SMS, error) { return st.SMS(org.OrganisationID(k[0]), k[1]) }); err != nil {
		return s, err
	}
	return s, nil
}

// problems lists where the lookups and per-organisation listings disagree
// with AllBalances and AllTransfers.
func (s billingSnapshot) problems() []string {
	var out []string
	check := func(what string, want, got any) {
		if diff := storeDiff(want, got); diff != "" {
			out = append(out, fmt.Sprintf("%s disagrees with the All listing (-all +listing):\n%s", what, diff))
		}
	}
	for o, got := range s.BalancesOfOrg {
		want := slices.DeleteFunc(slices.Clone(s.Balances), func(b billing.AccountBalance) bool { return string(b.Account.Org) != o })
		check("BalancesOfOrg("+o+")", want, got)
	}
	for _, e := range s.Journal {
		if got, ok := s.Transfer[e.ID]; ok {
			check("Transfer("+e.ID+")", storeLookup[billing.JournalEntry]{Found: true, Value: e}, got)
		}
	}
	return out
}

// billingSnapshot reads everything p names in one View and fails the test
// when its lookups and listings disagree.
func (db storeDB) billingSnapshot(p billingProbe) billingSnapshot {
	db.t.Helper()
	var s billingSnapshot
	db.view(func(st orgspace.Store) (err error) {
		s, err = takeBillingSnapshot(st, p)
		return err
	})
	for _, problem := range s.problems() {
		db.t.Error(problem)
	}
	if db.t.Failed() {
		db.t.FailNow()
	}
	return s
}

// requireBillingUnchanged fails the test when billing differs from before.
func (db storeDB) requireBillingUnchanged(t *testing.T, p billingProbe, before billingSnapshot) {
	t.Helper()
	if diff := storeDiff(before, db.on(t).billingSnapshot(p)); diff != "" {
		t.Fatalf("billing changed (-before +after):\n%s", diff)
	}
}

// compareAccounts orders ledger accounts by organisation, asset, kind and
// ref.
func compareAccounts(a, b billing.LedgerAccount) int {
	return cmp.Or(cmp.Compare(a.Org, b.Org), cmp.Compare(a.Asset, b.Asset), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ref, b.Ref))
}

// billingAllBalances collects AllBalances sorted by account.
func billingAllBalances(st billing.Store) ([]billing.AccountBalance, error) {
	return storeCollect(st.AllBalances, func(a, b billing.AccountBalance) int { return compareAccounts(a.Account, b.Account) })
}

// billingAllTransfers collects AllTransfers as it yields them; Seqs that
// do not increase fail.
func billingAllTransfers(st billing.Store) ([]billing.JournalEntry, error) {
	var out []billing.JournalEntry
	err := st.AllTransfers(func(e billing.JournalEntry) error {
		if n := len(out); n > 0 && e.Seq <= out[n-1].Seq {
			return fmt.Errorf("storagetest: AllTransfers yields Seq %d after %d", e.Seq, out[n-1].Seq)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// billingJournal pages through Journal(q) with q.Limit (100 when zero)
// from q.After to the end; Seqs that do not increase fail.
func billingJournal(st billing.Store, q billing.JournalQuery) ([]billing.JournalEntry, error) {
	if q.Limit == 0 {
		q.Limit = 100
	}
	var out []billing.JournalEntry
	for {
		page, err := st.Journal(q)
		if err != nil {
			return out, err
		}
		for _, e := range page {
			if e.Seq <= q.After {
				return out, fmt.Errorf("storagetest: Journal after %d returns Seq %d", q.After, e.Seq)
			}
			q.After = e.Seq
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out, nil
		}
	}
}

// timeIDLister is a listing ordered by (time, ID) that returns the items
// after the cursor (afterTime, afterID), at most limit of them.
type timeIDLister[T any] func(afterTime time.Time, afterID string, limit int) ([]T, error)

func purchasesOf(st billing.Store, o string) timeIDLister[billing.Purchase] {
	return func(at time.Time, id string, limit int) ([]billing.Purchase, error) {
		return st.PurchasesOfOrg(org.OrganisationID(o), at, billing.PurchaseID(id), limit)
	}
}

func couponsOf(st billing.Store, o string) timeIDLister[billing.Coupon] {
	return func(at time.Time, id string, limit int) ([]billing.Coupon, error) {
		return st.CouponsOfOrg(org.OrganisationID(o), at, billing.CouponID(id), limit)
	}
}

func purchaseKey(p billing.Purchase) (time.Time, string) { return p.CreatedAt, string(p.ID) }
func couponKey(c billing.Coupon) (time.Time, string)     { return c.CreatedAt, string(c.ID) }

// billingPages pages through list with limit from the start to the end.
// Keys that do not increase fail, so a listing that ignores its cursor
// cannot loop forever.
func billingPages[T any](list timeIDLister[T], key func(T) (time.Time, string), limit int) ([][]T, error) {
	var pages [][]T
	var at time.Time
	var id string
	for {
		page, err := list(at, id, limit)
		if err != nil {
			return pages, err
		}
		pages = append(pages, page)
		for _, v := range page {
			t, i := key(v)
			if cmp.Or(t.Compare(at), cmp.Compare(i, id)) <= 0 {
				return pages, fmt.Errorf("storagetest: listing after (%v, %q) returns (%v, %q)", at, id, t, i)
			}
			at, id = t, i
		}
		if len(page) < limit {
			return pages, nil
		}
	}
}

// billingAll returns every item of list, paging by MaxPageSize.
func billingAll[T any](list timeIDLister[T], key func(T) (time.Time, string)) ([]T, error) {
	pages, err := billingPages(list, key, storage.MaxPageSize)
	return slices.Concat(pages...), err
}

// billingSeq yields the accounts and balances of bs.
func billingSeq(bs []billing.AccountBalance) iter.Seq2[billing.LedgerAccount, billing.Balance] {
	return func(yield func(billing.LedgerAccount, billing.Balance) bool) {
		for _, b := range bs {
			if !yield(b.Account, b.Balance) {
				return
			}
		}
	}
}

// nonUTCTimes returns the paths of the non-zero times in v that are not
// in UTC. go-cmp compares times with Equal, which ignores the location.
func nonUTCTimes(v any) []string {
	var out []string
	timeType := reflect.TypeFor[time.Time]()
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		if rv.Type() == timeType {
			if t := rv.Interface().(time.Time); !t.IsZero() && t.Location() != time.UTC {
				out = append(out, fmt.Sprintf("%s (%v)", path, t))
			}
			return
		}
		switch rv.Kind() {
		case reflect.Struct:
			for i := range rv.NumField() {
				if rv.Type().Field(i).IsExported() {
					walk(path+"."+rv.Type().Field(i).Name, rv.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range rv.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), rv.Index(i))
			}
		}
	}
	walk("", reflect.ValueOf(v))
	return out
}

// billingExact returns the differences between want and got, nil and empty
// slices told apart, and the times of got not in UTC; "" when none.
func billingExact(want, got any) string {
	diff := gocmpExact(want, got)
	if bad := nonUTCTimes(got); len(bad) > 0 {
		diff += fmt.Sprintf("times not in UTC: %v\n", bad)
	}
	return diff
}

// billingReadBack reads with get in a View and in an UpdateUnlogged (where
// lookups lock) and fails the test unless both read exactly want. A get
// that only a read-write transaction may call (LockBalances) passes
// lockOnly.
func (db storeDB) billingReadBack(get func(orgspace.Store) (any, error), want any, lockOnly bool) {
	db.t.Helper()
	// diff is of the function's last run: a backend may run it again.
	var diff string
	check := func(where string) {
		db.t.Helper()
		read := func(st orgspace.Store) error {
			got, err := get(st)
			if err != nil {
				return fmt.Errorf("get in %s: %w", where, err)
			}
			diff = billingExact(want, got)
			return nil
		}
		if where == "a View" {
			db.view(read)
		} else {
			db.unlogged(read)
		}
		if diff != "" {
			db.t.Errorf("read back in %s (-want +got):\n%s", where, diff)
		}
	}
	if !lockOnly {
		check("a View")
	}
	check("an UpdateUnlogged")
}

// storeBillingRoundTrip writes every billing object, reads it back exactly
// in a View and, locking, in an UpdateUnlogged, changes it and reads it
// again.
func storeBillingRoundTrip(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	acc := func(kind billing.AccountKind, ref string) billing.LedgerAccount {
		return sf.ledgerAccount("org-1", billing.SMSCredits, kind, ref)
	}
	rtPool, rtExt, rtUsed := acc(billing.Pool, ""), acc(billing.External, ""), acc(billing.Consumed, "")
	rtNone, rtLone := sf.ledgerAccount("org-2", billing.SMSCredits, billing.Pool, ""), sf.ledgerAccount("org-2", billing.SMSCredits, billing.Consumed, "")
	b1 := billing.Balance{DebitsPosted: 1, CreditsPosted: 20, DebitsPending: 3, CreditsPending: 4}
	b2 := billing.Balance{DebitsPosted: 5, CreditsPosted: 60, DebitsPending: 7, CreditsPending: 8}
	b3 := billing.Balance{DebitsPosted: 9}
	putTwo := func(st orgspace.Store) error { return errors.Join(st.PutBalance(rtExt, b3), st.PutBalance(rtUsed, b1)) }
	lock := func(a, b billing.LedgerAccount) func(st orgspace.Store) (any, error) {
		return func(st orgspace.Store) (any, error) {
			x, y, err := st.LockBalances(a, b)
			return [2]billing.Balance{x, y}, err
		}
	}

	settled := sf.purchase("pur-rt", "org-1")
	settled.Status, settled.ProviderRef, settled.SettledAt = billing.PurchaseCompleted, "ch_rt", billingT0.Add(time.Hour+time.Nanosecond)
	closed := redeemed(sf.coupon("cpn-rt", "org-1"), "ev-2", billingT0.Add(2*time.Hour+time.Nanosecond))
	bare := sf.coupon("cpn-bare", "org-1")
	bare.CodeHash, bare.ExpiresAt = []byte{}, time.Time{}
	bareWant := bare
	bareWant.CodeHash = nil
	use := sf.licenceUse("ev-1", "person-rt")
	returned := use
	returned.Coupon, returned.Returned, returned.UpdatedAt = "cpn-1", true, billingT0.Add(3*time.Hour+time.Nanosecond)
	failed := sf.sms("sms-rt", "org-1", "ev-1")
	failed.Status, failed.ProviderRef, failed.Error, failed.SettledAt = billing.SMSFailed, "msg_rt", "unreachable", billingT0.Add(time.Second+time.Nanosecond)
	moved := sf.event("ev-rt", "org-1")
	moved.Start = moved.Start.Add(24*time.Hour + time.Nanosecond)
	noStart := sf.event("ev-nostart", "org-2")
	noStart.Start = time.Time{}

	cases := []struct {
		name     string
		write    func(st orgspace.Store) error // nil: nothing to write
		get      func(st orgspace.Store) (any, error)
		want     any
		lockOnly bool
		change   func(st orgspace.Store) error // nil: nothing to change
		changed  any
	}{{
		name:    "Balance",
		write:   func(st orgspace.Store) error { return st.PutBalance(rtPool, b1) },
		get:     func(st orgspace.Store) (any, error) { return st.Balance(rtPool) },
		want:    b1,
		change:  func(st orgspace.Store) error { return st.PutBalance(rtPool, b2) },
		changed: b2,
	}, {
		name: "BalanceOfAnAccountWithNoneIsZero",
		get:  func(st orgspace.Store) (any, error) { return st.Balance(rtNone) },
		want: billing.Balance{},
	}, {
		name:     "LockBalances",
		write:    putTwo,
		get:      lock(rtExt, rtUsed),
		want:     [2]billing.Balance{b3, b1},
		lockOnly: true,
	}, {
		name:     "LockBalancesInTheCallersOrder",
		write:    putTwo,
		get:      lock(rtUsed, rtExt),
		want:     [2]billing.Balance{b1, b3},
		lockOnly: true,
	}, {
		name:     "LockBalancesOfAccountsWithNoneAreZero",
		get:      lock(rtNone, rtLone),
		want:     [2]billing.Balance{},
		lockOnly: true,
	}, {
		name:    "Event",
		write:   func(st orgspace.Store) error { return st.PutEvent(sf.event("ev-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Event("ev-rt") },
		want:    sf.event("ev-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.PutEvent(moved) },
		changed: moved,
	}, {
		name:  "EventWithoutStart",
		write: func(st orgspace.Store) error { return st.PutEvent(noStart) },
		get:   func(st orgspace.Store) (any, error) { return st.Event("ev-nostart") },
		want:  noStart,
	}, {
		name:    "Purchase",
		write:   func(st orgspace.Store) error { return st.InsertPurchase(sf.purchase("pur-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Purchase("pur-rt") },
		want:    sf.purchase("pur-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.UpdatePurchase(settled) },
		changed: settled,
	}, {
		name:  "PurchaseByKey",
		write: func(st orgspace.Store) error { return st.InsertPurchase(sf.purchase("pur-rt-key", "org-2")) },
		get:   func(st orgspace.Store) (any, error) { return st.PurchaseByKey("org-2", "key-pur-rt-key") },
		want:  sf.purchase("pur-rt-key", "org-2"),
	}, {
		name:    "Coupon",
		write:   func(st orgspace.Store) error { return st.InsertCoupon(sf.coupon("cpn-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Coupon("cpn-rt") },
		want:    sf.coupon("cpn-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.UpdateCoupon(closed) },
		changed: closed,
	}, {
		name:  "CouponByCode",
		write: func(st orgspace.Store) error { return st.InsertCoupon(sf.coupon("cpn-rt-code", "org-2")) },
		get:   func(st orgspace.Store) (any, error) { return st.CouponByCode(sf.hash("coupon cpn-rt-code")) },
		want:  sf.coupon("cpn-rt-code", "org-2"),
	}, {
		name:  "CouponWithoutExpiryAndAnEmptyHashReadsNil",
		write: func(st orgspace.Store) error { return st.InsertCoupon(bare) },
		get:   func(st orgspace.Store) (any, error) { return st.Coupon("cpn-bare") },
		want:  bareWant,
	}, {
		name:    "LicenceUse",
		write:   func(st orgspace.Store) error { return st.PutLicenceUse(use) },
		get:     func(st orgspace.Store) (any, error) { return st.LicenceUse("ev-1", "person-rt") },
		want:    use,
		change:  func(st orgspace.Store) error { return st.PutLicenceUse(returned) },
		changed: returned,
	}, {
		name:    "SMS",
		write:   func(st orgspace.Store) error { return st.InsertSMS(sf.sms("sms-rt", "org-1", "ev-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.SMS("org-1", "sms-rt") },
		want:    sf.sms("sms-rt", "org-1", "ev-1"),
		change:  func(st orgspace.Store) error { return st.UpdateSMS(failed) },
		changed: failed,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			if tc.write != nil {
				db.unlogged(tc.write)
			}
			db.billingReadBack(tc.get, tc.want, tc.lockOnly)
			if tc.change != nil {
				db.unlogged(tc.change)
				db.billingReadBack(tc.get, tc.changed, tc.lockOnly)
			}
		})
	}

	t.Run("Transfers", func(t *testing.T) {
		db := db.on(t)
		var before []billing.JournalEntry
		db.view(func(st orgspace.Store) (err error) {
			before, err = billingAllTransfers(st)
			return err
		})
		posted := sf.transfer("trf-rt-posted", rtExt, rtPool, 7)
		posted.Time = posted.Time.Add(time.Nanosecond)
		pending := sf.transfer("trf-rt-pending", rtPool, rtUsed, 2)
		pending.Pending = true
		// A resolving transfer as billing.Apply records it: with the
		// pending one's accounts; here with a zero time and no reason.
		void := billing.Void("trf-rt-void", "trf-2")
		void.Asset, void.From, void.To, void.Amount, void.Reason = billing.Licences, bPool1, bEscrow1, 3, ""
		db.unlogged(func(st orgspace.Store) error {
			return errors.Join(st.InsertTransfer(posted, billingActor), st.InsertTransfer(pending, "operator:op-1"), st.InsertTransfer(void, billingActor))
		})
		// A fresh store numbers its entries from 1, one after another,
		// when no insert failed.
		n := int64(len(before))
		want := []billing.JournalEntry{
			{Seq: n + 1, Transfer: posted, Actor: billingActor},
			{Seq: n + 2, Transfer: pending, Open: true, Actor: "operator:op-1"},
			{Seq: n + 3, Transfer: void, Actor: billingActor},
		}
		if n != 2 || before[0].Seq != 1 || before[1].Seq != 2 {
			t.Errorf("the seeded journal has Seqs %v, want [1 2]", billingSeqs(before))
		}
		for _, e := range want {
			db.billingReadBack(func(st orgspace.Store) (any, error) { return st.Transfer(e.ID) }, e, false)
		}
		db.unlogged(func(st orgspace.Store) error { return st.CloseTransfer(pending.ID) })
		want[1].Open = false
		db.billingReadBack(func(st orgspace.Store) (any, error) { return st.Transfer(pending.ID) }, want[1], false)
		// The listings return the entries exactly too.
		db.billingReadBack(func(st orgspace.Store) (any, error) {
			all, err := billingAllTransfers(st)
			return all[min(len(before), len(all)):], err
		}, want, false)
		db.billingReadBack(func(st orgspace.Store) (any, error) {
			return st.Journal(billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits, Limit: 10})
		}, want[:2], false)
	})
}

// billingSeqs returns the Seqs of entries.
func billingSeqs(entries []billing.JournalEntry) []int64 {
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = e.Seq
	}
	return out
}

// storeBillingDuplicates inserts billing objects whose key is taken: each
// insert fails with ErrAlreadyExists and changes nothing, also when the
// transaction goes on after it and commits (as billing.Apply does after a
// refused InsertTransfer). The same purchase key or SMS ID in another
// organisation is no duplicate.
func storeBillingDuplicates(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.billingSnapshot(p)
	otherCoupon := sf.coupon("cpn-1", "org-2")
	otherCoupon.CodeHash = sf.hash("another code")
	sameHash := sf.coupon("cpn-9", "org-1")
	sameHash.CodeHash = sf.hash("coupon cpn-1")
	sameHashElsewhere := sf.coupon("cpn-9", "org-2")
	sameHashElsewhere.CodeHash = sf.hash("coupon cpn-1")
	otherPurchase := sf.purchase("pur-1", "org-2")
	sameKey := sf.purchase("pur-9", "org-1")
	sameKey.Key = "key-pur-1"
	otherSMS := sf.sms("sms-1", "org-1", "ev-1")
	otherSMS.Body, otherSMS.Credits = "Another message", 2

	cases := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"TransferID", func(st orgspace.Store) error {
			return st.InsertTransfer(sf.transfer("trf-1", bExt2, bPool2, 5), billingActor)
		}},
		{"TransferIDOfAnIdenticalTransfer", func(st orgspace.Store) error {
			return st.InsertTransfer(sf.transfer("trf-1", bExt1, bPool1, 10), billingActor)
		}},
		{"PurchaseID", func(st orgspace.Store) error { return st.InsertPurchase(otherPurchase) }},
		{"PurchaseKeyInItsOrganisation", func(st orgspace.Store) error { return st.InsertPurchase(sameKey) }},
		{"CouponID", func(st orgspace.Store) error { return st.InsertCoupon(otherCoupon) }},
		{"CouponCodeHash", func(st orgspace.Store) error { return st.InsertCoupon(sameHash) }},
		{"CouponCodeHashOfAnotherOrganisation", func(st orgspace.Store) error { return st.InsertCoupon(sameHashElsewhere) }},
		{"SMSIDInItsOrganisation", func(st orgspace.Store) error { return st.InsertSMS(otherSMS) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.on(t).tryUnlogged(tc.write); !errors.Is(err, storage.ErrAlreadyExists) {
				t.Errorf("UpdateUnlogged: error %v, want ErrAlreadyExists", err)
			}
		})
	}
	db.requireBillingUnchanged(t, p, before)
	// Refused inserts leave the transaction usable, to read and write and
	// commit; the snapshot, which does not look events up, stays as it was.
	var events []billing.Event
	for i, tc := range cases {
		t.Run(tc.name+"ThenCommit", func(t *testing.T) {
			ev := sf.event(fmt.Sprintf("ev-after-%d", i), "org-1")
			events = append(events, ev)
			// The insert's error in the function's last run: a backend
			// that assumed the key free may run it again.
			var refused error
			db.on(t).unlogged(func(st orgspace.Store) error {
				refused = tc.write(st)
				if _, err := st.Transfer("trf-1"); err != nil {
					return fmt.Errorf("Transfer after the refused insert: %w", err)
				}
				if err := st.PutEvent(ev); err != nil {
					return fmt.Errorf("PutEvent after the refused insert: %w", err)
				}
				return nil
			})
			if !errors.Is(refused, storage.ErrAlreadyExists) {
				t.Errorf("insert: error %v, want ErrAlreadyExists", refused)
			}
		})
	}
	db.requireBillingUnchanged(t, p, before)
	db.view(func(st orgspace.Store) error {
		for _, ev := range events {
			got, err := st.Event(ev.ID)
			if err != nil || storeDiff(ev, got) != "" {
				t.Errorf("Event(%s) written after a refused insert = %+v, %v; want %+v", ev.ID, got, err, ev)
			}
		}
		return nil
	})

	t.Run("PurchaseKeyAndSMSIDInAnotherOrganisation", func(t *testing.T) {
		db := db.on(t)
		elsewhere := sf.purchase("pur-9", "org-2")
		elsewhere.Key = "key-pur-1"
		sms := sf.sms("sms-1", "org-2", "ev-2")
		db.unlogged(func(st orgspace.Store) error { return errors.Join(st.InsertPurchase(elsewhere), st.InsertSMS(sms)) })
		after := db.billingSnapshot(p)
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"PurchaseByKey(org-2, key-pur-1)", after.PurchaseByKey["org-2/key-pur-1"], storeLookup[billing.Purchase]{Found: true, Value: elsewhere}},
			{"PurchaseByKey(org-1, key-pur-1)", after.PurchaseByKey["org-1/key-pur-1"], before.PurchaseByKey["org-1/key-pur-1"]},
			{"SMS(org-2, sms-1)", after.SMS["org-2/sms-1"], storeLookup[billing.SMS]{Found: true, Value: sms}},
			{"SMS(org-1, sms-1)", after.SMS["org-1/sms-1"], before.SMS["org-1/sms-1"]},
		} {
			if diff := storeDiff(c.want, c.got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.what, diff)
			}
		}
	})
}

// storeBillingNotFound looks up and updates billing objects that do not
// exist, in a View and in an UpdateUnlogged: ErrNotFound, and nothing
// changes. Listings of unknown keys are empty, not an error.
func storeBillingNotFound(t *testing.T, db storeDB) {
	head := db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.billingSnapshot(p)
	ignore := func(_ any, err error) error { return err }
	reads := []struct {
		name string
		read func(st orgspace.Store) error
	}{
		{"Transfer", func(st orgspace.Store) error { return ignore(st.Transfer("trf-x")) }},
		{"Event", func(st orgspace.Store) error { return ignore(st.Event("ev-x")) }},
		{"Purchase", func(st orgspace.Store) error { return ignore(st.Purchase("pur-x")) }},
		{"PurchaseByKey", func(st orgspace.Store) error { return ignore(st.PurchaseByKey("org-1", "key-pur-x")) }},
		{"PurchaseByKeyOfAnotherOrganisation", func(st orgspace.Store) error { return ignore(st.PurchaseByKey("org-2", "key-pur-1")) }},
		{"Coupon", func(st orgspace.Store) error { return ignore(st.Coupon("cpn-x")) }},
		{"CouponByCode", func(st orgspace.Store) error { return ignore(st.CouponByCode(sf.hash("coupon cpn-x"))) }},
		{"LicenceUse", func(st orgspace.Store) error { return ignore(st.LicenceUse("ev-1", "person-x")) }},
		{"LicenceUseOnAnotherEvent", func(st orgspace.Store) error { return ignore(st.LicenceUse("ev-2", "person-1")) }},
		{"SMS", func(st orgspace.Store) error { return ignore(st.SMS("org-1", "sms-x")) }},
		{"SMSOfAnotherOrganisation", func(st orgspace.Store) error { return ignore(st.SMS("org-2", "sms-1")) }},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			if err := db.tx.View(t.Context(), storage.Latest(), tc.read); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("in a View: error %v, want ErrNotFound", err)
			}
			if err := db.tryUnlogged(tc.read); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("in an UpdateUnlogged: error %v, want ErrNotFound", err)
			}
		})
	}
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"CloseTransfer", func(st orgspace.Store) error { return st.CloseTransfer("trf-x") }},
		{"UpdatePurchase", func(st orgspace.Store) error { return st.UpdatePurchase(sf.purchase("pur-x", "org-1")) }},
		{"UpdateCoupon", func(st orgspace.Store) error { return st.UpdateCoupon(sf.coupon("cpn-x", "org-1")) }},
		{"UpdateSMS", func(st orgspace.Store) error { return st.UpdateSMS(sf.sms("sms-x", "org-1", "ev-1")) }},
		{"UpdateSMSOfAnotherOrganisation", func(st orgspace.Store) error { return st.UpdateSMS(sf.sms("sms-1", "org-2", "ev-2")) }},
	}
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.on(t).tryUnlogged(tc.write); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("UpdateUnlogged: error %v, want ErrNotFound", err)
			}
		})
	}
	db.requireBillingUnchanged(t, p, before)
	for name, n := range map[string]int{
		"BalancesOfOrg(org-x)":                            len(before.BalancesOfOrg["org-x"]),
		"Journal(org-x)":                                  len(before.JournalOfOrg["org-x"]),
		"PurchasesOfOrg(org-x)":                           len(before.PurchasesOfOrg["org-x"]),
		"CouponsOfOrg(org-x)":                             len(before.CouponsOfOrg["org-x"]),
		"ExpiredCoupons(org-x)":                           len(before.ExpiredCoupons["org-x"]),
		"CouponsOfEvent(ev-x)":                            len(before.CouponsOfEvent["ev-x"]),
		"LicenceUsesOfEvent(ev-x)":                        len(before.LicenceUsesOfEvent["ev-x"]),
		"CouponsOfEvent(ev-2)":                            len(before.CouponsOfEvent["ev-2"]),
		"LicenceUsesOfEvent(ev-2)":                        len(before.LicenceUsesOfEvent["ev-2"]),
		"ExpiredCoupons(org-2), whose coupon is redeemed": len(before.ExpiredCoupons["org-2"]),
	} {
		if n != 0 {
			t.Errorf("%s lists %d items, want none", name, n)
		}
	}
	if h := db.head(); h != head {
		t.Errorf("Head = %d, want %d: an UpdateUnlogged advanced it", h, head)
	}
}

// storeBillingUpdatesWriteOnlyTheirFields updates a purchase, a coupon and
// an SMS with every field changed: only the fields each update names
// change, and the lookups and listings by the other fields still find the
// objects where they were.
func storeBillingUpdatesWriteOnlyTheirFields(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	p := billingBaseProbe()
	p.Keys = append(p.Keys, [2]string{"org-2", "key-changed"})
	p.Hashes = append(p.Hashes, sf.hash("changed code"))
	before := db.billingSnapshot(p)
	later := billingT0.Add(5*time.Hour + time.Nanosecond)

	purchase := billing.Purchase{
		ID: "pur-1", Org: "org-2", Key: "key-changed", Asset: billing.SMSCredits, Quantity: 99,
		Price: billing.Money{Currency: "USD", Minor: 1}, Status: billing.PurchaseDeclined, ProviderRef: "ch_1",
		CreatedAt: later, CreatedBy: "someone else", SettledAt: later,
	}
	wantPurchase := sf.purchase("pur-1", "org-1")
	wantPurchase.Status, wantPurchase.ProviderRef, wantPurchase.SettledAt = purchase.Status, purchase.ProviderRef, purchase.SettledAt

	coupon := billing.Coupon{
		ID: "cpn-1", Org: "org-2", Licences: 99, CodeHash: sf.hash("changed code"), Status: billing.CouponRedeemed,
		ExpiresAt: later, CreatedAt: later, CreatedBy: "someone else", Event: "ev-2", ClosedAt: later, ClosedBy: "user:user-3",
	}
	wantCoupon := sf.coupon("cpn-1", "org-1")
	wantCoupon.Status, wantCoupon.Event, wantCoupon.ClosedAt, wantCoupon.ClosedBy = coupon.Status, coupon.Event, coupon.ClosedAt, coupon.ClosedBy

	sms := billing.SMS{
		ID: "sms-1", Org: "org-1", Event: "ev-2", To: "+33600000000", Body: "Changed", Credits: 9, Status: billing.SMSFailed,
		ProviderRef: "msg_1", Error: "refused", CreatedAt: later, CreatedBy: "someone else", SettledAt: later,
	}
	wantSMS := sf.sms("sms-1", "org-1", "ev-1")
	wantSMS.Status, wantSMS.ProviderRef, wantSMS.Error, wantSMS.SettledAt = sms.Status, sms.ProviderRef, sms.Error, sms.SettledAt

	db.unlogged(func(st orgspace.Store) error {
		return errors.Join(st.UpdatePurchase(purchase), st.UpdateCoupon(coupon), st.UpdateSMS(sms))
	})
	db.billingReadBack(func(st orgspace.Store) (any, error) { return st.Purchase("pur-1") }, wantPurchase, false)
	db.billingReadBack(func(st orgspace.Store) (any, error) { return st.Coupon("cpn-1") }, wantCoupon, false)
	db.billingReadBack(func(st orgspace.Store) (any, error) { return st.SMS("org-1", "sms-1") }, wantSMS, false)

	after := db.billingSnapshot(p)
	pending := slices.DeleteFunc(slices.Clone(before.PendingPurchases), func(x billing.Purchase) bool { return x.ID == "pur-1" })
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"PurchaseByKey(org-1, key-pur-1)", after.PurchaseByKey["org-1/key-pur-1"], storeLookup[billing.Purchase]{Found: true, Value: wantPurchase}},
		{"PurchaseByKey(org-2, key-changed)", after.PurchaseByKey["org-2/key-changed"].Found, false},
		{"PurchasesOfOrg(org-1)", after.PurchasesOfOrg["org-1"], []billing.Purchase{wantPurchase}},
		{"PurchasesOfOrg(org-2)", after.PurchasesOfOrg["org-2"], before.PurchasesOfOrg["org-2"]},
		{"PendingPurchases without the declined one", after.PendingPurchases, pending},
		{"CouponByCode(its hash)", after.CouponByCode[hex.EncodeToString(sf.hash("coupon cpn-1"))], storeLookup[billing.Coupon]{Found: true, Value: wantCoupon}},
		{"CouponByCode(the changed hash)", after.CouponByCode[hex.EncodeToString(sf.hash("changed code"))].Found, false},
		{"CouponsOfOrg(org-1)", after.CouponsOfOrg["org-1"], []billing.Coupon{wantCoupon}},
		{"CouponsOfOrg(org-2)", after.CouponsOfOrg["org-2"], before.CouponsOfOrg["org-2"]},
		{"CouponsOfEvent(ev-2)", after.CouponsOfEvent["ev-2"], []billing.Coupon{wantCoupon}},
		{"SMS(org-2, sms-1)", after.SMS["org-2/sms-1"].Found, false},
	} {
		if diff := storeDiff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
}

// storeBillingCopies checks that a caller cannot change the store through
// a coupon's CodeHash it passed to InsertCoupon, nor through the values
// and slices it got back.
func storeBillingCopies(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	p := billingBaseProbe()
	in := sf.coupon("cpn-9", "org-1")
	db.unlogged(func(st orgspace.Store) error {
		c := in
		c.CodeHash = slices3(in.CodeHash)
		err := st.InsertCoupon(c)
		for i := range c.CodeHash {
			c.CodeHash[i] = 0
		}
		_ = append(c.CodeHash, 0xff)
		return err
	})
	before := db.billingSnapshot(p)
	if got := before.Coupon["cpn-9"]; !got.Found || storeDiff(in, got.Value) != "" {
		t.Errorf("after scribbling on its input: coupon %+v, want %+v", got.Value, in)
	}
	if got := before.CouponByCode[hex.EncodeToString(sf.hash("coupon cpn-9"))]; !got.Found {
		t.Errorf("after scribbling on its input: CouponByCode finds nothing")
	}

	scribble := func(cs ...billing.Coupon) {
		for _, c := range cs {
			for i := range c.CodeHash {
				c.CodeHash[i] = 0
			}
			_ = append(c.CodeHash, 0xff)
		}
	}
	scribbleAll := func(st orgspace.Store) error {
		for _, id := range []billing.CouponID{"cpn-1", "cpn-2", "cpn-9"} {
			c, err := st.Coupon(id)
			if err != nil {
				return err
			}
			scribble(c)
		}
		c, err := st.CouponByCode(sf.hash("coupon cpn-1"))
		if err != nil {
			return err
		}
		scribble(c)
		for _, o := range []org.OrganisationID{"org-1", "org-2"} {
			cs, err := st.CouponsOfOrg(o, time.Time{}, "", 10)
			if err != nil {
				return err
			}
			scribble(cs...)
			_ = append(cs, billing.Coupon{ID: "scribbled"})
			ps, err := st.PurchasesOfOrg(o, time.Time{}, "", 10)
			if err != nil {
				return err
			}
			for i := range ps {
				ps[i].Key = "scribbled"
			}
			_ = append(ps, billing.Purchase{ID: "scribbled"})
			bs, err := st.BalancesOfOrg(o)
			if err != nil {
				return err
			}
			if len(bs) > 0 {
				bs[0].CreditsPosted = -1
			}
			_ = append(bs, billing.AccountBalance{})
		}
		cs, err := st.CouponsOfEvent("ev-1")
		if err != nil {
			return err
		}
		scribble(cs...)
		if cs, err = st.ExpiredCoupons("", billingFar, 10); err != nil {
			return err
		}
		scribble(cs...)
		js, err := st.Journal(billing.JournalQuery{Org: "org-1", Limit: 10})
		if err != nil {
			return err
		}
		for i := range js {
			js[i].Amount = -1
		}
		_ = append(js, billing.JournalEntry{})
		us, err := st.LicenceUsesOfEvent("ev-1")
		if err != nil {
			return err
		}
		for i := range us {
			us[i].Person = "scribbled"
		}
		_ = append(us, billing.LicenceUse{})
		return st.AllTransfers(func(e billing.JournalEntry) error {
			e.Amount = -1
			return nil
		})
	}
	db.view(scribbleAll)
	db.requireBillingUnchanged(t, p, before)
	// Inside a write transaction, where a backend may hand out what it
	// staged, and then reading on in the same transaction.
	var inside billingSnapshot
	db.unlogged(func(st orgspace.Store) (err error) {
		if err := scribbleAll(st); err != nil {
			return err
		}
		inside, err = takeBillingSnapshot(st, p)
		return err
	})
	if diff := storeDiff(before, inside); diff != "" {
		t.Errorf("inside the transaction that scribbled, billing changed (-before +after):\n%s", diff)
	}
	db.requireBillingUnchanged(t, p, before)
}

// storeBillingBalances writes balances of two organisations in scrambled
// order: BalancesOfOrg lists exactly an organisation's, ordered by asset,
// kind and ref (the values' order), and AllBalances yields each once.
func storeBillingBalances(t *testing.T, db storeDB) {
	// In the order BalancesOfOrg("org-1") must return them.
	org1 := []billing.LedgerAccount{
		sf.ledgerAccount("org-1", billing.Licences, billing.External, ""),
		sf.ledgerAccount("org-1", billing.Licences, billing.Pool, ""),
		sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-a"),
		sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-b"),
		sf.ledgerAccount("org-1", billing.Licences, billing.Allocation, "ev-1"),
		sf.ledgerAccount("org-1", billing.Licences, billing.Consumed, ""),
		sf.ledgerAccount("org-1", billing.SMSCredits, billing.External, ""),
		sf.ledgerAccount("org-1", billing.SMSCredits, billing.Pool, ""),
		sf.ledgerAccount("org-1", billing.SMSCredits, billing.Consumed, ""),
	}
	org2 := []billing.LedgerAccount{
		sf.ledgerAccount("org-2", billing.Licences, billing.Pool, ""),
		sf.ledgerAccount("org-2", billing.Licences, billing.Allocation, "ev-2"),
	}
	all := make([]billing.AccountBalance, 0, len(org1)+len(org2))
	for i, a := range slices.Concat(org1, org2) {
		all = append(all, billing.AccountBalance{Account: a, Balance: billing.Balance{CreditsPosted: int64(i + 1), DebitsPending: int64(i)}})
	}
	var s billingSeed
	for _, i := range []int{7, 2, 10, 0, 5, 9, 3, 8, 1, 6, 4} {
		s.Balances = append(s.Balances, all[i])
	}
	db.seedBilling(s)
	want := map[string][]billing.AccountBalance{"org-1": all[:len(org1)], "org-2": all[len(org1):]}
	got := db.billingSnapshot(billingProbe{Orgs: []string{"org-1", "org-2", "org-3"}})
	for _, o := range []string{"org-1", "org-2"} {
		if diff := billingExact(want[o], got.BalancesOfOrg[o]); diff != "" {
			t.Errorf("BalancesOfOrg(%s) (-want +got):\n%s", o, diff)
		}
	}
	if len(got.BalancesOfOrg["org-3"]) != 0 {
		t.Errorf("BalancesOfOrg(org-3) = %v, want none", got.BalancesOfOrg["org-3"])
	}
	if diff := storeDiff(all, got.Balances); diff != "" {
		t.Errorf("AllBalances (-want +got):\n%s", diff)
	}
}

// storeBillingJournal inserts transfers within and between organisations
// and checks what each JournalQuery selects: the entries with an account
// of Org on either side that has the Asset, Kind and Ref asked (all on
// that one side), after After, at most Limit, in Seq order.
func storeBillingJournal(t *testing.T, db storeDB) {
	escrowA := sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-a")
	escrowB := sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-b")
	pending := func(tr billing.Transfer) billing.Transfer {
		tr.Pending = true
		return tr
	}
	transfers := []billing.Transfer{
		sf.transfer("t1-buy", bExt1, bPool1, 10),
		sf.transfer("t2-sms", bSMSExt1, bSMSPool1, 50),
		sf.transfer("t3-other-org", bExt2, bPool2, 5),
		pending(sf.transfer("t4-hold-a", bPool1, escrowA, 3)),
		sf.transfer("t5-between-orgs", escrowA, bAlloc2, 2),
		sf.transfer("t6-send", bSMSPool1, bSMSUsed1, 1),
		pending(sf.transfer("t7-hold-b", bPool1, escrowB, 1)),
		sf.transfer("t8-other-org", bPool2, bAlloc2, 1),
	}
	db.seedBilling(billingSeed{Transfers: transfers})
	var all []billing.JournalEntry
	db.view(func(st orgspace.Store) (err error) {
		all, err = billingAllTransfers(st)
		return err
	})
	var ids []string
	seq := map[string]int64{}
	for i, e := range all {
		ids = append(ids, e.ID)
		seq[e.ID] = e.Seq
		if i < len(transfers) {
			want := billing.JournalEntry{Seq: int64(i + 1), Transfer: transfers[i], Open: transfers[i].Pending, Actor: billingActor}
			if diff := billingExact(want, e); diff != "" {
				t.Errorf("AllTransfers entry %d (-want +got):\n%s", i, diff)
			}
		}
	}
	if want := []string{"t1-buy", "t2-sms", "t3-other-org", "t4-hold-a", "t5-between-orgs", "t6-send", "t7-hold-b", "t8-other-org"}; !slices.Equal(ids, want) {
		t.Fatalf("AllTransfers yields %v, want %v", ids, want)
	}

	cases := []struct {
		name string
		q    billing.JournalQuery
		want []string
	}{
		{"OrgOnEitherSide", billing.JournalQuery{Org: "org-1"}, []string{"t1-buy", "t2-sms", "t4-hold-a", "t5-between-orgs", "t6-send", "t7-hold-b"}},
		{"OtherOrgOnEitherSide", billing.JournalQuery{Org: "org-2"}, []string{"t3-other-org", "t5-between-orgs", "t8-other-org"}},
		{"UnknownOrg", billing.JournalQuery{Org: "org-3"}, nil},
		{"Asset", billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits}, []string{"t2-sms", "t6-send"}},
		{"OtherAsset", billing.JournalQuery{Org: "org-1", Asset: billing.Licences}, []string{"t1-buy", "t4-hold-a", "t5-between-orgs", "t7-hold-b"}},
		{"Kind", billing.JournalQuery{Org: "org-1", Kind: billing.Escrow}, []string{"t4-hold-a", "t5-between-orgs", "t7-hold-b"}},
		{"KindAndRef", billing.JournalQuery{Org: "org-1", Kind: billing.Escrow, Ref: "cpn-a"}, []string{"t4-hold-a", "t5-between-orgs"}},
		{"Ref", billing.JournalQuery{Org: "org-1", Ref: "cpn-b"}, []string{"t7-hold-b"}},
		{"AssetAndKind", billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.Pool}, []string{"t2-sms", "t6-send"}},
		{"AssetAndKindOfDifferentAccounts", billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.Escrow}, nil},
		// t5's Allocation account is org-2's, its Escrow account org-1's.
		{"KindOfTheOtherOrgsSide", billing.JournalQuery{Org: "org-1", Kind: billing.Allocation}, nil},
		{"KindOfTheOrgsOwnSide", billing.JournalQuery{Org: "org-2", Kind: billing.Allocation, Ref: "ev-2"}, []string{"t5-between-orgs", "t8-other-org"}},
		{"EscrowOfTheOtherOrg", billing.JournalQuery{Org: "org-2", Kind: billing.Escrow}, nil},
		// t4 has Pool on one side and cpn-a on the other.
		{"KindAndRefOnDifferentSides", billing.JournalQuery{Org: "org-1", Kind: billing.Pool, Ref: "cpn-a"}, nil},
		{"After", billing.JournalQuery{Org: "org-1", After: seq["t4-hold-a"]}, []string{"t5-between-orgs", "t6-send", "t7-hold-b"}},
		{"AfterTheLast", billing.JournalQuery{Org: "org-1", After: seq["t8-other-org"]}, nil},
		{"Limit", billing.JournalQuery{Org: "org-1", Limit: 2}, []string{"t1-buy", "t2-sms"}},
		{"AfterAndLimit", billing.JournalQuery{Org: "org-1", After: seq["t2-sms"], Limit: 2}, []string{"t4-hold-a", "t5-between-orgs"}},
		{"FilterAfterAndLimit", billing.JournalQuery{Org: "org-1", Kind: billing.Escrow, After: seq["t4-hold-a"], Limit: 1}, []string{"t5-between-orgs"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if q.Limit == 0 {
				q.Limit = 100
			}
			db.on(t).view(func(st orgspace.Store) error {
				got, err := st.Journal(q)
				if err != nil {
					return err
				}
				var gotIDs []string
				for i, e := range got {
					gotIDs = append(gotIDs, e.ID)
					if j := slices.Index(ids, e.ID); j < 0 || storeDiff(all[j], e) != "" {
						t.Errorf("Journal entry %+v is not the one AllTransfers yields", e)
					}
					if i > 0 && e.Seq <= got[i-1].Seq {
						t.Errorf("Journal is not in Seq order: %v", billingSeqs(got))
					}
				}
				if diff := storeDiff(tc.want, gotIDs); diff != "" {
					t.Errorf("Journal(%+v) (-want +got):\n%s", q, diff)
				}
				return nil
			})
		})
	}
}

// storeBillingPurchaseListings pages through PurchasesOfOrg with several
// limits, over purchases that share their creation time: each comes once,
// ordered by (CreatedAt, ID). PendingPurchases lists the pending ones of
// every organisation created strictly before its time.
func storeBillingPurchaseListings(t *testing.T, db storeDB) {
	t1, t2, t3 := billingT0, billingT0.Add(time.Nanosecond), billingT0.Add(time.Hour)
	mk := func(id, o string, at time.Time, status billing.PurchaseStatus) billing.Purchase {
		p := sf.purchase(id, o)
		p.CreatedAt, p.Status = at, status
		if status != billing.PurchasePending {
			p.SettledAt = at.Add(time.Minute)
		}
		return p
	}
	ps := []billing.Purchase{
		mk("pur-05", "org-1", t2, billing.PurchasePending),
		mk("pur-04", "org-1", t3, billing.PurchaseCompleted),
		mk("pur-01", "org-1", t2, billing.PurchaseDeclined),
		mk("pur-03", "org-1", t1, billing.PurchasePending),
		mk("pur-06", "org-2", t1, billing.PurchasePending),
		mk("pur-02", "org-1", t2, billing.PurchasePending),
		mk("pur-07", "org-2", t3, billing.PurchasePending),
	}
	db.seedBilling(billingSeed{Purchases: ps})
	byID := map[string]billing.Purchase{}
	for _, p := range ps {
		byID[string(p.ID)] = p
	}
	pick := func(ids ...string) []billing.Purchase {
		var out []billing.Purchase
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}
	want := pick("pur-03", "pur-01", "pur-02", "pur-05", "pur-04")
	testTimeIDPaging(t, db, "PurchasesOfOrg(org-1)", func(st orgspace.Store) timeIDLister[billing.Purchase] { return purchasesOf(st, "org-1") }, purchaseKey, want)

	cases := []struct {
		name   string
		before time.Time
		limit  int
		want   []billing.Purchase
	}{
		{"All", billingFar, 100, pick("pur-03", "pur-06", "pur-02", "pur-05", "pur-07")},
		{"CreatedBefore", t3, 100, pick("pur-03", "pur-06", "pur-02", "pur-05")},
		{"NotAtItsTime", t2, 100, pick("pur-03", "pur-06")},
		{"NoneBefore", t1, 100, nil},
		{"Limit", billingFar, 3, pick("pur-03", "pur-06", "pur-02")},
	}
	for _, tc := range cases {
		t.Run("PendingPurchases"+tc.name, func(t *testing.T) {
			db.on(t).view(func(st orgspace.Store) error {
				got, err := st.PendingPurchases(tc.before, tc.limit)
				if diff := billingExact(tc.want, got); err == nil && len(tc.want)+len(got) > 0 && diff != "" {
					t.Errorf("PendingPurchases (-want +got):\n%s", diff)
				}
				return err
			})
		})
	}
}

// testTimeIDPaging pages through a (time, ID) listing with several limits
// and from cursors between and on the items: every item comes once, in
// order, pages are full but for the last.
func testTimeIDPaging[T any](t *testing.T, db storeDB, name string, list func(st orgspace.Store) timeIDLister[T], key func(T) (time.Time, string), want []T) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		db := db.on(t)
		for _, limit := range []int{1, 3, 1000} {
			var pages [][]T
			db.view(func(st orgspace.Store) (err error) {
				pages, err = billingPages(list(st), key, limit)
				return err
			})
			for i, page := range pages {
				if len(page) > limit || (i < len(pages)-1 && len(page) != limit) {
					t.Errorf("limit %d: page %d has %d items", limit, i, len(page))
				}
			}
			if diff := billingExact(want, slices.Concat(pages...)); diff != "" {
				t.Errorf("limit %d: pages (-want +got):\n%s", limit, diff)
			}
		}
		db.view(func(st orgspace.Store) error {
			for _, v := range want {
				at, id := key(v)
				cursors := []struct {
					name string
					at   time.Time
					id   string
				}{
					{"on " + id, at, id},
					{"between the items before " + id + " and it", at, id[:len(id)-1]},
					{"at the time of " + id + " with no ID", at, ""},
					{"a nanosecond after " + id + " with no ID", at.Add(time.Nanosecond), ""},
				}
				for _, c := range cursors {
					after := slices.DeleteFunc(slices.Clone(want), func(x T) bool {
						xt, xid := key(x)
						return cmp.Or(xt.Compare(c.at), cmp.Compare(xid, c.id)) <= 0
					})
					got, err := list(st)(c.at, c.id, 1000)
					if err != nil {
						return err
					}
					if diff := storeDiff(after, got); diff != "" {
						t.Errorf("after a cursor %s (-want +got):\n%s", c.name, diff)
					}
				}
			}
			return nil
		})
	})
}

// storeBillingCouponListings checks CouponsOfOrg's paging, CouponsOfEvent's
// order (ClosedAt, then ID) and which coupons ExpiredCoupons lists: the
// active ones with an ExpiresAt set and not after now, of one organisation
// or of all, ordered by (ExpiresAt, ID).
func storeBillingCouponListings(t *testing.T, db storeDB) {
	t0, t1, t2 := billingT0, billingT0.Add(time.Hour), billingT0.Add(2*time.Hour)
	mk := func(id, o string, created, expires time.Time, status billing.CouponStatus) billing.Coupon {
		c := sf.coupon(id, o)
		c.CreatedAt, c.ExpiresAt, c.Status = created, expires, status
		if status != billing.CouponActive {
			c.ClosedAt, c.ClosedBy = created.Add(time.Minute), "system"
		}
		return c
	}
	cs := []billing.Coupon{
		mk("cpn-10", "org-1", t1, t1, billing.CouponActive),
		mk("cpn-03", "org-1", t1.Add(time.Nanosecond), t2.Add(time.Nanosecond), billing.CouponActive),
		mk("cpn-01", "org-1", t1, t1, billing.CouponActive),
		mk("cpn-04", "org-1", t0, time.Time{}, billing.CouponActive),
		mk("cpn-02", "org-1", t2, t2, billing.CouponActive),
		mk("cpn-05", "org-1", t0, t0, billing.CouponRevoked),
		mk("cpn-06", "org-1", t0, t0, billing.CouponExpired),
		mk("cpn-07", "org-1", t1, t0, billing.CouponActive),
		mk("cpn-08", "org-2", t0, t1, billing.CouponActive),
		mk("cpn-09", "org-2", t0, t0, billing.CouponActive),
		// Redeemed by ev-1 in the order 12, 11, 13 (11 and 13 at one time),
		// and by ev-2.
		redeemed(mk("cpn-11", "org-2", t0, t0, billing.CouponActive), "ev-1", t1),
		redeemed(mk("cpn-12", "org-1", t0, t0, billing.CouponActive), "ev-1", t0),
		redeemed(mk("cpn-13", "org-1", t0, time.Time{}, billing.CouponActive), "ev-1", t1),
		redeemed(mk("cpn-14", "org-1", t0, t0, billing.CouponActive), "ev-2", t0),
	}
	db.seedBilling(billingSeed{Events: []billing.Event{sf.event("ev-1", "org-2"), sf.event("ev-2", "org-1"), sf.event("ev-3", "org-1")}, Coupons: cs})
	byID := map[string]billing.Coupon{}
	for _, c := range cs {
		byID[string(c.ID)] = c
	}
	pick := func(ids ...string) []billing.Coupon {
		var out []billing.Coupon
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}
	testTimeIDPaging(t, db, "CouponsOfOrg(org-1)", func(st orgspace.Store) timeIDLister[billing.Coupon] { return couponsOf(st, "org-1") }, couponKey,
		pick("cpn-04", "cpn-05", "cpn-06", "cpn-12", "cpn-13", "cpn-14", "cpn-01", "cpn-07", "cpn-10", "cpn-03", "cpn-02"))
	testTimeIDPaging(t, db, "CouponsOfOrg(org-2)", func(st orgspace.Store) timeIDLister[billing.Coupon] { return couponsOf(st, "org-2") }, couponKey,
		pick("cpn-08", "cpn-09", "cpn-11"))

	events := []struct {
		event string
		want  []billing.Coupon
	}{
		{"ev-1", pick("cpn-12", "cpn-11", "cpn-13")},
		{"ev-2", pick("cpn-14")},
		{"ev-3", nil},
	}
	for _, tc := range events {
		t.Run("CouponsOfEvent("+tc.event+")", func(t *testing.T) {
			db.on(t).view(func(st orgspace.Store) error {
				got, err := st.CouponsOfEvent(billing.EventID(tc.event))
				if diff := billingExact(tc.want, got); err == nil && len(tc.want)+len(got) > 0 && diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return err
			})
		})
	}

	expired := []struct {
		name  string
		org   string
		now   time.Time
		limit int
		want  []billing.Coupon
	}{
		{"OfOneOrg", "org-1", t2, 100, pick("cpn-07", "cpn-01", "cpn-10", "cpn-02")},
		{"OfAll", "", t2, 100, pick("cpn-07", "cpn-09", "cpn-01", "cpn-08", "cpn-10", "cpn-02")},
		{"OfTheOtherOrg", "org-2", t2, 100, pick("cpn-09", "cpn-08")},
		{"ExpiringAtNow", "org-1", t1, 100, pick("cpn-07", "cpn-01", "cpn-10")},
		{"ANanosecondLater", "", t2.Add(time.Nanosecond), 100, pick("cpn-07", "cpn-09", "cpn-01", "cpn-08", "cpn-10", "cpn-02", "cpn-03")},
		{"NoneYet", "", t0.Add(-time.Nanosecond), 100, nil},
		{"Limit", "", t2, 3, pick("cpn-07", "cpn-09", "cpn-01")},
		{"OfAnUnknownOrg", "org-3", t2, 100, nil},
	}
	for _, tc := range expired {
		t.Run("ExpiredCoupons"+tc.name, func(t *testing.T) {
			db.on(t).view(func(st orgspace.Store) error {
				got, err := st.ExpiredCoupons(org.OrganisationID(tc.org), tc.now, tc.limit)
				if diff := billingExact(tc.want, got); err == nil && len(tc.want)+len(got) > 0 && diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				return err
			})
		})
	}
}

// storeBillingLicenceUses checks that LicenceUsesOfEvent lists an event's
// uses, returned ones too, ordered by person, and that PutLicenceUse
// replaces the use of (event, person).
func storeBillingLicenceUses(t *testing.T, db storeDB) {
	var uses []billing.LicenceUse
	for _, p := range []string{"person-c", "person-a", "person-d", "person-b"} {
		u := sf.licenceUse("ev-1", p)
		u.Returned = p == "person-d"
		uses = append(uses, u, sf.licenceUse("ev-2", p+"-2"))
	}
	db.seedBilling(billingSeed{Events: []billing.Event{sf.event("ev-1", "org-1"), sf.event("ev-2", "org-2"), sf.event("ev-3", "org-1")}, Uses: uses})
	list := func(e string) []billing.LicenceUse {
		var got []billing.LicenceUse
		db.view(func(st orgspace.Store) (err error) {
			got, err = st.LicenceUsesOfEvent(billing.EventID(e))
			return err
		})
		return got
	}
	want := []billing.LicenceUse{uses[2], uses[6], uses[0], uses[4]}
	if diff := billingExact(want, list("ev-1")); diff != "" {
		t.Errorf("LicenceUsesOfEvent(ev-1) (-want +got):\n%s", diff)
	}
	if got := list("ev-3"); len(got) != 0 {
		t.Errorf("LicenceUsesOfEvent(ev-3) = %v, want none", got)
	}

	replaced := sf.licenceUse("ev-1", "person-a")
	replaced.Coupon, replaced.TransferID, replaced.Returned = "cpn-1", "take-again", true
	replaced.TakenAt, replaced.UpdatedAt = billingT0.Add(time.Hour), billingT0.Add(2*time.Hour)
	db.unlogged(func(st orgspace.Store) error { return st.PutLicenceUse(replaced) })
	want[0] = replaced
	if diff := billingExact(want, list("ev-1")); diff != "" {
		t.Errorf("after PutLicenceUse replaced one: LicenceUsesOfEvent(ev-1) (-want +got):\n%s", diff)
	}
	db.billingReadBack(func(st orgspace.Store) (any, error) { return st.LicenceUse("ev-1", "person-a") }, replaced, false)
	if got := list("ev-2"); len(got) != 4 {
		t.Errorf("LicenceUsesOfEvent(ev-2) = %d uses, want 4", len(got))
	}
}

// storeBillingListingLimit refuses billing listings whose limit is not
// positive.
func storeBillingListingLimit(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	listings := []struct {
		name string
		list func(st orgspace.Store, limit int) error
	}{
		{"Journal", func(st orgspace.Store, limit int) error {
			_, err := st.Journal(billing.JournalQuery{Org: "org-1", Limit: limit})
			return err
		}},
		{"PurchasesOfOrg", func(st orgspace.Store, limit int) error {
			_, err := st.PurchasesOfOrg("org-1", time.Time{}, "", limit)
			return err
		}},
		{"PendingPurchases", func(st orgspace.Store, limit int) error {
			_, err := st.PendingPurchases(billingFar, limit)
			return err
		}},
		{"CouponsOfOrg", func(st orgspace.Store, limit int) error {
			_, err := st.CouponsOfOrg("org-1", time.Time{}, "", limit)
			return err
		}},
		{"ExpiredCoupons", func(st orgspace.Store, limit int) error {
			_, err := st.ExpiredCoupons("", billingFar, limit)
			return err
		}},
	}
	for _, l := range listings {
		for _, limit := range []int{0, -1} {
			t.Run(fmt.Sprintf("%s/%d", l.name, limit), func(t *testing.T) {
				err := db.on(t).tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error { return l.list(st, limit) })
				if !errors.Is(err, storage.ErrInvalidArgument) {
					t.Errorf("error %v, want ErrInvalidArgument", err)
				}
			})
		}
	}
}

// storeBillingAllStopsAtError checks that AllBalances and AllTransfers stop
// at their function's first error and return it.
func storeBillingAllStopsAtError(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	stop := errors.New("stop here")
	alls := []struct {
		name string
		all  func(st orgspace.Store, fn func() error) error
	}{
		{"AllBalances", func(st orgspace.Store, fn func() error) error {
			return st.AllBalances(func(billing.AccountBalance) error { return fn() })
		}},
		{"AllTransfers", func(st orgspace.Store, fn func() error) error {
			return st.AllTransfers(func(billing.JournalEntry) error { return fn() })
		}},
	}
	for _, tc := range alls {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := db.on(t).tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
				return tc.all(st, func() error {
					calls++
					return stop
				})
			})
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("%d calls, error %v; want 1 call and the function's error", calls, err)
			}
		})
	}
}

// billingWriteEverything makes every kind of billing write on billingBase,
// billing.Apply included, and checks inside the transaction that it sees
// them; it returns what failed or was not seen.
func billingWriteEverything(st orgspace.Store) error {
	settled := sf.purchase("pur-1", "org-1")
	settled.Status, settled.SettledAt = billing.PurchaseCompleted, billingT0.Add(time.Hour)
	revoked := sf.coupon("cpn-1", "org-1")
	revoked.Status, revoked.ClosedAt, revoked.ClosedBy = billing.CouponRevoked, billingT0.Add(time.Hour), "system"
	returned := sf.licenceUse("ev-1", "person-1")
	returned.Returned = true
	sent := sf.sms("sms-1", "org-1", "ev-1")
	sent.Status = billing.SMSSent
	moved := sf.event("ev-1", "org-1")
	moved.Start = moved.Start.Add(time.Hour)
	steps := []struct {
		name string
		err  error
	}{
		{"InsertTransfer", st.InsertTransfer(sf.transfer("trf-9", bExt2, bPool2, 4), billingActor)},
		{"CloseTransfer", st.CloseTransfer("trf-2")},
		{"PutBalance new", st.PutBalance(bPool2, billing.Balance{CreditsPosted: 4})},
		{"PutBalance existing", st.PutBalance(bPool1, billing.Balance{CreditsPosted: 11})},
		{"PutEvent new", st.PutEvent(sf.event("ev-9", "org-2"))},
		{"PutEvent existing", st.PutEvent(moved)},
		{"InsertPurchase", st.InsertPurchase(sf.purchase("pur-9", "org-1"))},
		{"UpdatePurchase", st.UpdatePurchase(settled)},
		{"InsertCoupon", st.InsertCoupon(sf.coupon("cpn-9", "org-2"))},
		{"UpdateCoupon", st.UpdateCoupon(revoked)},
		{"PutLicenceUse new", st.PutLicenceUse(sf.licenceUse("ev-1", "person-9"))},
		{"PutLicenceUse existing", st.PutLicenceUse(returned)},
		{"InsertSMS", st.InsertSMS(sf.sms("sms-9", "org-1", "ev-1"))},
		{"UpdateSMS", st.UpdateSMS(sent)},
		{"Apply", billing.Apply(st, billingActor, sf.transfer("trf-10", bExt1, bUsed1, 2))},
	}
	var errs []error
	for _, s := range steps {
		if s.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.name, s.err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	s, err := takeBillingSnapshot(st, billingBaseProbe())
	if err != nil {
		return fmt.Errorf("read inside the transaction: %w", err)
	}
	problems := s.problems()
	switch {
	case !s.Transfer["trf-9"].Found || s.Transfer["trf-2"].Value.Open || len(s.Journal) != 4:
		problems = append(problems, fmt.Sprintf("the journal %+v does not show its writes", s.Journal))
	case !s.Event["ev-9"].Found || !s.Event["ev-1"].Value.Start.Equal(moved.Start):
		problems = append(problems, fmt.Sprintf("events %+v do not show its writes", s.Event))
	case !s.Purchase["pur-9"].Found || s.Purchase["pur-1"].Value.Status != billing.PurchaseCompleted:
		problems = append(problems, fmt.Sprintf("purchases %+v do not show its writes", s.Purchase))
	case !s.Coupon["cpn-9"].Found || s.Coupon["cpn-1"].Value.Status != billing.CouponRevoked:
		problems = append(problems, fmt.Sprintf("coupons %+v do not show its writes", s.Coupon))
	case !s.LicenceUse["ev-1/person-9"].Found || !s.LicenceUse["ev-1/person-1"].Value.Returned:
		problems = append(problems, fmt.Sprintf("licence uses %+v do not show its writes", s.LicenceUse))
	case !s.SMS["org-1/sms-9"].Found || s.SMS["org-1/sms-1"].Value.Status != billing.SMSSent:
		problems = append(problems, fmt.Sprintf("SMS %+v do not show their writes", s.SMS))
	case len(s.BalancesOfOrg["org-2"]) != 1 || len(s.BalancesOfOrg["org-1"]) != 4:
		problems = append(problems, fmt.Sprintf("balances %+v do not show its writes", s.BalancesOfOrg))
	}
	if len(problems) > 0 {
		return fmt.Errorf("storagetest: inside the transaction: %s", strings.Join(problems, "\n"))
	}
	return nil
}

// storeUnloggedKeepsRevision commits every billing write in an
// UpdateUnlogged: the writes land, Head stays and the log gains nothing,
// and the next Update takes the next revision.
func storeUnloggedKeepsRevision(t *testing.T, db storeDB) {
	head := db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.snapshot(storeProbe{Orgs: []string{"org-1", "org-2"}})
	var inside storage.Revision
	db.unlogged(func(st orgspace.Store) (err error) {
		if inside, err = st.Head(); err != nil {
			return err
		}
		return billingWriteEverything(st)
	})
	if inside != head {
		t.Errorf("inside UpdateUnlogged: Head = %d, want %d", inside, head)
	}
	after := db.billingSnapshot(p)
	if !after.Transfer["trf-10"].Found || !after.Purchase["pur-9"].Found || after.Transfer["trf-2"].Value.Open {
		t.Errorf("the UpdateUnlogged's writes are missing: transfers %+v, purchases %+v", after.Transfer, after.Purchase)
	}
	if diff := storeDiff(before, db.snapshot(storeProbe{Orgs: []string{"org-1", "org-2"}})); diff != "" {
		t.Errorf("UpdateUnlogged changed Head, the log or the organisations (-before +after):\n%s", diff)
	}
	if rev := db.update(func(st orgspace.Store) error { return st.Append(sf.entry("test.after.unlogged", "")) }); rev != head+1 {
		t.Errorf("the Update after an UpdateUnlogged committed revision %d, want %d", rev, head+1)
	}
}

// storeUnloggedRefusesAppend checks that Append inside an UpdateUnlogged
// fails with ErrFailedPrecondition and fails the whole transaction: nothing
// it wrote is kept, whether its function returns the error or not.
func storeUnloggedRefusesAppend(t *testing.T, db storeDB) {
	head := db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.billingSnapshot(p)
	logBefore := db.snapshot(storeProbe{Orgs: []string{"org-1", "org-2"}})
	for _, returnIt := range []bool{true, false} {
		name := map[bool]string{true: "FunctionReturnsTheError", false: "FunctionIgnoresTheError"}[returnIt]
		t.Run(name, func(t *testing.T) {
			db := db.on(t)
			var appendErr error
			err := db.tryUnlogged(func(st orgspace.Store) error {
				if err := st.PutEvent(sf.event("ev-9", "org-1")); err != nil {
					return err
				}
				appendErr = st.Append(sf.entry("test.unlogged.append", "org-1"))
				if returnIt {
					return appendErr
				}
				return nil
			})
			if !errors.Is(appendErr, storage.ErrFailedPrecondition) {
				t.Errorf("Append in an UpdateUnlogged: error %v, want ErrFailedPrecondition", appendErr)
			}
			if !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Errorf("UpdateUnlogged: error %v, want ErrFailedPrecondition", err)
			}
			db.requireBillingUnchanged(t, p, before)
			if diff := storeDiff(logBefore, db.snapshot(storeProbe{Orgs: []string{"org-1", "org-2"}})); diff != "" {
				t.Errorf("Head or the log changed (-before +after):\n%s", diff)
			}
		})
	}
	if h := db.head(); h != head {
		t.Errorf("Head = %d, want %d", h, head)
	}
}

// storeUnloggedRollsBack checks that an UpdateUnlogged whose function makes
// every billing write, sees them, and then fails or panics leaves billing
// as it was and the backend usable. The journal numbers the next entry
// after every entry before: PostgreSQL does not roll its sequences back,
// so the Seqs a failed transaction took may stay unused, and the test asks
// only that Seqs increase and stay unique.
func storeUnloggedRollsBack(t *testing.T, db storeDB) {
	head := db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.billingSnapshot(p)
	type boom struct{}
	failure := fmt.Errorf("storagetest: the function fails: %w", storage.ErrConflict)
	endings := []struct {
		name string
		end  func() error
	}{
		{"Error", func() error { return failure }},
		{"Panic", func() error { panic(boom{}) }},
	}
	for _, e := range endings {
		t.Run(e.name, func(t *testing.T) {
			db := db.on(t)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil && r != (boom{}) {
						t.Errorf("recovered %v, want the function's panic", r)
					}
				}()
				err = db.tryUnlogged(func(st orgspace.Store) error {
					if err := billingWriteEverything(st); err != nil {
						return err
					}
					return e.end()
				})
				if e.name == "Panic" {
					t.Errorf("UpdateUnlogged returned %v; want it to panic", err)
				}
			}()
			if e.name == "Error" && !errors.Is(err, storage.ErrConflict) {
				t.Errorf("UpdateUnlogged: error %v, want the function's", err)
			}
			db.requireBillingUnchanged(t, p, before)
			if h := db.head(); h != head {
				t.Errorf("Head = %d, want %d", h, head)
			}
		})
	}
	// The backend goes on: the next entry is numbered after every entry
	// before it, and the same writes commit when the function succeeds.
	db.unlogged(billingWriteEverything)
	after := db.billingSnapshot(p)
	last := before.Journal[len(before.Journal)-1].Seq
	if len(after.Journal) != len(before.Journal)+2 {
		t.Fatalf("the journal holds %d entries after a committed UpdateUnlogged, want %d", len(after.Journal), len(before.Journal)+2)
	}
	for _, e := range after.Journal[len(before.Journal):] {
		if e.Seq <= last {
			t.Errorf("entry %s has Seq %d, not after the last one before the failed transactions, %d", e.ID, e.Seq, last)
		}
	}
}

// storeBillingWriteInViewFails tries every billing write in a View: each
// fails and nothing changes.
func storeBillingWriteInViewFails(t *testing.T, db storeDB) {
	db.seedBilling(billingBase())
	p := billingBaseProbe()
	before := db.billingSnapshot(p)
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"PutBalance", func(st orgspace.Store) error { return st.PutBalance(bPool2, billing.Balance{CreditsPosted: 1}) }},
		{"InsertTransfer", func(st orgspace.Store) error {
			return st.InsertTransfer(sf.transfer("trf-9", bExt2, bPool2, 1), billingActor)
		}},
		{"CloseTransfer", func(st orgspace.Store) error { return st.CloseTransfer("trf-2") }},
		{"PutEvent", func(st orgspace.Store) error { return st.PutEvent(sf.event("ev-9", "org-1")) }},
		{"InsertPurchase", func(st orgspace.Store) error { return st.InsertPurchase(sf.purchase("pur-9", "org-1")) }},
		{"UpdatePurchase", func(st orgspace.Store) error {
			p := sf.purchase("pur-1", "org-1")
			p.Status = billing.PurchaseDeclined
			return st.UpdatePurchase(p)
		}},
		{"InsertCoupon", func(st orgspace.Store) error { return st.InsertCoupon(sf.coupon("cpn-9", "org-1")) }},
		{"UpdateCoupon", func(st orgspace.Store) error {
			return st.UpdateCoupon(redeemed(sf.coupon("cpn-1", "org-1"), "ev-2", billingT0))
		}},
		{"PutLicenceUse", func(st orgspace.Store) error { return st.PutLicenceUse(sf.licenceUse("ev-1", "person-9")) }},
		{"InsertSMS", func(st orgspace.Store) error { return st.InsertSMS(sf.sms("sms-9", "org-1", "ev-1")) }},
		{"UpdateSMS", func(st orgspace.Store) error {
			m := sf.sms("sms-1", "org-1", "ev-1")
			m.Status = billing.SMSFailed
			return st.UpdateSMS(m)
		}},
		{"Apply", func(st orgspace.Store) error {
			return billing.Apply(st, billingActor, sf.transfer("trf-9", bExt1, bPool1, 1))
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			if err := db.tx.View(t.Context(), storage.Latest(), w.write); err == nil {
				t.Errorf("%s in a View succeeded", w.name)
			}
		})
	}
	db.requireBillingUnchanged(t, p, before)
}

// storeBillingInUpdate makes billing writes inside an Update, with a log
// entry: they commit, as one new revision.
func storeBillingInUpdate(t *testing.T, db storeDB) {
	head := db.seedBilling(billingBase())
	rev := db.update(func(st orgspace.Store) error {
		if err := billingWriteEverything(st); err != nil {
			return err
		}
		return st.Append(sf.entry("test.billing.update", "org-1"))
	})
	if rev != head+1 {
		t.Errorf("Update committed revision %d, want %d", rev, head+1)
	}
	s := db.billingSnapshot(billingBaseProbe())
	if !s.Transfer["trf-10"].Found || !s.Coupon["cpn-9"].Found || !s.SMS["org-1/sms-9"].Found {
		t.Errorf("the Update's billing writes are missing: transfers %+v, coupons %+v", s.Transfer, s.Coupon)
	}
	if h := db.head(); h != head+1 {
		t.Errorf("Head = %d, want %d", h, head+1)
	}
}

// storeBillingApply applies transfers with billing.Apply, each step in its
// own UpdateUnlogged, and the same transfers to a billing.Ledger: after
// every step the stored balances and journal agree with the Ledger, a
// refused step keeps nothing (also of the transfers before it in its
// transaction), and a retry of a recorded transfer changes nothing.
func storeBillingApply(t *testing.T, db storeDB) {
	head := db.seedBilling(billingSeed{})
	tr := sf.transfer
	pending := func(x billing.Transfer) billing.Transfer {
		x.Pending = true
		return x
	}
	escrow2 := sf.ledgerAccount("org-1", billing.Licences, billing.Escrow, "cpn-2")
	steps := []struct {
		name string
		ts   []billing.Transfer
		want error
	}{
		{"a posted transfer credits the pool", []billing.Transfer{tr("buy", bExt1, bPool1, 10)}, nil},
		{"a pending transfer reserves units", []billing.Transfer{pending(tr("hold", bPool1, bEscrow1, 4))}, nil},
		{"posting part of it releases the rest", []billing.Transfer{billing.Post("post", "hold", 3)}, nil},
		{"another pending transfer", []billing.Transfer{pending(tr("hold-2", bPool1, escrow2, 2))}, nil},
		{"voiding it releases all of it", []billing.Transfer{billing.Void("void", "hold-2")}, nil},
		{"an overdraft is refused", []billing.Transfer{tr("over", bPool1, bUsed1, 8)}, storage.ErrInsufficientFunds},
		{"a retry of a posted transfer changes nothing", []billing.Transfer{tr("buy", bExt1, bPool1, 10)}, nil},
		{"a retry of a resolving transfer changes nothing", []billing.Transfer{billing.Post("post", "hold", 3)}, nil},
		{"another transfer under a used ID is refused", []billing.Transfer{tr("buy", bExt1, bPool1, 11)}, storage.ErrAlreadyExists},
		{"resolving a resolved transfer is refused", []billing.Transfer{billing.Void("void-2", "hold")}, storage.ErrFailedPrecondition},
		{"resolving an unknown transfer is refused", []billing.Transfer{billing.Post("post-x", "nope", 1)}, storage.ErrNotFound},
		{"an invalid transfer is refused", []billing.Transfer{tr("self", bPool1, bPool1, 1)}, storage.ErrInvalidArgument},
		{"a refused transfer undoes those before it in its transaction",
			[]billing.Transfer{tr("use-1", bPool1, bUsed1, 2), pending(tr("hold-3", bPool1, escrow2, 1)), tr("use-2", bPool1, bUsed1, 6)}, storage.ErrInsufficientFunds},
		{"several transfers in one transaction",
			[]billing.Transfer{tr("use-1", bPool1, bUsed1, 2), tr("sms", bSMSExt1, bSMSPool1, 5), tr("send", bSMSPool1, bSMSUsed1, 5)}, nil},
		{"spending all that is available", []billing.Transfer{tr("use-3", bPool1, bUsed1, 5)}, nil},
		{"then nothing more", []billing.Transfer{tr("use-4", bPool1, bUsed1, 1)}, storage.ErrInsufficientFunds},
		{"nor a pending transfer", []billing.Transfer{pending(tr("hold-4", bPool1, escrow2, 1))}, storage.ErrInsufficientFunds},
	}
	var l billing.Ledger
	var recorded []string // IDs in the order the journal must hold them
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			db := db.on(t)
			err := db.tryUnlogged(func(st orgspace.Store) error { return billing.Apply(st, billingActor, s.ts...) })
			if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
				t.Fatalf("UpdateUnlogged(Apply): error %v, want %v", err, s.want)
			}
			next := l.Clone()
			var lerr error
			var added []string
			for _, x := range s.ts {
				_, known := next.Transfer(x.ID)
				if lerr = next.Apply(x); lerr != nil {
					break
				}
				if !known {
					added = append(added, x.ID)
				}
			}
			if !errors.Is(lerr, s.want) {
				t.Fatalf("the Ledger: error %v, want %v; the test's steps are wrong", lerr, s.want)
			}
			if lerr == nil {
				l, recorded = *next, append(recorded, added...)
			}
			billingCheckAgainstLedger(t, db, &l, recorded)
			if s.want != nil {
				db.view(func(st orgspace.Store) error {
					for _, x := range s.ts {
						if _, known := l.Transfer(x.ID); known {
							continue
						}
						if _, err := st.Transfer(x.ID); !errors.Is(err, storage.ErrNotFound) {
							t.Errorf("Transfer(%s) of the refused step: error %v, want ErrNotFound", x.ID, err)
						}
					}
					return nil
				})
			}
		})
	}
	if h := db.head(); h != head {
		t.Errorf("Head = %d, want %d: an UpdateUnlogged advanced it", h, head)
	}
}

// billingCheckAgainstLedger fails the test unless the store's balances
// equal l's and its journal holds exactly the transfers recorded, in that
// order, as l holds them, open as in l, made by billingActor. Balances
// that are all zero are left out on both sides: the contract does not say
// whether an account whose balance went back to zero is listed.
func billingCheckAgainstLedger(t *testing.T, db storeDB, l *billing.Ledger, recorded []string) {
	t.Helper()
	var balances []billing.AccountBalance
	var journal []billing.JournalEntry
	db.on(t).view(func(st orgspace.Store) (err error) {
		if balances, err = billingAllBalances(st); err != nil {
			return err
		}
		journal, err = billingAllTransfers(st)
		return err
	})
	var want []billing.AccountBalance
	for a, b := range l.Balances() {
		want = append(want, billing.AccountBalance{Account: a, Balance: b})
	}
	slices.SortFunc(want, func(a, b billing.AccountBalance) int { return compareAccounts(a.Account, b.Account) })
	nonZero := func(bs []billing.AccountBalance) []billing.AccountBalance {
		return slices.DeleteFunc(bs, func(b billing.AccountBalance) bool { return b.Balance == billing.Balance{} })
	}
	if diff := storeDiff(nonZero(want), nonZero(slices.Clone(balances))); diff != "" {
		t.Errorf("balances differ from the Ledger's (-ledger +store):\n%s", diff)
	}
	if err := billing.CheckConservation(billingSeq(balances)); err != nil {
		t.Error(err)
	}
	if err := billing.CheckNoNegative(billingSeq(balances)); err != nil {
		t.Error(err)
	}
	var ids []string
	for _, e := range journal {
		ids = append(ids, e.ID)
		x, ok := l.Transfer(e.ID)
		if !ok {
			continue
		}
		want := billing.JournalEntry{Seq: e.Seq, Transfer: x, Open: l.IsOpen(e.ID), Actor: billingActor}
		if diff := billingExact(want, e); diff != "" {
			t.Errorf("journal entry %s differs from the Ledger's transfer (-ledger +store):\n%s", e.ID, diff)
		}
	}
	if !slices.Equal(ids, recorded) {
		t.Errorf("the journal holds %v, want %v", ids, recorded)
	}
}
