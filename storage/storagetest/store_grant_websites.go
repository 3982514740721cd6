package storagetest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeGrantWebsites checks a grant's website limit through the store: it
// round-trips through Grant, GrantsOfUser and AllGrants (sorted, nil when
// empty), is replaced by PutGrant and goes with DeleteGrant, and the store
// keeps copies of it both ways. WebsiteAccount finds a website's account.
func storeGrantWebsites(t *testing.T, db storeDB) {
	db.seedStructure(structureBase())
	limited := sf.grant("user-2", "acc-1", "org-1", access.Marketer)
	limited.Websites = []org.WebsiteID{"web-1", "web-2"}
	in := slices.Clone(limited.Websites)
	g := limited
	g.Websites = in
	db.update(func(st orgspace.Store) error {
		err := st.PutGrant(g)
		in[0] = "web-x" // the store must have kept a copy
		return err
	})
	read := func(user org.UserID) (one access.Grant, ofUser []access.Grant, all []access.Grant) {
		t.Helper()
		db.view(func(st orgspace.Store) (err error) {
			if one, err = st.Grant(user, "acc-1"); err != nil {
				return err
			}
			if ofUser, err = st.GrantsOfUser(user); err != nil {
				return err
			}
			return st.AllGrants(func(g access.Grant) error {
				if g.User == user {
					all = append(all, g)
				}
				return nil
			})
		})
		return one, ofUser, all
	}
	one, ofUser, all := read("user-2")
	for what, got := range map[string][]access.Grant{"Grant": {one}, "GrantsOfUser": ofUser, "AllGrants": all} {
		if diff := storeDiff([]access.Grant{limited}, got); diff != "" {
			t.Errorf("%s of a limited grant (-want +got):\n%s", what, diff)
		}
	}
	one.Websites[0], ofUser[0].Websites[0], all[0].Websites[0] = "web-x", "web-x", "web-x"
	if again, _, _ := read("user-2"); !slices.Equal(again.Websites, limited.Websites) {
		t.Errorf("after changing returned websites, the store holds %v, want %v", again.Websites, limited.Websites)
	}
	// An unlimited grant reads with nil websites.
	if one, ofUser, all := read("user-1"); one.Websites != nil || ofUser[0].Websites != nil || all[0].Websites != nil {
		t.Errorf("an unlimited grant reads with websites %v, %v, %v; want nil", one.Websites, ofUser[0].Websites, all[0].Websites)
	}

	// PutGrant replaces the limit, and without websites removes it.
	limited.Websites = []org.WebsiteID{"web-2"}
	db.update(func(st orgspace.Store) error { return st.PutGrant(limited) })
	if one, _, _ := read("user-2"); !slices.Equal(one.Websites, limited.Websites) {
		t.Errorf("after replacing the limit: websites %v, want %v", one.Websites, limited.Websites)
	}
	limited.Websites = nil
	db.update(func(st orgspace.Store) error { return st.PutGrant(limited) })
	if one, _, _ := read("user-2"); one.Websites != nil {
		t.Errorf("after lifting the limit: websites %v, want nil", one.Websites)
	}

	// DeleteGrant takes the limit with it: a new grant starts unlimited.
	limited.Websites = []org.WebsiteID{"web-1"}
	db.update(func(st orgspace.Store) error {
		return cmp.Or(st.PutGrant(limited), st.DeleteGrant("user-2", "acc-1"))
	})
	limited.Websites = nil
	db.update(func(st orgspace.Store) error { return st.PutGrant(limited) })
	if one, _, _ := read("user-2"); one.Websites != nil {
		t.Errorf("a grant put after deleting a limited one has websites %v", one.Websites)
	}

	db.view(func(st orgspace.Store) error {
		if a, err := st.WebsiteAccount("web-3"); err != nil || a != "acc-3" {
			t.Errorf("WebsiteAccount(web-3) = %q, %v; want acc-3", a, err)
		}
		if _, err := st.WebsiteAccount("web-9"); !storage.IsNotFound(err) {
			t.Errorf("WebsiteAccount of an unknown website: %v, want ErrNotFound", err)
		}
		return nil
	})
}
