package storagetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// RunInstances checks that several handles on one database, each carrying
// its own orgspace.Space, behave as one system: the service instances of a
// deployment that share a database. open returns n handles on one fresh,
// empty database, each opened on its own (its own connection pool or file
// handle); it may register cleanups on the t it is given, and is called
// once per subtest. The subtests prove that
//
//   - a write through one instance is visible to another's Access.Index at
//     least its revision, which answers exactly like a Space opened afresh,
//     and that every instance's index follows the change log rather than
//     being compiled again in full;
//   - two instances demoting the two Owners of an organisation at the same
//     moment never leave it without an Owner (no write skew);
//   - concurrent creations of one user, through several instances and
//     spellings of the email, create it once;
//   - concurrent accepts of one invitation accept it once;
//   - concurrent grants and revokes through every instance end in the
//     state they wrote, which every instance then answers from;
//   - concurrent billing transactions (UpdateUnlogged) through every
//     handle, each moving one unit out of one pool, never overdraw it;
//   - through billing's service on every instance, concurrent redeems of
//     one coupon redeem it once, concurrent spends of the last SMS
//     credits or licences spend exactly those there are, and concurrent
//     purchases under one key charge and credit once.
//
// A backend whose handles are one value (memstore) may return it n times.
func RunInstances[T orgspace.Store](t *testing.T, open func(t *testing.T, n int) []storage.Transactor[T]) {
	t.Helper()
	for _, tc := range slices.Concat(instTests, instBillingTests, instCommunityTests) {
		t.Run(tc.name, func(t *testing.T) {
			handles := open(t, instCount)
			if len(handles) != instCount {
				t.Fatalf("open(t, %d) returned %d handles", instCount, len(handles))
			}
			backends := make([]svcBackend, len(handles))
			for i, h := range handles {
				backends[i] = svcBackendOf(h)
			}
			tc.run(t, newInstEnv(t, backends))
		})
	}
	t.Run("concurrent billing transfers through every handle never overdraw a pool", func(t *testing.T) {
		handles := open(t, instCount)
		dbs := make([]storeDB, len(handles))
		for i, h := range handles {
			dbs[i] = storeDB{t: t, tx: storage.Narrow(h, func(x T) orgspace.Store { return x })}
		}
		billingOverdraftRace(t, dbs)
	})
}

// instCount is how many handles, and so instances, each subtest opens.
const instCount = 3

var instTests = []struct {
	name string
	run  func(t *testing.T, e *instEnv)
}{
	{"a write on one instance is seen by another at its revision, by following the log", instTestVisibility},
	{"concurrent demotions of the two Owners leave one Owner", instTestWriteSkew},
	{"concurrent creations of one email create one user", instTestDuplicateEmail},
	{"concurrent accepts of one invitation accept it once", instTestAcceptOnce},
	{"concurrent grants and revokes on every instance end where a fresh Space does", instTestConcurrentGrants},
}

// instEnv is an svcEnv whose database has several handles, with a Space
// on each. Its set-up helpers (fixture, newUser, …) write through the
// first handle.
type instEnv struct {
	*svcEnv
	backends []svcBackend
	ids      *instIDs
	// spaces[i] is the instance on handle i.
	spaces []*orgspace.Space
}

func newInstEnv(t *testing.T, backends []svcBackend) *instEnv {
	t.Helper()
	e := &instEnv{svcEnv: newSvcEnv(t, func(*testing.T) svcBackend { return backends[0] }), backends: backends}
	e.ids = &instIDs{next: e.svcEnv.ids}
	for i := range backends {
		e.spaces = append(e.spaces, e.openOn(i))
	}
	return e
}

// openOn opens a Space on handle i, configured like every Space of e but
// with IDs that e remembers.
func (e *instEnv) openOn(i int) *orgspace.Space {
	e.t.Helper()
	cfg := e.config()
	cfg.IDs = e.ids
	s, err := e.backends[i](e.ctx, cfg)
	if err != nil {
		e.t.Fatalf("orgspace.Open on handle %d: %v", i, err)
	}
	return s
}

