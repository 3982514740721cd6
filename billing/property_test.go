package billing

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// For random sequences of transfers, good and bad, every failed Apply
// changes nothing, and after every step: no account other than External is
// below zero, each asset is conserved, the balances equal a recomputation
// from the journal of applied transfers, and no pending transfer is
// resolved twice.
func TestRandomTransfersKeepTheInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var accounts []LedgerAccount
		for _, o := range []org.OrganisationID{"org_a", "org_b"} {
			for _, a := range []Asset{Licences, SMSCredits} {
				accounts = append(accounts,
					LedgerAccount{Org: o, Asset: a, Kind: External},
					LedgerAccount{Org: o, Asset: a, Kind: Pool},
					LedgerAccount{Org: o, Asset: a, Kind: Escrow, Ref: "coupon_1"},
					LedgerAccount{Org: o, Asset: a, Kind: Allocation, Ref: "event_1"},
					LedgerAccount{Org: o, Asset: a, Kind: Consumed},
				)
			}
		}
		// Most amounts are small so that pools run dry; some are bad.
		amount := rapid.OneOf(
			rapid.Int64Range(1, 20),
			rapid.Int64Range(1, 20),
			rapid.SampledFrom([]int64{0, -1, MaxAmount, MaxAmount + 1}),
		)

		var l Ledger
		var journal []Transfer
		var ids []string // applied transfer IDs, for retries, posts and voids
		for step := range rapid.IntRange(1, 60).Draw(t, "steps") {
			id := fmt.Sprintf("t%d", step)
			var tr Transfer
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1: // a new transfer, posted or pending
				from := rapid.SampledFrom(accounts).Draw(t, "from")
				to := from
				if rapid.IntRange(0, 9).Draw(t, "same account") > 0 {
					to = rapid.SampledFrom(accounts).Draw(t, "to")
				}
				tr = Transfer{ID: id, Asset: from.Asset, From: from, To: to,
					Amount: amount.Draw(t, "amount"), Pending: rapid.Bool().Draw(t, "pending")}
			case 2: // a purchase into a pool, so that later moves can succeed
				o := rapid.SampledFrom([]org.OrganisationID{"org_a", "org_b"}).Draw(t, "org")
				a := rapid.SampledFrom([]Asset{Licences, SMSCredits}).Draw(t, "asset")
				tr = Transfer{ID: id, Asset: a, From: LedgerAccount{Org: o, Asset: a, Kind: External},
					To: LedgerAccount{Org: o, Asset: a, Kind: Pool}, Amount: amount.Draw(t, "amount")}
			case 3, 4: // post or void of an earlier (or unknown) transfer
				pid := "unknown"
				if len(ids) > 0 && rapid.IntRange(0, 9).Draw(t, "unknown pending") > 0 {
					pid = rapid.SampledFrom(ids).Draw(t, "pending ID")
				}
				if rapid.Bool().Draw(t, "void") {
					tr = Void(id, pid)
				} else {
					tr = Post(id, pid, amount.Draw(t, "amount"))
				}
			case 5: // a retry of an earlier transfer, identical or changed
				if len(ids) == 0 {
					continue
				}
				prev, _ := l.Transfer(rapid.SampledFrom(ids).Draw(t, "retried ID"))
				tr = prev
				changed := rapid.Bool().Draw(t, "changed")
				if changed {
					tr.Reason += "again"
				}
				if err := l.Clone().Apply(tr); changed != errors.Is(err, storage.ErrAlreadyExists) {
					t.Fatalf("step %d: retry (changed: %v) of %s: Apply = %v", step, changed, tr.ID, err)
				}
			}

			before := l.Clone()
			_, existed := l.Transfer(tr.ID)
			if err := l.Apply(tr); err != nil {
				if !reflect.DeepEqual(&l, before) {
					t.Fatalf("step %d: Apply(%+v) failed (%v) but changed the ledger", step, tr, err)
				}
			} else if existed {
				if !reflect.DeepEqual(&l, before) {
					t.Fatalf("step %d: the retry Apply(%+v) changed the ledger", step, tr)
				}
			} else {
				rec, _ := l.Transfer(tr.ID)
				journal = append(journal, rec)
				ids = append(ids, tr.ID)
			}

			if err := CheckNoNegative(l.Balances()); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if err := CheckConservation(l.Balances()); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			want, err := replay(journal)
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if got := collect(l.Balances()); !reflect.DeepEqual(got, want) {
				t.Fatalf("step %d: balances %v, recomputed from the journal %v", step, got, want)
			}
		}
	})
}

// replay recomputes balances from a journal the simple way: a posted
// transfer counts as posted; a pending one counts as pending until a later
// transfer resolves it, and a post counts as posted. It fails if a pending
// transfer is resolved twice.
func replay(journal []Transfer) (map[LedgerAccount]Balance, error) {
	resolvedBy := map[string]string{}
	for _, t := range journal {
		if t.PendingID != "" {
			if other, ok := resolvedBy[t.PendingID]; ok {
				return nil, fmt.Errorf("pending %s resolved by both %s and %s", t.PendingID, other, t.ID)
			}
			resolvedBy[t.PendingID] = t.ID
		}
	}
	out := map[LedgerAccount]Balance{}
	for _, t := range journal {
		from, to := out[t.From], out[t.To]
		switch {
		case t.Pending:
			if _, done := resolvedBy[t.ID]; !done {
				from.DebitsPending += t.Amount
				to.CreditsPending += t.Amount
			}
		case t.Void:
		default: // posted, or a post of a pending transfer
			from.DebitsPosted += t.Amount
			to.CreditsPosted += t.Amount
		}
		out[t.From], out[t.To] = from, to
	}
	return out, nil
}

// collect gathers balances into a map.
func collect(seq func(func(LedgerAccount, Balance) bool)) map[LedgerAccount]Balance {
	out := map[LedgerAccount]Balance{}
	for a, b := range seq {
		out[a] = b
	}
	return out
}
