package storagetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// runServiceTests runs the service-level conformance tests: an
// orgspace.Space opened on the backend, driven through its services. Every
// subtest opens a fresh backend with open, except where it says that it
// opens several Spaces on one backend.
func runServiceTests[T orgspace.Store](t *testing.T, open func(t *testing.T) storage.Transactor[T]) {
	t.Helper()
	fresh := func(t *testing.T) svcBackend { return svcBackendOf(open(t)) }
	t.Run("service", func(t *testing.T) {
		for _, tc := range svcTests {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, fresh) })
		}
		newBackend := func(t *testing.T) (svcBackend, func()) {
			b := open(t)
			return svcBackendOf(b), func() { closeBackend(t, b) }
		}
		t.Run("state machine: the services agree with a simple model", func(t *testing.T) {
			svcTestStateMachine(t, newBackend)
		})
		t.Run("state machine: billing agrees with a simple model and keeps the ledger's invariants", func(t *testing.T) {
			svcTestBillingMachine(t, newBackend)
		})
		t.Run("state machine: community agrees with a simple model and never identifies indirect members", func(t *testing.T) {
			svcTestCommunityMachine(t, newBackend)
		})
	})
}

// svcTest is one service-level test; newBackend opens a fresh backend.
type svcTest struct {
	name string
	run  func(t *testing.T, newBackend func(t *testing.T) svcBackend)
}

var svcTests = []svcTest{
	{"every successful write returns a greater revision and appends audit entries carrying it", svcTestAuditOfWrites},
	{"the audit log reads the same through any page size, for operators and Owners", svcTestAuditPaging},
	{"failed write returns its sentinel and changes nothing", svcTestFailedWrites},
	{"documented rules hold end to end", svcTestRules},
	{"a second Space on the same backend sees a write after Index at least its revision", svcTestSecondSpace},
	{"a Space reopened on existing data compiles an index that answers like the old one", svcTestReopen},
	{"concurrent grants, revokes, checks and refreshes end where a fresh index does", svcTestConcurrency},
	{"concurrent Spaces accept an invitation once and add a user once", svcTestConcurrentOnce},
}

// closeBackend closes b when it has a Close method, as the SQL backends
// do: the state machine opens a backend per case, more than a database
// server's connections allow if they stayed open until the test ends.
func closeBackend(t *testing.T, b any) {
	switch c := b.(type) {
	case interface{ Close() error }:
		if err := c.Close(); err != nil {
			t.Errorf("close backend: %v", err)
		}
	case interface{ Close() }:
		c.Close()
	}
}

// svcBackend opens a Space on one backend value; every call shares the
// backend (and so its data) with the others.
type svcBackend func(ctx context.Context, cfg orgspace.Config) (*orgspace.Space, error)

func svcBackendOf[T orgspace.Store](b storage.Transactor[T]) svcBackend {
	return func(ctx context.Context, cfg orgspace.Config) (*orgspace.Space, error) {
		return orgspace.Open(ctx, b, cfg)
	}
}

// svcT0 is where the test clocks start: whole seconds, UTC, so that every
// backend stores the times it derives exactly.
var svcT0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// svcRand is a deterministic io.Reader for invitation tokens, safe for
// concurrent use.
type svcRand struct {
	mu  sync.Mutex
	src *rand.ChaCha8
}

func newSvcRand(seed byte) *svcRand {
	var s [32]byte
	s[0] = seed
	return &svcRand{src: rand.NewChaCha8(s)}
}

// Read implements io.Reader.
func (r *svcRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.src.Read(p)
}

// svcEnv is one backend with the controllable surroundings of its Spaces
// (clock, IDs, mailbox, token source) and a first Space with an operator.
type svcEnv struct {
	t       *testing.T
	ctx     context.Context
	backend svcBackend
	clock   *accesstest.Clock
	ids     *org.SequentialIDs
	mail    *accesstest.Mailbox
	rand    *svcRand

	space    *orgspace.Space
	operator org.Actor
	// users and emails are every user and probed email the test knows of,
	// for snapshots.
	users  []org.UserID
	emails []string
}

