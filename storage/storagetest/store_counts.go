package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeCountMembers follows CountMembers through inserts, role changes,
// re-puts of the same role and deletes.
func storeCountMembers(t *testing.T, db storeDB) {
	db.seed(storeSeed{
		Orgs:  []org.Organisation{sf.org("org-1"), sf.org("org-2")},
		Users: []org.User{sf.user("user-1"), sf.user("user-2"), sf.user("user-3")},
	})
	type counts struct{ Owners1, Members1, Owners2, Members2, OwnersX int }
	check := func(step string, want counts) {
		t.Helper()
		var got counts
		db.view(func(st orgspace.Store) error {
			for _, c := range []struct {
				n    *int
				o    org.OrganisationID
				role org.Role
			}{
				{&got.Owners1, "org-1", org.Owner}, {&got.Members1, "org-1", org.Member},
				{&got.Owners2, "org-2", org.Owner}, {&got.Members2, "org-2", org.Member},
				{&got.OwnersX, "org-x", org.Owner},
			} {
				var err error
				if *c.n, err = st.CountMembers(c.o, c.role); err != nil {
					return err
				}
			}
			return nil
		})
		if diff := storeDiff(want, got); diff != "" {
			t.Errorf("after %s: counts (-want +got):\n%s", step, diff)
		}
	}
	put := func(m org.Membership) func(st orgspace.Store) error {
		return func(st orgspace.Store) error { return st.PutMembership(m) }
	}
	check("nothing", counts{})
	db.update(func(st orgspace.Store) error {
		return errors.Join(
			st.PutMembership(sf.membership("org-1", "user-1", org.Owner)),
			st.PutMembership(sf.membership("org-1", "user-2", org.Owner)),
			st.PutMembership(sf.membership("org-1", "user-3", org.Member)),
			st.PutMembership(sf.membership("org-2", "user-1", org.Member)))
	})
	check("inserts", counts{Owners1: 2, Members1: 1, Members2: 1})
	db.update(put(sf.membership("org-1", "user-2", org.Member)))
	check("a role change", counts{Owners1: 1, Members1: 2, Members2: 1})
	db.update(put(sf.membership("org-1", "user-2", org.Member)))
	check("putting the same role again", counts{Owners1: 1, Members1: 2, Members2: 1})
	db.update(func(st orgspace.Store) error { return st.DeleteMembership("org-1", "user-3") })
	check("a delete", counts{Owners1: 1, Members1: 1, Members2: 1})
	db.update(put(sf.membership("org-2", "user-1", org.Owner)))
	check("a promotion in the other organisation", counts{Owners1: 1, Members1: 1, Owners2: 1})
}

// storeCountGrantsWithRole follows CountGrantsWithRole through inserts,
// role changes, re-puts of the same role and deletes.
func storeCountGrantsWithRole(t *testing.T, db storeDB) {
	db.seed(storeSeed{
		Orgs:     []org.Organisation{sf.org("org-1")},
		Accounts: []org.Account{sf.account("acc-1", "org-1"), sf.account("acc-2", "org-1")},
		Users:    []org.User{sf.user("user-1"), sf.user("user-2")},
		Roles:    []access.Role{sf.role("role-1", "org-1"), sf.role("role-2", "org-1")},
	})
	type counts struct{ Role1, Role2, Editor, Observer int }
	check := func(step string, want counts) {
		t.Helper()
		var got counts
		db.view(func(st orgspace.Store) error {
			for _, c := range []struct {
				n    *int
				role access.RoleID
			}{{&got.Role1, "role-1"}, {&got.Role2, "role-2"}, {&got.Editor, access.Editor}, {&got.Observer, access.Observer}} {
				var err error
				if *c.n, err = st.CountGrantsWithRole(c.role); err != nil {
					return err
				}
			}
			return nil
		})
		if diff := storeDiff(want, got); diff != "" {
			t.Errorf("after %s: counts (-want +got):\n%s", step, diff)
		}
	}
	put := func(g access.Grant) func(st orgspace.Store) error {
		return func(st orgspace.Store) error { return st.PutGrant(g) }
	}
	check("nothing", counts{})
	db.update(func(st orgspace.Store) error {
		return errors.Join(
			st.PutGrant(sf.grant("user-1", "acc-1", "org-1", "role-1")),
			st.PutGrant(sf.grant("user-2", "acc-1", "org-1", "role-1")),
			st.PutGrant(sf.grant("user-1", "acc-2", "org-1", access.Editor)))
	})
	check("inserts", counts{Role1: 2, Editor: 1})
	db.update(put(sf.grant("user-2", "acc-1", "org-1", access.Editor)))
	check("a role change", counts{Role1: 1, Editor: 2})
	db.update(put(sf.grant("user-1", "acc-2", "org-1", access.Editor)))
	check("putting the same role again", counts{Role1: 1, Editor: 2})
	db.update(func(st orgspace.Store) error { return st.DeleteGrant("user-1", "acc-1") })
	check("a delete", counts{Editor: 2})
	db.update(put(sf.grant("user-2", "acc-2", "org-1", "role-2")))
	check("a new grant", counts{Role2: 1, Editor: 2})
}

