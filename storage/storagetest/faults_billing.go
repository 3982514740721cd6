package storagetest

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Billing's writes under injected faults. They run in UpdateUnlogged
// transactions, which return no revision and log nothing, so they have a
// loop of their own: for every n, a fresh instance of the operation (a
// new purchase key, coupon, person or message ID) runs with its n-th
// hook call failing; then
//
//   - the attempt fails with an error that wraps the fault and reads as
//     no sentinel;
//   - billing is exactly as before it, except that an operation of two
//     transactions (Buy, SendSMS) whose second one failed leaves what
//     its first one recorded: a purchase pending, with no credit (the
//     provider may have charged it), or an SMS consumed but its delivery
//     not recorded;
//   - the same call, retried with the hook disarmed, succeeds with
//     exactly one effect: one credit and one charge per purchase, one
//     redeem, one licence, one SMS consumption and send;
//   - called once more, it changes nothing (Issue has no key: each call
//     issues a coupon, so it is not called again);
//
// and once n passes the operation's last hook call, it succeeds at the
// first attempt, having made exactly n-1 calls. After every attempt the
// ledger keeps its invariants.

// faultBilling is the billing world of the fault tests: the failure
// world's Acme and Globex, each with an event, units in their pools, and
// a Space whose payments and SMS go to fakes.
type faultBilling struct {
	*faultEnv
	sp                     *orgspace.Space
	pay                    *billing.FakeProvider
	sender                 *billing.FakeSMSSender
	acmeEvent, globexEvent billing.EventID
	// granted is what the set-up granted each pool, which no purchase
	// accounts for.
	granted map[billing.LedgerAccount]int64
	// smsIDs is every message ID Acme sent under, looked up in snapshots.
	smsIDs []string
}

// faultBillOp is one billing write; prepare makes its n-th instance,
// writing what the instance needs with the hook disarmed.
type faultBillOp struct {
	name    string
	prepare func(f *faultBilling, n int) faultBillCase
}

// faultBillCase is an instance of an operation.
type faultBillCase struct {
	// do makes the call; every attempt makes the same one.
	do func() error
	// effect checks that from before to after, billing changed by exactly
	// one effect of the operation.
	effect func(t *testing.T, d faultBillDelta)
	// partial, for an operation of two transactions, checks a state left
	// by a failure in the second one (mid) against the one before and the
	// one after the retry; it returns the problem, or "".
	partial func(before, mid, after faultBillState) string
	// once marks an operation without a key, which is not called again.
	once bool
}

// runFaultsBilling runs billing's writes under faults on x's backend.
func runFaultsBilling(t *testing.T, x *faultEnv, h *faultHook) {
	x.t = t
	f := newFaultBilling(t, x)
	for _, op := range faultBillOps {
		t.Run(op.name, func(t *testing.T) {
			f.t = t
			f.run(t, h, op)
		})
	}
}

func newFaultBilling(t *testing.T, x *faultEnv) *faultBilling {
	t.Helper()
	f := &faultBilling{faultEnv: x, pay: &billing.FakeProvider{Clock: x.clock}, sender: &billing.FakeSMSSender{},
		acmeEvent: "evt_acme_gala", globexEvent: "evt_globex_fair", granted: map[billing.LedgerAccount]int64{}}
	cfg := x.config()
	cfg.IDs, cfg.Prices, cfg.Payments, cfg.SMS = x.ids, svcBillPrices, f.pay, f.sender
	var err error
	f.sp, err = x.backend(x.ctx, cfg)
	x.must(err)
	start := x.clock.Now().Add(30 * 24 * time.Hour)
	x.must(f.sp.Billing.RegisterEvent(x.ctx, x.w.memberA, billing.Event{ID: f.acmeEvent, Org: x.w.acme, Start: start}))
	x.must(f.sp.Billing.RegisterEvent(x.ctx, x.w.globexOwnerA, billing.Event{ID: f.globexEvent, Org: x.w.globex, Start: start}))
	var grants []billing.Transfer
	for _, o := range []org.OrganisationID{x.w.acme, x.w.globex} {
		for _, a := range []billing.Asset{billing.Licences, billing.SMSCredits} {
			pool := billing.LedgerAccount{Org: o, Asset: a, Kind: billing.Pool}
			f.granted[pool] = 1000
			grants = append(grants, billing.Transfer{
				ID: fmt.Sprintf("grant/%s/%v", o, a), Asset: a, Amount: 1000, Time: x.clock.Now(), Reason: "set-up",
				From: billing.LedgerAccount{Org: o, Asset: a, Kind: billing.External}, To: pool,
			})
		}
	}
	x.must(f.sp.Billing.Transfer(x.ctx, x.operator, grants...))
	return f
}

