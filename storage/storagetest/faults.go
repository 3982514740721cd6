package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// RunFaults runs the fault-injection tests against the backend that open
// makes: for every write operation of the services and every n, it fails
// the n-th statement the operation sends (or its commit) and checks that
// the operation then changes nothing at all (state, structure, audit log,
// Head, indexes, mails), and that once n passes the operation's last statement it
// succeeds with its audit entries at the revision it returns.
//
// open is called once and must return a fresh, empty backend that calls
// hook before every statement of a write transaction (an Update or an
// UpdateUnlogged), and once with "COMMIT" just before committing it. When hook returns an error, that
// statement must fail with an error that wraps it, and the transaction roll
// back. Reads (View) need not call hook. open may register cleanups on the
// t it is given.
//
// The operations run one after the other, each in a subtest named after
// it, on one world that each leaves changed; each compares against the
// state it starts from. Billing's writes, which log nothing and may span
// two transactions, have checks of their own (see faults_billing.go).
func RunFaults[T orgspace.Store](t *testing.T, open func(t *testing.T, hook func(stmt string) error) storage.Transactor[T]) {
	t.Helper()
	h := &faultHook{}
	x := newFaultEnv(t, svcBackendOf(open(t, h.call)))
	for i, op := range slices.Concat(faultOps, faultStructureOps) {
		t.Run(op.name, func(t *testing.T) {
			x.t = t
			x.run(t, h, op, i)
		})
	}
	runFaultsBilling(t, x, h)
}

// faultMaxCalls bounds the statements of one operation, so that a backend
// whose hook fires on every call cannot loop for ever.
const faultMaxCalls = 200

// errFault is wrapped by every injected failure.
var errFault = errors.New("storagetest: injected fault")

// faultHook counts the calls of a backend's hook while armed and fails the
// one it was armed for.
type faultHook struct {
	mu    sync.Mutex
	armed bool
	at    int   // the call to fail, counting from 1
	calls int   // calls since arming
	fired error // the error returned at call at, nil before
}

// call is the hook the backend runs before each statement.
func (h *faultHook) call(stmt string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.armed {
		return nil
	}
	h.calls++
	if h.calls != h.at {
		return nil
	}
	// A new value each time, so the test can tell that the operation's
	// error wraps this very failure.
	h.fired = fmt.Errorf("%w at call %d (%.60q)", errFault, h.at, stmt)
	return h.fired
}

// arm makes the n-th call from now on fail.
func (h *faultHook) arm(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed, h.at, h.calls, h.fired = true, n, 0, nil
}

// disarm stops counting and returns the calls made and the injected error
// (nil when the operation made fewer calls than the one armed).
func (h *faultHook) disarm() (calls int, fired error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = false
	return h.calls, h.fired
}

// faultEnv is the world the operations run on: the failure world, and the
// Space they write through.
type faultEnv struct {
	*svcEnv
	w  *svcFailureWorld
	sp *orgspace.Space
	// ids remembers the IDs sp hands out, so that the test can look up
	// what a failed attempt would have created, whatever its kind.
	ids *instIDs
	// sw is the structure the structure operations work on, once made.
	sw *faultStructureWorld
}

// faultOp is one write operation; setUp prepares what it needs (writing
// through the world's first Space) and returns the case to run.
type faultOp struct {
	name  string
	setUp func(x *faultEnv) faultCase
}

// faultCase runs an operation and says what its success must show.
type faultCase struct {
	do func() (storage.Revision, error)
	// actions are the audit actions its revision must hold, in any order.
	actions []string
	// mails is how many invitation mails a success sends.
	mails int
	// structure marks a structure write, which the writing Space's access
	// index follows only when it next syncs.
	structure bool
	// check checks the state after a success.
	check func(t *testing.T, after svcSnapshot)
}