// storeFavourites sets, replaces and clears favourites.
func storeFavourites(t *testing.T, db storeDB) {
	db.seed(storeSeed{
		Orgs:     []org.Organisation{sf.org("org-1")},
		Accounts: []org.Account{sf.account("acc-1", "org-1"), sf.account("acc-2", "org-1")},
		Users:    []org.User{sf.user("user-1"), sf.user("user-2")},
	})
	check := func(step string, want map[org.UserID]org.AccountID) {
		t.Helper()
		db.view(func(st orgspace.Store) error {
			all := map[org.UserID]org.AccountID{}
			if err := st.AllFavourites(func(u org.UserID, a org.AccountID) error {
				if _, dup := all[u]; dup {
					t.Errorf("after %s: AllFavourites yields %s twice", step, u)
				}
				all[u] = a
				return nil
			}); err != nil {
				return err
			}
			if diff := storeDiff(want, all); diff != "" {
				t.Errorf("after %s: AllFavourites (-want +got):\n%s", step, diff)
			}
			for _, u := range []org.UserID{"user-1", "user-2", "user-x"} {
				got, err := st.Favourite(u)
				if err != nil {
					return err
				}
				if got != want[u] {
					t.Errorf("after %s: Favourite(%s) = %q, want %q", step, u, got, want[u])
				}
			}
			return nil
		})
	}
	set := func(u org.UserID, a org.AccountID) {
		t.Helper()
		db.update(func(st orgspace.Store) error { return st.SetFavourite(u, a) })
	}
	check("nothing", nil)
	set("user-1", "acc-1")
	set("user-2", "acc-1")
	check("setting", map[org.UserID]org.AccountID{"user-1": "acc-1", "user-2": "acc-1"})
	set("user-1", "acc-2")
	check("replacing", map[org.UserID]org.AccountID{"user-1": "acc-2", "user-2": "acc-1"})
	set("user-1", "")
	check("clearing", map[org.UserID]org.AccountID{"user-2": "acc-1"})
	set("user-1", "")
	check("clearing again", map[org.UserID]org.AccountID{"user-2": "acc-1"})
}

// storeInvitationByToken finds invitations by token hash, before and after
// their hash changes.
func storeInvitationByToken(t *testing.T, db storeDB) {
	db.seed(storeSeed{
		Orgs:        []org.Organisation{sf.org("org-1")},
		Invitations: []access.Invitation{sf.invitation("inv-1", "org-1"), sf.invitation("inv-2", "org-1")},
	})
	find := func(step string, hash []byte, want access.InvitationID) {
		t.Helper()
		err := db.tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
			inv, err := st.InvitationByToken(hash)
			if err == nil && inv.ID != want {
				t.Errorf("after %s: InvitationByToken found %s, want %q", step, inv.ID, want)
			}
			return err
		})
		switch {
		case want == "" && !errors.Is(err, storage.ErrNotFound):
			t.Errorf("after %s: InvitationByToken: error %v, want ErrNotFound", step, err)
		case want != "" && err != nil:
			t.Errorf("after %s: InvitationByToken: %v", step, err)
		}
	}
	find("insert", sf.hash("inv-1"), "inv-1")
	find("insert", sf.hash("inv-2"), "inv-2")
	find("insert", sf.hash("inv-3"), "")

	resent := sf.invitation("inv-1", "org-1")
	resent.TokenHash, resent.Sent = sf.hash("inv-1 resent"), 2
	db.update(func(st orgspace.Store) error { return st.UpdateInvitation(resent) })
	find("a hash change", sf.hash("inv-1"), "")
	find("a hash change", sf.hash("inv-1 resent"), "inv-1")
	find("a hash change", sf.hash("inv-2"), "inv-2")

	resent.Status, resent.AnsweredAt = access.Declined, storeT0.Add(time.Hour)
	db.update(func(st orgspace.Store) error { return st.UpdateInvitation(resent) })
	find("an update that keeps the hash", sf.hash("inv-1 resent"), "inv-1")
	db.view(func(st orgspace.Store) error {
		got, err := st.InvitationByToken(sf.hash("inv-1 resent"))
		if diff := storeDiff(resent, got); err == nil && diff != "" {
			t.Errorf("InvitationByToken (-want +got):\n%s", diff)
		}
		return err
	})
}

// storeAllStopsAtError checks that every AllX method stops at the first
// error its function returns and returns that error.
func storeAllStopsAtError(t *testing.T, db storeDB) {
	s := storeBase()
	s.Accounts = append(s.Accounts, sf.account("acc-4", "org-2"))
	s.Memberships = append(s.Memberships, sf.membership("org-2", "user-2", org.Member), sf.membership("org-2", "user-3", org.Owner))
	s.Roles = append(s.Roles, sf.role("role-2", "org-1"), sf.role("role-3", "org-2"))
	s.Grants = append(s.Grants, sf.grant("user-2", "acc-1", "org-1", access.Editor), sf.grant("user-3", "acc-3", "org-2", access.Observer))
	s.Favourites = map[org.UserID]org.AccountID{"user-1": "acc-1", "user-2": "acc-2", "user-3": "acc-3"}
	db.seed(s)
	stop := errors.New("stop here")
	cases := []struct {
		name string
		all  func(st orgspace.Store, fn func() error) error
	}{
		{"AllAccounts", func(st orgspace.Store, fn func() error) error {
			return st.AllAccounts(func(org.Account) error { return fn() })
		}},
		{"AllMemberships", func(st orgspace.Store, fn func() error) error {
			return st.AllMemberships(func(org.Membership) error { return fn() })
		}},
		{"AllGrants", func(st orgspace.Store, fn func() error) error {
			return st.AllGrants(func(access.Grant) error { return fn() })
		}},
		{"AllRoles", func(st orgspace.Store, fn func() error) error {
			return st.AllRoles(func(access.Role) error { return fn() })
		}},
		{"AllFavourites", func(st orgspace.Store, fn func() error) error {
			return st.AllFavourites(func(org.UserID, org.AccountID) error { return fn() })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := db.tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
				return tc.all(st, func() error {
					calls++
					return stop
				})
			})
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("%d calls, error %v; want 1 call and the function's error", calls, err)
			}
		})
	}
}
