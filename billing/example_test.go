package billing_test

import (
	"fmt"

	"github.com/orgspace/orgspace/billing"
)

// An organisation buys 10 licences, issues a coupon of 3 (a pending
// transfer into the coupon's escrow) and the coupon is redeemed (the
// pending transfer is posted).
func ExampleLedger() {
	account := func(kind billing.AccountKind, ref string) billing.LedgerAccount {
		return billing.LedgerAccount{Org: "org_1", Asset: billing.Licences, Kind: kind, Ref: ref}
	}
	external, pool, escrow := account(billing.External, ""), account(billing.Pool, ""), account(billing.Escrow, "coupon_1")
	show := func(when string, l *billing.Ledger) {
		fmt.Println(when)
		for _, a := range []billing.LedgerAccount{external, pool, escrow} {
			b := l.Balance(a)
			fmt.Printf("  %-8s available %3d  reserved %d  incoming %d\n", a.Kind, b.Available(), b.Reserved(), b.CreditsPending)
		}
	}

	var l billing.Ledger
	if err := l.Apply(billing.Transfer{ID: "buy_1", Asset: billing.Licences, From: external, To: pool, Amount: 10, Reason: "purchase"}); err != nil {
		fmt.Println(err)
	}
	if err := l.Apply(billing.Transfer{ID: "coupon_1", Asset: billing.Licences, From: pool, To: escrow, Amount: 3, Pending: true, Reason: "issue coupon"}); err != nil {
		fmt.Println(err)
	}
	show("issued:", &l)
	if err := l.Apply(billing.Post("redeem_1", "coupon_1", 3)); err != nil {
		fmt.Println(err)
	}
	show("redeemed:", &l)
	fmt.Println(l.Apply(billing.Void("revoke_1", "coupon_1")))
	fmt.Println(billing.CheckConservation(l.Balances()), billing.CheckNoNegative(l.Balances()))
	// Output:
	// issued:
	//   external available -10  reserved 0  incoming 0
	//   pool     available   7  reserved 3  incoming 0
	//   escrow   available   0  reserved 0  incoming 3
	// redeemed:
	//   external available -10  reserved 0  incoming 0
	//   pool     available   7  reserved 0  incoming 0
	//   escrow   available   3  reserved 0  incoming 0
	// billing: transfer "revoke_1": pending transfer "coupon_1" is already resolved: failed precondition
	// <nil> <nil>
}