// index returns instance i's index at least at rev.
func (e *instEnv) index(i int, rev storage.Revision) *access.Index {
	e.t.Helper()
	ix, err := e.spaces[i].Access.Index(e.ctx, storage.AtLeast(rev))
	if err != nil {
		e.t.Fatalf("instance %d: Index(AtLeast(%d)): %v", i, rev, err)
	}
	if ix.Revision() < rev {
		e.t.Fatalf("instance %d: Index(AtLeast(%d)) returned an index at revision %d", i, rev, ix.Revision())
	}
	return ix
}

// builts returns the revision each instance's index was last compiled
// from in full.
func (e *instEnv) builts() []storage.Revision {
	out := make([]storage.Revision, len(e.spaces))
	for i, s := range e.spaces {
		out[i] = s.Access.Current().Built()
	}
	return out
}

// checkFollowed fails the test when an instance compiled its index in full
// since builts were taken.
func (e *instEnv) checkFollowed(what string, builts []storage.Revision) {
	e.t.Helper()
	if now := e.builts(); !slices.Equal(now, builts) {
		e.t.Errorf("%s: the instances' indexes were last compiled in full at revisions %v, want still %v: they did not follow the log", what, now, builts)
	}
}

// entriesAfter returns the log entries of the revisions after rev.
func (e *instEnv) entriesAfter(rev storage.Revision) []storage.Entry {
	e.t.Helper()
	var all []storage.Entry
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		all, err = svcAllEntries(st)
		return err
	}))
	return slices.DeleteFunc(all, func(x storage.Entry) bool { return x.Revision <= rev })
}

// instIDs hands out the shared generator's IDs and remembers them, so that
// a test can look up every object any instance may have created.
type instIDs struct {
	next   org.IDGenerator
	mu     sync.Mutex
	issued []string
}

// NewID implements org.IDGenerator.
func (g *instIDs) NewID(prefix string) string {
	id := g.next.NewID(prefix)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.issued = append(g.issued, id)
	return id
}

// since returns the IDs issued after the first n.
func (g *instIDs) since(n int) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.issued[n:])
}

func (g *instIDs) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.issued)
}