// run runs op's instances n = 1, 2, … with the n-th hook call failing,
// until one makes fewer calls.
func (f *faultBilling) run(t *testing.T, h *faultHook, op faultBillOp) {
	defer h.disarm() // should the operation panic or the test stop
	for n := 1; ; n++ {
		if n > faultMaxCalls {
			t.Fatalf("the operation still reaches the hook after %d calls", faultMaxCalls)
		}
		c := op.prepare(f, n)
		before := f.state()
		h.arm(n)
		err := c.do()
		calls, fired := h.disarm()
		mid := f.state()
		f.checkInvariants(t, fmt.Sprintf("attempt %d", n), mid)
		if fired == nil {
			if err != nil {
				t.Fatalf("with no fault (%d hook calls) the operation failed: %v", calls, err)
			}
			if calls != n-1 {
				t.Errorf("the successful run made %d hook calls; the faulted runs reached %d", calls, n-1)
			}
			if calls < 2 {
				t.Fatalf("the successful run made %d hook calls: the backend's hook does not see billing's statements and commit", calls)
			}
			t.Logf("each of the %d hook calls failed once; then the operation succeeded", calls)
			c.effect(t, faultBillDiff(t, before, mid))
			f.again(t, c, mid)
			return
		}
		switch {
		case err == nil:
			t.Errorf("call %d failed (%v), yet the operation succeeded", n, fired)
		case !errors.Is(err, fired):
			t.Errorf("call %d failed (%v); the operation's error does not wrap it: %v", n, fired, err)
		case svcBillSentinel(err) != "no sentinel":
			t.Errorf("call %d failed; the operation's error reads as %s: %v", n, svcBillSentinel(err), err)
		}
		if err := c.do(); err != nil {
			t.Fatalf("call %d failed; the retry without a fault failed: %v", n, err)
		}
		after := f.state()
		f.checkInvariants(t, fmt.Sprintf("the retry after call %d failed", n), after)
		c.effect(t, faultBillDiff(t, before, after))
		if diff := svcBillDiff(before, mid); diff != "" {
			problem := "the operation has one transaction"
			if c.partial != nil {
				problem = c.partial(before, mid, after)
			}
			if problem != "" {
				t.Errorf("call %d failed and billing changed (%s) (-before +after):\n%s", n, problem, diff)
			}
		}
		f.again(t, c, after)
		if t.Failed() {
			return // later instances would start from a broken state
		}
	}
}

// again calls a keyed operation once more after its success, which must
// change nothing.
func (f *faultBilling) again(t *testing.T, c faultBillCase, done faultBillState) {
	t.Helper()
	if c.once {
		return
	}
	if err := c.do(); err != nil {
		t.Errorf("calling again after the success: %v", err)
	}
	if diff := svcBillDiff(done, f.state()); diff != "" {
		t.Errorf("calling again after the success changed billing (-before +after):\n%s", diff)
	}
}

// faultBillState is billing as the store holds it: the whole ledger, and
// the billing objects of the failure world's organisations and events.
type faultBillState struct {
	Balances  []billing.AccountBalance
	Journal   []billing.JournalEntry
	Coupons   map[billing.CouponID]billing.Coupon
	Purchases map[billing.PurchaseID]billing.Purchase
	Licences  map[string]billing.LicenceUse // by "event person"
	SMS       map[string]billing.SMS
	// Charges counts the payment provider's charges per purchase; Sent
	// the messages the SMS sender sent per ID.
	Charges map[billing.PurchaseID]int
	Sent    map[string]int
}

