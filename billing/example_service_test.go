package billing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// Toppp buys licences and SMS credits, gives a licence to a volunteer of
// its own event, supports the Helpers' fair with a coupon of 2 licences,
// and texts its volunteers.
func ExampleService() {
	ctx := context.Background()
	clock := accesstest.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	space, _ := orgspace.Open(ctx, memstore.New(), orgspace.Config{
		Clock: clock, IDs: &org.SequentialIDs{},
		Prices: billing.PriceList{
			billing.Licences:   {Currency: "EUR", Minor: 250},
			billing.SMSCredits: {Currency: "EUR", Minor: 8},
		},
		Payments: &billing.FakeProvider{}, SMS: &billing.FakeSMSSender{},
	})
	sys := org.System()
	toppp, _, _ := space.Org.CreateOrganisation(ctx, sys, org.NewOrganisation{Name: "Toppp"})
	helpers, _, _ := space.Org.CreateOrganisation(ctx, sys, org.NewOrganisation{Name: "Helpers"})
	gala := billing.Event{ID: "evt_gala", Org: toppp.ID, Start: clock.Now().AddDate(0, 1, 0)}
	fair := billing.Event{ID: "evt_fair", Org: helpers.ID, Start: clock.Now().AddDate(0, 0, 20)}
	_ = space.Billing.RegisterEvent(ctx, sys, gala)
	_ = space.Billing.RegisterEvent(ctx, sys, fair)

	p, _ := space.Billing.Buy(ctx, sys, billing.PurchaseRequest{Org: toppp.ID, Asset: billing.Licences, Quantity: 10, Key: "order-1"})
	fmt.Println("bought", p.Quantity, p.Asset, "for", p.Price)
	_, _ = space.Billing.Buy(ctx, sys, billing.PurchaseRequest{Org: toppp.ID, Asset: billing.SMSCredits, Quantity: 100, Key: "order-2"})

	_, _ = space.Billing.TakeLicence(ctx, sys, gala.ID, "ann")
	coupon, _ := space.Billing.IssueCoupon(ctx, sys, billing.CouponRequest{Org: toppp.ID, Licences: 2})
	_, err := space.Billing.RedeemCoupon(ctx, sys, fair.ID, coupon.Code)
	fmt.Println("fair redeemed the coupon:", err == nil)
	u, _ := space.Billing.TakeLicence(ctx, sys, fair.ID, "bob")
	fmt.Println("bob's licence comes from the coupon:", u.Coupon == coupon.ID)
	m, _ := space.Billing.SendSMS(ctx, sys, billing.SMSRequest{Event: gala.ID, ID: "reminder-ann", To: "+41791234567", Body: "See you at the gala!"})
	fmt.Println("sms", m.Status, "for", m.Credits, "credit")

	b, _ := space.Billing.Balances(ctx, storage.Latest(), sys, toppp.ID)
	fmt.Printf("licences: %+v\n", b.Licences)
	fmt.Printf("sms credits: %+v\n", b.SMSCredits)
	// Output:
	// bought 10 licences for 25.00 EUR
	// fair redeemed the coupon: true
	// bob's licence comes from the coupon: true
	// sms sent for 1 credit
	// licences: {Purchased:10 Available:7 Reserved:0 Used:1 Given:2}
	// sms credits: {Purchased:100 Available:99 Reserved:0 Used:1 Given:0}
}
