package bench

import (
	"io"
	"slices"
	"testing"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// The adapter tests: each peer, built on the small set, must answer as
// orgspace does (a check, the listings, and again after role changes).

// diffMaxReported is the most differences a failing test names before it
// only counts them.
const diffMaxReported = 20

// engineDiff compares the answers of orgspace (the reference) and a peer,
// reporting each difference with the question and both answers.
type engineDiff struct {
	t         *testing.T
	ref, peer Engine
	name      string // the peer's
	failed    int
}

// errorf reports a difference, the first diffMaxReported in full.
func (d *engineDiff) errorf(format string, args ...any) {
	d.t.Helper()
	if d.failed++; d.failed <= diffMaxReported {
		d.t.Errorf(format, args...)
	}
}

// check compares Check(u, a, p) and returns orgspace's answer.
func (d *engineDiff) check(u org.UserID, a org.AccountID, p access.Permission) bool {
	d.t.Helper()
	want, err := d.ref.Check(u, a, p)
	if err != nil {
		d.t.Fatalf("orgspace: Check(%s, %s, %s): %v", u, a, p, err)
	}
	got, err := d.peer.Check(u, a, p)
	if err != nil || got != want {
		d.errorf("Check(%s, %s, %s): orgspace %v, %s %v (error %v)", u, a, p, want, d.name, got, err)
	}
	return want
}

// accountsOf compares AccountsOf(u) as sets.
func (d *engineDiff) accountsOf(u org.UserID) {
	d.t.Helper()
	want, err := d.ref.AccountsOf(u)
	if err != nil {
		d.t.Fatalf("orgspace: AccountsOf(%s): %v", u, err)
	}
	got, err := d.peer.AccountsOf(u)
	if err != nil {
		d.errorf("%s: AccountsOf(%s): %v", d.name, u, err)
	} else if !sameMembers(got, want) {
		d.errorf("AccountsOf(%s): orgspace %s, %s %s", u, short(want), d.name, short(got))
	}
}

// usersOfAccount compares UsersOfAccount(a) as sets.
func (d *engineDiff) usersOfAccount(a org.AccountID) {
	d.t.Helper()
	want, err := d.ref.UsersOfAccount(a)
	if err != nil {
		d.t.Fatalf("orgspace: UsersOfAccount(%s): %v", a, err)
	}
	got, err := d.peer.UsersOfAccount(a)
	if err != nil {
		d.errorf("%s: UsersOfAccount(%s): %v", d.name, a, err)
	} else if !sameMembers(got, want) {
		d.errorf("UsersOfAccount(%s): orgspace %s, %s %s", a, short(want), d.name, short(got))
	}
}

// done fails the test with the number of differences, if any.
func (d *engineDiff) done(what string) {
	d.t.Helper()
	if d.failed > 0 {
		d.t.Fatalf("%s: %d answers differ between orgspace and %s", what, d.failed, d.name)
	}
}

// buildPair builds orgspace and the peer (name, prepare) on a new small
// set; a peer that holds resources is closed when the test ends.
func buildPair(t *testing.T, name string, prepare func(*Set) (Source, error)) (*Set, *engineDiff) {
	t.Helper()
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	d := &engineDiff{t: t, name: name}
	for _, e := range []struct {
		prepare func(*Set) (Source, error)
		into    *Engine
	}{{prepareOrgspace, &d.ref}, {prepare, &d.peer}} {
		src, err := e.prepare(s)
		if err != nil {
			t.Fatal(err)
		}
		if *e.into, err = src.Build(); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := d.peer.(io.Closer); ok {
		t.Cleanup(func() { c.Close() })
	}
	return s, d
}

// findGrant returns the first grant of s that keep accepts.
func findGrant(t *testing.T, s *Set, keep func(access.Grant) bool) access.Grant {
	t.Helper()
	i := slices.IndexFunc(s.Grants, keep)
	if i < 0 {
		t.Fatal("the small set has no grant of the kind the test needs")
	}
	return s.Grants[i]
}

// sampleStride spreads the sampled checks of an ordinary user: besides
// the accounts of the user's grants, every sampleStride-th account, offset
// by the user's index, so that every account is asked about by several
// users.
const sampleStride = 20

// testAgreesWithOrgspace asks orgspace and the peer, on the small set, a
// deterministic sample of checks, the accounts of every user and the users
// of every account, then changes a few grants' roles on both and asks
// again what the changes touch. Asking every check (675,000) takes Casbin
// over 30 s, so the sample asks every permission on every account of the
// users whose answers span organisations (the Owners, the agency users and
// the two marked users), and every permission on some accounts of every
// other user: those of the user's grants and a spread of others.
func testAgreesWithOrgspace(t *testing.T, name string, prepare func(*Set) (Source, error)) {
	s, d := buildPair(t, name, prepare)
	if len(s.Agencies) == 0 {
		t.Fatal("the small set has no agency user")
	}
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
			if wide[u.ID] || granted[a.ID] || (i+j)%sampleStride == 0 {
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

	editor := findGrant(t, s, func(g access.Grant) bool { return g.Role == access.Editor })
	custom := findGrant(t, s, func(g access.Grant) bool { _, builtin := access.BuiltinRole(g.Role); return !builtin })
	for _, c := range []struct {
		g        access.Grant
		from, to access.RoleID
	}{
		{editor, access.Editor, access.Observer},
		{editor, access.Observer, access.Editor},
		{custom, custom.Role, access.Administrator},
	} {
		for _, e := range []Engine{d.ref, d.peer} {
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
		// The user on every account of the organisation, and an Owner on
		// the changed account, which no grant change affects.
		for _, a := range s.Accounts {
			if a.Org == c.g.Org {
				checkAll(c.g.User, a.ID)
			}
		}
		checkAll(s.OwnersOf[c.g.Org][0], c.g.Account)
		d.accountsOf(c.g.User)
		d.usersOfAccount(c.g.Account)
		d.done(string(c.from) + " to " + string(c.to))
	}
}
