package storagetest

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The billing state machine: purchases (with the payment provider
// declining or timing out now and then, and retries), coupons issued,
// redeemed, revoked and expired, licences taken and returned, SMS sent,
// events registered and organisation roles changed, by random actors,
// against the model's billing part. After every step it checks the
// ledger's invariants (no negative balance, each asset conserved, the
// stored balances equal to a replay of the journal, every coupon resolved
// at most once and as its status says), that the store holds what the
// model predicts, that Balances answers as the model, and that a step the
// model says changes nothing changed nothing.
//
// It is a rapid.Check of its own, on a lean world (organisations, users
// and roles, written in one transaction; no accounts nor structure), and
// its check reads only what a step may have written, so that each step
// costs a few queries. To keep its run time within a fraction of the
// main state machine's (it runs under -race in CI), it runs on one in
// smBillEvery of rapid's cases (-rapid.checks; smRunCase), the others
// drawing that they skip and pass, and each run makes smBillRounds rounds of about
// -rapid.steps steps: fewer fresh backends, which cost as much as a
// round, and longer histories. The skip is drawn, so a failing case
// replays and shrinks as usual.

// Values the billing state machine draws from: valid ones first, then,
// after smBillBad, malformed ones, drawn only when a step asks for bad
// input (one in eight), so that most steps get as far as the ledger.
var (
	// smBillEvents are the events it may register; smBillNoEvent an
	// unknown and a malformed ID.
	smBillEvents      = []billing.EventID{"evt_1", "evt_2", "evt_3", "evt_4", "evt_5"}
	smBillNoEvent     = []billing.EventID{"evt_0", ""}
	smBillKeys        = []string{"order-1", "order-2", "order-3", smBillBad, "", strings.Repeat("k", billing.MaxKeyLength+1)}
	smBillPersons     = []billing.PersonID{"ann", "bob", "cat", "dan", smBillBad, ""}
	smBillMessages    = []string{"msg-1", "msg-2", "msg-3", "msg-4", smBillBad, "", strings.Repeat("m", billing.MaxKeyLength+1)}
	smBillPhones      = []string{"+41790000001", "+41790000002", "+33600000003", smBillRejected, smBillBad, "0790000000", "+4179000000x", "+4179"}
	smBillBodies      = []string{"See you at 9", "Gates open", strings.Repeat("x", billing.SMSSegment+1), smBillBad, "", strings.Repeat("é", billing.SMSSegment*billing.MaxSMSSegments+1), "\xff"}
	smBillQuantity    = []int64{1, 1, 2, 2, 3, 5, 8, smBillBadN, 0, -1, billing.MaxAmount + 1}
	smBillLicences    = []int64{1, 1, 2, 3, smBillBadN, 0, -1, billing.MaxAmount + 1}
	smBillStarts      = []time.Duration{-time.Hour, 2 * time.Hour, 30 * time.Hour, 9 * 24 * time.Hour}
	smBillCodeJunk    = []string{"not a code!", "ABCDE-FGHIJ", strings.Repeat("A", 27)}
	smBillUnknownCode = strings.Repeat("Q", 26) // well formed; no coupon has it
)

// smBillBad and smBillBadN separate the valid values of a list from the
// malformed ones after them; they are never drawn themselves.
const (
	smBillBad  = "\x00bad"
	smBillBadN = -1 << 62
)

// smBillDraw draws from the valid part of values, or, when bad is set,
// from the malformed part.
func smBillDraw[T comparable](rt *rapid.T, label string, values []T, sep T, bad bool) T {
	i := slices.Index(values, sep)
	if bad {
		return rapid.SampledFrom(values[i+1:]).Draw(rt, label)
	}
	return rapid.SampledFrom(values[:i]).Draw(rt, label)
}

// How much of rapid's budget the billing machine takes (see above).
const (
	smBillEvery  = 5
	smBillRounds = 2
)

// smBillRejected is the number the SMS sender rejects.
const smBillRejected = "+4400000000"

// smBill drives a Space's billing with random operations and checks it
// against the model's billing after each.
type smBill struct {
	*svcMachine
	pay    *billing.FakeProvider
	sender *billing.FakeSMSSender

	couponIDs []billing.CouponID // issued, in order
	requests  []billing.PurchaseRequest
	// smsKeys is every (organisation, message ID) a send was tried under,
	// looked up after every step.
	smsKeys []modelSMSKey
	// last is the state read by the last check; same says that the step
	// since must have changed none of it.
	last    *smBillState
	same    bool
	touched smBillParts
	// answered is, per organisation, the Balances the last check asked
	// the Service for.
	answered map[org.OrganisationID]billing.Balances
}

// svcTestBillingMachine runs the billing machine on a fresh backend per
// case, released when the case ends.
func svcTestBillingMachine(t *testing.T, newBackend func(t *testing.T) (svcBackend, func())) {
	rapid.Check(t, func(rt *rapid.T) {
		if !smRunCase(rt, smBillEvery) {
			return
		}
		backend, release := newBackend(t)
		defer release()
		b := newBillMachine(rt, backend)
		actions := b.actions()
		for range smBillRounds {
			rt.Repeat(actions)
		}
	})
}

// newBillMachine opens a Space on backend with a world written in one
// transaction, straight through the store (the world's own writes are
// the main state machine's business; here they would only cost time):
// an operator, two or three organisations, three to five users who are
// Owners, Members or nothing of each (every organisation has an Owner),
// some events, and some units in the pools, granted by the operator.
func newBillMachine(rt *rapid.T, backend svcBackend) *smBill {
	sm := &svcMachine{
		ctx:     rt.Context(),
		backend: backend,
		clock:   accesstest.NewClock(svcT0),
		mail:    accesstest.NewMailbox(),
		m:       newModel(svcT0, smInvitationTTL),
	}
	b := &smBill{svcMachine: sm, sender: &billing.FakeSMSSender{Reject: []string{smBillRejected}}, answered: map[org.OrganisationID]billing.Balances{}}
	b.pay = &billing.FakeProvider{Clock: sm.clock}
	sm.cfg = orgspace.Config{
		Clock: sm.clock, IDs: &org.SequentialIDs{}, Notifier: sm.mail, Rand: newSvcRand(3),
		InvitationTTL: smInvitationTTL, Prices: svcBillPrices, Payments: b.pay, SMS: b.sender,
	}
	must := func(err error) {
		rt.Helper()
		if err != nil {
			rt.Fatalf("set-up: %v", err)
		}
	}
	m := sm.m
	op := sf.operator("op_billing")
	seed := storeSeed{Operators: []org.Operator{op}}
	m.operator, sm.opActor = op.ID, org.AsOperator(op.ID)
	for i := range rapid.IntRange(2, 3).Draw(rt, "organisations") {
		o := sf.org(fmt.Sprintf("org_%c", 'a'+i))
		seed.Orgs = append(seed.Orgs, o)
		m.orgs[o.ID] = &modelOrg{ID: o.ID, Name: o.Name}
		sm.orgIDs = append(sm.orgIDs, o.ID)
	}
	for i := range rapid.IntRange(3, 5).Draw(rt, "users") {
		u := sf.user(fmt.Sprintf("usr_%c", 'a'+i))
		seed.Users = append(seed.Users, u)
		m.addModelUser(u)
		sm.userIDs = append(sm.userIDs, u.ID)
	}
	for i, o := range sm.orgIDs {
		first := rapid.IntRange(0, len(sm.userIDs)-1).Draw(rt, fmt.Sprintf("organisation %d first owner", i))
		for j, u := range sm.userIDs {
			role := org.Owner
			if j != first {
				role = rapid.SampledFrom([]org.Role{org.NoRole, org.NoRole, org.Member, org.Owner}).Draw(rt, fmt.Sprintf("role of user %d in organisation %d", j, i))
			}
			if role != org.NoRole {
				ms := sf.membership(string(o), string(u), role)
				seed.Memberships = append(seed.Memberships, ms)
				m.memberships[modelMembershipKey{o, u}] = modelMembership{Role: role, Since: ms.Since}
			}
		}
	}
	var events []billing.Event
	for i, id := range smBillEvents {
		if rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("event %d registered", i)) == 0 {
			continue
		}
		e := billing.Event{ID: id, Org: rapid.SampledFrom(sm.orgIDs).Draw(rt, fmt.Sprintf("event %d organisation", i)),
			Start: m.now.Add(rapid.SampledFrom(smBillStarts).Draw(rt, fmt.Sprintf("event %d start", i)))}
		apply, err := m.billRegisterEvent(sm.opActor, e)
		must(err)
		apply()
		events = append(events, e)
	}
	first, err := backend(sm.ctx, sm.cfg)
	must(err)
	rev, err := first.Store().Update(sm.ctx, func(st orgspace.Store) error {
		if err := seed.write(st); err != nil {
			return err
		}
		for _, e := range events {
			if err := billing.RegisterEvent(st, e); err != nil {
				return err
			}
		}
		return nil
	})
	must(err)
	sm.rev, sm.accessRev = rev, rev
	// The Space under test compiles its index from the world.
	sm.space, err = backend(sm.ctx, sm.cfg)
	must(err)
	var grants []billing.Transfer
	for i, o := range sm.orgIDs {
		for _, a := range []billing.Asset{billing.Licences, billing.SMSCredits} {
			n := rapid.Int64Range(0, 4).Draw(rt, fmt.Sprintf("organisation %d %v", i, a))
			if n == 0 {
				continue
			}
			grants = append(grants, billing.Transfer{
				ID: fmt.Sprintf("grant/%s/%v", o, a), Asset: a, Amount: n, Time: m.now, Reason: "set-up",
				From: billing.LedgerAccount{Org: o, Asset: a, Kind: billing.External},
				To:   billing.LedgerAccount{Org: o, Asset: a, Kind: billing.Pool},
			})
			bal := m.billing.balance(o).Of(a)
			bal.Purchased += n
			bal.Available += n
		}
	}
	if len(grants) > 0 {
		must(sm.space.Billing.Transfer(sm.ctx, sm.opActor, grants...))
	}
	return b
}