// state reads billing in one View.
func (f *faultBilling) state() faultBillState {
	f.t.Helper()
	s := faultBillState{
		Coupons: map[billing.CouponID]billing.Coupon{}, Purchases: map[billing.PurchaseID]billing.Purchase{},
		Licences: map[string]billing.LicenceUse{}, SMS: map[string]billing.SMS{},
		Charges: map[billing.PurchaseID]int{}, Sent: map[string]int{},
	}
	f.must(f.space.Store().View(f.ctx, storage.Latest(), func(st orgspace.Store) error {
		if err := st.AllBalances(func(b billing.AccountBalance) error { s.Balances = append(s.Balances, b); return nil }); err != nil {
			return err
		}
		if err := st.AllTransfers(func(e billing.JournalEntry) error { s.Journal = append(s.Journal, e); return nil }); err != nil {
			return err
		}
		for _, o := range []org.OrganisationID{f.w.acme, f.w.globex} {
			cs, err := st.CouponsOfOrg(o, time.Time{}, "", storage.MaxPageSize)
			if err != nil {
				return err
			}
			for _, c := range cs {
				s.Coupons[c.ID] = c
			}
			ps, err := st.PurchasesOfOrg(o, time.Time{}, "", storage.MaxPageSize)
			if err != nil {
				return err
			}
			for _, p := range ps {
				s.Purchases[p.ID] = p
			}
		}
		for _, e := range []billing.EventID{f.acmeEvent, f.globexEvent} {
			uses, err := st.LicenceUsesOfEvent(e)
			if err != nil {
				return err
			}
			for _, u := range uses {
				s.Licences[string(u.Event)+" "+string(u.Person)] = u
			}
		}
		for _, id := range f.smsIDs {
			m, err := st.SMS(f.w.acme, id)
			switch {
			case err == nil:
				s.SMS[id] = m
			case !storage.IsNotFound(err):
				return err
			}
		}
		return nil
	}))
	slices.SortFunc(s.Balances, func(a, b billing.AccountBalance) int {
		return cmp.Compare(a.Account.String(), b.Account.String())
	})
	for id := range s.Purchases {
		s.Charges[id] = f.pay.Count(string(id))
	}
	for _, m := range f.sender.Sent() {
		s.Sent[m.ID]++
	}
	return s
}

// checkInvariants checks the ledger's invariants in s, and that every
// pool was credited exactly by the set-up's grants and the completed
// purchases, each of which the provider charged once.
func (f *faultBilling) checkInvariants(t *testing.T, when string, s faultBillState) {
	t.Helper()
	if err := svcBillLedgerProblem(s.Balances, s.Journal); err != nil {
		t.Errorf("%s: the ledger: %v", when, err)
	}
	coupons := maps.Clone(s.Coupons)
	if err := svcBillCouponProblem(coupons, s.Journal); err != nil {
		t.Errorf("%s: the coupons: %v", when, err)
	}
	want := maps.Clone(f.granted)
	for _, p := range s.Purchases {
		if n := s.Charges[p.ID]; n > 1 || (p.Status == billing.PurchaseCompleted) != (n == 1) && p.Status != billing.PurchasePending {
			t.Errorf("%s: purchase %s is %s; the provider charged it %d times", when, p.ID, p.Status, n)
		}
		if p.Status == billing.PurchaseCompleted {
			want[billing.LedgerAccount{Org: p.Org, Asset: p.Asset, Kind: billing.Pool}] += p.Quantity
		}
	}
	got := map[billing.LedgerAccount]int64{}
	for _, e := range s.Journal {
		if e.From.Kind == billing.External {
			got[e.To] += e.Amount
		}
	}
	if diff := svcBillDiff(want, got); diff != "" {
		t.Errorf("%s: the credits from outside the ledger are not the grants and the completed purchases (-want +got):\n%s", when, diff)
	}
}

