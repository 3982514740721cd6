package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// casbinMaxReported is the most differences a failing test names before
// it only counts them.
const casbinMaxReported = 20

// casbinDiff compares the answers of orgspace (the reference) and Casbin,
// reporting each difference with the question and both answers.
type casbinDiff struct {
	t              *testing.T
	orgspace, peer Engine
	failed         int
}

// errorf reports a difference, the first casbinMaxReported in full.
func (d *casbinDiff) errorf(format string, args ...any) {
	d.t.Helper()
	if d.failed++; d.failed <= casbinMaxReported {
		d.t.Errorf(format, args...)
	}
}

// check compares Check(u, a, p) and returns orgspace's answer.
func (d *casbinDiff) check(u org.UserID, a org.AccountID, p access.Permission) bool {
	d.t.Helper()
	want, err := d.orgspace.Check(u, a, p)
	if err != nil {
		d.t.Fatalf("orgspace: Check(%s, %s, %s): %v", u, a, p, err)
	}
	got, err := d.peer.Check(u, a, p)
	if err != nil || got != want {
		d.errorf("Check(%s, %s, %s): orgspace %v, casbin %v (error %v)", u, a, p, want, got, err)
	}
	return want
}

// accountsOf compares AccountsOf(u). slices.Equal takes nil and empty
// for equal, as the Engine allows either for none.
func (d *casbinDiff) accountsOf(u org.UserID) {
	d.t.Helper()
	want, err := d.orgspace.AccountsOf(u)
	if err != nil {
		d.t.Fatalf("orgspace: AccountsOf(%s): %v", u, err)
	}
	got, err := d.peer.AccountsOf(u)
	if err != nil {
		d.errorf("casbin: AccountsOf(%s): %v", u, err)
	} else if !sameMembers(got, want) {
		d.errorf("AccountsOf(%s):\norgspace %d %v\ncasbin   %d %v", u, len(want), want, len(got), got)
	}
}

// usersOfAccount compares UsersOfAccount(a).
func (d *casbinDiff) usersOfAccount(a org.AccountID) {
	d.t.Helper()
	want, err := d.orgspace.UsersOfAccount(a)
	if err != nil {
		d.t.Fatalf("orgspace: UsersOfAccount(%s): %v", a, err)
	}
	got, err := d.peer.UsersOfAccount(a)
	if err != nil {
		d.errorf("casbin: UsersOfAccount(%s): %v", a, err)
	} else if !sameMembers(got, want) {
		d.errorf("UsersOfAccount(%s):\norgspace %d %v\ncasbin   %d %v", a, len(want), want, len(got), got)
	}
}

// done fails the test with the number of differences, if any.
func (d *casbinDiff) done(what string) {
	d.t.Helper()
	if d.failed > 0 {
		d.t.Fatalf("%s: %d answers differ between orgspace and casbin", what, d.failed)
	}
}

// buildCasbinPair builds orgspace and Casbin on a new small set.
func buildCasbinPair(t *testing.T) (*Set, *casbinDiff) {
	t.Helper()
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	d := &casbinDiff{t: t}
	for _, e := range []struct {
		prepare func(*Set) (Source, error)
		into    *Engine
	}{{prepareOrgspace, &d.orgspace}, {prepareCasbin, &d.peer}} {
		src, err := e.prepare(s)
		if err != nil {
			t.Fatal(err)
		}
		if *e.into, err = src.Build(); err != nil {
			t.Fatal(err)
		}
	}
	return s, d
}

// casbinStride spreads the sampled checks of an ordinary user: besides
// the accounts of the user's grants, every casbinStride-th account, offset
// by the user's index, so that every account is asked about by several
// users.
const casbinStride = 20

