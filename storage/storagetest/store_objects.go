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

// storeBase is a small state most object tests start from: two
// organisations with accounts, users, an operator, a membership, a custom
// role, a grant and an invitation.
func storeBase() storeSeed {
	return storeSeed{
		Orgs:        []org.Organisation{sf.org("org-1"), sf.org("org-2")},
		Accounts:    []org.Account{sf.account("acc-1", "org-1"), sf.account("acc-2", "org-1"), sf.account("acc-3", "org-2")},
		Users:       []org.User{sf.user("user-1"), sf.user("user-2"), sf.user("user-3")},
		Operators:   []org.Operator{sf.operator("op-1")},
		Memberships: []org.Membership{sf.membership("org-1", "user-1", org.Owner)},
		Roles:       []access.Role{sf.role("role-1", "org-1")},
		Grants:      []access.Grant{sf.grant("user-1", "acc-1", "org-1", "role-1")},
		Invitations: []access.Invitation{sf.invitation("inv-1", "org-1")},
		Entries:     []storage.Entry{sf.entry("test.base.seed", "org-1")},
	}
}

// storeBaseProbe names the keys of storeBase and a few absent ones.
func storeBaseProbe() storeProbe {
	return storeProbe{
		Orgs:        []string{"org-1", "org-2", "org-x"},
		Users:       []string{"user-1", "user-2", "user-3", "user-x"},
		Operators:   []string{"op-1", "op-x"},
		Roles:       []string{"role-1", "role-x"},
		Invitations: []string{"inv-1", "inv-x"},
		Hashes:      [][]byte{sf.hash("inv-1"), sf.hash("inv-x")},
	}
}