// --- Draws -----------------------------------------------------------------------

// billActor draws an actor for an action on o's billing: mostly someone
// with a role in o.
func (b *smBill) billActor(rt *rapid.T, o org.OrganisationID) org.Actor {
	var in []org.UserID
	for _, u := range b.userIDs {
		if b.m.orgRole(o, u) != org.NoRole {
			in = append(in, u)
		}
	}
	return b.actorPreferring(rt, in)
}

// operatorMostly draws an actor for what only operators may do: the
// operator half of the time.
func (b *smBill) operatorMostly(rt *rapid.T) org.Actor {
	if rapid.Bool().Draw(rt, "the operator") {
		return b.opActor
	}
	return b.actorPreferring(rt, nil)
}

// bad draws which of n fields of a request to make malformed: -1 (none)
// seven times in eight.
func (b *smBill) bad(rt *rapid.T, n int) int {
	if rapid.IntRange(0, 7).Draw(rt, "malformed") > 0 {
		return -1
	}
	return rapid.IntRange(0, n-1).Draw(rt, "malformed field")
}

// registered lists the registered events: of o when in is set, of every
// other organisation otherwise, or all of them when o is empty.
func (b *smBill) registered(o org.OrganisationID, in bool) []billing.EventID {
	var out []billing.EventID
	for _, id := range smBillEvents {
		if e, ok := b.m.billing.events[id]; ok && (o == "" || (e.Org == o) == in) {
			out = append(out, id)
		}
	}
	return out
}

