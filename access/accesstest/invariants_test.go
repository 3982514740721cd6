package accesstest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// handSetup is a small set-up written by hand: two organisations, a custom
// role in the second, an Owner each, an Editor in o1 and a user without
// anything.
var handSetup = accesstest.Setup{
	Orgs: []accesstest.OrgSpec{
		{Name: "o1", Accounts: []accesstest.AccountSpec{{Name: "o1.a1", Product: org.Engage}, {Name: "o1.a2", Product: org.Events}}},
		{Name: "o2", Accounts: []accesstest.AccountSpec{{Name: "o2.a1", Product: org.Loyalty, Login: org.LoginPolicy{Method: org.SSO, Provider: "okta"}}}},
	},
	Users: []accesstest.UserSpec{
		{Name: "u1", Email: "u1@example.test"}, {Name: "u2", Email: "u2@example.test"},
		{Name: "u3", Email: "u3@example.test"}, {Name: "u4", Email: "u4@example.test"},
	},
	Roles: []accesstest.RoleSpec{{Name: "o2.r1", Org: "o2", Permissions: access.PermissionsOf(access.ViewAccount, access.EditContent, access.PublishContent)}},
	Memberships: []accesstest.MembershipSpec{
		{Org: "o1", User: "u1", Role: org.Owner},
		{Org: "o2", User: "u2", Role: org.Owner},
	},
	Grants: []accesstest.GrantSpec{
		{User: "u3", Account: "o1.a1", Role: "editor"},
		{User: "u4", Account: "o2.a1", Role: "o2.r1", ExpiresIn: time.Hour},
	},
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	env   *accesstest.Env
	space *orgspace.Space
	w     *accesstest.World
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), env: accesstest.NewEnv(start)}
	space, operator, err := accesstest.Open(f.ctx, memstore.New(), f.env)
	if err != nil {
		t.Fatal(err)
	}
	f.space = space
	if f.w, err = handSetup.Apply(f.ctx, space, operator); err != nil {
		t.Fatal(err)
	}
	f.w.Attach(f.env)
	if err := accesstest.CheckAll(f.ctx, space, f.w); err != nil {
		t.Fatalf("the hand-written set-up breaks an invariant:\n%v", err)
	}
	return f
}

