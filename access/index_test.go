package access_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// sameAnswers compares two indexes on every (user, account, permission)
// triple and on every user's accounts.
func sameAnswers(t *testing.T, got, want *access.Index, users []org.UserID, accounts []org.AccountID) {
	t.Helper()
	for _, u := range users {
		for _, a := range accounts {
			for p := access.ViewAccount; p <= access.ManageEvents; p++ {
				if g, w := got.Check(u, a, p), want.Check(u, a, p); g != w {
					t.Fatalf("Check(%s, %s, %s) = %v, a fresh index says %v", u, a, p, g, w)
				}
			}
		}
		if g, w := got.AccountsOf(u), want.AccountsOf(u); !reflect.DeepEqual(g, w) {
			t.Fatalf("AccountsOf(%s) = %+v, a fresh index says %+v", u, g, w)
		}
		if g, w := got.AccountIDsOf(u), want.AccountIDsOf(u); !slices.Equal(g, w) {
			t.Fatalf("AccountIDsOf(%s) = %v, a fresh index says %v", u, g, w)
		}
	}
}

// The patched index (copy-on-write from the log, folding its delta into a
// new base past maxDelta, 2,048, changed users) answers exactly like one
// built afresh, after two folds.
func TestPatchedIndexEqualsRebuiltIndex(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	built := w.space.Access.Current().Built()
	accounts := []org.AccountID{w.engage.ID, w.loyalty.ID, w.events.ID}
	roles := []access.RoleID{access.Observer, access.Editor, access.Marketer, access.Administrator}
	users := []org.UserID{w.owner, w.admin, w.marketer, w.editor, w.observer, w.member}
	// Two folds: the second one drops grants the first put in the table.
	const n = 2 * 2100
	for i := range n {
		u := w.newUser(fmt.Sprintf("user%d@toppp.test", i))
		users = append(users, u)
		w.must(w.grant(as(w.owner), u, accounts[i%3], roles[i%4]))
		if i%7 == 0 {
			_, err := w.space.Access.Revoke(w.ctx, as(w.owner), u, accounts[i%3])
			w.must(err)
		}
		if j := i - n/2; j >= 0 && j%5 == 0 && j%7 != 0 { // a grant of the first fold
			_, err := w.space.Access.Revoke(w.ctx, as(w.owner), users[6+j], accounts[j%3])
			w.must(err)
		}
		if i%11 == 0 {
			w.setOrgRole(as(w.owner), w.toppp.ID, u, org.Member)
		}
		switch i {
		case 300: // an account changed: the listings show the new policy
			_, err := w.space.Org.SetLoginPolicy(w.ctx, as(w.owner), w.engage.ID, org.LoginPolicy{Method: org.SSO, Provider: "google"})
			w.must(err)
		case 400: // an account added to the organisation's drop-down
			accounts = append(accounts, w.newAccount(w.toppp.ID, org.Engage, "Toppp Agency", org.LoginPolicy{}).ID)
		}
	}
	// An agency user with grants on a dozen accounts, changed after the
	// last fold: the patched index finds their grants in its delta.
	agency := w.newUser("agency@agency.test")
	users = append(users, agency)
	for i := range 12 {
		o := w.newOrg(fmt.Sprintf("Client %d", i))
		a := w.newAccount(o.ID, org.Engage, "Client Engage", org.LoginPolicy{})
		accounts = append(accounts, a.ID)
		_, err := w.space.Access.Grant(w.ctx, w.operator, access.GrantRequest{User: agency, Account: a.ID, Role: roles[i%4]})
		w.must(err)
	}
	fresh, err := access.NewService(w.ctx, storage.Narrow(w.space.Store(), func(s orgspace.Store) access.Store { return s }), access.Config{Env: org.Env{Clock: w.clock}})
	w.must(err)
	if got, want := w.space.Access.Current().Revision(), fresh.Current().Revision(); got != want {
		t.Fatalf("patched index at revision %d, fresh at %d", got, want)
	}
	if got := w.space.Access.Current().Built(); got != built {
		t.Fatalf("the index was rebuilt at revision %d; it should have followed the log since %d", got, built)
	}
	sameAnswers(t, w.space.Access.Current(), fresh.Current(), users, accounts)
}

// An instance far behind the log rebuilds instead of patching, with the
// same answers.
func TestIndexRebuildsPastTheBacklogLimit(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	tx := storage.Narrow(w.space.Store(), func(s orgspace.Store) access.Store { return s })
	behind, err := access.NewService(w.ctx, tx, access.Config{Env: org.Env{Clock: w.clock}, MaxLogBacklog: 5})
	w.must(err)
	users := []org.UserID{w.owner, w.admin, w.marketer, w.editor, w.observer, w.member}
	for i := range 20 {
		u := w.newUser(fmt.Sprintf("late%d@toppp.test", i))
		users = append(users, u)
		w.must(w.grant(as(w.owner), u, w.loyalty.ID, access.Editor))
	}
	if behind.Check(users[len(users)-1], w.loyalty.ID, access.EditContent) {
		t.Fatal("the second instance saw a write before syncing")
	}
	rev := w.space.Access.Current().Revision()
	ix, err := behind.Index(w.ctx, storage.AtLeast(rev))
	w.must(err)
	if ix.Revision() != rev || ix.Built() != rev {
		t.Fatalf("synced to %d, built at %d; want a rebuild at %d", ix.Revision(), ix.Built(), rev)
	}
	sameAnswers(t, ix, w.space.Access.Current(), users, []org.AccountID{w.engage.ID, w.loyalty.ID, w.events.ID})
}