// newSvcEnv opens a fresh backend, a Space on it, and registers an operator.
func newSvcEnv(t *testing.T, newBackend func(t *testing.T) svcBackend) *svcEnv {
	t.Helper()
	e := &svcEnv{
		t:       t,
		ctx:     t.Context(),
		backend: newBackend(t),
		clock:   accesstest.NewClock(svcT0),
		ids:     &org.SequentialIDs{},
		mail:    accesstest.NewMailbox(),
		rand:    newSvcRand(1),
	}
	e.space = e.open()
	op, _, err := e.space.Org.CreateOperator(e.ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "csm@platform.test"})
	e.must(err)
	e.operator = org.AsOperator(op.ID)
	return e
}

// config is the configuration of every Space of e: they share the clock,
// the ID generator (so IDs never repeat across them), the mailbox and the
// token source.
func (e *svcEnv) config() orgspace.Config {
	return orgspace.Config{Clock: e.clock, IDs: e.ids, Notifier: e.mail, Rand: e.rand}
}

// open opens another Space on e's backend.
func (e *svcEnv) open() *orgspace.Space {
	e.t.Helper()
	s, err := e.backend(e.ctx, e.config())
	if err != nil {
		e.t.Fatalf("orgspace.Open: %v", err)
	}
	return s
}

func (e *svcEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// head returns the backend's latest revision.
func (e *svcEnv) head() storage.Revision {
	e.t.Helper()
	var h storage.Revision
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		h, err = st.Head()
		return err
	}))
	return h
}

// Set-up helpers: each fails the test on an error.

func (e *svcEnv) newOrg(name string) org.OrganisationID {
	e.t.Helper()
	o, _, err := e.space.Org.CreateOrganisation(e.ctx, e.operator, org.NewOrganisation{Name: name})
	e.must(err)
	return o.ID
}

func (e *svcEnv) newAccount(o org.OrganisationID, p org.Product, name string, login org.LoginPolicy) org.AccountID {
	e.t.Helper()
	a, _, err := e.space.Org.CreateAccount(e.ctx, e.operator, org.NewAccount{Org: o, Product: p, Name: name, Login: login})
	e.must(err)
	return a.ID
}

func (e *svcEnv) newUser(email string) org.UserID {
	e.t.Helper()
	u, _, err := e.space.Org.CreateUser(e.ctx, e.operator, org.NewUser{Email: email, Name: email})
	e.must(err)
	e.users = append(e.users, u.ID)
	return u.ID
}

func (e *svcEnv) setOrgRole(actor org.Actor, o org.OrganisationID, u org.UserID, r org.Role) {
	e.t.Helper()
	_, err := e.space.Access.SetOrganisationRole(e.ctx, actor, o, u, r)
	e.must(err)
}

func (e *svcEnv) grant(actor org.Actor, u org.UserID, a org.AccountID, r access.RoleID, expires time.Time) {
	e.t.Helper()
	_, err := e.space.Access.Grant(e.ctx, actor, access.GrantRequest{User: u, Account: a, Role: r, ExpiresAt: expires})
	e.must(err)
}

// svcFixture is a small world: organisation Acme with an Engage, a Loyalty
// and an Events account, its Owner, an Administrator, a Marketer and an
// Observer of the Engage account and a Member; organisation Globex with an
// Engage account, its Owner and an outsider who observes it; and a user who
// belongs to no organisation.
type svcFixture struct {
	acme, globex                             org.OrganisationID
	engage, loyalty, events, globexEngage    org.AccountID
	owner, admin, marketer, observer, member org.UserID
	globexOwner, outsider, loner             org.UserID
	ownerA, adminA, observerA, globexOwnerA  org.Actor
	memberA, outsiderA, lonerA, marketerA    org.Actor
	accounts                                 []org.AccountID
	allUsers                                 []org.UserID
	orgOwner                                 map[org.OrganisationID]org.Actor
}

