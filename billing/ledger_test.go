package billing

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/orgspace/orgspace/storage"
)

var (
	ext      = LedgerAccount{Org: "org_a", Asset: Licences, Kind: External}
	pool     = LedgerAccount{Org: "org_a", Asset: Licences, Kind: Pool}
	escrow   = LedgerAccount{Org: "org_a", Asset: Licences, Kind: Escrow, Ref: "coupon_1"}
	smsExt   = LedgerAccount{Org: "org_a", Asset: SMSCredits, Kind: External}
	smsPool  = LedgerAccount{Org: "org_a", Asset: SMSCredits, Kind: Pool}
	consumed = LedgerAccount{Org: "org_a", Asset: SMSCredits, Kind: Consumed}
)

// fixture is a ledger with 10 licences bought into the pool, 3 of them
// reserved by the open pending transfer "p1" and 2 by "p2", already voided,
// and 5 SMS credits in the SMS pool.
func fixture(t *testing.T) *Ledger {
	t.Helper()
	var l Ledger
	for _, tr := range []Transfer{
		{ID: "buy", Asset: Licences, From: ext, To: pool, Amount: 10},
		{ID: "p1", Asset: Licences, From: pool, To: escrow, Amount: 3, Pending: true},
		{ID: "p2", Asset: Licences, From: pool, To: escrow, Amount: 2, Pending: true},
		Void("v2", "p2"),
		{ID: "sms", Asset: SMSCredits, From: smsExt, To: smsPool, Amount: 5},
	} {
		if err := l.Apply(tr); err != nil {
			t.Fatalf("fixture %s: %v", tr.ID, err)
		}
	}
	return &l
}

