package storagetest

import (
	"encoding/hex"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeCopiesIn checks that the store keeps copies of what it is given: a
// TokenHash changed by the caller after InsertInvitation or
// UpdateInvitation does not change the store.
func storeCopiesIn(t *testing.T, db storeDB) {
	db.seed(storeSeed{Orgs: []org.Organisation{sf.org("org-1")}})
	inv := sf.invitation("inv-1", "org-1")
	db.update(func(st orgspace.Store) error {
		err := st.InsertInvitation(inv)
		inv.TokenHash[0] ^= 0xff
		return err
	})
	inv.TokenHash = sf.hash("inv-1")
	want := inv
	p := storeProbe{Orgs: []string{"org-1"}, Invitations: []string{"inv-1"}, Hashes: [][]byte{sf.hash("inv-1"), sf.hash("inv-1 resent")}}
	before := db.snapshot(p)
	if got := before.Invitations["inv-1"]; !got.Found || storeDiff(want, got.Value) != "" {
		t.Fatalf("after changing the inserted TokenHash: invitation %+v, want %+v", got, want)
	}

	inv.TokenHash, inv.Sent = sf.hash("inv-1 resent"), 2
	db.update(func(st orgspace.Store) error {
		err := st.UpdateInvitation(inv)
		inv.TokenHash[0] ^= 0xff
		return err
	})
	inv.TokenHash = sf.hash("inv-1 resent")
	after := db.snapshot(p)
	if got := after.Invitations["inv-1"]; !got.Found || storeDiff(inv, got.Value) != "" {
		t.Fatalf("after changing the updated TokenHash: invitation %+v, want %+v", got, inv)
	}
	if got := after.InvitationByToken[hex.EncodeToString(sf.hash("inv-1 resent"))]; !got.Found {
		t.Fatalf("after changing the updated TokenHash: InvitationByToken finds nothing")
	}
}

// storeCopiesOut scribbles on everything the store returns: on the values,
// on their TokenHash bytes and past the end of returned slices. The store
// must not change.
func storeCopiesOut(t *testing.T, db storeDB) {
	s := storeBase()
	s.Invitations = append(s.Invitations, sf.invitation("inv-2", "org-1"))
	s.Memberships = append(s.Memberships, sf.membership("org-2", "user-1", org.Member))
	s.Grants = append(s.Grants, sf.grant("user-1", "acc-2", "org-1", access.Editor))
	s.Roles = append(s.Roles, sf.role("role-2", "org-1"))
	s.Entries = append(s.Entries, sf.entry("test.copies.second", "org-1"))
	db.seed(s)
	p := storeBaseProbe()
	p.Invitations = append(p.Invitations, "inv-2")
	p.Hashes = append(p.Hashes, sf.hash("inv-2"))
	before := db.snapshot(p)

	const x = "scribbled"
	scribble := func(inv *access.Invitation) {
		inv.Email = x
		for i := range inv.TokenHash {
			inv.TokenHash[i] = 0
		}
	}
	db.view(func(st orgspace.Store) error {
		inv, err := st.Invitation("inv-1")
		if err != nil {
			return err
		}
		scribble(&inv)
		if inv, err = st.InvitationByToken(sf.hash("inv-2")); err != nil {
			return err
		}
		scribble(&inv)
		invs, err := st.ListInvitations("org-1", "", 1000)
		if err != nil {
			return err
		}
		for i := range invs {
			scribble(&invs[i])
		}
		_ = append(invs, access.Invitation{ID: x})

		orgs, err := st.ListOrganisations("", 1000)
		if err != nil {
			return err
		}
		orgs[0].Name = x
		_ = append(orgs, org.Organisation{ID: x})
		accounts, err := st.ListAccounts("org-1", "", 1000)
		if err != nil {
			return err
		}
		accounts[0].Name = x
		_ = append(accounts, org.Account{ID: x})
		ms, err := st.MembershipsOfUser("user-1")
		if err != nil {
			return err
		}
		ms[0].Role = org.NoRole
		_ = append(ms, org.Membership{Org: x})
		gs, err := st.GrantsOfUser("user-1")
		if err != nil {
			return err
		}
		gs[0].GrantedBy = x
		_ = append(gs, access.Grant{Account: x})
		roles, err := st.RolesOfOrg("org-1")
		if err != nil {
			return err
		}
		roles[0].Name = x
		_ = append(roles, access.Role{ID: x})
		entries, err := st.Entries(storage.LogQuery{Limit: 1000})
		if err != nil {
			return err
		}
		entries[0].Action = x
		_ = append(entries, storage.Entry{Action: x})
		if entries, err = st.Entries(storage.LogQuery{Org: "org-1", Limit: 1000}); err != nil {
			return err
		}
		entries[0].Action = x
		_ = append(entries, storage.Entry{Action: x})
		return nil
	})
	db.requireUnchanged(t, p, before)
}

// storeReadYourWrites checks that reads inside an Update see the writes it
// made before them, and that they are kept when it commits.
func storeReadYourWrites(t *testing.T, db storeDB) {
	db.seed(storeBase())
	inv := sf.invitation("inv-9", "org-9")
	check := func(st orgspace.Store, when string) {
		t.Helper()
		expect := func(what string, want, got any, err error) {
			t.Helper()
			if err != nil {
				t.Errorf("%s: %s: %v", when, what, err)
			} else if diff := storeDiff(want, got); diff != "" {
				t.Errorf("%s: %s (-want +got):\n%s", when, what, diff)
			}
		}
		o, err := st.Organisation("org-9")
		expect("Organisation", sf.org("org-9"), o, err)
		orgs, err := st.ListOrganisations("org-2", 10)
		expect("ListOrganisations", []org.Organisation{sf.org("org-9")}, orgs, err)
		accounts, err := st.ListAccounts("org-9", "", 10)
		expect("ListAccounts", []org.Account{sf.account("acc-9", "org-9")}, accounts, err)
		u, err := st.UserByEmail(sf.user("user-9").Email)
		expect("UserByEmail", sf.user("user-9"), u, err)
		op, err := st.Operator("op-9")
		expect("Operator", sf.operator("op-9"), op, err)
		ms, err := st.MembershipsOfUser("user-9")
		expect("MembershipsOfUser", []org.Membership{sf.membership("org-9", "user-9", org.Owner)}, ms, err)
		n, err := st.CountMembers("org-9", org.Owner)
		expect("CountMembers", 1, n, err)
		roles, err := st.RolesOfOrg("org-9")
		expect("RolesOfOrg", []access.Role{sf.role("role-9", "org-9")}, roles, err)
		gs, err := st.GrantsOfUser("user-9")
		expect("GrantsOfUser", []access.Grant{sf.grant("user-9", "acc-9", "org-9", "role-9")}, gs, err)
		n, err = st.CountGrantsWithRole("role-9")
		expect("CountGrantsWithRole", 1, n, err)
		got, err := st.InvitationByToken(sf.hash("inv-9"))
		expect("InvitationByToken", inv, got, err)
		invs, err := st.ListInvitations("org-9", "", 10)
		expect("ListInvitations", []access.Invitation{inv}, invs, err)
		fav, err := st.Favourite("user-9")
		expect("Favourite", org.AccountID("acc-9"), fav, err)
	}
	db.update(func(st orgspace.Store) error {
		err := storeSeed{
			Orgs:        []org.Organisation{sf.org("org-9")},
			Accounts:    []org.Account{sf.account("acc-9", "org-9")},
			Users:       []org.User{sf.user("user-9")},
			Operators:   []org.Operator{sf.operator("op-9")},
			Memberships: []org.Membership{sf.membership("org-9", "user-9", org.Owner)},
			Roles:       []access.Role{sf.role("role-9", "org-9")},
			Grants:      []access.Grant{sf.grant("user-9", "acc-9", "org-9", "role-9")},
			Invitations: []access.Invitation{inv},
			Favourites:  map[org.UserID]org.AccountID{"user-9": "acc-9"},
			Entries:     []storage.Entry{sf.entry("test.ryw", "org-9")},
		}.write(st)
		if err != nil {
			return err
		}
		check(st, "inside the Update")
		return nil
	})
	db.view(func(st orgspace.Store) error {
		check(st, "after the Update")
		return nil
	})
}
