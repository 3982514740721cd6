package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// fgaMaxReported is the most differences a failing test names one by one.
const fgaMaxReported = 20

// fgaOtherChecks is the number of checks drawn besides those of every
// Owner and agency user: half on a grant's user and account, half
// uniformly random.
const fgaOtherChecks = 6_000

// fgaCheck is one permission check.
type fgaCheck struct {
	user    org.UserID
	account org.AccountID
	perm    access.Permission
}

// fgaDiffs collects the differences between orgspace, the reference, and
// OpenFGA, naming the first fgaMaxReported.
type fgaDiffs struct {
	t     *testing.T
	count int
}

// add records one difference.
func (d *fgaDiffs) add(format string, args ...any) {
	d.t.Helper()
	d.count++
	if d.count <= fgaMaxReported {
		d.t.Errorf(format, args...)
	}
}

// done fails the test with the number of differences, if any.
func (d *fgaDiffs) done(what string) {
	d.t.Helper()
	if d.count > fgaMaxReported {
		d.t.Errorf("%s: %d differences in all, the first %d shown", what, d.count, fgaMaxReported)
	}
	d.count = 0
}

// fgaAnswer is an engine's answer to a check.
type fgaAnswer struct {
	ok  bool
	err error
}

// String formats the answer for a message.
func (a fgaAnswer) String() string {
	if a.err != nil {
		return fmt.Sprintf("error %v", a.err)
	}
	return fmt.Sprint(a.ok)
}

// fgaCheckAll asks e every check, spread over the CPUs: OpenFGA's Check
// on the memory datastore scans every tuple, and the test must stay short.
func fgaCheckAll(e Engine, checks []fgaCheck) []fgaAnswer {
	out := make([]fgaAnswer, len(checks))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(checks); i += workers {
				c := checks[i]
				ok, err := e.Check(c.user, c.account, c.perm)
				out[i] = fgaAnswer{ok, err}
			}
		}()
	}
	wg.Wait()
	return out
}

// fgaCompareChecks asks both engines every check and reports each
// difference, naming user, account, permission and both answers.
func fgaCompareChecks(d *fgaDiffs, ref, fga Engine, checks []fgaCheck) {
	d.t.Helper()
	want := make([]fgaAnswer, len(checks))
	for i, c := range checks {
		ok, err := ref.Check(c.user, c.account, c.perm)
		want[i] = fgaAnswer{ok, err}
	}
	got := fgaCheckAll(fga, checks)
	for i, c := range checks {
		if want[i].err != nil || got[i].err != nil || got[i].ok != want[i].ok {
			d.add("Check(%s, %s, %s): orgspace %v, openfga %v", c.user, c.account, c.perm, want[i], got[i])
		}
	}
}

// fgaCompareAccounts compares AccountsOf(u) of both engines.
func fgaCompareAccounts(d *fgaDiffs, ref, fga Engine, u org.UserID) {
	d.t.Helper()
	want, werr := ref.AccountsOf(u)
	got, gerr := fga.AccountsOf(u)
	if werr != nil || gerr != nil || !sameMembers(got, want) {
		d.add("AccountsOf(%s): orgspace %s (error %v), openfga %s (error %v)", u, short(want), werr, short(got), gerr)
	}
}

// fgaCompareUsers compares UsersOfAccount(a) of both engines.
func fgaCompareUsers(d *fgaDiffs, ref, fga Engine, a org.AccountID) {
	d.t.Helper()
	want, werr := ref.UsersOfAccount(a)
	got, gerr := fga.UsersOfAccount(a)
	if werr != nil || gerr != nil || !sameMembers(got, want) {
		d.add("UsersOfAccount(%s): orgspace %s (error %v), openfga %s (error %v)", a, short(want), werr, short(got), gerr)
	}
}

// fgaChecksOn returns the checks of user on account, every permission.
func fgaChecksOn(user org.UserID, account org.AccountID) []fgaCheck {
	var out []fgaCheck
	for _, p := range Permissions() {
		out = append(out, fgaCheck{user, account, p})
	}
	return out
}

// fgaSample returns the checks the test compares: every Owner and every
// agency user on every account with every permission, then
// fgaOtherChecks drawn from a fixed seed.
func fgaSample(s *Set) []fgaCheck {
	var users []org.UserID
	for _, o := range s.Organisations {
		users = append(users, s.OwnersOf[o.ID]...)
	}
	users = append(users, s.Agencies...)
	var out []fgaCheck
	for _, u := range users {
		for _, a := range s.Accounts {
			out = append(out, fgaChecksOn(u, a.ID)...)
		}
	}
	r := rand.New(rand.NewPCG(2, 3))
	perms := Permissions()
	for i := range fgaOtherChecks {
		p := perms[r.IntN(len(perms))]
		if i%2 == 0 {
			g := s.Grants[r.IntN(len(s.Grants))]
			out = append(out, fgaCheck{g.User, g.Account, p})
			continue
		}
		out = append(out, fgaCheck{s.Users[r.IntN(len(s.Users))].ID, s.Accounts[r.IntN(len(s.Accounts))].ID, p})
	}
	return out
}

