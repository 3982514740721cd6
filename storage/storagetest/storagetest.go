package storagetest

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Run runs the conformance suite against the backend that open makes. open
// is called once per subtest and must return a fresh, empty backend; it may
// register cleanups on the t it is given. The state-machine test opens a
// backend for each of its cases; when the backend has a Close method, it
// is closed as its case ends (and may be closed again by a cleanup).
func Run[T orgspace.Store](t *testing.T, open func(t *testing.T) storage.Transactor[T]) {
	t.Helper()
	t.Run("store", func(t *testing.T) {
		for _, tc := range storeTests {
			t.Run(tc.name, func(t *testing.T) {
				db := storeDB{t: t, tx: storage.Narrow(open(t), func(x T) orgspace.Store { return x })}
				tc.run(t, db)
			})
		}
	})
	runServiceTests(t, open)
}

// storeTest is one store-level test; it gets a fresh backend.
type storeTest struct {
	name string
	run  func(t *testing.T, db storeDB)
}

// storeDB is the backend under test, seen through orgspace.Store.
type storeDB struct {
	t  *testing.T
	tx storage.Transactor[orgspace.Store]
}

// on returns db reporting to t; subtests call it first.
func (db storeDB) on(t *testing.T) storeDB {
	db.t = t
	return db
}

// update runs fn in an Update and fails the test on an error.
func (db storeDB) update(fn func(st orgspace.Store) error) storage.Revision {
	db.t.Helper()
	rev, err := db.tx.Update(db.t.Context(), fn)
	if err != nil {
		db.t.Fatalf("Update: %v", err)
	}
	return rev
}

// tryUpdate runs fn in an Update.
func (db storeDB) tryUpdate(fn func(st orgspace.Store) error) (storage.Revision, error) {
	return db.tx.Update(db.t.Context(), fn)
}

// view runs fn in a View of the latest state and fails the test on an error.
func (db storeDB) view(fn func(st orgspace.Store) error) {
	db.t.Helper()
	if err := db.tx.View(db.t.Context(), storage.Latest(), fn); err != nil {
		db.t.Fatalf("View: %v", err)
	}
}

// head returns the backend's Head.
func (db storeDB) head() storage.Revision {
	db.t.Helper()
	var h storage.Revision
	db.view(func(st orgspace.Store) (err error) {
		h, err = st.Head()
		return err
	})
	return h
}

// seed writes s in one Update.
func (db storeDB) seed(s storeSeed) storage.Revision {
	db.t.Helper()
	return db.update(s.write)
}

// storeSeed is a set of objects to write, parents before children.
type storeSeed struct {
	Orgs        []org.Organisation
	Accounts    []org.Account
	Users       []org.User
	Operators   []org.Operator
	Memberships []org.Membership
	Roles       []access.Role
	Grants      []access.Grant
	Invitations []access.Invitation
	Favourites  map[org.UserID]org.AccountID
	Entries     []storage.Entry
}

func (s storeSeed) write(st orgspace.Store) error {
	for _, o := range s.Orgs {
		if err := st.InsertOrganisation(o); err != nil {
			return err
		}
	}
	for _, a := range s.Accounts {
		if err := st.InsertAccount(a); err != nil {
			return err
		}
	}
	for _, u := range s.Users {
		if err := st.InsertUser(u); err != nil {
			return err
		}
	}
	for _, op := range s.Operators {
		if err := st.InsertOperator(op); err != nil {
			return err
		}
	}
	for _, m := range s.Memberships {
		if err := st.PutMembership(m); err != nil {
			return err
		}
	}
	for _, r := range s.Roles {
		if err := st.InsertRole(r); err != nil {
			return err
		}
	}
	for _, g := range s.Grants {
		if err := st.PutGrant(g); err != nil {
			return err
		}
	}
	for _, inv := range s.Invitations {
		if err := st.InsertInvitation(inv); err != nil {
			return err
		}
	}
	for u, a := range s.Favourites {
		if err := st.SetFavourite(u, a); err != nil {
			return err
		}
	}
	for _, e := range s.Entries {
		if err := st.Append(e); err != nil {
			return err
		}
	}
	return nil
}