func (e *svcEnv) fixture() *svcFixture {
	e.t.Helper()
	f := &svcFixture{}
	f.acme = e.newOrg("Acme")
	f.globex = e.newOrg("Globex")
	f.engage = e.newAccount(f.acme, org.Engage, "Acme Engage", org.LoginPolicy{})
	f.loyalty = e.newAccount(f.acme, org.Loyalty, "Acme Rewards", org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true})
	f.events = e.newAccount(f.acme, org.Events, "Acme Events", org.LoginPolicy{TwoFactor: true})
	f.globexEngage = e.newAccount(f.globex, org.Engage, "Globex Engage", org.LoginPolicy{})
	f.owner = e.newUser("owner@acme.test")
	f.admin = e.newUser("admin@acme.test")
	f.marketer = e.newUser("marketer@acme.test")
	f.observer = e.newUser("observer@acme.test")
	f.member = e.newUser("member@acme.test")
	f.globexOwner = e.newUser("owner@globex.test")
	f.outsider = e.newUser("outsider@globex.test")
	f.loner = e.newUser("loner@example.test")
	e.setOrgRole(e.operator, f.acme, f.owner, org.Owner)
	e.setOrgRole(e.operator, f.globex, f.globexOwner, org.Owner)
	f.ownerA, f.adminA, f.observerA = org.AsUser(f.owner), org.AsUser(f.admin), org.AsUser(f.observer)
	f.globexOwnerA, f.memberA, f.outsiderA = org.AsUser(f.globexOwner), org.AsUser(f.member), org.AsUser(f.outsider)
	f.lonerA, f.marketerA = org.AsUser(f.loner), org.AsUser(f.marketer)
	e.grant(f.ownerA, f.admin, f.engage, access.Administrator, time.Time{})
	e.grant(f.ownerA, f.marketer, f.engage, access.Marketer, time.Time{})
	e.grant(f.adminA, f.observer, f.engage, access.Observer, time.Time{})
	e.setOrgRole(f.ownerA, f.acme, f.member, org.Member)
	e.grant(f.globexOwnerA, f.outsider, f.globexEngage, access.Observer, time.Time{})
	f.accounts = []org.AccountID{f.engage, f.loyalty, f.events, f.globexEngage, "acc_unknown"}
	f.allUsers = []org.UserID{f.owner, f.admin, f.marketer, f.observer, f.member, f.globexOwner, f.outsider, f.loner, "usr_unknown"}
	f.orgOwner = map[org.OrganisationID]org.Actor{f.acme: f.ownerA, f.globex: f.globexOwnerA}
	return f
}

// svcPermissions is every permission.
func svcPermissions() []access.Permission {
	var ps []access.Permission
	for p := access.Permission(0); access.AllPermissions.Has(p); p++ {
		ps = append(ps, p)
	}
	return ps
}

// svcTriple is one question to Check.
type svcTriple struct {
	User       org.UserID
	Account    org.AccountID
	Permission access.Permission
}

// svcMatrix answers Check on ix for every triple of users × accounts ×
// permissions; it holds the allowed triples.
func svcMatrix(ix *access.Index, users []org.UserID, accounts []org.AccountID) map[svcTriple]bool {
	out := map[svcTriple]bool{}
	for _, u := range users {
		for _, a := range accounts {
			for _, p := range svcPermissions() {
				if ix.Check(u, a, p) {
					out[svcTriple{u, a, p}] = true
				}
			}
		}
	}
	return out
}

// svcSnapshot is everything the store shows of its state.
type svcSnapshot struct {
	Head          storage.Revision
	Entries       []storage.Entry
	Organisations []org.Organisation
	Accounts      []org.Account
	Users         map[org.UserID]string // a user, or the lookup error's sentinel
	Emails        map[string]string     // the user ID of an email, or the error
	Memberships   []org.Membership
	Roles         []access.Role
	Grants        []access.Grant
	Favourites    map[org.UserID]org.AccountID
	Invitations   []access.Invitation
}

