package synthetic_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
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

func TestQueriesMatchTheIndex(t *testing.T) {
	d, err := synthetic.Generate(small())
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
	for _, mix := range []synthetic.Mix{synthetic.Realistic(), {synthetic.ExpiringGrantAllows: 1}} {
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