// storeRoundTrip writes each kind of object, reads it back in another
// transaction, changes it, reads it again and, where the Store can, deletes
// it and finds it gone.
func storeRoundTrip(t *testing.T, db storeDB) {
	db.seed(storeBase())
	changedAccount := sf.account("acc-rt", "org-1")
	changedAccount.Name, changedAccount.Product = "Renamed", org.Loyalty
	changedAccount.Login = org.LoginPolicy{Method: org.Password}
	changedRole := sf.role("role-rt", "org-1")
	changedRole.Name, changedRole.Permissions = "Renamed", access.PermissionsOf(access.ViewAccount)
	changedGrant := sf.grant("user-2", "acc-2", "org-1", access.Observer)
	changedGrant.ExpiresAt, changedGrant.GrantedBy = time.Time{}, "user:user-1"
	changedInv := sf.invitation("inv-rt", "org-1")
	changedInv.Account, changedInv.Role, changedInv.OrgRole = "acc-1", access.Editor, org.NoRole
	changedInv.Status, changedInv.AnsweredAt, changedInv.User, changedInv.Sent = access.Accepted, storeT0.Add(time.Hour), "user-2", 3

	cases := []struct {
		name    string
		insert  func(st orgspace.Store) error
		get     func(st orgspace.Store) (any, error)
		want    any
		change  func(st orgspace.Store) error // nil: the Store cannot change it
		changed any
		remove  func(st orgspace.Store) error // nil: the Store cannot delete it
	}{{
		name:   "Organisation",
		insert: func(st orgspace.Store) error { return st.InsertOrganisation(sf.org("org-rt")) },
		get:    func(st orgspace.Store) (any, error) { return st.Organisation("org-rt") },
		want:   sf.org("org-rt"),
		change: func(st orgspace.Store) error {
			return st.UpdateOrganisation(org.Organisation{ID: "org-rt", Name: "Renamed", Settings: org.Settings{TimeZone: "UTC", Locale: "en"}, CreatedAt: storeT0})
		},
		changed: org.Organisation{ID: "org-rt", Name: "Renamed", Settings: org.Settings{TimeZone: "UTC", Locale: "en"}, CreatedAt: storeT0},
	}, {
		name:    "Account",
		insert:  func(st orgspace.Store) error { return st.InsertAccount(sf.account("acc-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Account("acc-rt") },
		want:    sf.account("acc-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.UpdateAccount(changedAccount) },
		changed: changedAccount,
	}, {
		name:   "User",
		insert: func(st orgspace.Store) error { return st.InsertUser(sf.user("user-rt")) },
		get:    func(st orgspace.Store) (any, error) { return st.User("user-rt") },
		want:   sf.user("user-rt"),
	}, {
		name:   "UserByEmail",
		insert: func(st orgspace.Store) error { return st.InsertUser(sf.user("user-rt-email")) },
		get:    func(st orgspace.Store) (any, error) { return st.UserByEmail(sf.user("user-rt-email").Email) },
		want:   sf.user("user-rt-email"),
	}, {
		name:   "Operator",
		insert: func(st orgspace.Store) error { return st.InsertOperator(sf.operator("op-rt")) },
		get:    func(st orgspace.Store) (any, error) { return st.Operator("op-rt") },
		want:   sf.operator("op-rt"),
	}, {
		name:    "Membership",
		insert:  func(st orgspace.Store) error { return st.PutMembership(sf.membership("org-2", "user-2", org.Member)) },
		get:     func(st orgspace.Store) (any, error) { return st.Membership("org-2", "user-2") },
		want:    sf.membership("org-2", "user-2", org.Member),
		change:  func(st orgspace.Store) error { return st.PutMembership(sf.membership("org-2", "user-2", org.Owner)) },
		changed: sf.membership("org-2", "user-2", org.Owner),
		remove:  func(st orgspace.Store) error { return st.DeleteMembership("org-2", "user-2") },
	}, {
		name:    "Grant",
		insert:  func(st orgspace.Store) error { return st.PutGrant(sf.grant("user-2", "acc-2", "org-1", access.Editor)) },
		get:     func(st orgspace.Store) (any, error) { return st.Grant("user-2", "acc-2") },
		want:    sf.grant("user-2", "acc-2", "org-1", access.Editor),
		change:  func(st orgspace.Store) error { return st.PutGrant(changedGrant) },
		changed: changedGrant,
		remove:  func(st orgspace.Store) error { return st.DeleteGrant("user-2", "acc-2") },
	}, {
		name:    "Role",
		insert:  func(st orgspace.Store) error { return st.InsertRole(sf.role("role-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Role("role-rt") },
		want:    sf.role("role-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.UpdateRole(changedRole) },
		changed: changedRole,
		remove:  func(st orgspace.Store) error { return st.DeleteRole("role-rt") },
	}, {
		name:    "Invitation",
		insert:  func(st orgspace.Store) error { return st.InsertInvitation(sf.invitation("inv-rt", "org-1")) },
		get:     func(st orgspace.Store) (any, error) { return st.Invitation("inv-rt") },
		want:    sf.invitation("inv-rt", "org-1"),
		change:  func(st orgspace.Store) error { return st.UpdateInvitation(changedInv) },
		changed: changedInv,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			db.update(tc.insert)
			db.readBack(tc.get, tc.want)
			if tc.change != nil {
				db.update(tc.change)
				db.readBack(tc.get, tc.changed)
			}
			if tc.remove != nil {
				db.update(tc.remove)
				db.view(func(st orgspace.Store) error {
					if _, err := tc.get(st); !errors.Is(err, storage.ErrNotFound) {
						t.Errorf("get after delete: error %v, want ErrNotFound", err)
					}
					return nil
				})
			}
		})
	}
}

// storeDuplicates inserts objects whose identity is taken: each insert
// fails with ErrAlreadyExists and changes nothing.
func storeDuplicates(t *testing.T, db storeDB) {
	db.seed(storeBase())
	p := storeBaseProbe()
	p.Users = append(p.Users, "user-9")
	before := db.snapshot(p)
	otherOrg := sf.org("org-1")
	otherOrg.Name = "Impostor"
	otherAccount := sf.account("acc-1", "org-2")
	otherUser := sf.user("user-1")
	otherUser.Email = "someone-else@example.com"
	sameEmail := sf.user("user-9")
	sameEmail.Email = sf.user("user-1").Email
	otherOperator := sf.operator("op-1")
	otherOperator.Name = "Impostor"
	otherRole := sf.role("role-1", "org-2")
	otherInv := sf.invitation("inv-1", "org-2")
	otherInv.TokenHash = sf.hash("another token")

	cases := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"OrganisationID", func(st orgspace.Store) error { return st.InsertOrganisation(otherOrg) }},
		{"AccountID", func(st orgspace.Store) error { return st.InsertAccount(otherAccount) }},
		{"UserID", func(st orgspace.Store) error { return st.InsertUser(otherUser) }},
		{"UserEmail", func(st orgspace.Store) error { return st.InsertUser(sameEmail) }},
		{"OperatorID", func(st orgspace.Store) error { return st.InsertOperator(otherOperator) }},
		{"RoleID", func(st orgspace.Store) error { return st.InsertRole(otherRole) }},
		{"InvitationID", func(st orgspace.Store) error { return st.InsertInvitation(otherInv) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrAlreadyExists) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrAlreadyExists", rev, err)
			}
			db.requireUnchanged(t, p, before)
		})
	}
}

// storeNotFound looks up, changes and deletes absent objects: each fails
// with ErrNotFound, and the failed writes change nothing.
func storeNotFound(t *testing.T, db storeDB) {
	db.seed(storeBase())
	p := storeBaseProbe()
	before := db.snapshot(p)
	ignore := func(_ any, err error) error { return err }
	reads := []struct {
		name string
		read func(st orgspace.Store) error
	}{
		{"Organisation", func(st orgspace.Store) error { return ignore(st.Organisation("org-x")) }},
		{"Account", func(st orgspace.Store) error { return ignore(st.Account("acc-x")) }},
		{"User", func(st orgspace.Store) error { return ignore(st.User("user-x")) }},
		{"UserByEmail", func(st orgspace.Store) error { return ignore(st.UserByEmail("nobody@example.com")) }},
		{"Operator", func(st orgspace.Store) error { return ignore(st.Operator("op-x")) }},
		{"MembershipOfOtherUser", func(st orgspace.Store) error { return ignore(st.Membership("org-1", "user-2")) }},
		{"MembershipInOtherOrg", func(st orgspace.Store) error { return ignore(st.Membership("org-2", "user-1")) }},
		{"GrantOnOtherAccount", func(st orgspace.Store) error { return ignore(st.Grant("user-1", "acc-2")) }},
		{"GrantOfOtherUser", func(st orgspace.Store) error { return ignore(st.Grant("user-2", "acc-1")) }},
		{"Role", func(st orgspace.Store) error { return ignore(st.Role("role-x")) }},
		{"Invitation", func(st orgspace.Store) error { return ignore(st.Invitation("inv-x")) }},
		{"InvitationByToken", func(st orgspace.Store) error { return ignore(st.InvitationByToken(sf.hash("inv-x"))) }},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			err := db.tx.View(t.Context(), storage.Latest(), tc.read)
			if !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("error %v, want ErrNotFound", err)
			}
		})
	}
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"UpdateOrganisation", func(st orgspace.Store) error { return st.UpdateOrganisation(sf.org("org-x")) }},
		{"UpdateAccount", func(st orgspace.Store) error { return st.UpdateAccount(sf.account("acc-x", "org-1")) }},
		{"UpdateRole", func(st orgspace.Store) error { return st.UpdateRole(sf.role("role-x", "org-1")) }},
		{"UpdateInvitation", func(st orgspace.Store) error { return st.UpdateInvitation(sf.invitation("inv-x", "org-1")) }},
		{"DeleteRole", func(st orgspace.Store) error { return st.DeleteRole("role-x") }},
		{"DeleteGrantOnOtherAccount", func(st orgspace.Store) error { return st.DeleteGrant("user-1", "acc-2") }},
		{"DeleteGrantOfOtherUser", func(st orgspace.Store) error { return st.DeleteGrant("user-2", "acc-1") }},
		{"DeleteMembershipOfOtherUser", func(st orgspace.Store) error { return st.DeleteMembership("org-1", "user-2") }},
		{"DeleteMembershipInOtherOrg", func(st orgspace.Store) error { return st.DeleteMembership("org-2", "user-1") }},
	}
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrNotFound) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrNotFound", rev, err)
			}
			db.requireUnchanged(t, p, before)
		})
	}
}

// readBack reads one object with get and fails the test unless it equals
// want.
func (db storeDB) readBack(get func(orgspace.Store) (any, error), want any) {
	db.t.Helper()
	db.view(func(st orgspace.Store) error {
		got, err := get(st)
		if err != nil {
			db.t.Fatalf("get: %v", err)
		}
		if diff := storeDiff(want, got); diff != "" {
			db.t.Errorf("read back (-want +got):\n%s", diff)
		}
		return nil
	})
}