// TestCasbinAgreesWithOrgspace asks both engines, on the small set, a
// deterministic sample of checks, the accounts of every user and the
// users of every account, then changes a few grants' roles on both and
// asks again what the changes touch. Asking every check (675,000) takes
// Casbin over 30 s, so the sample asks every permission on every account
// of the users whose answers span organisations (the Owners, the agency
// users and the two marked users), and every permission on some accounts
// of every other user: those of the user's grants and a spread of others.
func TestCasbinAgreesWithOrgspace(t *testing.T) {
	s, d := buildCasbinPair(t)
	perms := Permissions()

	wide := map[org.UserID]bool{s.OneAccount: true, s.HundredAccounts: true}
	for _, us := range s.OwnersOf {
		for _, u := range us {
			wide[u] = true
		}
	}
	for _, u := range s.Agencies {
		wide[u] = true
	}
	start := time.Now()
	checks, allowed := 0, 0
	checkAll := func(u org.UserID, a org.AccountID) {
		for _, p := range perms {
			checks++
			if d.check(u, a, p) {
				allowed++
			}
		}
	}
	for i, u := range s.Users {
		granted := map[org.AccountID]bool{}
		for _, g := range s.GrantsOf(i) {
			granted[g.Account] = true
		}
		for j, a := range s.Accounts {
			if wide[u.ID] || granted[a.ID] || (i+j)%casbinStride == 0 {
				checkAll(u.ID, a.ID)
			}
		}
	}
	for _, u := range s.Users {
		d.accountsOf(u.ID)
	}
	for _, a := range s.Accounts {
		d.usersOfAccount(a.ID)
	}
	d.done("the set as generated")
	// Engines that allowed nothing would agree on a wrong request.
	if allowed == 0 {
		t.Fatal("no check allowed anything")
	}
	t.Logf("%d checks (%d allowed), %d and %d listings in %v",
		checks, allowed, len(s.Users), len(s.Accounts), time.Since(start).Round(time.Millisecond))

	editor := casbinFindGrant(t, s, func(g access.Grant) bool { return g.Role == access.Editor })
	custom := casbinFindGrant(t, s, func(g access.Grant) bool { _, builtin := access.BuiltinRole(g.Role); return !builtin })
	for _, c := range []struct {
		g        access.Grant
		from, to access.RoleID
	}{
		{editor, access.Editor, access.Observer},
		{editor, access.Observer, access.Editor},
		{custom, custom.Role, access.Administrator},
	} {
		for _, e := range []Engine{d.orgspace, d.peer} {
			if err := e.SetRole(c.g.User, c.g.Account, c.from, c.to); err != nil {
				t.Fatalf("SetRole(%s, %s, %s, %s): %v", c.g.User, c.g.Account, c.from, c.to, err)
			}
		}
		// The grant now gives exactly the new role's permissions: the
		// engines must not merely agree with each other.
		for _, p := range perms {
			if got, want := d.check(c.g.User, c.g.Account, p), s.Permissions(c.to).Has(p); got != want {
				t.Errorf("after %s to %s: orgspace Check(%s, %s, %s) = %v, want %v", c.from, c.to, c.g.User, c.g.Account, p, got, want)
			}
		}
		d.accountsOf(c.g.User)
		d.usersOfAccount(c.g.Account)
		d.done(string(c.from) + " to " + string(c.to))
	}
}

// casbinFindGrant returns the first grant of s that f accepts.
func casbinFindGrant(t *testing.T, s *Set, f func(access.Grant) bool) access.Grant {
	t.Helper()
	i := slices.IndexFunc(s.Grants, f)
	if i < 0 {
		t.Fatal("no such grant in the set")
	}
	return s.Grants[i]
}

// TestCasbinSetRoleNeedsTheGrant: changing a role the user does not hold
// is an error, and changes nothing.
func TestCasbinSetRoleNeedsTheGrant(t *testing.T) {
	s, d := buildCasbinPair(t)
	g := casbinFindGrant(t, s, func(g access.Grant) bool { return g.Role == access.Observer })
	if err := d.peer.SetRole(g.User, g.Account, access.Editor, access.Administrator); err == nil {
		t.Errorf("SetRole(%s, %s, %s, %s) succeeded; the grant is %s", g.User, g.Account, access.Editor, access.Administrator, g.Role)
	}
	if ok, err := d.peer.Check(g.User, g.Account, access.ManageAccountUsers); ok || err != nil {
		t.Errorf("after a failed SetRole, Check(%s, %s, %s) = %v (error %v), want false", g.User, g.Account, access.ManageAccountUsers, ok, err)
	}
}

// TestCasbinBuildLoadsThePreparedSet: the adapter stores no change, so an
// Engine built after another's SetRole still has the set as generated, as
// the build benchmark assumes.
func TestCasbinBuildLoadsThePreparedSet(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	src, err := prepareCasbin(s)
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Build()
	if err != nil {
		t.Fatal(err)
	}
	g := casbinFindGrant(t, s, func(g access.Grant) bool { return g.Role == access.Observer })
	if err := first.SetRole(g.User, g.Account, access.Observer, access.Administrator); err != nil {
		t.Fatal(err)
	}
	second, err := src.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		e    Engine
		want bool
	}{{first, true}, {second, false}} {
		if ok, err := c.e.Check(g.User, g.Account, access.ManageAccountUsers); ok != c.want || err != nil {
			t.Errorf("Check(%s, %s, %s) = %v (error %v), want %v", g.User, g.Account, access.ManageAccountUsers, ok, err, c.want)
		}
	}
}

// TestPrepareCasbinRefusesTimeBoundGrants: the model has no notion of a
// grant's end, so a set with one is refused rather than answered wrongly.
func TestPrepareCasbinRefusesTimeBoundGrants(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	s.Grants[0].ExpiresAt = s.Epoch.Add(time.Hour)
	if _, err := prepareCasbin(s); err == nil {
		t.Error("prepareCasbin accepted a time-bound grant")
	}
}
