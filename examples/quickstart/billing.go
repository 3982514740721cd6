package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// prices are what the story's host charges for licences and SMS credits.
var prices = billing.PriceList{
	billing.Licences:   {Currency: "EUR", Minor: 250},
	billing.SMSCredits: {Currency: "EUR", Minor: 8},
}

// billingStory tells the seed's "Add licenses and SMS credits" and "To
// support an event, simply offer one or more license coupons". Its events
// are created through package community, which registers them with
// billing; it returns Toppp's gala and Client Co's Charity Run, which
// Toppp supports, for the community story.
func (d *demo) billingStory(toppp org.OrganisationID, owner org.Actor, client org.OrganisationID, carl org.Actor) (gala, run community.Event) {
	ctx, b, latest := d.ctx, d.space.Billing, storage.Latest()

	d.title("The owner buys 20 licences and 500 SMS credits; the credit follows the payment.")
	for _, r := range []billing.PurchaseRequest{
		{Org: toppp, Asset: billing.Licences, Quantity: 20, Key: "order-2026-001"},
		{Org: toppp, Asset: billing.SMSCredits, Quantity: 500, Key: "order-2026-002"},
	} {
		p := value(b.Buy(ctx, owner, r))
		d.say("purchase %s: %d %s for %s, %s (payment %s)", p.ID, p.Quantity, p.Asset, p.Price, p.Status, p.ProviderRef)
	}

	d.title("The payment provider's answer is lost; the retry with the same key completes the purchase, charged once.")
	d.pay.FailNext(billing.Timeout)
	more := billing.PurchaseRequest{Org: toppp, Asset: billing.Licences, Quantity: 5, Key: "order-2026-003"}
	p, err := b.Buy(ctx, owner, more)
	if err == nil || p.Status != billing.PurchasePending {
		check(fmt.Errorf("expected a pending purchase, got %+v, %v", p, err))
	}
	d.say("purchase %s is %s: %v", p.ID, p.Status, errors.Unwrap(err))
	p = value(b.Buy(ctx, owner, more))
	d.say("retried: purchase %s %s; the provider charged it %d time(s)", p.ID, p.Status, d.pay.Count(string(p.ID)))

	d.title("Toppp's event %q accepts three volunteers: one licence each, counted once per person.", "Summer Gala")
	gala = d.createEvent(owner, toppp, summerGala)
	for _, p := range []billing.PersonID{"ann", "bob", "cat", "ann"} {
		u := value(b.TakeLicence(ctx, owner, gala.ID, p))
		d.say("%s holds licence %s (from %s)", p, u.TransferID, source(u))
	}
	d.balance(toppp)

	d.title("To support Client Co's %q, the owner offers a coupon of 5 licences.", "Charity Run")
	coupon := value(b.IssueCoupon(ctx, owner, billing.CouponRequest{Org: toppp, Licences: 5, ExpiresAt: d.clock.now.AddDate(0, 2, 0)}))
	d.say("coupon %s: %d licences, expires %s; its code (%d characters) is shown once, and only its hash is kept",
		coupon.ID, coupon.Licences, coupon.ExpiresAt.Format(time.DateOnly), len(coupon.Code))
	d.balance(toppp)

	d.title("Carl registers the Charity Run and redeems the code; its volunteers take the coupon's licences first.")
	run = d.createEvent(carl, client, charityRun)
	c := value(b.RedeemCoupon(ctx, carl, run.ID, strings.ToLower(coupon.Code)))
	d.say("coupon %s %s by %s", c.ID, c.Status, c.Event)
	for _, p := range []billing.PersonID{"dan", "eve"} {
		u := value(b.TakeLicence(ctx, carl, run.ID, p))
		d.say("%s holds licence %s (from %s)", p, u.TransferID, source(u))
	}
	for _, o := range value(b.SupportersOf(ctx, latest, carl, run.ID)) {
		d.say("the Charity Run is supported by %s", d.orgName(o))
	}

	d.title("Another event of Client Co tries the same code.")
	winter := d.createEvent(carl, client, winterRun)
	_, err = b.RedeemCoupon(ctx, carl, winter.ID, coupon.Code)
	d.refused(err, billing.ErrCouponRedeemed)

	d.title("Bob withdraws before the gala: his licence goes back to the pool.")
	u := value(b.ReturnLicence(ctx, owner, gala.ID, "bob"))
	d.say("bob's licence returned: %v", u.Returned)

	d.title("The gala's volunteers get a reminder by SMS; sending one again under its ID costs nothing.")
	for _, r := range []billing.SMSRequest{
		{Event: gala.ID, ID: "gala-reminder-ann", To: "+41791234501", Body: "Hi Ann, see you at the Summer Gala on Saturday at 9:00!"},
		{Event: gala.ID, ID: "gala-reminder-cat", To: "+41791234503", Body: "Hi Cat, see you at the Summer Gala on Saturday at 9:00!"},
		{Event: gala.ID, ID: "gala-reminder-ann", To: "+41791234501", Body: "Hi Ann, see you at the Summer Gala on Saturday at 9:00!"},
	} {
		m := value(b.SendSMS(ctx, owner, r))
		d.say("sms %s to %s: %s, %d credit (%s)", m.ID, m.To, m.Status, m.Credits, m.ProviderRef)
	}

	d.title("Balances, and the last entries of Toppp's journal.")
	d.balance(toppp)
	d.balance(client)
	journal := all(func(r storage.PageRequest) (storage.Page[billing.JournalEntry], error) {
		return b.Journal(ctx, latest, owner, billing.JournalFilter{Org: toppp}, r)
	})
	for _, e := range tail(journal, 4) {
		d.say("#%-3d %-16s %-24s %3d %s", e.Seq, e.Actor, e.From.Kind.String()+" → "+e.To.Kind.String(), e.Amount, e.Reason)
	}
	return gala, run
}

// source says where a licence came from.
func source(u billing.LicenceUse) string {
	if u.Coupon != "" {
		return "coupon " + string(u.Coupon)
	}
	return "the organiser's pool"
}

// balance prints an organisation's licences and SMS credits, as the host
// reads them.
func (d *demo) balance(o org.OrganisationID) {
	b := value(d.space.Billing.Balances(d.ctx, storage.Latest(), org.System(), o))
	d.say("%s: licences %d available, %d reserved by coupons, %d used, %d given; SMS credits %d available, %d used",
		d.orgName(o), b.Licences.Available, b.Licences.Reserved, b.Licences.Used, b.Licences.Given,
		b.SMSCredits.Available, b.SMSCredits.Used)
}

func (d *demo) orgName(id org.OrganisationID) string {
	o, err := d.space.Org.Organisation(d.ctx, storage.Latest(), org.System(), id)
	check(err)
	return o.Name
}

// billingOf prints what survived of an organisation's billing: its
// balances and coupons.
func (d *demo) billingOf(o org.Organisation) {
	d.balance(o.ID)
	for _, c := range all(func(r storage.PageRequest) (storage.Page[billing.Coupon], error) {
		return d.space.Billing.Coupons(d.ctx, storage.Latest(), org.System(), o.ID, r)
	}) {
		redeemed := ""
		if c.Event != "" {
			redeemed = " by " + string(c.Event)
		}
		d.say("  coupon %s: %d licences, %s%s", c.ID, c.Licences, c.Status, redeemed)
	}
}