// newFaultEnv builds the failure world on backend, and a Space on it whose
// IDs are remembered.
func newFaultEnv(t *testing.T, backend svcBackend) *faultEnv {
	e := newSvcEnv(t, func(*testing.T) svcBackend { return backend })
	x := &faultEnv{svcEnv: e, w: e.failureWorld(), ids: &instIDs{next: e.ids}}
	cfg := e.config()
	cfg.IDs = x.ids
	sp, err := e.backend(e.ctx, cfg)
	e.must(err)
	x.sp = sp
	return x
}

// run runs the i-th operation op, failing its n-th hook call for n = 1, 2,
// … until it succeeds.
func (x *faultEnv) run(t *testing.T, h *faultHook, op faultOp, i int) {
	defer h.disarm() // should the operation panic or the test stop
	c := op.setUp(x)
	e := x.svcEnv
	before := e.snapshot()
	structureBefore := x.structureState()
	indexes := x.indexes()
	mails := len(e.mail.Mails())
	for n := 1; ; n++ {
		if n > faultMaxCalls {
			t.Fatalf("the operation still reaches the hook after %d calls", faultMaxCalls)
		}
		issued := x.ids.count()
		h.arm(n)
		rev, err := c.do()
		calls, fired := h.disarm()
		if fired != nil {
			x.checkFailed(t, n, fired, err, before, indexes, mails, x.ids.since(issued))
			x.checkStructureKept(t, n, structureBefore)
			if t.Failed() {
				return // later attempts would compare against a broken baseline
			}
			continue
		}
		if err != nil {
			t.Fatalf("with no fault (%d hook calls) the operation failed: %v", calls, err)
		}
		// Failing each of the calls 1…n-1 made the operation fail; the
		// unfaulted run must make exactly those calls, or some were missed.
		if calls != n-1 {
			t.Errorf("the successful run made %d hook calls; the faulted runs reached %d", calls, n-1)
		}
		if calls < 2 {
			t.Fatalf("the successful run made %d hook calls: the backend's hook does not see the statements and the commit", calls)
		}
		t.Logf("each of the %d hook calls failed once; then the operation succeeded", calls)
		x.checkSucceeded(t, c, before, rev, mails)
		break
	}
	// The Space keeps working after the failures: another write commits
	// right after the operation's.
	head := e.head()
	u, rev, err := x.sp.Org.CreateUser(e.ctx, e.operator, org.NewUser{Email: fmt.Sprintf("afterwards-%d@example.test", i), Name: "Afterwards"})
	if err != nil || rev <= head || e.head() != rev {
		t.Errorf("a write after the faults: user %s at revision %d (head before %d, after %d), error %v", u.ID, rev, head, e.head(), err)
	}
}

// indexes returns the index of every Space of x at the latest revision.
func (x *faultEnv) indexes() []*access.Index {
	x.t.Helper()
	var out []*access.Index
	for _, s := range []*orgspace.Space{x.space, x.sp} {
		ix, err := s.Access.Index(x.ctx, storage.Latest())
		x.must(err)
		out = append(out, ix)
	}
	return out
}

// checkFailed checks an attempt whose n-th hook call failed with fired:
// it failed with that error and left no trace, not even of the objects
// with the IDs it handed out.
func (x *faultEnv) checkFailed(t *testing.T, n int, fired, err error, before svcSnapshot, indexes []*access.Index, mails int, ids []string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("call %d failed (%v), yet the operation succeeded", n, fired)
	case !errors.Is(err, fired):
		t.Errorf("call %d failed (%v); the operation's error does not wrap it: %v", n, fired, err)
	case svcSentinel(err) != "no sentinel":
		t.Errorf("call %d failed; the operation's error reads as %s: %v", n, svcSentinel(err), err)
	}
	if diff := gocmp.Diff(before, x.snapshot(), svcCmpOptions...); diff != "" {
		t.Errorf("call %d failed; the store changed (-before +after):\n%s", n, diff)
	}
	if got := len(x.mail.Mails()); got != mails {
		t.Errorf("call %d failed; %d invitation mails were sent", n, got-mails)
	}
	x.checkNoneOf(t, n, ids)
	for i, ix := range x.indexes() {
		if ix.Revision() != indexes[i].Revision() {
			t.Errorf("call %d failed; Space %d's index moved from revision %d to %d", n, i+1, indexes[i].Revision(), ix.Revision())
		}
		// An index is immutable: the one from before answers as before.
		if ix != indexes[i] {
			svcSameAnswers(t, fmt.Sprintf("Space %d after call %d failed", i+1, n), indexes[i], ix, x.w.allUsers, x.w.accounts)
		}
	}
}