// instRace calls op(0), …, op(n-1) in goroutines released together, so
// that they really overlap, and returns their errors.
func instRace(n int, op func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	for i := range errs {
		done.Go(func() {
			ready.Done()
			<-start
			errs[i] = op(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// instOneWinner fails t unless exactly one of errs is nil and every other
// wraps lost; it returns the index of the nil one (-1 if none).
func instOneWinner(t *testing.T, what string, errs []error, lost error) int {
	t.Helper()
	winner, won := -1, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
			won++
		case !errors.Is(err, lost):
			t.Errorf("%s: call %d failed with %v (%s), want %v", what, i, err, svcSentinel(err), lost)
		}
	}
	if won != 1 {
		t.Errorf("%s: %d calls succeeded, want exactly 1", what, won)
	}
	return winner
}

func instTestVisibility(t *testing.T, e *instEnv) {
	f := e.fixture()
	ctx := e.ctx
	builts := e.builts()
	users, accounts := slices.Clone(f.allUsers), f.accounts
	var role access.RoleID
	var token string
	steps := []struct {
		name  string
		write func(s *orgspace.Space) (storage.Revision, error)
	}{
		{"a grant", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.loner, Account: f.events, Role: access.Editor})
		}},
		{"a role change", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.loner, Account: f.events, Role: access.Observer})
		}},
		{"a revoke", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Revoke(ctx, f.adminA, f.observer, f.engage)
		}},
		{"an organisation role", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.SetOrganisationRole(ctx, f.ownerA, f.acme, f.loner, org.Member)
		}},
		{"a custom role defined", func(s *orgspace.Space) (storage.Revision, error) {
			r, rev, err := s.Access.DefineRole(ctx, f.ownerA, f.acme, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount)})
			role = r.ID
			return rev, err
		}},
		{"a custom role granted", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.marketer, Account: f.loyalty, Role: role})
		}},
		{"a custom role updated", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.UpdateRole(ctx, f.ownerA, role, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
		}},
		{"a custom role's grant revoked", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Revoke(ctx, f.ownerA, f.marketer, f.loyalty)
		}},
		{"a custom role deleted", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.DeleteRole(ctx, f.ownerA, role)
		}},
		{"an invitation sent", func(s *orgspace.Space) (storage.Revision, error) {
			inv, rev, err := s.Access.Invite(ctx, f.ownerA, access.InviteRequest{Email: "guest@example.test", Account: f.loyalty, Role: access.Marketer, OrgRole: org.Member})
			token, _ = e.mail.Token(inv.ID)
			return rev, err
		}},
		{"an invitation accepted", func(s *orgspace.Space) (storage.Revision, error) {
			u, rev, err := s.Access.Accept(ctx, token, "Guest")
			users = append(users, u.ID)
			return rev, err
		}},
		{"a favourite", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.SetFavourite(ctx, f.marketerA, f.engage)
		}},
		{"a favourite's account revoked", func(s *orgspace.Space) (storage.Revision, error) {
			return s.Access.Revoke(ctx, f.adminA, f.marketer, f.engage)
		}},
	}
	for i, step := range steps {
		// The writer, the instance that indexes at the write's revision,
		// and one that lists at it, turn with every step.
		w, r, l := i%instCount, (i+1)%instCount, (i+2)%instCount
		behind := e.spaces[r].Access.Current().Revision()
		rev, err := step.write(e.spaces[w])
		if err != nil {
			t.Fatalf("%s through instance %d: %v", step.name, w, err)
		}
		if behind >= rev || e.spaces[l].Access.Current().Revision() >= rev {
			t.Fatalf("%s: the other instances already reflect revision %d before reading it", step.name, rev)
		}
		fresh := e.openOn(r).Access.Current()
		if fresh.Revision() != rev {
			t.Fatalf("%s: a Space opened after the write is at revision %d, want %d", step.name, fresh.Revision(), rev)
		}
		what := fmt.Sprintf("%s through instance %d", step.name, w)
		svcSameAnswers(t, what+", the writer", fresh, e.spaces[w].Access.Current(), users, accounts)
		svcSameAnswers(t, what+", Index(AtLeast) of another", fresh, e.index(r, rev), users, accounts)
		for _, u := range users {
			rows, err := e.spaces[l].Access.Accounts(ctx, storage.AtLeast(rev), u)
			e.must(err)
			if !slices.Equal(rows, fresh.AccountsOf(u)) {
				t.Errorf("%s: Accounts(AtLeast(%d), %s) on a third instance = %+v, want %+v", what, rev, u, rows, fresh.AccountsOf(u))
			}
		}
		e.checkFollowed(what, builts)
	}
}

func instTestWriteSkew(t *testing.T, e *instEnv) {
	ctx := e.ctx
	o := e.newOrg("Skew")
	owners := []org.UserID{e.newUser("first-owner@skew.test"), e.newUser("second-owner@skew.test")}
	for _, u := range owners {
		e.setOrgRole(e.operator, o, u, org.Owner)
	}
	start := e.head()
	const rounds = 30
	for round := range rounds {
		// Each Owner is demoted through a different instance; the operator
		// may do both, so only the last-Owner rule can refuse one.
		errs := instRace(len(owners), func(i int) error {
			_, err := e.spaces[(round+i)%instCount].Access.SetOrganisationRole(ctx, e.operator, o, owners[i], org.Member)
			return err
		})
		what := fmt.Sprintf("round %d", round)
		winner := instOneWinner(t, what, errs, storage.ErrFailedPrecondition)
		if winner < 0 {
			t.FailNow()
		}
		kept := owners[1-winner]
		head := e.head()
		for i := range e.spaces {
			page, _ := e.index(i, head).UsersOfOrganisation(o, "", storage.MaxPageSize)
			var seen []org.UserID
			for _, ou := range page {
				if ou.Role == org.Owner {
					seen = append(seen, ou.User)
				}
			}
			if !slices.Equal(seen, []org.UserID{kept}) {
				t.Fatalf("%s: instance %d sees the Owners %v, want only %s", what, i, seen, kept)
			}
		}
		if n, role := e.countOwners(o), e.membership(o, kept); n != 1 || role != org.Owner {
			t.Fatalf("%s: the store holds %d Owners, and %s is %v; want 1, %s", what, n, kept, role, kept)
		}
		// Restore the demoted Owner through the third instance.
		if _, err := e.spaces[(round+2)%instCount].Access.SetOrganisationRole(ctx, e.operator, o, owners[winner], org.Owner); err != nil {
			t.Fatalf("%s: restore the Owner: %v", what, err)
		}
	}
	changes := 0
	for _, x := range e.entriesAfter(start) {
		if x.Action == "access.org_role.set" {
			changes++
		}
	}
	if changes != 2*rounds {
		t.Errorf("%d organisation role changes logged over %d rounds, want %d: a refused demotion left an entry", changes, rounds, 2*rounds)
	}
}