var svcCmpOptions = []gocmp.Option{cmpopts.EquateEmpty()}

// snapshot reads the whole state of e's backend in one View.
func (e *svcEnv) snapshot() svcSnapshot {
	e.t.Helper()
	var s svcSnapshot
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		var err error
		s, err = svcTakeSnapshot(st, e.users, e.emails)
		return err
	}))
	return s
}

func svcTakeSnapshot(st orgspace.Store, users []org.UserID, emails []string) (s svcSnapshot, err error) {
	if s.Head, err = st.Head(); err != nil {
		return s, err
	}
	if s.Entries, err = svcAllEntries(st); err != nil {
		return s, err
	}
	for after := org.OrganisationID(""); ; {
		page, err := st.ListOrganisations(after, 2)
		if err != nil {
			return s, err
		}
		s.Organisations = append(s.Organisations, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if err = st.AllAccounts(func(a org.Account) error { s.Accounts = append(s.Accounts, a); return nil }); err != nil {
		return s, err
	}
	slices.SortFunc(s.Accounts, func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) })
	s.Users = map[org.UserID]string{}
	for _, id := range users {
		u, err := st.User(id)
		s.Users[id] = svcFound(fmt.Sprintf("%+v", u), err)
	}
	s.Emails = map[string]string{}
	for _, email := range emails {
		u, err := st.UserByEmail(email)
		s.Emails[email] = svcFound(string(u.ID), err)
	}
	if err = st.AllMemberships(func(m org.Membership) error { s.Memberships = append(s.Memberships, m); return nil }); err != nil {
		return s, err
	}
	slices.SortFunc(s.Memberships, func(a, b org.Membership) int {
		return cmp.Or(cmp.Compare(a.Org, b.Org), cmp.Compare(a.User, b.User))
	})
	if err = st.AllRoles(func(r access.Role) error { s.Roles = append(s.Roles, r); return nil }); err != nil {
		return s, err
	}
	slices.SortFunc(s.Roles, func(a, b access.Role) int { return cmp.Compare(a.ID, b.ID) })
	if err = st.AllGrants(func(g access.Grant) error { s.Grants = append(s.Grants, g); return nil }); err != nil {
		return s, err
	}
	slices.SortFunc(s.Grants, func(a, b access.Grant) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.Account, b.Account))
	})
	s.Favourites = map[org.UserID]org.AccountID{}
	if err = st.AllFavourites(func(u org.UserID, a org.AccountID) error {
		if a != "" {
			s.Favourites[u] = a
		}
		return nil
	}); err != nil {
		return s, err
	}
	for _, o := range s.Organisations {
		for after := access.InvitationID(""); ; {
			page, err := st.ListInvitations(o.ID, after, 2)
			if err != nil {
				return s, err
			}
			s.Invitations = append(s.Invitations, page...)
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	return s, nil
}

// svcFound renders a lookup: the value, or which sentinel it failed with.
func svcFound(v string, err error) string {
	switch {
	case err == nil:
		return v
	case storage.IsNotFound(err):
		return "not found"
	}
	return "error: " + err.Error()
}

// svcAllEntries reads the whole log through Entries, in small batches.
func svcAllEntries(st storage.Log) ([]storage.Entry, error) {
	var out []storage.Entry
	var after storage.Position
	for {
		page, err := st.Entries(storage.LogQuery{After: after, Limit: 3})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 3 {
			return out, nil
		}
		after = page[len(page)-1].Position()
	}
}

// svcSentinels are the sentinels a failed write may wrap.
var svcSentinels = []error{
	storage.ErrNotFound, storage.ErrAlreadyExists, storage.ErrPermissionDenied,
	storage.ErrInvalidArgument, storage.ErrFailedPrecondition, storage.ErrConflict,
}

// svcSentinel names the sentinel err wraps, "ok" for nil.
func svcSentinel(err error) string {
	if err == nil {
		return "ok"
	}
	for _, s := range svcSentinels {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "no sentinel"
}
