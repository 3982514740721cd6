package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The journal lists the transfers that touched an organisation, in order,
// filtered and a page at a time, each naming who made it.
func TestJournalPagesAndFilters(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	w.buy(w.toppp, w.owner, billing.SMSCredits, 10, "order-2")
	c := w.issue(2, time.Time{})
	_, err := w.svc.RedeemCoupon(w.ctx, w.helpersMember, w.fair, c.Code)
	w.must(err)
	_, err = w.take(w.member, w.gala, "ann")
	w.must(err)

	read := func(actor org.Actor, f billing.JournalFilter, limit int) ([]string, error) {
		var ids []string
		page := storage.PageRequest{Limit: limit}
		for {
			p, err := w.svc.Journal(w.ctx, storage.Latest(), actor, f, page)
			if err != nil {
				return nil, err
			}
			for _, e := range p.Items {
				ids = append(ids, e.ID)
			}
			if p.Next == "" {
				return ids, nil
			}
			page.After = p.Next
		}
	}
	all, err := read(w.owner, billing.JournalFilter{Org: w.toppp}, 2)
	w.must(err)
	if len(all) != 5 {
		t.Errorf("Toppp's journal = %v, want 5 transfers (2 purchases, issue, redeem, licence)", all)
	}
	sms, err := read(w.owner, billing.JournalFilter{Org: w.toppp, Asset: billing.SMSCredits}, 10)
	w.must(err)
	if len(sms) != 1 {
		t.Errorf("SMS journal = %v, want the one purchase", sms)
	}
	escrow, err := read(w.owner, billing.JournalFilter{Org: w.toppp, Kind: billing.Escrow, Ref: string(c.ID)}, 10)
	w.must(err)
	if diff := cmp.Diff([]string{"coupon/" + string(c.ID) + "/issue", "coupon/" + string(c.ID) + "/redeem"}, escrow); diff != "" {
		t.Errorf("coupon's journal (-want +got):\n%s", diff)
	}
	helpers, err := read(w.helpersOwner, billing.JournalFilter{Org: w.helpers}, 10)
	w.must(err)
	if len(helpers) != 0 {
		t.Errorf("Helpers' journal = %v, want none (the redeem moved Toppp's licences)", helpers)
	}
	if _, err := read(w.member, billing.JournalFilter{Org: w.toppp}, 10); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("a Member reading the journal = %v, want ErrPermissionDenied", err)
	}
	if _, err := read(w.owner, billing.JournalFilter{Org: w.toppp, Asset: 7}, 10); !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("an unknown asset = %v, want ErrInvalidArgument", err)
	}
	p, err := w.svc.Journal(w.ctx, storage.Latest(), w.owner, billing.JournalFilter{Org: w.toppp}, storage.PageRequest{Limit: 1})
	w.must(err)
	if e := p.Items[0]; e.Seq == 0 || e.Actor != w.owner.String() || e.Reason == "" {
		t.Errorf("first entry = %+v, want a numbered entry naming the Owner", e)
	}
}

// Balances are read by Owners and Members, not by others.
func TestBalancesPermissions(t *testing.T) {
	w := newWorld(t)
	for _, a := range []org.Actor{w.owner, w.member, w.operator, org.System()} {
		if _, err := w.svc.Balances(w.ctx, storage.Latest(), a, w.toppp); err != nil {
			t.Errorf("%v reading balances: %v", a, err)
		}
	}
	for _, a := range []org.Actor{w.outsider, w.helpersOwner, {}} {
		if _, err := w.svc.Balances(w.ctx, storage.Latest(), a, w.toppp); !errors.Is(err, storage.ErrPermissionDenied) {
			t.Errorf("%v reading balances: %v, want ErrPermissionDenied", a, err)
		}
	}
	if _, err := w.svc.Balances(w.ctx, storage.Latest(), w.operator, "org_nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown organisation: %v, want ErrNotFound", err)
	}
}

// Transfer posts directly, all or nothing, for operators only.
func TestTransferIsForOperatorsAndAtomic(t *testing.T) {
	w := newWorld(t)
	ext := billing.LedgerAccount{Org: w.toppp, Asset: billing.SMSCredits, Kind: billing.External}
	pool := billing.LedgerAccount{Org: w.toppp, Asset: billing.SMSCredits, Kind: billing.Pool}
	used := billing.LedgerAccount{Org: w.toppp, Asset: billing.SMSCredits, Kind: billing.Consumed}
	grant := billing.Transfer{ID: "goodwill-1", Asset: billing.SMSCredits, From: ext, To: pool, Amount: 50, Reason: "goodwill"}
	if err := w.svc.Transfer(w.ctx, w.owner, grant); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("an Owner posting = %v, want ErrPermissionDenied", err)
	}
	before := w.snapshot()
	over := billing.Transfer{ID: "spend", Asset: billing.SMSCredits, From: pool, To: used, Amount: 51}
	if err := w.svc.Transfer(w.ctx, w.operator, grant, over); !errors.Is(err, storage.ErrInsufficientFunds) {
		t.Errorf("a batch overdrawing = %v, want ErrInsufficientFunds", err)
	}
	if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
		t.Errorf("a failed batch kept part of itself (-before +after):\n%s", diff)
	}
	w.must(w.svc.Transfer(w.ctx, w.operator, grant))
	w.must(w.svc.Transfer(w.ctx, w.operator, grant)) // a retry changes nothing
	if got := w.balances(w.toppp).SMSCredits.Available; got != 50 {
		t.Errorf("%d credits, want 50", got)
	}
	w.checkLedger()
}