// countOwners counts o's Owners in the store.
func (e *instEnv) countOwners(o org.OrganisationID) int {
	e.t.Helper()
	var n int
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		n, err = st.CountMembers(o, org.Owner)
		return err
	}))
	return n
}

func instTestDuplicateEmail(t *testing.T, e *instEnv) {
	f := e.fixture()
	ctx := e.ctx
	const email = "twin@example.test"
	spellings := []string{email, strings.ToUpper(email), " Twin@Example.Test\t", "  " + email}
	for _, s := range spellings {
		if n, err := org.NormaliseEmail(s); err != nil || n != email {
			t.Fatalf("NormaliseEmail(%q) = %q, %v; the test wants spellings of %q", s, n, err, email)
		}
	}
	before, issued := e.head(), e.ids.count()
	// Half the racers create the user as an operator, half add it with a
	// grant as the Owner; each instance has racers of both kinds.
	const racers = 4 * instCount
	users := make([]org.User, racers)
	errs := instRace(racers, func(i int) error {
		s, in := e.spaces[i%instCount], org.NewUser{Email: spellings[i%len(spellings)], Name: "Twin"}
		var err error
		if i/instCount%2 == 0 {
			users[i], _, err = s.Org.CreateUser(ctx, e.operator, in)
		} else {
			users[i], _, err = s.Access.AddUser(ctx, f.ownerA, in, access.GrantRequest{Account: f.events, Role: access.Editor})
		}
		return err
	})
	winner := instOneWinner(t, "create "+email, errs, storage.ErrAlreadyExists)
	if winner < 0 {
		t.FailNow()
	}
	won := users[winner]
	var holders []org.UserID
	e.must(e.space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		for _, id := range e.ids.since(issued) {
			u, err := st.User(org.UserID(id))
			if err == nil && u.Email == email {
				holders = append(holders, u.ID)
			} else if err != nil && !storage.IsNotFound(err) {
				return err
			}
		}
		u, err := st.UserByEmail(email)
		if err != nil || u.ID != won.ID {
			t.Errorf("UserByEmail(%q) = %s, %v; want the winner %s", email, u.ID, err, won.ID)
		}
		return nil
	}))
	if !slices.Equal(holders, []org.UserID{won.ID}) {
		t.Errorf("the store holds the users %v with email %q, want only %s", holders, email, won.ID)
	}
	var created []string
	for _, x := range e.entriesAfter(before) {
		if x.Action == "org.user.create" {
			created = append(created, x.Target)
		}
	}
	if !slices.Equal(created, []string{string(won.ID)}) {
		t.Errorf("the log holds the user creations %v, want one of %s", created, won.ID)
	}
	_, granted := e.storedGrant(won.ID, f.events)
	if addUser := winner/instCount%2 == 1; granted != addUser {
		t.Errorf("the winner was AddUser: %v, but holds a grant on %s: %v", addUser, f.events, granted)
	}
}