// tamper writes to the store behind the services' back. When logged, the
// change goes into the change log, so the index follows it at the next
// Sync; when not, the index keeps what it had.
func (f *fixture) tamper(logged bool, about org.Subject, fn func(st orgspace.Store) error) {
	f.t.Helper()
	_, err := f.space.Store().Update(f.ctx, func(st orgspace.Store) error {
		if err := fn(st); err != nil {
			return err
		}
		if !logged {
			return nil
		}
		return st.Append(storage.Entry{Time: f.env.Clock.Now(), Actor: "test", Action: "test.tamper",
			Org: string(about.Org), Account: string(about.Account), User: string(about.User)})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.space.Access.Sync(f.ctx, storage.Latest()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) account(name string) org.Account {
	f.t.Helper()
	for _, a := range f.w.Accounts {
		if a.Name == name {
			return org.Account{ID: a.ID, Org: a.Org, Product: a.Product}
		}
	}
	f.t.Fatalf("no account %s", name)
	return org.Account{}
}

// wantViolation checks that err holds a Violation of invariant about user
// and account (either may be "") whose detail contains detail.
func wantViolation(t *testing.T, err error, invariant, user, account, detail string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s found nothing", invariant)
	}
	var found []string
	var walk func(error) bool
	walk = func(e error) bool {
		if v, ok := e.(*accesstest.Violation); ok {
			found = append(found, v.Error())
			return v.Invariant == invariant && (user == "" || v.User == user) && (account == "" || v.Account == account) &&
				strings.Contains(v.Detail, detail)
		}
		if m, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range m.Unwrap() {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	if !walk(err) {
		t.Errorf("want a %s violation about user %q on account %q saying %q; got:\n%v", invariant, user, account, detail, err)
	}
	if !strings.Contains(err.Error(), invariant) {
		t.Errorf("the error does not name %s: %v", invariant, err)
	}
}

func TestNoAccessWithoutGrantPathCatchesAStaleGrant(t *testing.T) {
	f := newFixture(t)
	u4, a := f.w.UserID("u4"), f.account("o1.a1")
	// A grant the index learns of, then removed from the store without a
	// log entry: the index still allows what nothing in the store gives.
	f.tamper(true, org.Subject{Org: a.Org, Account: a.ID, User: u4}, func(st orgspace.Store) error {
		return st.PutGrant(access.Grant{User: u4, Account: a.ID, Org: a.Org, Role: access.Marketer, GrantedBy: "test", GrantedAt: start})
	})
	if err := accesstest.NoAccessWithoutGrantPath(f.ctx, f.space, f.w); err != nil {
		t.Fatalf("a real grant is a path: %v", err)
	}
	f.tamper(false, org.Subject{}, func(st orgspace.Store) error { return st.DeleteGrant(u4, a.ID) })
	err := accesstest.NoAccessWithoutGrantPath(f.ctx, f.space, f.w)
	wantViolation(t, err, "NoAccessWithoutGrantPath", "u4", "o1.a1", "the store holds no grant")
}

func TestNoAccessWithoutGrantPathCatchesAnExpiredGrant(t *testing.T) {
	f := newFixture(t)
	// A World whose clock runs ahead of the Space's sees u4's one-hour
	// grant as expired while the index still honours it.
	ahead := accesstest.NewClock(start.Add(2 * time.Hour))
	f.w.Clock = ahead
	err := accesstest.NoAccessWithoutGrantPath(f.ctx, f.space, f.w)
	wantViolation(t, err, "NoAccessWithoutGrantPath", "u4", "o2.a1", "expired")
}

func TestOrganisationsIsolatedCatchesAForeignRole(t *testing.T) {
	f := newFixture(t)
	u3, a := f.w.UserID("u3"), f.account("o1.a1")
	// The service refuses to grant o2's custom role on an account of o1; a
	// grant written straight to the store must still give nothing there.
	f.tamper(true, org.Subject{Org: a.Org, Account: a.ID, User: u3}, func(st orgspace.Store) error {
		return st.PutGrant(access.Grant{User: u3, Account: a.ID, Org: a.Org, Role: f.w.RoleID("o2.r1"), GrantedBy: "test", GrantedAt: start})
	})
	err := accesstest.OrganisationsIsolated(f.ctx, f.space, f.w)
	wantViolation(t, err, "OrganisationsIsolated", "u3", "o1.a1", "belongs to organisation o2")
	wantViolation(t, accesstest.NoAccessWithoutGrantPath(f.ctx, f.space, f.w), "NoAccessWithoutGrantPath", "u3", "o1.a1", "belongs to organisation o2")
}

func TestOrganisationsIsolatedCatchesAStaleIndex(t *testing.T) {
	f := newFixture(t)
	u4, a := f.w.UserID("u4"), f.account("o1.a2")
	// A membership the index never hears of: the store gives u4 a
	// Member's rights on the Events account, Check denies them.
	f.tamper(false, org.Subject{}, func(st orgspace.Store) error {
		return st.PutMembership(org.Membership{Org: a.Org, User: u4, Role: org.Member, Since: start})
	})
	err := accesstest.OrganisationsIsolated(f.ctx, f.space, f.w)
	wantViolation(t, err, "OrganisationsIsolated", "u4", "o1.a2", "the index and the store disagree")
}

func TestAlwaysAnOwnerCatchesAnOwnerlessOrganisation(t *testing.T) {
	f := newFixture(t)
	o1, u1 := f.w.OrgID("o1"), f.w.UserID("u1")
	f.tamper(true, org.Subject{Org: o1, User: u1}, func(st orgspace.Store) error { return st.DeleteMembership(o1, u1) })
	err := accesstest.AlwaysAnOwner(f.ctx, f.space, f.w)
	wantViolation(t, err, "AlwaysAnOwner", "", "", "had an Owner and now has none")
	if v := new(accesstest.Violation); !errors.As(err, &v) || v.Org != "o1" {
		t.Errorf("violation %v does not name organisation o1", v)
	}
}

func TestAlwaysAnOwnerSparesOrganisationsThatNeverHadOne(t *testing.T) {
	f := newFixture(t)
	o, _, err := f.space.Org.CreateOrganisation(f.ctx, f.w.Operator, org.NewOrganisation{Name: "unowned"})
	if err != nil {
		t.Fatal(err)
	}
	if err := accesstest.AlwaysAnOwner(f.ctx, f.space, f.w); err != nil {
		t.Errorf("organisation %s never had an Owner: %v", o.ID, err)
	}
}

// fakeOp is an Op with a given actor and result, for CheckEscalation.
type fakeOp struct {
	actor org.Actor
	err   error
}

func (o fakeOp) Apply(context.Context, *orgspace.Space) error { return o.err }
func (o fakeOp) String() string                               { return "fake op by " + o.actor.String() }
func (o fakeOp) Actor() org.Actor                             { return o.actor }
func (o fakeOp) Result() error                                { return o.err }

func TestCheckEscalation(t *testing.T) {
	const a, o = org.AccountID("acc_1"), org.OrganisationID("org_1")
	editor, _ := access.BuiltinRole(access.Editor)
	admin, _ := access.BuiltinRole(access.Administrator)
	snap := func(held map[accesstest.Pair]access.Permissions, roles map[org.UserID]org.Role) accesstest.Snapshot {
		return accesstest.Snapshot{
			Held:       held,
			OrgRoles:   map[org.OrganisationID]map[org.UserID]org.Role{o: roles},
			AccountOrg: map[org.AccountID]org.OrganisationID{a: o},
			Names:      map[string]string{"usr_1": "u1", "usr_2": "u2", string(a): "o1.a1", string(o): "o1"},
		}
	}
	// u1, an Editor of the account who manages its users, makes u2 an
	// Administrator: u2 gains permissions u1 never had.
	manager := editor.Permissions | access.PermissionsOf(access.ManageAccountUsers)
	before := snap(map[accesstest.Pair]access.Permissions{{User: "usr_1", Account: a}: manager}, nil)
	after := snap(map[accesstest.Pair]access.Permissions{{User: "usr_1", Account: a}: manager, {User: "usr_2", Account: a}: admin.Permissions}, nil)
	byU1 := fakeOp{actor: org.AsUser("usr_1")}

	err := accesstest.CheckEscalation(before, after, byU1)
	wantViolation(t, err, "NoPrivilegeEscalation", "u2", "o1.a1", "held only")
	var v *accesstest.Violation
	if errors.As(err, &v); v == nil || v.Permissions != admin.Permissions&^manager {
		t.Errorf("violation %v should name exactly the permissions beyond u1's", v)
	}

	t.Run("an Owner may", func(t *testing.T) {
		owned := snap(before.Held, map[org.UserID]org.Role{"usr_1": org.Owner})
		if err := accesstest.CheckEscalation(owned, after, byU1); err != nil {
			t.Error(err)
		}
	})
	t.Run("an operator may", func(t *testing.T) {
		if err := accesstest.CheckEscalation(before, after, fakeOp{actor: org.AsOperator("op_1")}); err != nil {
			t.Error(err)
		}
	})
	t.Run("within the actor's own permissions", func(t *testing.T) {
		within := snap(map[accesstest.Pair]access.Permissions{{User: "usr_1", Account: a}: manager, {User: "usr_2", Account: a}: editor.Permissions}, nil)
		if err := accesstest.CheckEscalation(before, within, byU1); err != nil {
			t.Error(err)
		}
	})
	t.Run("a refused op gives nothing, whoever tried", func(t *testing.T) {
		failed := fakeOp{actor: org.AsOperator("op_1"), err: storage.ErrPermissionDenied}
		wantViolation(t, accesstest.CheckEscalation(before, after, failed), "NoPrivilegeEscalation", "u2", "o1.a1", "which failed")
	})
	t.Run("an op not applied", func(t *testing.T) {
		if err := accesstest.CheckEscalation(before, after, fakeOp{err: accesstest.ErrNotApplied}); !errors.Is(err, accesstest.ErrNotApplied) {
			t.Errorf("got %v", err)
		}
	})
}

func TestApplyRejectsUnknownNames(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]accesstest.Setup{
		"user":    {Orgs: handSetup.Orgs, Grants: []accesstest.GrantSpec{{User: "nobody", Account: "o1.a1", Role: "editor"}}},
		"account": {Orgs: handSetup.Orgs, Users: handSetup.Users, Grants: []accesstest.GrantSpec{{User: "u1", Account: "o9.a1", Role: "editor"}}},
		"role":    {Orgs: handSetup.Orgs, Users: handSetup.Users, Grants: []accesstest.GrantSpec{{User: "u1", Account: "o1.a1", Role: "o1.r7"}}},
		"org":     {Users: handSetup.Users, Memberships: []accesstest.MembershipSpec{{Org: "o5", User: "u1", Role: org.Owner}}},
	} {
		space, operator, err := accesstest.Open(ctx, memstore.New(), accesstest.NewEnv(start))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(ctx, space, operator); !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), "not in the setup") {
			t.Errorf("unknown %s: %v", name, err)
		}
	}
}

// TestOpsAreNotVacuous guards the generator: over a fixed set of examples,
// every kind of op both succeeds and is refused now and then, so the
// property test exercises the allowed paths and the refusals alike.
func TestOpsAreNotVacuous(t *testing.T) {
	ctx := context.Background()
	ok, refused := map[string]int{}, map[string]int{}
	for seed := 1; seed <= 20; seed++ {
		env := accesstest.NewEnv(start)
		space, operator, err := accesstest.Open(ctx, memstore.New(), env)
		if err != nil {
			t.Fatal(err)
		}
		w, err := accesstest.SetupGen().Example(seed).Apply(ctx, space, operator)
		if err != nil {
			t.Fatal(err)
		}
		w.Attach(env)
		for i := range 30 {
			op := accesstest.OpGen(w).Example(seed*100 + i)
			if err := accesstest.Step(ctx, space, w, op); err != nil {
				t.Fatalf("seed %d, op %d, %s (%s):\n%v", seed, i, op, accesstest.Outcome(op), err)
			}
			verb := strings.Fields(op.String())[1] // "u2: grant …" → "grant"
			if op.Result() == nil {
				ok[verb]++
			} else {
				refused[verb]++
			}
		}
	}
	for _, verb := range []string{"grant", "revoke", "make", "define", "change", "add", "invite", "star", "advance"} {
		if ok[verb] == 0 {
			t.Errorf("no %q op succeeded", verb)
		}
		if refused[verb] == 0 && verb != "advance" {
			t.Errorf("no %q op was refused", verb)
		}
	}
	t.Logf("succeeded %v, refused %v", ok, refused)
}