// event draws one of preferred mostly, else any event, an unknown or
// (when bad) a malformed ID.
func (b *smBill) event(rt *rapid.T, preferred []billing.EventID, bad bool) billing.EventID {
	if bad {
		return ""
	}
	return smPick(rt, "event", preferred, append(slices.Clone(smBillEvents), smBillNoEvent[0]))
}

// eventOrg is the organisation of event id, any if it is not registered.
func (b *smBill) eventOrg(rt *rapid.T, id billing.EventID) org.OrganisationID {
	if e, ok := b.m.billing.events[id]; ok {
		return e.Org
	}
	return b.org(rt)
}

// coupon draws one of the coupons that have status mostly, else any
// issued one, an unknown ID or (when bad) a malformed one. It skips the
// step until a coupon was issued.
func (b *smBill) coupon(rt *rapid.T, status billing.CouponStatus, bad bool) billing.CouponID {
	if len(b.couponIDs) == 0 {
		rt.Skip("no coupon yet")
	}
	if bad {
		return ""
	}
	var some []billing.CouponID
	for _, id := range b.couponIDs {
		if b.m.billing.coupons[id].Status == status {
			some = append(some, id)
		}
	}
	return smPick(rt, "coupon", some, append(slices.Clone(b.couponIDs), "cpn_0"))
}

// code is coupon id's code, as shown or as a person might type it; an
// unknown coupon has a well-formed code nobody has.
func (b *smBill) code(rt *rapid.T, id billing.CouponID) string {
	c := b.m.billing.coupons[id]
	if c == nil {
		return smBillUnknownCode
	}
	switch rapid.IntRange(0, 5).Draw(rt, "code spelling") {
	case 1:
		return strings.ToLower(c.Code)
	case 2:
		return strings.ReplaceAll(c.Code, "-", " ")
	case 3:
		return strings.ReplaceAll(c.Code, "-", "")
	}
	return c.Code
}

// holder draws, mostly, an event and a person who holds or held a
// licence on it; else any.
func (b *smBill) holder(rt *rapid.T, bad int) (billing.EventID, billing.PersonID) {
	var held []modelLicenceKey
	for k := range b.m.billing.licences {
		held = append(held, k)
	}
	slices.SortFunc(held, func(x, y modelLicenceKey) int {
		return cmp.Or(cmp.Compare(x.Event, y.Event), cmp.Compare(x.Person, y.Person))
	})
	if bad < 0 && len(held) > 0 && rapid.IntRange(0, 3).Draw(rt, "a holder") > 0 {
		k := rapid.SampledFrom(held).Draw(rt, "holder")
		return k.Event, k.Person
	}
	return b.event(rt, b.registered("", true), bad == 0), smBillDraw(rt, "person", smBillPersons, smBillBad, bad == 1)
}

// --- Outcomes ----------------------------------------------------------------------

// outcome compares the Space's error with the model's, and notes for the
// check the parts of billing the step may have written and, when the
// model predicts no change, that the check must find none.
func (b *smBill) outcome(rt *rapid.T, what string, parts smBillParts, changes bool, want, got error) {
	rt.Helper()
	switch {
	case want == nil && got != nil:
		rt.Fatalf("%s: the model predicts success, the Space failed: %v", what, got)
	case want != nil && got == nil:
		rt.Fatalf("%s: the model predicts %v, the Space succeeded", what, want)
	case want != nil && !errors.Is(got, want):
		rt.Fatalf("%s: the Space failed with %v (%s), the model predicts %v", what, got, svcBillSentinel(got), want)
	}
	b.same, b.touched = !changes, parts
}

// svcBillSentinel names the storage sentinel err wraps, insufficient
// funds included.
func svcBillSentinel(err error) string {
	if errors.Is(err, storage.ErrInsufficientFunds) {
		return storage.ErrInsufficientFunds.Error()
	}
	return svcSentinel(err)
}