// faultBillDelta is what changed from one state to another.
type faultBillDelta struct {
	Journal []billing.JournalEntry
	// Closed are the earlier pending entries resolved.
	Closed    []string
	Coupons   []billing.Coupon
	Purchases []billing.Purchase
	Licences  []billing.LicenceUse
	SMS       []billing.SMS
	Charges   map[billing.PurchaseID]int
	Sent      map[string]int
}

// faultBillDiff returns what changed from before to after: the journal
// entries appended (the earlier ones must be unchanged), and the objects
// new or changed.
func faultBillDiff(t *testing.T, before, after faultBillState) faultBillDelta {
	t.Helper()
	var d faultBillDelta
	if len(after.Journal) < len(before.Journal) {
		t.Fatalf("the journal shrank from %d to %d entries", len(before.Journal), len(after.Journal))
	}
	// Of the earlier entries, a pending one may be resolved (Open cleared);
	// nothing else changes.
	earlier := slices.Clone(after.Journal[:len(before.Journal)])
	for i, e := range earlier {
		if before.Journal[i].Open && !e.Open {
			d.Closed = append(d.Closed, e.ID)
			earlier[i].Open = true
		}
	}
	if diff := svcBillDiff(before.Journal, earlier); diff != "" {
		t.Errorf("the journal's earlier entries changed (-before +after):\n%s", diff)
	}
	d.Journal = after.Journal[len(before.Journal):]
	d.Coupons = faultBillChanged(before.Coupons, after.Coupons)
	d.Purchases = faultBillChanged(before.Purchases, after.Purchases)
	d.Licences = faultBillChanged(before.Licences, after.Licences)
	d.SMS = faultBillChanged(before.SMS, after.SMS)
	d.Charges, d.Sent = map[billing.PurchaseID]int{}, map[string]int{}
	for id, n := range after.Charges {
		if n != before.Charges[id] {
			d.Charges[id] = n - before.Charges[id]
		}
	}
	for id, n := range after.Sent {
		if n != before.Sent[id] {
			d.Sent[id] = n - before.Sent[id]
		}
	}
	return d
}