// checkNoneOf checks that no object has one of the IDs a failed attempt
// handed out: none of what it created survives.
func (x *faultEnv) checkNoneOf(t *testing.T, n int, ids []string) {
	t.Helper()
	lookups := []struct {
		kind string
		find func(st orgspace.Store, id string) error
	}{
		{"operator", func(st orgspace.Store, id string) error { _, err := st.Operator(org.OperatorID(id)); return err }},
		{"organisation", func(st orgspace.Store, id string) error {
			_, err := st.Organisation(org.OrganisationID(id))
			return err
		}},
		{"account", func(st orgspace.Store, id string) error { _, err := st.Account(org.AccountID(id)); return err }},
		{"user", func(st orgspace.Store, id string) error { _, err := st.User(org.UserID(id)); return err }},
		{"role", func(st orgspace.Store, id string) error { _, err := st.Role(access.RoleID(id)); return err }},
		{"invitation", func(st orgspace.Store, id string) error { _, err := st.Invitation(access.InvitationID(id)); return err }},
		{"website", func(st orgspace.Store, id string) error { _, err := st.Website(structure.WebsiteID(id)); return err }},
		{"program", func(st orgspace.Store, id string) error { _, err := st.Program(structure.ProgramID(id)); return err }},
		{"link", func(st orgspace.Store, id string) error { _, err := st.Link(structure.LinkID(id)); return err }},
	}
	x.must(x.space.Store().View(x.ctx, storage.Latest(), func(st orgspace.Store) error {
		for _, id := range ids {
			for _, l := range lookups {
				if err := l.find(st, id); !storage.IsNotFound(err) {
					t.Errorf("call %d failed; looking up %s %s: %v, want not found", n, l.kind, id, err)
				}
			}
		}
		return nil
	}))
}

// checkSucceeded checks a successful attempt: its revision is the new
// Head, the log gained exactly its entries, the indexes follow, and the
// state changed as the case says.
func (x *faultEnv) checkSucceeded(t *testing.T, c faultCase, before svcSnapshot, rev storage.Revision, mails int) {
	t.Helper()
	after := x.snapshot()
	if rev <= before.Head || after.Head != rev {
		t.Errorf("the operation returned revision %d; Head went from %d to %d", rev, before.Head, after.Head)
	}
	if len(after.Entries) < len(before.Entries) {
		t.Fatalf("the log shrank from %d to %d entries", len(before.Entries), len(after.Entries))
	}
	if diff := gocmp.Diff(before.Entries, after.Entries[:len(before.Entries)], svcCmpOptions...); diff != "" {
		t.Errorf("the log's earlier entries changed (-before +after):\n%s", diff)
	}
	added := after.Entries[len(before.Entries):]
	var actions []string
	for i, en := range added {
		if en.Revision != rev || en.Seq != i {
			t.Errorf("new entry %d is at revision %d, seq %d; want %d, %d: %+v", i, en.Revision, en.Seq, rev, i, en)
		}
		actions = append(actions, en.Action)
	}
	slices.Sort(actions)
	want := slices.Sorted(slices.Values(c.actions))
	if !slices.Equal(actions, want) {
		t.Errorf("revision %d logged %v, want %v", rev, actions, want)
	}
	if got := len(x.mail.Mails()) - mails; got != c.mails {
		t.Errorf("the operation sent %d invitation mails, want %d", got, c.mails)
	}
	c.check(t, after)
	// The writing Space, the other one once synced, and a Space opened now
	// all answer from the new state.
	fresh := x.open().Access.Current()
	if fresh.Revision() != rev {
		t.Errorf("a Space opened after the write compiled revision %d, want %d", fresh.Revision(), rev)
	}
	if cur := x.sp.Access.Current(); !c.structure && cur.Revision() < rev {
		t.Errorf("the writing Space's index is at revision %d, before its write %d", cur.Revision(), rev)
	}
	for i, ix := range x.indexes() {
		svcSameAnswers(t, fmt.Sprintf("Space %d after the write", i+1), fresh, ix, x.w.allUsers, x.w.accounts)
	}
	x.checkStructureFollows(t)
}