func (b *smBill) actions() map[string]func(*rapid.T) {
	ctx, sp, m := b.ctx, b.space.Billing, b.m
	borrowed := b.accessActions()
	return map[string]func(*rapid.T){
		"":                    b.check,
		"AdvanceClock":        borrowed["AdvanceClock"],
		"SetOrganisationRole": borrowed["SetOrganisationRole"],
		"RegisterEvent": func(rt *rapid.T) {
			bad := b.bad(rt, 2)
			id := b.event(rt, smBillEvents, bad == 0)
			e := billing.Event{ID: id, Org: b.eventOrg(rt, id), Start: m.now.Add(rapid.SampledFrom(smBillStarts).Draw(rt, "start"))}
			if rapid.IntRange(0, 9).Draw(rt, "another organisation") == 0 {
				e.Org = b.org(rt)
			}
			if bad == 1 {
				e.Start = time.Time{}
			}
			actor := b.billActor(rt, e.Org)
			what := fmt.Sprintf("RegisterEvent by %s of %+v", actor, e)
			apply, want := m.billRegisterEvent(actor, e)
			b.outcome(rt, what, smBillEventsPart, apply != nil, want, sp.RegisterEvent(ctx, actor, e))
			if apply != nil {
				apply()
			}
		},
		"Buy": func(rt *rapid.T) {
			var r billing.PurchaseRequest
			if len(b.requests) > 0 && rapid.Bool().Draw(rt, "again") {
				r = rapid.SampledFrom(b.requests).Draw(rt, "earlier request")
				if rapid.IntRange(0, 3).Draw(rt, "changed") == 0 {
					r.Quantity++
				}
			} else {
				bad := b.bad(rt, 3)
				r = billing.PurchaseRequest{
					Org:      b.org(rt),
					Asset:    rapid.SampledFrom([]billing.Asset{billing.Licences, billing.SMSCredits}).Draw(rt, "asset"),
					Quantity: smBillDraw(rt, "quantity", smBillQuantity, smBillBadN, bad == 0),
					Key:      smBillDraw(rt, "key", smBillKeys, smBillBad, bad == 1),
				}
				if bad == 2 {
					r.Asset = 0
				}
				if bad < 0 && rapid.IntRange(0, 19).Draw(rt, "huge") == 0 {
					r.Quantity = billing.MaxAmount
				}
				b.requests = append(b.requests, r)
			}
			actor := b.billActor(rt, r.Org)
			// The provider fails only calls that Buy makes, and declines
			// only a key it never charged: a decline means that nothing was
			// charged.
			var fault billing.Fault
			if charges, fresh := m.billBuyCharges(actor, r); charges {
				faults := []billing.Fault{0, 0, 0, billing.Timeout}
				if fresh {
					faults = append(faults, billing.Decline)
				}
				if fault = rapid.SampledFrom(faults).Draw(rt, "fault"); fault != 0 {
					b.pay.FailNext(fault)
				}
			}
			what := fmt.Sprintf("Buy by %s of %+v with fault %d", actor, r, fault)
			apply, want := m.billBuy(actor, r, fault)
			p, err := sp.Buy(ctx, actor, r)
			b.outcome(rt, what, smBillLedger|smBillPurchasesPart, apply != nil, want, err)
			if apply != nil {
				apply(p)
			}
		},
		"RecoverPurchases": func(rt *rapid.T) {
			actor := b.operatorMostly(rt)
			olderThan := rapid.SampledFrom([]time.Duration{0, time.Hour}).Draw(rt, "older than")
			timeouts := map[billing.PurchaseID]bool{}
			if m.billMayIn(actor, "", billOperators) == nil {
				for i, p := range m.billDue(olderThan) {
					if rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("purchase %d times out", i)) == 0 {
						timeouts[p.ID] = true
						b.pay.FailKey(string(p.ID), billing.Timeout)
					}
				}
			}
			what := fmt.Sprintf("RecoverPurchases by %s older than %s, timing out on %v", actor, olderThan, timeouts)
			apply, wantN, want := m.billRecover(actor, olderThan, timeouts)
			n, err := sp.RecoverPurchases(ctx, actor, olderThan)
			b.outcome(rt, what, smBillLedger|smBillPurchasesPart, apply != nil, want, err)
			if n != wantN {
				rt.Fatalf("%s: settled %d purchases, the model %d", what, n, wantN)
			}
			if apply != nil {
				apply()
			}
		},
		"IssueCoupon": func(rt *rapid.T) {
			bad := b.bad(rt, 3)
			r := billing.CouponRequest{Org: b.org(rt), Licences: smBillDraw(rt, "licences", smBillLicences, smBillBadN, bad == 0)}
			switch rapid.IntRange(0, 3).Draw(rt, "expiry") {
			case 1:
				r.ExpiresAt = m.now.Add(time.Hour)
			case 2:
				r.ExpiresAt = m.now.Add(26 * time.Hour)
			}
			switch bad {
			case 1:
				r.ExpiresAt = m.now
			case 2:
				r.ExpiresAt = m.now.Add(-time.Hour)
			}
			actor := b.billActor(rt, r.Org)
			what := fmt.Sprintf("IssueCoupon by %s of %+v", actor, r)
			apply, want := m.billIssueCoupon(actor, r)
			c, err := sp.IssueCoupon(ctx, actor, r)
			b.outcome(rt, what, smBillLedger|smBillCouponsPart, apply != nil, want, err)
			if apply != nil {
				apply(c)
				b.couponIDs = append(b.couponIDs, c.ID)
			}
		},
		"RedeemCoupon": func(rt *rapid.T) {
			bad := b.bad(rt, 2)
			id := b.coupon(rt, billing.CouponActive, false)
			code := b.code(rt, id)
			if bad == 1 {
				code = rapid.SampledFrom(smBillCodeJunk).Draw(rt, "junk code")
			}
			// Mostly an event of another organisation than the issuer.
			var issuer org.OrganisationID
			if c := m.billing.coupons[id]; c != nil {
				issuer = c.Org
			}
			e := b.event(rt, b.registered(issuer, false), bad == 0)
			actor := b.billActor(rt, b.eventOrg(rt, e))
			what := fmt.Sprintf("RedeemCoupon by %s for %s of %s (%q)", actor, e, id, code)
			apply, want := m.billRedeemCoupon(actor, e, code)
			_, err := sp.RedeemCoupon(ctx, actor, e, code)
			b.outcome(rt, what, smBillLedger|smBillCouponsPart, apply != nil, want, err)
			if apply != nil {
				apply()
			}
		},
		"RevokeCoupon": func(rt *rapid.T) {
			id := b.coupon(rt, billing.CouponActive, b.bad(rt, 1) == 0)
			var o org.OrganisationID
			if c := m.billing.coupons[id]; c != nil {
				o = c.Org
			}
			actor := b.billActor(rt, o)
			what := fmt.Sprintf("RevokeCoupon by %s of %q", actor, id)
			apply, want := m.billRevokeCoupon(actor, id)
			_, err := sp.RevokeCoupon(ctx, actor, id)
			b.outcome(rt, what, smBillLedger|smBillCouponsPart, apply != nil, want, err)
			if apply != nil {
				apply()
			}
		},
		"ExpireCoupons": func(rt *rapid.T) {
			actor := b.operatorMostly(rt)
			what := fmt.Sprintf("ExpireCoupons by %s", actor)
			apply, wantN, want := m.billExpireCoupons(actor)
			n, err := sp.ExpireCoupons(ctx, actor)
			b.outcome(rt, what, smBillLedger|smBillCouponsPart, apply != nil, want, err)
			if n != wantN {
				rt.Fatalf("%s: expired %d coupons, the model %d", what, n, wantN)
			}
			if apply != nil {
				apply()
			}
		},
		"TakeLicence": func(rt *rapid.T) {
			bad := b.bad(rt, 2)
			e := b.event(rt, b.registered("", true), bad == 0)
			p := smBillDraw(rt, "person", smBillPersons, smBillBad, bad == 1)
			actor := b.billActor(rt, b.eventOrg(rt, e))
			what := fmt.Sprintf("TakeLicence by %s on %s for %q", actor, e, p)
			apply, want := m.billTakeLicence(actor, e, p)
			_, err := sp.TakeLicence(ctx, actor, e, p)
			b.outcome(rt, what, smBillLedger|smBillCouponsPart|smBillLicencesPart, apply != nil, want, err)
			if apply != nil {
				apply()
			}
		},
		"ReturnLicence": func(rt *rapid.T) {
			e, p := b.holder(rt, b.bad(rt, 2))
			actor := b.billActor(rt, b.eventOrg(rt, e))
			what := fmt.Sprintf("ReturnLicence by %s on %s for %q", actor, e, p)
			apply, want := m.billReturnLicence(actor, e, p)
			_, err := sp.ReturnLicence(ctx, actor, e, p)
			b.outcome(rt, what, smBillLedger|smBillLicencesPart, apply != nil, want, err)
			if apply != nil {
				apply()
			}
		},
		"SendSMS": func(rt *rapid.T) {
			bad := b.bad(rt, 4)
			r := billing.SMSRequest{
				Event: b.event(rt, b.registered("", true), bad == 0),
				ID:    smBillDraw(rt, "message ID", smBillMessages, smBillBad, bad == 1),
				To:    smBillDraw(rt, "to", smBillPhones, smBillBad, bad == 2),
				Body:  smBillDraw(rt, "body", smBillBodies, smBillBad, bad == 3),
			}
			o := b.eventOrg(rt, r.Event)
			if e, ok := m.billing.events[r.Event]; ok && !slices.Contains(b.smsKeys, modelSMSKey{e.Org, r.ID}) {
				b.smsKeys = append(b.smsKeys, modelSMSKey{e.Org, r.ID})
			}
			actor := b.billActor(rt, o)
			what := fmt.Sprintf("SendSMS by %s of %q to %q for %q (%d characters)", actor, r.ID, r.To, r.Event, len([]rune(r.Body)))
			apply, want := m.billSendSMS(actor, r, b.sender.Reject)
			_, err := sp.SendSMS(ctx, actor, r)
			b.outcome(rt, what, smBillLedger|smBillSMSPart, apply != nil, want, err)
			if apply != nil {
				apply()
			}
		},
		"ReadBilling": b.read,
	}
}