// Bad input returns the right sentinel and leaves the ledger unchanged.
func TestBadTransferChangesNothing(t *testing.T) {
	other := LedgerAccount{Org: "org_b", Asset: Licences, Kind: Pool}
	tests := []struct {
		name string
		tr   Transfer
		want error
	}{
		{"empty ID", Transfer{Asset: Licences, From: ext, To: pool, Amount: 1}, storage.ErrInvalidArgument},
		{"zero amount", Transfer{ID: "t", Asset: Licences, From: ext, To: pool}, storage.ErrInvalidArgument},
		{"negative amount", Transfer{ID: "t", Asset: Licences, From: ext, To: pool, Amount: -1}, storage.ErrInvalidArgument},
		{"amount above MaxAmount", Transfer{ID: "t", Asset: Licences, From: ext, To: pool, Amount: MaxAmount + 1}, storage.ErrInvalidArgument},
		{"no asset", Transfer{ID: "t", From: ext, To: pool, Amount: 1}, storage.ErrInvalidArgument},
		{"mixed assets", Transfer{ID: "t", Asset: Licences, From: pool, To: consumed, Amount: 1}, storage.ErrInvalidArgument},
		{"account of another asset than the transfer", Transfer{ID: "t", Asset: SMSCredits, From: ext, To: pool, Amount: 1}, storage.ErrInvalidArgument},
		{"same account", Transfer{ID: "t", Asset: Licences, From: pool, To: pool, Amount: 1}, storage.ErrInvalidArgument},
		{"escrow without a ref", Transfer{ID: "t", Asset: Licences, From: pool, To: LedgerAccount{Org: "org_a", Asset: Licences, Kind: Escrow}, Amount: 1}, storage.ErrInvalidArgument},
		{"pool with a ref", Transfer{ID: "t", Asset: Licences, From: ext, To: LedgerAccount{Org: "org_a", Asset: Licences, Kind: Pool, Ref: "x"}, Amount: 1}, storage.ErrInvalidArgument},
		{"no organisation", Transfer{ID: "t", Asset: Licences, From: ext, To: LedgerAccount{Asset: Licences, Kind: Pool}, Amount: 1}, storage.ErrInvalidArgument},
		{"unknown kind", Transfer{ID: "t", Asset: Licences, From: ext, To: LedgerAccount{Org: "org_a", Asset: Licences, Kind: 9}, Amount: 1}, storage.ErrInvalidArgument},
		{"void without a pending ID", Transfer{ID: "t", Asset: Licences, From: ext, To: pool, Amount: 1, Void: true}, storage.ErrInvalidArgument},
		{"overdraft of the pool", Transfer{ID: "t", Asset: Licences, From: pool, To: other, Amount: 8}, storage.ErrInsufficientFunds},
		{"pending overdraft counts reserved units", Transfer{ID: "t", Asset: Licences, From: pool, To: escrow, Amount: 8, Pending: true}, storage.ErrInsufficientFunds},
		{"pending credits are not available", Transfer{ID: "t", Asset: Licences, From: escrow, To: pool, Amount: 1}, storage.ErrInsufficientFunds},
		{"used ID, different transfer", Transfer{ID: "buy", Asset: Licences, From: ext, To: pool, Amount: 11}, storage.ErrAlreadyExists},
		{"unknown pending", Post("t", "nope", 1), storage.ErrNotFound},
		{"post of a posted transfer", Post("t", "buy", 1), storage.ErrFailedPrecondition},
		{"post of a voided pending", Post("t", "p2", 1), storage.ErrFailedPrecondition},
		{"void of a voided pending", Void("t", "p2"), storage.ErrFailedPrecondition},
		{"post above the pending amount", Post("t", "p1", 4), storage.ErrInvalidArgument},
		{"post of zero", Post("t", "p1", 0), storage.ErrInvalidArgument},
		{"void of part", Transfer{ID: "t", PendingID: "p1", Void: true, Amount: 1}, storage.ErrInvalidArgument},
		{"resolving transfer marked pending", Transfer{ID: "t", PendingID: "p1", Amount: 1, Pending: true}, storage.ErrInvalidArgument},
		{"resolving transfer with other accounts", Transfer{ID: "t", PendingID: "p1", Amount: 1, From: ext, To: pool}, storage.ErrInvalidArgument},
		{"resolving transfer with another asset", Transfer{ID: "t", PendingID: "p1", Amount: 1, Asset: SMSCredits}, storage.ErrInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := fixture(t)
			before := l.Clone()
			err := l.Apply(tc.tr)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Apply = %v, want %v", err, tc.want)
			}
			if !reflect.DeepEqual(l, before) {
				t.Errorf("a failed Apply changed the ledger")
			}
		})
	}
}

func TestExternalMayGoNegative(t *testing.T) {
	var l Ledger
	if err := l.Apply(Transfer{ID: "buy", Asset: Licences, From: ext, To: pool, Amount: MaxAmount}); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(ext).Available(); got != -MaxAmount {
		t.Errorf("external available = %d, want %d", got, -MaxAmount)
	}
}

func TestOverdraftToExactlyZeroIsAllowed(t *testing.T) {
	l := fixture(t)
	if err := l.Apply(Transfer{ID: "t", Asset: Licences, From: pool, To: escrow, Amount: 7}); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(pool).Available(); got != 0 {
		t.Errorf("pool available = %d, want 0", got)
	}
}

func TestRetriedIdenticalTransferIsIdempotent(t *testing.T) {
	for _, tr := range []Transfer{
		{ID: "buy", Asset: Licences, From: ext, To: pool, Amount: 10},
		Void("v2", "p2"),
		{ID: "v2", PendingID: "p2", Void: true, Amount: 2, Asset: Licences, From: pool, To: escrow},
	} {
		l := fixture(t)
		before := l.Clone()
		if err := l.Apply(tr); err != nil {
			t.Fatalf("retry of %s: %v", tr.ID, err)
		}
		if !reflect.DeepEqual(l, before) {
			t.Errorf("retry of %s changed the ledger", tr.ID)
		}
	}
}