// TestOpenFGAAgreesWithOrgspace builds orgspace and OpenFGA on the small
// set and compares their checks, listings and role changes.
func TestOpenFGAAgreesWithOrgspace(t *testing.T) {
	start := time.Now()
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	refSrc, err := prepareOrgspace(s)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := refSrc.Build()
	if err != nil {
		t.Fatal(err)
	}
	fgaSrc, err := prepareOpenFGA(s)
	if err != nil {
		t.Fatal(err)
	}
	fga, err := fgaSrc.Build()
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := fga.(io.Closer); !ok {
		t.Error("the OpenFGA engine is not an io.Closer: its server would never be closed")
	} else {
		defer c.Close()
	}
	if len(s.Agencies) == 0 {
		t.Fatal("the small set has no agency user")
	}

	d := &fgaDiffs{t: t}
	checks := fgaSample(s)
	fgaCompareChecks(d, ref, fga, checks)
	d.done("checks")
	for _, u := range s.Users {
		fgaCompareAccounts(d, ref, fga, u.ID)
	}
	d.done("AccountsOf")
	for _, a := range s.Accounts {
		fgaCompareUsers(d, ref, fga, a.ID)
	}
	d.done("UsersOfAccount")

	// Role changes: an Editor grant to Observer and back, then a custom
	// role's grant to Administrator, comparing what each one affects.
	editor := fgaFindGrant(t, s, func(g access.Grant) bool { return g.Role == access.Editor })
	custom := fgaFindGrant(t, s, func(g access.Grant) bool { _, builtin := access.BuiltinRole(g.Role); return !builtin })
	changes := []struct {
		g        access.Grant
		from, to access.RoleID
	}{
		{editor, access.Editor, access.Observer},
		{editor, access.Observer, access.Editor},
		{custom, custom.Role, access.Administrator},
	}
	for _, c := range changes {
		what := fmt.Sprintf("SetRole(%s, %s, %s, %s)", c.g.User, c.g.Account, c.from, c.to)
		if err := ref.SetRole(c.g.User, c.g.Account, c.from, c.to); err != nil {
			t.Fatalf("orgspace: %s: %v", what, err)
		}
		if err := fga.SetRole(c.g.User, c.g.Account, c.from, c.to); err != nil {
			t.Fatalf("openfga: %s: %v", what, err)
		}
		// The user's checks on every account of the organisation, and an
		// Owner's on the changed account, which no grant change affects.
		var after []fgaCheck
		for _, a := range s.Accounts {
			if a.Org == c.g.Org {
				after = append(after, fgaChecksOn(c.g.User, a.ID)...)
			}
		}
		after = append(after, fgaChecksOn(s.OwnersOf[c.g.Org][0], c.g.Account)...)
		fgaCompareChecks(d, ref, fga, after)
		fgaCompareAccounts(d, ref, fga, c.g.User)
		fgaCompareUsers(d, ref, fga, c.g.Account)
		d.done("after " + what)
		ok, err := fga.Check(c.g.User, c.g.Account, access.EditContent)
		if want := s.Permissions(c.to).Has(access.EditContent); err != nil || ok != want {
			t.Errorf("openfga: after %s, Check(%s) = %v (error %v), want %v", what, access.EditContent, ok, err, want)
		}
	}
	t.Logf("%d checks, %d users, %d accounts, %d role changes in %v", len(checks), len(s.Users), len(s.Accounts), len(changes), time.Since(start).Round(time.Millisecond))
}

// fgaFindGrant returns the first grant of s that keep accepts.
func fgaFindGrant(t *testing.T, s *Set, keep func(access.Grant) bool) access.Grant {
	t.Helper()
	i := slices.IndexFunc(s.Grants, keep)
	if i < 0 {
		t.Fatal("the small set has no grant of the kind the test changes")
	}
	return s.Grants[i]
}

// TestPrepareOpenFGARefuses checks that prepareOpenFGA refuses what the
// model cannot express: a time-bound grant, a role without ViewAccount
// (AccountsOf would miss its holders), two roles whose IDs make the same
// relation name.
func TestPrepareOpenFGARefuses(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prepareOpenFGA(s); err != nil {
		t.Fatalf("prepareOpenFGA(small set): %v", err)
	}
	cases := []struct {
		name   string
		change func(c *Set)
		want   string
	}{
		{"time-bound grant", func(c *Set) {
			c.Grants = slices.Clone(c.Grants)
			c.Grants[0].ExpiresAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "time-bound"},
		{"role without ViewAccount", func(c *Set) {
			c.Roles = slices.Clone(c.Roles)
			c.Roles[len(c.Roles)-1].Permissions = access.PermissionsOf(access.ExportData)
		}, "lacks"},
		{"clashing role IDs", func(c *Set) {
			c.Roles = append(slices.Clone(c.Roles), access.Role{ID: "Editor", Permissions: access.PermissionsOf(access.ViewAccount)})
		}, "both become"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := *s.Dataset
			cs := *s
			cs.Dataset = &ds
			c.change(&cs)
			if _, err := prepareOpenFGA(&cs); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("prepareOpenFGA = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestFGAName checks the relation names made from role and permission IDs.
func TestFGAName(t *testing.T) {
	for in, want := range map[string]string{
		"administrator":              "role_administrator",
		"role_07":                    "role_role_07",
		"Role-X.y z":                 "role_role_x_y_z",
		"organisation.owners.manage": "role_organisation_owners_manage",
	} {
		if got, err := fgaName("role_", in); err != nil || got != want {
			t.Errorf("fgaName(role_, %q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := fgaName("role_", strings.Repeat("x", 46)); err == nil {
		t.Error("fgaName accepted a 51-character name")
	}
}