// read reads billing through the Service as a random actor, and compares
// the answer with the model's.
func (b *smBill) read(rt *rapid.T) {
	ctx, sp, m := b.ctx, b.space.Billing, b.m
	latest := storage.Latest()
	switch rapid.IntRange(0, 3).Draw(rt, "read") {
	case 0:
		o := b.org(rt)
		actor := b.billActor(rt, o)
		what := fmt.Sprintf("Balances by %s of %s", actor, o)
		want, wantErr := m.billBalances(actor, o)
		got, err := sp.Balances(ctx, latest, actor, o)
		b.outcome(rt, what, 0, false, wantErr, err)
		if diff := svcBillDiff(want, got); wantErr == nil && diff != "" {
			rt.Fatalf("%s (-model +Space):\n%s", what, diff)
		}
	case 1:
		o := b.org(rt)
		actor := b.billActor(rt, o)
		what := fmt.Sprintf("Coupons by %s of %s", actor, o)
		wantErr := m.billMay(actor, o, billOwners)
		var got []billing.Coupon
		var err error
		for page := (storage.PageRequest{Limit: 2}); err == nil; {
			var p storage.Page[billing.Coupon]
			p, err = sp.Coupons(ctx, latest, actor, o, page)
			for _, c := range p.Items {
				c.CodeHash = nil
				got = append(got, c)
			}
			if p.Next == "" {
				break
			}
			page.After = p.Next
		}
		b.outcome(rt, what, 0, false, wantErr, err)
		if diff := svcBillDiff(m.billCouponsListed(o), got); wantErr == nil && diff != "" {
			rt.Fatalf("%s (-model +Space):\n%s", what, diff)
		}
	case 2:
		o := b.org(rt)
		actor := b.billActor(rt, o)
		what := fmt.Sprintf("Purchases by %s of %s", actor, o)
		wantErr := m.billMay(actor, o, billOwners)
		page, err := sp.Purchases(ctx, latest, actor, o, storage.PageRequest{Limit: storage.MaxPageSize})
		b.outcome(rt, what, 0, false, wantErr, err)
		var want []billing.Purchase
		for _, p := range m.billing.purchases {
			if p.Org == o {
				want = append(want, *p)
			}
		}
		slices.SortFunc(want, func(a, b billing.Purchase) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		if diff := svcBillDiff(want, page.Items); wantErr == nil && diff != "" {
			rt.Fatalf("%s (-model +Space):\n%s", what, diff)
		}
	case 3:
		e := b.event(rt, b.registered("", true), false)
		actor := b.billActor(rt, b.eventOrg(rt, e))
		what := fmt.Sprintf("SupportersOf by %s of %s", actor, e)
		want, wantErr := m.billSupporters(actor, e)
		got, err := sp.SupportersOf(ctx, latest, actor, e)
		b.outcome(rt, what, 0, false, wantErr, err)
		if diff := svcBillDiff(want, got); wantErr == nil && diff != "" {
			rt.Fatalf("%s (-model +Space):\n%s", what, diff)
		}
	}
}

// --- Invariants ------------------------------------------------------------------

// smBillState is billing as the store holds it.
type smBillState struct {
	Balances  []billing.AccountBalance
	Journal   []billing.JournalEntry
	Events    map[billing.EventID]billing.Event
	Coupons   map[billing.CouponID]billing.Coupon
	Purchases map[modelPurchaseKey]billing.Purchase
	SMS       map[modelSMSKey]billing.SMS
	Licences  map[modelLicenceKey]billing.LicenceUse
}

// smBillParts name the parts of smBillState: a step notes those it may
// write, and the check after it reads only those (a step that writes
// nothing is not checked at all). As with the structure in the main
// machine, this spares the many steps that touch little most queries;
// what a step wrote where it should not shows up at the next step that
// reads that part, as a difference from the model.
type smBillParts uint8

const (
	smBillLedger smBillParts = 1 << iota
	smBillEventsPart
	smBillCouponsPart
	smBillPurchasesPart
	smBillSMSPart
	smBillLicencesPart
	smBillAll = 1<<iota - 1
)

// readState reads the parts of billing from the store in one View: every
// balance and journal entry, and the events, coupons, purchases, SMS and
// licence uses of every organisation and event the machine knows of. The
// other parts are as the last check read them.
func (b *smBill) readState(rt *rapid.T, parts smBillParts) *smBillState {
	rt.Helper()
	s := &smBillState{}
	if b.last != nil {
		*s = *b.last
	}
	err := b.space.Store().View(b.ctx, storage.Latest(), func(st orgspace.Store) error {
		if parts&smBillLedger != 0 {
			s.Balances, s.Journal = nil, nil
			if err := st.AllBalances(func(a billing.AccountBalance) error { s.Balances = append(s.Balances, a); return nil }); err != nil {
				return err
			}
			if err := st.AllTransfers(func(e billing.JournalEntry) error { s.Journal = append(s.Journal, e); return nil }); err != nil {
				return err
			}
		}
		ids := slices.Concat(smBillEvents, smBillNoEvent[:1])
		if parts&smBillEventsPart != 0 {
			s.Events = map[billing.EventID]billing.Event{}
			for _, id := range ids {
				e, err := st.Event(id)
				switch {
				case err == nil:
					s.Events[id] = e
				case !storage.IsNotFound(err):
					return err
				}
			}
		}
		if parts&smBillLicencesPart != 0 {
			s.Licences = map[modelLicenceKey]billing.LicenceUse{}
			for _, id := range ids {
				uses, err := st.LicenceUsesOfEvent(id)
				if err != nil {
					return err
				}
				for _, u := range uses {
					s.Licences[modelLicenceKey{u.Event, u.Person}] = u
				}
			}
		}
		orgs := append(slices.Clone(b.orgIDs), smUnknownOrg)
		if parts&smBillCouponsPart != 0 {
			s.Coupons = map[billing.CouponID]billing.Coupon{}
			for _, o := range orgs {
				cs, err := st.CouponsOfOrg(o, time.Time{}, "", storage.MaxPageSize)
				if err != nil {
					return err
				}
				for _, c := range cs {
					s.Coupons[c.ID] = c
				}
			}
		}
		if parts&smBillPurchasesPart != 0 {
			s.Purchases = map[modelPurchaseKey]billing.Purchase{}
			for _, o := range orgs {
				ps, err := st.PurchasesOfOrg(o, time.Time{}, "", storage.MaxPageSize)
				if err != nil {
					return err
				}
				for _, p := range ps {
					s.Purchases[modelPurchaseKey{p.Org, p.Key}] = p
				}
			}
		}
		if parts&smBillSMSPart != 0 {
			s.SMS = map[modelSMSKey]billing.SMS{}
			for _, k := range b.smsKeys {
				m, err := st.SMS(k.Org, k.ID)
				switch {
				case err == nil:
					s.SMS[k] = m
				case !storage.IsNotFound(err):
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		rt.Fatalf("read billing: %v", err)
	}
	return s
}

// check runs after every step: it reads what the step may have written
// and checks it.
func (b *smBill) check(rt *rapid.T) {
	rt.Helper()
	parts := b.touched
	if b.last == nil {
		parts = smBillAll
	}
	if parts == 0 {
		return
	}
	prev := b.last
	s := b.readState(rt, parts)
	if b.same {
		if diff := svcBillDiff(b.last, s); diff != "" {
			rt.Fatalf("a step the model says changes nothing changed billing (-before +after):\n%s", diff)
		}
	}
	changed := !b.same
	b.last, b.same, b.touched = s, false, 0
	if !changed {
		return // as checked before
	}
	if err := svcBillLedgerProblem(s.Balances, s.Journal); err != nil {
		rt.Fatalf("the ledger: %v", err)
	}
	if err := svcBillCouponProblem(s.Coupons, s.Journal); err != nil {
		rt.Fatalf("the coupons: %v", err)
	}
	b.checkModel(rt, s)
	if parts&smBillLedger == 0 {
		return
	}
	// Balances answers from the stored balances of o: ask again when they
	// changed, or the model's.
	for _, o := range b.orgIDs {
		want := *b.m.billing.balance(o)
		if prev != nil && want == b.answered[o] && slices.Equal(svcBillBalancesOf(prev.Balances, o), svcBillBalancesOf(s.Balances, o)) {
			continue
		}
		b.answered[o] = want
		got, err := b.space.Billing.Balances(b.ctx, storage.Latest(), b.opActor, o)
		if err != nil {
			rt.Fatalf("Balances of %s: %v", o, err)
		}
		if diff := svcBillDiff(want, got); diff != "" {
			rt.Fatalf("Balances of %s (-model +Space):\n%s", o, diff)
		}
	}
}

// svcBillDiff is gocmp.Diff with svcCmpOptions, quick when a and b are
// deeply equal, as they nearly always are: the machine compares after
// every step.
func svcBillDiff(a, b any) string {
	if reflect.DeepEqual(a, b) {
		return ""
	}
	return gocmp.Diff(a, b, svcCmpOptions...)
}

// svcBillBalancesOf returns the balances of o's accounts among bs.
func svcBillBalancesOf(bs []billing.AccountBalance, o org.OrganisationID) []billing.AccountBalance {
	var out []billing.AccountBalance
	for _, b := range bs {
		if b.Account.Org == o {
			out = append(out, b)
		}
	}
	return out
}

// checkModel compares the store's billing objects with the model's, and
// the payment provider's charges with the purchases.
func (b *smBill) checkModel(rt *rapid.T, s *smBillState) {
	rt.Helper()
	mb := &b.m.billing
	want := &smBillState{
		Events: mb.events, Coupons: map[billing.CouponID]billing.Coupon{}, Purchases: map[modelPurchaseKey]billing.Purchase{},
		SMS: mb.sms, Licences: mb.licences,
	}
	got := &smBillState{
		Events: s.Events, Coupons: map[billing.CouponID]billing.Coupon{}, Purchases: s.Purchases,
		SMS: map[modelSMSKey]billing.SMS{}, Licences: map[modelLicenceKey]billing.LicenceUse{},
	}
	for id, c := range mb.coupons {
		want.Coupons[id] = c.Coupon
	}
	for id, c := range s.Coupons {
		if mc := mb.coupons[id]; mc != nil {
			if h := sha256.Sum256([]byte(mc.Code)); string(c.CodeHash) != string(h[:]) {
				rt.Fatalf("coupon %s: the stored code hash is not the SHA-256 of its code", id)
			}
		}
		c.CodeHash = nil
		got.Coupons[id] = c
	}
	for k, p := range mb.purchases {
		want.Purchases[k] = *p
		n, charged := b.pay.Count(string(p.ID)), mb.refs[p.ID] != ""
		if n > 1 || (n == 1) != charged {
			rt.Fatalf("purchase %s (%s): the provider charged it %d times, the model %v", p.ID, p.Status, n, charged)
		}
	}
	for k, m := range s.SMS {
		if (m.Error != "") != (m.Status == billing.SMSFailed) {
			rt.Fatalf("SMS %s of %s is %s with error %q", k.ID, k.Org, m.Status, m.Error)
		}
		m.Error = ""
		got.SMS[k] = m
	}
	for k, u := range s.Licences {
		if u.TransferID == "" {
			rt.Fatalf("the licence use of %s on %s names no transfer", k.Person, k.Event)
		}
		u.TransferID = ""
		got.Licences[k] = u
	}
	if diff := svcBillDiff(want, got); diff != "" {
		rt.Fatalf("the store's billing differs from the model (-model +store):\n%s", diff)
	}
}

// svcBillLedgerProblem checks the invariants of a whole ledger: no
// negative balance, each asset conserved, and the balances equal to a
// replay of the journal.
func svcBillLedgerProblem(balances []billing.AccountBalance, journal []billing.JournalEntry) error {
	seq := func(yield func(billing.LedgerAccount, billing.Balance) bool) {
		for _, b := range balances {
			if !yield(b.Account, b.Balance) {
				return
			}
		}
	}
	if err := billing.CheckNoNegative(seq); err != nil {
		return err
	}
	if err := billing.CheckConservation(seq); err != nil {
		return err
	}
	var replay billing.Ledger
	for i, e := range journal {
		if i > 0 && e.Seq <= journal[i-1].Seq {
			return fmt.Errorf("journal entry %d has Seq %d after %d", i, e.Seq, journal[i-1].Seq)
		}
		if err := replay.Apply(e.Transfer); err != nil {
			return fmt.Errorf("replaying journal entry %d (%s): %w", e.Seq, e.ID, err)
		}
	}
	for _, e := range journal {
		if e.Open != replay.IsOpen(e.ID) {
			return fmt.Errorf("journal entry %d (%s) is open: %v; the replay says %v", e.Seq, e.ID, e.Open, replay.IsOpen(e.ID))
		}
	}
	for _, b := range balances {
		if got := replay.Balance(b.Account); got != b.Balance {
			return fmt.Errorf("%v: stored %+v, the journal gives %+v", b.Account, b.Balance, got)
		}
	}
	n := 0
	for range replay.Balances() {
		n++
	}
	if n != len(balances) {
		return fmt.Errorf("the journal touches %d accounts, %d have a stored balance", n, len(balances))
	}
	return nil
}

// svcBillCouponProblem checks every coupon against the journal: one
// pending transfer reserved its licences into its escrow, at most one
// transfer resolved it, and its status says which: none while active, a
// post once redeemed, a void once revoked or expired.
func svcBillCouponProblem(coupons map[billing.CouponID]billing.Coupon, journal []billing.JournalEntry) error {
	for id, c := range coupons {
		escrow := billing.LedgerAccount{Org: c.Org, Asset: billing.Licences, Kind: billing.Escrow, Ref: string(id)}
		var issue *billing.JournalEntry
		for i, e := range journal {
			if e.Pending && e.To == escrow {
				if issue != nil {
					return fmt.Errorf("coupon %s was reserved by %s and %s", id, issue.ID, e.ID)
				}
				issue = &journal[i]
			}
		}
		if issue == nil || issue.Amount != c.Licences {
			return fmt.Errorf("coupon %s of %d licences: its reservation is %+v", id, c.Licences, issue)
		}
		var posts, voids int
		for _, e := range journal {
			if e.PendingID == issue.ID {
				if e.Void {
					voids++
				} else {
					posts++
				}
			}
		}
		want := map[billing.CouponStatus][2]int{
			billing.CouponActive: {0, 0}, billing.CouponRedeemed: {1, 0},
			billing.CouponRevoked: {0, 1}, billing.CouponExpired: {0, 1},
		}[c.Status]
		if posts != want[0] || voids != want[1] || issue.Open != (c.Status == billing.CouponActive) {
			return fmt.Errorf("coupon %s is %s; its reservation was posted %d times and voided %d times, open: %v", id, c.Status, posts, voids, issue.Open)
		}
		if (c.Event != "") != (c.Status == billing.CouponRedeemed) {
			return fmt.Errorf("coupon %s is %s and names event %q", id, c.Status, c.Event)
		}
	}
	return nil
}