func instTestAcceptOnce(t *testing.T, e *instEnv) {
	f := e.fixture()
	ctx := e.ctx
	id, token := e.invite(f.ownerA, access.InviteRequest{Email: "racer@example.test", Account: f.engage, Role: access.Observer, OrgRole: org.Member})
	users := make([]org.User, 2*instCount)
	errs := instRace(len(users), func(i int) error {
		var err error
		users[i], _, err = e.spaces[i%instCount].Access.Accept(ctx, token, "Racer")
		return err
	})
	winner := instOneWinner(t, "accept", errs, storage.ErrFailedPrecondition)
	if winner < 0 {
		t.FailNow()
	}
	u := users[winner]
	accepts := 0
	for _, x := range e.entriesAfter(0) {
		if x.Action == "access.invitation.accept" && x.Target == string(id) {
			accepts++
		}
	}
	if accepts != 1 {
		t.Errorf("%d accepts of invitation %s logged, want 1", accepts, id)
	}
	e.emails = append(e.emails, "racer@example.test")
	snap := e.snapshot()
	if got := snap.Emails["racer@example.test"]; got != string(u.ID) {
		t.Errorf("the invited email belongs to %q, want the winner %s", got, u.ID)
	}
	for _, inv := range snap.Invitations {
		if inv.ID == id && (inv.Status != access.Accepted || inv.User != u.ID) {
			t.Errorf("the invitation is %s by %q, want accepted by %s", inv.Status, inv.User, u.ID)
		}
	}
	head := e.head()
	for i := range e.spaces {
		if ix := e.index(i, head); !ix.Check(u.ID, f.engage, access.ViewAccount) {
			t.Errorf("instance %d at revision %d does not let the invitee view %s", i, head, f.engage)
		}
	}
}

func instTestConcurrentGrants(t *testing.T, e *instEnv) {
	f := e.fixture()
	ctx := e.ctx
	// Each instance writes on users of its own, so the final state of
	// every grant is the last one its instance wrote.
	const usersEach, ops = 2, 20
	mine := make([][]org.UserID, instCount)
	for i := range mine {
		for j := range usersEach {
			mine[i] = append(mine[i], e.newUser(fmt.Sprintf("writer-%d-%d@example.test", i, j)))
		}
	}
	accounts := []org.AccountID{f.engage, f.loyalty, f.events}
	roles := []access.RoleID{access.Administrator, access.Marketer, access.Editor, access.Observer}
	builts := e.builts()
	type cell struct {
		u org.UserID
		a org.AccountID
	}
	want := make([]map[cell]access.RoleID, instCount)
	errs := instRace(instCount, func(i int) error {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		want[i] = map[cell]access.RoleID{}
		s := e.spaces[i]
		for range ops {
			c := cell{mine[i][rng.IntN(usersEach)], accounts[rng.IntN(len(accounts))]}
			if rng.IntN(3) == 0 {
				if _, err := s.Access.Revoke(ctx, f.ownerA, c.u, c.a); err != nil && !storage.IsNotFound(err) {
					return fmt.Errorf("instance %d: Revoke(%s, %s): %w", i, c.u, c.a, err)
				}
				delete(want[i], c)
				continue
			}
			r := roles[rng.IntN(len(roles))]
			if _, err := s.Access.Grant(ctx, e.operator, access.GrantRequest{User: c.u, Account: c.a, Role: r}); err != nil {
				return fmt.Errorf("instance %d: Grant(%s, %s, %s): %w", i, c.u, c.a, r, err)
			}
			want[i][c] = r
		}
		return nil
	})
	for _, err := range errs {
		e.must(err)
	}
	for i := range mine {
		for _, u := range mine[i] {
			for _, a := range accounts {
				g, ok := e.storedGrant(u, a)
				if r, held := want[i][cell{u, a}]; ok != held || g.Role != r {
					t.Errorf("instance %d wrote last %q for %s on %s; the store holds %q (found %v)", i, r, u, a, g.Role, ok)
				}
			}
		}
	}
	head := e.head()
	fresh := e.openOn(0).Access.Current()
	users := slices.Concat(append([][]org.UserID{f.allUsers}, mine...)...)
	for i := range e.spaces {
		svcSameAnswers(t, fmt.Sprintf("instance %d at the head", i), fresh, e.index(i, head), users, f.accounts)
	}
	e.checkFollowed("after the concurrent writes", builts)
}
