package synthetic_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// small is a set small enough for a unit test.
func small() synthetic.Config {
	c := synthetic.Default()
	c.Organisations, c.AccountsPerOrganisation, c.Users, c.Grants = 3, 50, 300, 800
	c.Batch = 250
	return c
}

func TestGenerateShapesTheSet(t *testing.T) {
	c := small()
	d, err := synthetic.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Organisations) != 3 || len(d.Accounts) != 150 || len(d.Users) != 300 || len(d.Grants) != 800 {
		t.Fatalf("got %d organisations, %d accounts, %d users, %d grants",
			len(d.Organisations), len(d.Accounts), len(d.Users), len(d.Grants))
	}
	if n := len(d.GrantsOf(3)); d.Users[3].ID != d.OneAccount || n != 1 {
		t.Errorf("OneAccount %s holds %d grants", d.OneAccount, n)
	}
	if n := len(d.GrantsOf(4)); d.Users[4].ID != d.HundredAccounts || n != 100 {
		t.Errorf("HundredAccounts %s holds %d grants", d.HundredAccounts, n)
	}
	seen := map[[2]string]bool{}
	for i := range d.Users {
		orgs := map[string]bool{}
		for _, g := range d.GrantsOf(i) {
			if g.User != d.Users[i].ID {
				t.Fatalf("grant %+v listed under user %s", g, d.Users[i].ID)
			}
			k := [2]string{string(g.User), string(g.Account)}
			if seen[k] {
				t.Fatalf("two grants of %v", k)
			}
			seen[k] = true
			orgs[string(g.Org)] = true
		}
		if len(orgs) > 3 {
			t.Errorf("user %s has grants in %d organisations", d.Users[i].ID, len(orgs))
		}
	}
	again, _ := synthetic.Generate(c)
	if !reflect.DeepEqual(d.Grants, again.Grants) {
		t.Error("two generations of one Config differ")
	}
	if _, err := synthetic.Generate(synthetic.Config{Organisations: 1}); err == nil {
		t.Error("Generate accepted a Config it cannot honour")
	}
}

// smallComparison is Comparison scaled down to a unit test.
func smallComparison() synthetic.Config {
	c := synthetic.Comparison()
	c.Organisations, c.AccountsPerOrganisation, c.Users, c.Grants = 3, 50, 300, 800
	return c
}

func TestQueriesMatchTheIndex(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		testQueriesMatchTheIndex(t, small(), synthetic.Mix{synthetic.ExpiringGrantAllows: 1})
	})
	t.Run("comparison", func(t *testing.T) {
		testQueriesMatchTheIndex(t, smallComparison(), synthetic.Mix{synthetic.OwnerAllows: 1})
	})
}

func testQueriesMatchTheIndex(t *testing.T, c synthetic.Config, extra synthetic.Mix) {
	d, err := synthetic.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	db := memstore.New()
	tx := storage.Narrow(db, func(t *memstore.Tx) access.Store { return t })
	ctx := context.Background()
	if err := d.Load(ctx, tx); err != nil {
		t.Fatal(err)
	}
	svc, err := access.NewService(ctx, tx, access.Config{})
	if err != nil {
		t.Fatal(err)
	}
	realistic := synthetic.Realistic()
	if c.ExpiredPercent == 0 {
		delete(realistic, synthetic.ExpiredDenies)
	}
	for _, mix := range []synthetic.Mix{realistic, extra} {
		qs, err := d.Queries(2000, 7, mix)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if got := svc.Check(q.User, q.Account, q.Permission); got != q.Allowed {
				t.Fatalf("Check(%s, %s, %s) = %v, want %v (%v)", q.User, q.Account, q.Permission, got, q.Allowed, q.Kind)
			}
		}
	}
	if n := len(svc.Current().AccountsOf(d.HundredAccounts)); n != 100 {
		t.Errorf("HundredAccounts can open %d accounts", n)
	}
	if n := len(svc.Current().AccountsOf(d.OneAccount)); n != 1 {
		t.Errorf("OneAccount can open %d accounts", n)
	}
}

// TestComparisonShapesTheSet holds the set of the peer comparison to its
// description: 1 to 3 Owners per organisation, 1% agency users with 50 to
// 100 grants across organisations, no time-bound grant.
func TestComparisonShapesTheSet(t *testing.T) {
	c := synthetic.Comparison()
	d, err := synthetic.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Organisations) != 10 || len(d.Accounts) != 1_000 || len(d.Users) != 100_000 || len(d.Grants) != 300_000 {
		t.Fatalf("got %d organisations, %d accounts, %d users, %d grants",
			len(d.Organisations), len(d.Accounts), len(d.Users), len(d.Grants))
	}
	owners := map[org.UserID]bool{}
	counts := map[int]int{}
	for i := range d.Organisations {
		os := d.Owners(i)
		counts[len(os)]++
		for _, u := range os {
			owners[u] = true
		}
	}
	if counts[1] == 0 || counts[2] == 0 || counts[3] == 0 || len(counts) != 3 {
		t.Errorf("organisations by number of Owners: %v, want 1, 2 and 3", counts)
	}
	if len(d.Memberships) != len(owners) {
		t.Errorf("%d memberships for %d Owners", len(d.Memberships), len(owners))
	}
	agency := map[org.UserID]bool{}
	for _, u := range d.Agencies {
		agency[u] = true
	}
	if want := (len(d.Users) - len(owners) - 2) / 100; len(agency) != want {
		t.Errorf("%d agency users, want %d", len(agency), want)
	}
	for i, u := range d.Users {
		gs := d.GrantsOf(i)
		orgs := map[org.OrganisationID]bool{}
		for _, g := range gs {
			orgs[g.Org] = true
			if !g.ExpiresAt.IsZero() {
				t.Fatalf("grant %+v is time-bound", g)
			}
		}
		switch {
		case owners[u.ID] && len(gs) != 0:
			t.Errorf("Owner %s holds %d grants", u.ID, len(gs))
		case agency[u.ID] && (len(gs) < synthetic.AgencyMinGrants || len(gs) > synthetic.AgencyMaxGrants || len(orgs) < 2):
			t.Errorf("agency user %s holds %d grants in %d organisations", u.ID, len(gs), len(orgs))
		case !agency[u.ID] && len(gs) > synthetic.AgencyMinGrants && u.ID != d.HundredAccounts:
			t.Errorf("user %s holds %d grants but is no agency user", u.ID, len(gs))
		}
	}
}