// storeT0 is the time of every fixture: fixed, UTC and whole seconds, so
// that every backend stores it exactly.
var storeT0 = time.Date(2024, time.March, 1, 9, 30, 0, 0, time.UTC)

// storeFixtures makes test values; use it as sf.
type storeFixtures struct{}

var sf storeFixtures

func (storeFixtures) org(id string) org.Organisation {
	return org.Organisation{
		ID:        org.OrganisationID(id),
		Name:      "Organisation " + id,
		Settings:  org.Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"},
		CreatedAt: storeT0,
	}
}

func (storeFixtures) account(id, o string) org.Account {
	return org.Account{
		ID:        org.AccountID(id),
		Org:       org.OrganisationID(o),
		Product:   org.Events,
		Name:      "Account " + id,
		Login:     org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true},
		CreatedAt: storeT0.Add(time.Minute),
	}
}

func (storeFixtures) user(id string) org.User {
	return org.User{
		ID:        org.UserID(id),
		Email:     id + "@example.com",
		Name:      "User " + id,
		CreatedAt: storeT0.Add(2 * time.Minute),
	}
}

func (storeFixtures) operator(id string) org.Operator {
	return org.Operator{
		ID:        org.OperatorID(id),
		Name:      "Operator " + id,
		Email:     id + "@operators.example.com",
		CreatedAt: storeT0.Add(3 * time.Minute),
	}
}

func (storeFixtures) membership(o, u string, role org.Role) org.Membership {
	return org.Membership{Org: org.OrganisationID(o), User: org.UserID(u), Role: role, Since: storeT0.Add(4 * time.Minute)}
}

func (storeFixtures) role(id, o string) access.Role {
	return access.Role{
		ID:          access.RoleID(id),
		Org:         org.OrganisationID(o),
		Name:        "Role " + id,
		Permissions: access.PermissionsOf(access.ViewAccount, access.EditContent),
		CreatedAt:   storeT0.Add(5 * time.Minute),
	}
}

func (storeFixtures) grant(u, a, o string, role access.RoleID) access.Grant {
	return access.Grant{
		User:      org.UserID(u),
		Account:   org.AccountID(a),
		Org:       org.OrganisationID(o),
		Role:      role,
		ExpiresAt: storeT0.Add(24 * time.Hour),
		GrantedBy: "system",
		GrantedAt: storeT0.Add(6 * time.Minute),
	}
}

// invitation makes a pending invitation whose token hash is sf.hash(id).
func (storeFixtures) invitation(id, o string) access.Invitation {
	return access.Invitation{
		ID:        access.InvitationID(id),
		Org:       org.OrganisationID(o),
		Email:     "invitee-" + id + "@example.com",
		OrgRole:   org.Member,
		InvitedBy: "system",
		CreatedAt: storeT0.Add(7 * time.Minute),
		ExpiresAt: storeT0.Add(7*time.Minute + access.DefaultInvitationTTL),
		Status:    access.Pending,
		TokenHash: sf.hash(id),
		Sent:      1,
	}
}

// hash returns a token hash made from s; a new slice on every call.
func (storeFixtures) hash(s string) []byte {
	h := sha256.Sum256([]byte("token of " + s))
	return h[:]
}

// entry makes a valid log entry about organisation o ("" for none).
func (storeFixtures) entry(action, o string) storage.Entry {
	return storage.Entry{
		Time:   storeT0.Add(8 * time.Minute),
		Actor:  "system",
		Action: action,
		Target: "target-of-" + action,
		Org:    o,
		Detail: fmt.Sprintf("%s in %q", action, o),
	}
}

// ids returns prefix-01, prefix-02, …, prefix-n: IDs whose byte order is
// their numeric order.
func (storeFixtures) ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%02d", prefix, i+1)
	}
	return out
}