// faultFind returns the element of xs that match accepts, failing t when
// there is none.
func faultFind[T any](t *testing.T, what string, xs []T, match func(T) bool) T {
	t.Helper()
	i := slices.IndexFunc(xs, match)
	if i < 0 {
		var zero T
		t.Errorf("after the write there is no %s", what)
		return zero
	}
	return xs[i]
}

func faultGrant(u org.UserID, a org.AccountID) func(access.Grant) bool {
	return func(g access.Grant) bool { return g.User == u && g.Account == a }
}

func faultInvitation(id access.InvitationID) func(access.Invitation) bool {
	return func(inv access.Invitation) bool { return inv.ID == id }
}

// faultOps are the write operations of org and access; faultStructureOps
// those of structure.
var faultOps = []faultOp{
	{"org.CreateOperator", func(x *faultEnv) faultCase {
		var op org.Operator
		return faultCase{
			actions: []string{"org.operator.create"},
			do: func() (rev storage.Revision, err error) {
				op, rev, err = x.sp.Org.CreateOperator(x.ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.test"})
				return rev, err
			},
			check: func(t *testing.T, _ svcSnapshot) {
				x.must(x.space.Store().View(x.ctx, storage.Latest(), func(st orgspace.Store) error {
					got, err := st.Operator(op.ID)
					if diff := gocmp.Diff(op, got); err != nil || diff != "" {
						t.Errorf("stored operator (error %v; -returned +stored):\n%s", err, diff)
					}
					return nil
				}))
			},
		}
	}},
	{"org.CreateOrganisation", func(x *faultEnv) faultCase {
		var o org.Organisation
		return faultCase{
			actions: []string{"org.organisation.create"},
			do: func() (rev storage.Revision, err error) {
				o, rev, err = x.sp.Org.CreateOrganisation(x.ctx, x.operator, org.NewOrganisation{Name: "Initech", Settings: org.Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"}})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				got := faultFind(t, "new organisation", after.Organisations, func(g org.Organisation) bool { return g.ID == o.ID })
				if diff := gocmp.Diff(o, got); diff != "" {
					t.Errorf("stored organisation (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"org.RenameOrganisation", func(x *faultEnv) faultCase {
		const name = "Acme Europe"
		return faultCase{
			actions: []string{"org.organisation.rename"},
			do: func() (storage.Revision, error) {
				return x.sp.Org.RenameOrganisation(x.ctx, x.w.ownerA, x.w.acme, name)
			},
			check: func(t *testing.T, after svcSnapshot) {
				if o := faultFind(t, "Acme", after.Organisations, func(o org.Organisation) bool { return o.ID == x.w.acme }); o.Name != name {
					t.Errorf("the organisation is named %q, want %q", o.Name, name)
				}
			},
		}
	}},
	{"org.CreateAccount", func(x *faultEnv) faultCase {
		var a org.Account
		return faultCase{
			actions: []string{"org.account.create"},
			do: func() (rev storage.Revision, err error) {
				a, rev, err = x.sp.Org.CreateAccount(x.ctx, x.operator, org.NewAccount{Org: x.w.acme, Product: org.Loyalty, Name: "Acme Points", Login: org.LoginPolicy{TwoFactor: true}})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				got := faultFind(t, "new account", after.Accounts, func(g org.Account) bool { return g.ID == a.ID })
				if diff := gocmp.Diff(a, got); diff != "" {
					t.Errorf("stored account (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"org.SetLoginPolicy", func(x *faultEnv) faultCase {
		p := org.LoginPolicy{Method: org.SSO, Provider: "azure", TwoFactor: true}
		return faultCase{
			actions: []string{"org.account.login_policy"},
			do:      func() (storage.Revision, error) { return x.sp.Org.SetLoginPolicy(x.ctx, x.w.ownerA, x.w.engage, p) },
			check: func(t *testing.T, after svcSnapshot) {
				if a := faultFind(t, "Engage account", after.Accounts, func(a org.Account) bool { return a.ID == x.w.engage }); a.Login != p {
					t.Errorf("the account's login policy is %+v, want %+v", a.Login, p)
				}
			},
		}
	}},
	{"org.CreateUser", func(x *faultEnv) faultCase {
		const email = "newcomer@example.test"
		x.emails = append(x.emails, email)
		var u org.User
		return faultCase{
			actions: []string{"org.user.create"},
			do: func() (rev storage.Revision, err error) {
				u, rev, err = x.sp.Org.CreateUser(x.ctx, x.operator, org.NewUser{Email: email, Name: "Newcomer"})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				if got := after.Emails[email]; got != string(u.ID) {
					t.Errorf("the email finds %q, want the new user %s", got, u.ID)
				}
			},
		}
	}},
	{"access.SetOrganisationRole", func(x *faultEnv) faultCase {
		return faultCase{
			actions: []string{"access.org_role.set"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.SetOrganisationRole(x.ctx, x.w.ownerA, x.w.acme, x.w.admin, org.Owner)
			},
			check: func(t *testing.T, after svcSnapshot) {
				m := faultFind(t, "membership", after.Memberships, func(m org.Membership) bool { return m.Org == x.w.acme && m.User == x.w.admin })
				if m.Role != org.Owner {
					t.Errorf("the user's organisation role is %s, want Owner", m.Role)
				}
			},
		}
	}},
	{"access.SetOrganisationRole removing an Owner whose favourite it opened", func(x *faultEnv) faultCase {
		x.setOrgRole(x.w.ownerA, x.w.acme, x.w.admin, org.Owner)
		_, err := x.space.Access.SetFavourite(x.ctx, x.w.adminA, x.w.loyalty)
		x.must(err)
		return faultCase{
			actions: []string{"access.org_role.set"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.SetOrganisationRole(x.ctx, x.w.ownerA, x.w.acme, x.w.admin, org.NoRole)
			},
			check: func(t *testing.T, after svcSnapshot) {
				if slices.ContainsFunc(after.Memberships, func(m org.Membership) bool { return m.Org == x.w.acme && m.User == x.w.admin }) {
					t.Errorf("the removed Owner is still a member")
				}
				if fav, ok := after.Favourites[x.w.admin]; ok {
					t.Errorf("the removed Owner's favourite is still %s, which they cannot open", fav)
				}
			},
		}
	}},
	{"access.Grant", func(x *faultEnv) faultCase {
		expires := x.clock.Now().Add(48 * time.Hour)
		return faultCase{
			actions: []string{"access.grant.set"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.Grant(x.ctx, x.w.adminA, access.GrantRequest{User: x.w.loner, Account: x.w.engage, Role: access.Editor, ExpiresAt: expires})
			},
			check: func(t *testing.T, after svcSnapshot) {
				g := faultFind(t, "grant", after.Grants, faultGrant(x.w.loner, x.w.engage))
				if g.Role != access.Editor || !g.ExpiresAt.Equal(expires) {
					t.Errorf("the grant is %+v, want Editor until %v", g, expires)
				}
			},
		}
	}},
	{"access.Revoke of the favourite account", func(x *faultEnv) faultCase {
		_, err := x.space.Access.SetFavourite(x.ctx, x.w.observerA, x.w.engage)
		x.must(err)
		return faultCase{
			actions: []string{"access.grant.revoke"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.Revoke(x.ctx, x.w.ownerA, x.w.observer, x.w.engage)
			},
			check: func(t *testing.T, after svcSnapshot) {
				if slices.ContainsFunc(after.Grants, faultGrant(x.w.observer, x.w.engage)) {
					t.Errorf("the revoked grant is still stored")
				}
				if after.Favourites[x.w.observer] == x.w.engage {
					t.Errorf("the favourite is still the account the user lost")
				}
			},
		}
	}},
	{"access.AddUser", func(x *faultEnv) faultCase {
		const email = "editor@acme.test"
		x.emails = append(x.emails, email)
		var u org.User
		return faultCase{
			actions: []string{"org.user.create", "access.grant.set"},
			do: func() (rev storage.Revision, err error) {
				u, rev, err = x.sp.Access.AddUser(x.ctx, x.w.ownerA, org.NewUser{Email: email, Name: "Ed"}, access.GrantRequest{Account: x.w.engage, Role: access.Editor})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				if got := after.Emails[email]; got != string(u.ID) {
					t.Errorf("the email finds %q, want the new user %s", got, u.ID)
				}
				if g := faultFind(t, "grant", after.Grants, faultGrant(u.ID, x.w.engage)); g.Role != access.Editor {
					t.Errorf("the new user's grant is %+v, want Editor", g)
				}
			},
		}
	}},
	{"access.DefineRole", func(x *faultEnv) faultCase {
		var r access.Role
		return faultCase{
			actions: []string{"access.role.define"},
			do: func() (rev storage.Revision, err error) {
				r, rev, err = x.sp.Access.DefineRole(x.ctx, x.w.ownerA, x.w.acme, access.NewRole{Name: "Auditor", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				got := faultFind(t, "new role", after.Roles, func(g access.Role) bool { return g.ID == r.ID })
				if diff := gocmp.Diff(r, got); diff != "" {
					t.Errorf("stored role (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"access.UpdateRole", func(x *faultEnv) faultCase {
		in := access.NewRole{Name: "Data analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData, access.ViewPersonalData)}
		return faultCase{
			actions: []string{"access.role.update"},
			do:      func() (storage.Revision, error) { return x.sp.Access.UpdateRole(x.ctx, x.w.ownerA, x.w.analyst, in) },
			check: func(t *testing.T, after svcSnapshot) {
				r := faultFind(t, "role", after.Roles, func(r access.Role) bool { return r.ID == x.w.analyst })
				if r.Name != in.Name || r.Permissions != in.Permissions {
					t.Errorf("the role is %+v, want %+v", r, in)
				}
			},
		}
	}},
	{"access.DeleteRole", func(x *faultEnv) faultCase {
		return faultCase{
			actions: []string{"access.role.delete"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.DeleteRole(x.ctx, x.w.globexOwnerA, x.w.globexRole)
			},
			check: func(t *testing.T, after svcSnapshot) {
				if slices.ContainsFunc(after.Roles, func(r access.Role) bool { return r.ID == x.w.globexRole }) {
					t.Errorf("the deleted role is still stored")
				}
			},
		}
	}},
	{"access.Invite", func(x *faultEnv) faultCase {
		var inv access.Invitation
		return faultCase{
			actions: []string{"access.invitation.create"},
			mails:   1,
			do: func() (rev storage.Revision, err error) {
				inv, rev, err = x.sp.Access.Invite(x.ctx, x.w.adminA, access.InviteRequest{Email: "guest@example.test", Account: x.w.engage, Role: access.Observer})
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				got := faultFind(t, "new invitation", after.Invitations, faultInvitation(inv.ID))
				if diff := gocmp.Diff(inv, got, svcCmpOptions...); diff != "" {
					t.Errorf("stored invitation (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"access.Accept by a new user", func(x *faultEnv) faultCase {
		const email = "ivy@example.test"
		x.emails = append(x.emails, email)
		id, tok := x.invite(x.w.ownerA, access.InviteRequest{Email: email, Account: x.w.events, Role: access.Editor, OrgRole: org.Member})
		var u org.User
		return faultCase{
			actions: []string{"org.user.create", "access.grant.set", "access.org_role.set", "access.invitation.accept"},
			do: func() (rev storage.Revision, err error) {
				u, rev, err = x.sp.Access.Accept(x.ctx, tok, "Ivy")
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				if got := after.Emails[email]; got != string(u.ID) {
					t.Errorf("the email finds %q, want the new user %s", got, u.ID)
				}
				if g := faultFind(t, "grant", after.Grants, faultGrant(u.ID, x.w.events)); g.Role != access.Editor {
					t.Errorf("the invitee's grant is %+v, want Editor", g)
				}
				m := faultFind(t, "membership", after.Memberships, func(m org.Membership) bool { return m.Org == x.w.acme && m.User == u.ID })
				if m.Role != org.Member {
					t.Errorf("the invitee's organisation role is %s, want Member", m.Role)
				}
				if inv := faultFind(t, "invitation", after.Invitations, faultInvitation(id)); inv.Status != access.Accepted || inv.User != u.ID {
					t.Errorf("the invitation is %s by %q, want accepted by %s", inv.Status, inv.User, u.ID)
				}
			},
		}
	}},
	{"access.Decline", func(x *faultEnv) faultCase {
		tok, ok := x.mail.Token(x.w.pending)
		if !ok {
			x.t.Fatalf("no mail for invitation %s", x.w.pending)
		}
		return faultCase{
			actions: []string{"access.invitation.decline"},
			do:      func() (storage.Revision, error) { return x.sp.Access.Decline(x.ctx, tok) },
			check: func(t *testing.T, after svcSnapshot) {
				if inv := faultFind(t, "invitation", after.Invitations, faultInvitation(x.w.pending)); inv.Status != access.Declined {
					t.Errorf("the invitation is %s, want declined", inv.Status)
				}
			},
		}
	}},
	{"access.RevokeInvitation", func(x *faultEnv) faultCase {
		return faultCase{
			actions: []string{"access.invitation.revoke"},
			do: func() (storage.Revision, error) {
				return x.sp.Access.RevokeInvitation(x.ctx, x.w.ownerA, x.w.orgPending)
			},
			check: func(t *testing.T, after svcSnapshot) {
				if inv := faultFind(t, "invitation", after.Invitations, faultInvitation(x.w.orgPending)); inv.Status != access.Revoked {
					t.Errorf("the invitation is %s, want revoked", inv.Status)
				}
			},
		}
	}},
	{"access.Resend of an expired invitation", func(x *faultEnv) faultCase {
		var inv access.Invitation
		return faultCase{
			actions: []string{"access.invitation.resend"},
			mails:   1,
			do: func() (rev storage.Revision, err error) {
				inv, rev, err = x.sp.Access.Resend(x.ctx, x.w.ownerA, x.w.expired)
				return rev, err
			},
			check: func(t *testing.T, after svcSnapshot) {
				got := faultFind(t, "invitation", after.Invitations, faultInvitation(x.w.expired))
				if diff := gocmp.Diff(inv, got, svcCmpOptions...); diff != "" {
					t.Errorf("stored invitation (-returned +stored):\n%s", diff)
				}
				if got.StatusAt(x.clock.Now()) != access.Pending || got.Sent != 2 {
					t.Errorf("the resent invitation is %s with %d mails, want pending with 2", got.StatusAt(x.clock.Now()), got.Sent)
				}
			},
		}
	}},
	{"access.SetFavourite", func(x *faultEnv) faultCase {
		return faultCase{
			actions: []string{"access.favourite.set"},
			do:      func() (storage.Revision, error) { return x.sp.Access.SetFavourite(x.ctx, x.w.observerA, x.w.loyalty) },
			check: func(t *testing.T, after svcSnapshot) {
				if fav := after.Favourites[x.w.observer]; fav != x.w.loyalty {
					t.Errorf("the favourite is %q, want %s", fav, x.w.loyalty)
				}
			},
		}
	}},
}