// faultBillChanged returns the values of after that before lacks or holds
// otherwise, in key order, and a removed one's zero value: billing never
// deletes.
func faultBillChanged[K cmp.Ordered, V any](before, after map[K]V) []V {
	var out []V
	for k := range before {
		if _, ok := after[k]; !ok {
			var zero V
			out = append(out, zero)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if old, ok := before[k]; !ok || svcBillDiff(old, after[k]) != "" {
			out = append(out, after[k])
		}
	}
	return out
}

// want checks that d holds exactly the changes listed and nothing else:
// journal entries as entries describes them, and n objects of each kind.
func (d faultBillDelta) want(t *testing.T, entries []string, coupons, purchases, licences, sms int) {
	t.Helper()
	var got []string
	for _, e := range d.Journal {
		got = append(got, faultBillEntry(e))
	}
	if !slices.Equal(got, entries) {
		t.Errorf("the journal gained %q, want %q", got, entries)
	}
	var resolved []string
	for _, e := range d.Journal {
		if e.PendingID != "" {
			resolved = append(resolved, e.PendingID)
		}
	}
	if !slices.Equal(d.Closed, resolved) {
		t.Errorf("the pending entries %q were closed; the new entries resolve %q", d.Closed, resolved)
	}
	if len(d.Coupons) != coupons || len(d.Purchases) != purchases || len(d.Licences) != licences || len(d.SMS) != sms {
		t.Errorf("changed %d coupons, %d purchases, %d licence uses and %d SMS; want %d, %d, %d and %d:\n%+v",
			len(d.Coupons), len(d.Purchases), len(d.Licences), len(d.SMS), coupons, purchases, licences, sms, d)
	}
}

// faultBillEntry describes a journal entry by what it moves: "pending 2
// licences acme/pool → acme/escrow", "post 2 licences …", "void …".
func faultBillEntry(e billing.JournalEntry) string {
	kind := "move"
	switch {
	case e.Pending:
		kind = "pending"
	case e.PendingID != "" && e.Void:
		kind = "void"
	case e.PendingID != "":
		kind = "post"
	}
	side := func(a billing.LedgerAccount) string { return fmt.Sprintf("%s/%s", a.Org, a.Kind) }
	return fmt.Sprintf("%s %d %v %s → %s", kind, e.Amount, e.Asset, side(e.From), side(e.To))
}

// faultBillOps are billing's writes.
var faultBillOps = []faultBillOp{
	{"billing.Buy", func(f *faultBilling, n int) faultBillCase {
		acme := f.w.acme
		r := billing.PurchaseRequest{Org: acme, Asset: billing.Licences, Quantity: 3, Key: fmt.Sprintf("fault-order-%d", n)}
		return faultBillCase{
			do: func() error { _, err := f.sp.Billing.Buy(f.ctx, f.w.ownerA, r); return err },
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("move 3 licences %s/external → %s/pool", acme, acme)}, 0, 1, 0, 0)
				for _, p := range d.Purchases {
					if p.Key != r.Key || p.Status != billing.PurchaseCompleted || d.Charges[p.ID] != 1 {
						t.Errorf("purchase %+v, charged %d more times; want %q completed, charged once", p, d.Charges[p.ID], r.Key)
					}
				}
			},
			partial: func(before, mid, _ faultBillState) string {
				d := faultBillDiff(f.t, before, mid)
				if len(d.Journal) > 0 || len(d.Coupons)+len(d.Licences)+len(d.SMS) > 0 || len(d.Purchases) != 1 ||
					d.Purchases[0].Status != billing.PurchasePending || d.Purchases[0].Key != r.Key {
					return "not just the purchase left pending"
				}
				return ""
			},
		}
	}},
	{"billing.IssueCoupon", func(f *faultBilling, n int) faultBillCase {
		acme := f.w.acme
		return faultBillCase{
			once: true,
			do: func() error {
				_, err := f.sp.Billing.IssueCoupon(f.ctx, f.w.ownerA, billing.CouponRequest{Org: acme, Licences: 2, ExpiresAt: f.clock.Now().Add(time.Hour)})
				return err
			},
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("pending 2 licences %s/pool → %s/escrow", acme, acme)}, 1, 0, 0, 0)
				for _, c := range d.Coupons {
					if c.Status != billing.CouponActive || c.Licences != 2 {
						t.Errorf("coupon %+v, want active with 2 licences", c)
					}
				}
			},
		}
	}},
	{"billing.RedeemCoupon", func(f *faultBilling, n int) faultBillCase {
		c := f.issue()
		acme, globex := f.w.acme, f.w.globex
		return faultBillCase{
			do: func() error {
				_, err := f.sp.Billing.RedeemCoupon(f.ctx, f.w.globexOwnerA, f.globexEvent, c.Code)
				return err
			},
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("post 1 licences %s/pool → %s/escrow", acme, acme)}, 1, 0, 0, 0)
				if len(d.Journal) == 1 && d.Journal[0].PendingID == "" {
					t.Errorf("the redeem resolves no pending transfer")
				}
				for _, got := range d.Coupons {
					if got.ID != c.ID || got.Status != billing.CouponRedeemed || got.Event != f.globexEvent {
						t.Errorf("coupon %+v, want %s redeemed by %s of %s", got, c.ID, f.globexEvent, globex)
					}
				}
			},
		}
	}},
	{"billing.RevokeCoupon", func(f *faultBilling, n int) faultBillCase {
		c := f.issue()
		acme := f.w.acme
		return faultBillCase{
			do: func() error { _, err := f.sp.Billing.RevokeCoupon(f.ctx, f.w.ownerA, c.ID); return err },
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("void 1 licences %s/pool → %s/escrow", acme, acme)}, 1, 0, 0, 0)
				for _, got := range d.Coupons {
					if got.ID != c.ID || got.Status != billing.CouponRevoked {
						t.Errorf("coupon %+v, want %s revoked", got, c.ID)
					}
				}
			},
		}
	}},
	{"billing.TakeLicence", func(f *faultBilling, n int) faultBillCase {
		acme, p := f.w.acme, billing.PersonID(fmt.Sprintf("person-%d", n))
		return faultBillCase{
			do: func() error { _, err := f.sp.Billing.TakeLicence(f.ctx, f.w.memberA, f.acmeEvent, p); return err },
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("move 1 licences %s/pool → %s/allocation", acme, acme)}, 0, 0, 1, 0)
				for _, u := range d.Licences {
					if u.Person != p || u.Returned || u.Coupon != "" {
						t.Errorf("licence use %+v, want %s's from the pool", u, p)
					}
				}
			},
		}
	}},
	{"billing.ReturnLicence", func(f *faultBilling, n int) faultBillCase {
		acme, p := f.w.acme, billing.PersonID(fmt.Sprintf("withdrawn-%d", n))
		_, err := f.sp.Billing.TakeLicence(f.ctx, f.w.memberA, f.acmeEvent, p)
		f.must(err)
		return faultBillCase{
			do: func() error { _, err := f.sp.Billing.ReturnLicence(f.ctx, f.w.memberA, f.acmeEvent, p); return err },
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("move 1 licences %s/allocation → %s/pool", acme, acme)}, 0, 0, 1, 0)
				for _, u := range d.Licences {
					if u.Person != p || !u.Returned {
						t.Errorf("licence use %+v, want %s's returned", u, p)
					}
				}
			},
		}
	}},
	{"billing.SendSMS", func(f *faultBilling, n int) faultBillCase {
		acme := f.w.acme
		r := billing.SMSRequest{Event: f.acmeEvent, ID: fmt.Sprintf("fault-sms-%d", n), To: "+41790000001", Body: fmt.Sprintf("%0*d", billing.SMSSegment+1, n)}
		f.smsIDs = append(f.smsIDs, r.ID)
		return faultBillCase{
			do: func() error { _, err := f.sp.Billing.SendSMS(f.ctx, f.w.memberA, r); return err },
			effect: func(t *testing.T, d faultBillDelta) {
				d.want(t, []string{fmt.Sprintf("move 2 sms_credits %s/pool → %s/consumed", acme, acme)}, 0, 0, 0, 1)
				for _, m := range d.SMS {
					if m.ID != r.ID || m.Status != billing.SMSSent || m.Credits != 2 || d.Sent[r.ID] != 1 {
						t.Errorf("SMS %+v, sent %d times; want %s sent once for 2 credits", m, d.Sent[r.ID], r.ID)
					}
				}
			},
			// A failure in the second transaction leaves the message's
			// credits consumed and its delivery unrecorded: all of the
			// success but the SMS's status.
			partial: func(_, mid, after faultBillState) string {
				m, ok := mid.SMS[r.ID]
				if !ok || m.Status != billing.SMSAccepted {
					return "not the SMS accepted"
				}
				m.Status, m.ProviderRef, m.SettledAt = after.SMS[r.ID].Status, after.SMS[r.ID].ProviderRef, after.SMS[r.ID].SettledAt
				mid.SMS = maps.Clone(mid.SMS)
				mid.SMS[r.ID] = m
				if diff := svcBillDiff(after, mid); diff != "" {
					return "more than the SMS's delivery unrecorded: " + diff
				}
				return ""
			},
		}
	}},
}

// issue issues a coupon of one licence from Acme's pool, for an instance
// of redeem or revoke.
func (f *faultBilling) issue() billing.IssuedCoupon {
	f.t.Helper()
	c, err := f.sp.Billing.IssueCoupon(f.ctx, f.w.ownerA, billing.CouponRequest{Org: f.w.acme, Licences: 1})
	f.must(err)
	return c
}