// A post of part of a pending transfer moves that part and releases the
// rest; the pending transfer is then resolved.
func TestPartialPostReleasesTheRest(t *testing.T) {
	l := fixture(t)
	if err := l.Apply(Post("post1", "p1", 2)); err != nil {
		t.Fatal(err)
	}
	if got, want := l.Balance(pool), (Balance{DebitsPosted: 2, CreditsPosted: 10}); got != want {
		t.Errorf("pool = %+v, want %+v", got, want)
	}
	if got, want := l.Balance(escrow), (Balance{CreditsPosted: 2}); got != want {
		t.Errorf("escrow = %+v, want %+v", got, want)
	}
	if l.IsOpen("p1") {
		t.Error("p1 is still open after its post")
	}
	if err := l.Apply(Void("void1", "p1")); !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("void after post = %v, want ErrFailedPrecondition", err)
	}
	rec, _ := l.Transfer("post1")
	if rec.From != pool || rec.To != escrow || rec.Asset != Licences {
		t.Errorf("recorded post = %+v, want the pending transfer's accounts and asset", rec)
	}
}

// A balance near the int64 range refuses a transfer that would pass it,
// rather than wrapping around.
func TestBalanceOverflowIsRefused(t *testing.T) {
	l := fixture(t)
	l.balances[pool] = Balance{CreditsPosted: math.MaxInt64 - 1}
	before := l.Clone()
	err := l.Apply(Transfer{ID: "t", Asset: Licences, From: ext, To: pool, Amount: 2})
	if !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Fatalf("Apply = %v, want ErrFailedPrecondition", err)
	}
	if !reflect.DeepEqual(l, before) {
		t.Error("a failed Apply changed the ledger")
	}
}

func TestParseAssetAndKindRoundTrip(t *testing.T) {
	for _, a := range []Asset{Licences, SMSCredits} {
		if got, err := ParseAsset(a.String()); err != nil || got != a {
			t.Errorf("ParseAsset(%q) = %v, %v", a, got, err)
		}
	}
	for k := External; k <= Consumed; k++ {
		if got, err := ParseAccountKind(k.String()); err != nil || got != k {
			t.Errorf("ParseAccountKind(%q) = %v, %v", k, got, err)
		}
	}
	for _, s := range []string{"", "Licences", "Asset(0)", "gold"} {
		if _, err := ParseAsset(s); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("ParseAsset(%q) = %v, want ErrInvalidArgument", s, err)
		}
	}
	if _, err := ParseAccountKind("vault"); !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("ParseAccountKind(vault) = %v, want ErrInvalidArgument", err)
	}
}

// The invariant checks catch what they are meant to catch.
func TestChecksReportBrokenBalances(t *testing.T) {
	balances := func(m map[LedgerAccount]Balance) *Ledger { return &Ledger{balances: m} }
	unbalanced := balances(map[LedgerAccount]Balance{ext: {DebitsPosted: 5}, pool: {CreditsPosted: 4}})
	if err := CheckConservation(unbalanced.Balances()); err == nil {
		t.Error("CheckConservation accepted posted debits 5, credits 4")
	}
	pendingOff := balances(map[LedgerAccount]Balance{pool: {DebitsPending: 1, CreditsPosted: 1}, escrow: {}, ext: {DebitsPosted: 1}})
	if err := CheckConservation(pendingOff.Balances()); err == nil {
		t.Error("CheckConservation accepted pending debits 1, credits 0")
	}
	overdrawn := balances(map[LedgerAccount]Balance{ext: {CreditsPosted: 1}, pool: {DebitsPosted: 1}})
	if err := CheckNoNegative(overdrawn.Balances()); err == nil {
		t.Error("CheckNoNegative accepted a pool at -1")
	}
	if err := CheckNoNegative(balances(map[LedgerAccount]Balance{ext: {DebitsPosted: 1}, pool: {CreditsPosted: 1}}).Balances()); err != nil {
		t.Errorf("CheckNoNegative refused an External account below zero: %v", err)
	}
	l := fixture(t)
	if err := CheckConservation(l.Balances()); err != nil {
		t.Error(err)
	}
}
