package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/internal/migrationtest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// A database file closed and opened again, by a new process as far as the
// library can tell, shows everything it held: every organisation, account,
// user, role, grant (also one that expires), invitation in each state,
// favourite and audit entry, and the same answers from Check, Explain and
// the listings; and its next write continues at the revision after.
func TestReopenedFileKeepsEverything(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "orgspace.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := newReopenWorld(t)
	sp := w.open(db)
	w.build(sp)
	before := w.observe(sp)
	w.checkRich(before)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	sp = w.open(db)
	after := w.observe(sp)
	if diff := gocmp.Diff(before, after, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("the reopened file shows a different state (-before +after):\n%s", diff)
	}

	rev, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.loner, Account: w.engage, Role: access.Observer})
	if err != nil || rev != before.Head+1 {
		t.Fatalf("the first write after reopening = revision %d, %v; want %d", rev, err, before.Head+1)
	}
	// The pending invitation's token, mailed before the close, still
	// finds it: its hash was kept.
	token, _ := w.mail.Token(w.pending)
	u, rev, err := sp.Access.Accept(ctx, token, "Late Comer")
	if err != nil || rev != before.Head+2 {
		t.Fatalf("accepting the pending invitation after reopening = revision %d, %v; want %d", rev, err, before.Head+2)
	}
	if !sp.Access.Check(u.ID, w.engage, access.EditContent) {
		t.Errorf("the invitee who accepted after reopening cannot edit the account they were invited to")
	}
}

// reopenWorld builds a rich state through the services and observes it.
// Its clock, IDs, mailbox and token source outlive the Spaces opened on
// it, as a host's would across restarts.
type reopenWorld struct {
	t     *testing.T
	ctx   context.Context
	clock *accesstest.Clock
	ids   *org.SequentialIDs
	mail  *accesstest.Mailbox
	rand  *rand.ChaCha8

	operator                                     org.Actor
	acme, globex                                 org.OrganisationID
	engage, loyalty, events, globexEngage        org.AccountID
	owner, coOwner, admin, marketer, observer    org.UserID
	member, globexOwner, outsider, loner, leaver org.UserID
	newcomer                                     org.UserID
	ownerA                                       org.Actor
	pending                                      access.InvitationID

	users    []org.UserID
	accounts []org.AccountID
	orgs     []org.OrganisationID
}

func newReopenWorld(t *testing.T) *reopenWorld {
	var seed [32]byte
	seed[0] = 7
	return &reopenWorld{
		t: t, ctx: t.Context(), clock: accesstest.NewClock(migrationtest.T0), ids: &org.SequentialIDs{},
		mail: accesstest.NewMailbox(), rand: rand.NewChaCha8(seed),
	}
}

func (w *reopenWorld) open(db *DB) *orgspace.Space {
	w.t.Helper()
	sp, err := orgspace.Open(w.ctx, db, orgspace.Config{Clock: w.clock, IDs: w.ids, Notifier: w.mail, Rand: w.rand})
	if err != nil {
		w.t.Fatalf("orgspace.Open: %v", err)
	}
	return sp
}

// must fails the test on a write's error.
func (w *reopenWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// build writes the state through sp's services.
func (w *reopenWorld) build(sp *orgspace.Space) {
	w.t.Helper()
	ctx, osvc, as := w.ctx, sp.Org, sp.Access
	op, _, err := osvc.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "csm@platform.test"})
	w.must(err)
	w.operator = org.AsOperator(op.ID)

	newOrg := func(name string, s org.Settings) org.OrganisationID {
		o, _, err := osvc.CreateOrganisation(ctx, w.operator, org.NewOrganisation{Name: name, Settings: s})
		w.must(err)
		w.orgs = append(w.orgs, o.ID)
		return o.ID
	}
	newAccount := func(o org.OrganisationID, p org.Product, name string, login org.LoginPolicy) org.AccountID {
		a, _, err := osvc.CreateAccount(ctx, w.operator, org.NewAccount{Org: o, Product: p, Name: name, Login: login})
		w.must(err)
		w.accounts = append(w.accounts, a.ID)
		return a.ID
	}
	newUser := func(email string) org.UserID {
		u, _, err := osvc.CreateUser(ctx, w.operator, org.NewUser{Email: email, Name: "User " + email})
		w.must(err)
		w.users = append(w.users, u.ID)
		return u.ID
	}
	setRole := func(actor org.Actor, o org.OrganisationID, u org.UserID, r org.Role) {
		_, err := as.SetOrganisationRole(ctx, actor, o, u, r)
		w.must(err)
	}
	grant := func(actor org.Actor, u org.UserID, a org.AccountID, r access.RoleID, expires time.Time) {
		_, err := as.Grant(ctx, actor, access.GrantRequest{User: u, Account: a, Role: r, ExpiresAt: expires})
		w.must(err)
	}
	invite := func(actor org.Actor, r access.InviteRequest) (access.InvitationID, string) {
		inv, _, err := as.Invite(ctx, actor, r)
		w.must(err)
		token, ok := w.mail.Token(inv.ID)
		if !ok {
			w.t.Fatalf("no mail for invitation %s", inv.ID)
		}
		return inv.ID, token
	}

	w.acme = newOrg("Acme", org.Settings{TimeZone: "Europe/Paris", Locale: "fr"})
	w.globex = newOrg("Globex", org.Settings{})
	w.engage = newAccount(w.acme, org.Engage, "Acme Engage", org.LoginPolicy{})
	w.loyalty = newAccount(w.acme, org.Loyalty, "Acme Rewards", org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true})
	w.events = newAccount(w.acme, org.Events, "Acme Events", org.LoginPolicy{})
	w.globexEngage = newAccount(w.globex, org.Engage, "Globex Engage", org.LoginPolicy{Method: org.SSO, Provider: "azure"})
	w.owner = newUser("owner@acme.test")
	w.coOwner = newUser("co-owner@acme.test")
	w.admin = newUser("admin@acme.test")
	w.marketer = newUser("marketer@acme.test")
	w.observer = newUser("observer@acme.test")
	w.member = newUser("member@acme.test")
	w.globexOwner = newUser("owner@globex.test")
	w.outsider = newUser("outsider@globex.test")
	w.loner = newUser("loner@example.test")
	w.leaver = newUser("leaver@acme.test")
	w.ownerA = org.AsUser(w.owner)
	globexOwnerA, adminA := org.AsUser(w.globexOwner), org.AsUser(w.admin)

	// An invitation made now and never answered has expired by the time
	// the rest is built.
	setRole(w.operator, w.acme, w.owner, org.Owner)
	setRole(w.operator, w.globex, w.globexOwner, org.Owner)
	_, _ = invite(w.ownerA, access.InviteRequest{Email: "late@acme.test", Account: w.events, Role: access.Observer})
	w.clock.Advance(access.DefaultInvitationTTL + time.Hour)
	now := w.clock.Now()

	setRole(w.ownerA, w.acme, w.coOwner, org.Owner)
	setRole(w.ownerA, w.acme, w.member, org.Member)
	analyst, _, err := as.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount)})
	w.must(err)
	_, err = as.UpdateRole(ctx, w.ownerA, analyst.ID, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
	w.must(err)
	grant(w.ownerA, w.admin, w.engage, access.Administrator, time.Time{})
	grant(w.ownerA, w.marketer, w.engage, access.Marketer, time.Time{})
	grant(w.ownerA, w.marketer, w.loyalty, analyst.ID, time.Time{})
	grant(adminA, w.observer, w.engage, access.Observer, now.Add(2*time.Hour))
	grant(w.ownerA, w.loner, w.events, access.Editor, now.Add(30*24*time.Hour))
	grant(globexOwnerA, w.outsider, w.globexEngage, access.Observer, time.Time{})
	grant(w.ownerA, w.leaver, w.loyalty, access.Editor, time.Time{})
	_, err = as.Revoke(ctx, w.ownerA, w.leaver, w.loyalty)
	w.must(err)
	_, err = osvc.RenameOrganisation(ctx, globexOwnerA, w.globex, "Globex Corporation")
	w.must(err)
	_, err = osvc.SetLoginPolicy(ctx, w.operator, w.events, org.LoginPolicy{TwoFactor: true})
	w.must(err)

	// Invitations: pending (mailed twice), accepted by a new user,
	// accepted by a user of another organisation, declined, revoked.
	w.pending, _ = invite(w.ownerA, access.InviteRequest{Email: "pending@acme.test", Account: w.engage, Role: access.Editor})
	_, _, err = as.Resend(ctx, w.ownerA, w.pending)
	w.must(err)
	_, token := invite(w.ownerA, access.InviteRequest{Email: "newcomer@acme.test", Account: w.loyalty, Role: access.Observer, OrgRole: org.Member})
	u, _, err := as.Accept(ctx, token, "New Comer")
	w.must(err)
	w.newcomer = u.ID
	w.users = append(w.users, u.ID)
	_, token = invite(w.ownerA, access.InviteRequest{Email: "outsider@globex.test", Account: w.events, Role: analyst.ID})
	_, _, err = as.Accept(ctx, token, "")
	w.must(err)
	_, token = invite(adminA, access.InviteRequest{Email: "declined@acme.test", Account: w.engage, Role: access.Observer})
	_, err = as.Decline(ctx, token)
	w.must(err)
	revoked, _ := invite(globexOwnerA, access.InviteRequest{Email: "revoked@globex.test", Org: w.globex, OrgRole: org.Owner})
	_, err = as.RevokeInvitation(ctx, globexOwnerA, revoked)
	w.must(err)

	for u, a := range map[org.UserID]org.AccountID{w.marketer: w.loyalty, w.member: w.events, w.newcomer: w.loyalty, w.outsider: w.events} {
		_, err = as.SetFavourite(ctx, org.AsUser(u), a)
		w.must(err)
	}
	w.users = append(w.users, "usr_unknown")
	w.accounts = append(w.accounts, "acc_unknown")
}

// reopenState is everything a Space shows of its state, keyed so that a
// difference reads well.
type reopenState struct {
	Head          storage.Revision
	Decisions     map[string]access.Decision
	Accounts      map[org.UserID][]access.AccountAccess
	Menus         map[org.UserID][]access.MenuGroup
	LoginPolicies map[org.UserID]string
	Users         map[org.UserID]org.User
	Favourites    map[org.UserID]org.AccountID
	Organisations []org.Organisation
	OrgAccounts   map[org.OrganisationID][]org.Account
	Roles         map[org.OrganisationID][]access.Role
	Invitations   map[org.OrganisationID][]access.Invitation
	OrgUsers      map[org.OrganisationID][]access.Member[access.OrgUser]
	AccountUsers  map[org.AccountID][]access.Member[access.AccountUser]
	AuditLog      []storage.Entry
	OrgAuditLogs  map[org.OrganisationID][]storage.Entry
}

// observe reads the state through sp's services, as an operator and as
// each organisation's Owner.
func (w *reopenWorld) observe(sp *orgspace.Space) reopenState {
	w.t.Helper()
	ctx, latest := w.ctx, storage.Latest()
	s := reopenState{
		Decisions: map[string]access.Decision{}, Accounts: map[org.UserID][]access.AccountAccess{},
		Menus: map[org.UserID][]access.MenuGroup{}, LoginPolicies: map[org.UserID]string{}, Users: map[org.UserID]org.User{},
		OrgAccounts: map[org.OrganisationID][]org.Account{}, Roles: map[org.OrganisationID][]access.Role{},
		Invitations: map[org.OrganisationID][]access.Invitation{}, OrgUsers: map[org.OrganisationID][]access.Member[access.OrgUser]{},
		AccountUsers: map[org.AccountID][]access.Member[access.AccountUser]{}, OrgAuditLogs: map[org.OrganisationID][]storage.Entry{},
	}
	w.must(sp.Store().View(ctx, latest, func(st orgspace.Store) (err error) {
		if s.Head, err = st.Head(); err != nil {
			return err
		}
		s.Favourites = map[org.UserID]org.AccountID{}
		return st.AllFavourites(func(u org.UserID, a org.AccountID) error {
			s.Favourites[u] = a
			return nil
		})
	}))
	if _, err := sp.Access.Sync(ctx, latest); err != nil {
		w.t.Fatal(err)
	}
	// Check and Explain now, and once the expiring grant has run out.
	now := w.clock.Now()
	for _, at := range []time.Time{now, now.Add(3 * time.Hour)} {
		w.clock.Set(at)
		for _, u := range w.users {
			for _, a := range w.accounts {
				for p := access.Permission(0); access.AllPermissions.Has(p); p++ {
					d := sp.Access.Explain(u, a, p)
					if d.Allowed != sp.Access.Check(u, a, p) {
						w.t.Errorf("Explain(%s, %s, %s) = %v, but Check says %v", u, a, p, d.Allowed, !d.Allowed)
					}
					s.Decisions[fmt.Sprintf("%s %s %s %s", at.Format(time.TimeOnly), u, a, p)] = d
				}
			}
		}
	}
	w.clock.Set(now)
	for _, u := range w.users {
		var err error
		if s.Accounts[u], err = sp.Access.Accounts(ctx, latest, u); err != nil {
			w.t.Fatal(err)
		}
		if s.Menus[u], err = sp.Access.Menu(ctx, latest, u); err != nil {
			w.t.Fatal(err)
		}
		p, fav, err := sp.Access.LoginPolicy(ctx, latest, u)
		s.LoginPolicies[u] = fmt.Sprintf("%v %s %v", p, fav, storage.IsNotFound(err))
		if u, err := sp.Org.User(ctx, latest, w.operator, u); err == nil {
			s.Users[u.ID] = u
		}
	}
	s.Organisations = readAll(w, func(page storage.PageRequest) (storage.Page[org.Organisation], error) {
		return sp.Org.Organisations(ctx, latest, w.operator, page)
	})
	for _, o := range w.orgs {
		s.OrgAccounts[o] = readAll(w, func(page storage.PageRequest) (storage.Page[org.Account], error) {
			return sp.Org.Accounts(ctx, latest, w.operator, o, page)
		})
		var err error
		if s.Roles[o], err = sp.Access.Roles(ctx, latest, w.operator, o); err != nil {
			w.t.Fatal(err)
		}
		s.Invitations[o] = readAll(w, func(page storage.PageRequest) (storage.Page[access.Invitation], error) {
			return sp.Access.Invitations(ctx, latest, w.operator, o, page)
		})
		s.OrgUsers[o] = readAll(w, func(page storage.PageRequest) (storage.Page[access.Member[access.OrgUser]], error) {
			return sp.Access.UsersOfOrganisation(ctx, latest, w.operator, o, page)
		})
		s.OrgAuditLogs[o] = readAll(w, func(page storage.PageRequest) (storage.Page[storage.Entry], error) {
			return sp.Org.AuditLog(ctx, latest, w.ownerOf(o), o, page)
		})
	}
	for _, a := range w.accounts[:len(w.accounts)-1] {
		s.AccountUsers[a] = readAll(w, func(page storage.PageRequest) (storage.Page[access.Member[access.AccountUser]], error) {
			return sp.Access.UsersOfAccount(ctx, latest, w.operator, a, page)
		})
	}
	s.AuditLog = readAll(w, func(page storage.PageRequest) (storage.Page[storage.Entry], error) {
		return sp.Org.AuditLog(ctx, latest, w.operator, "", page)
	})
	if len(s.AuditLog) < 40 || s.AuditLog[len(s.AuditLog)-1].Revision != s.Head {
		w.t.Fatalf("the audit log has %d entries, the last of revision %d, head %d: the world was not built",
			len(s.AuditLog), s.AuditLog[len(s.AuditLog)-1].Revision, s.Head)
	}
	return s
}

// checkRich fails the test unless s holds what build meant to write, so
// that comparing two states cannot pass by both being poor.
func (w *reopenWorld) checkRich(s reopenState) {
	w.t.Helper()
	now := w.clock.Now()
	statuses := map[access.InvitationStatus]int{}
	resent := false
	for _, invs := range s.Invitations {
		for _, inv := range invs {
			statuses[inv.StatusAt(now)]++
			resent = resent || inv.Sent > 1
		}
	}
	for _, st := range []access.InvitationStatus{access.Pending, access.Accepted, access.Declined, access.Revoked, access.Expired} {
		if statuses[st] == 0 {
			w.t.Errorf("no invitation is %s: %v", st, statuses)
		}
	}
	if !resent {
		w.t.Errorf("no invitation was mailed twice")
	}
	if len(s.Favourites) != 4 {
		w.t.Errorf("stored favourites %v, want 4", s.Favourites)
	}
	// The favourites starred on an account other than the one a login
	// would fall back to.
	for _, u := range []org.UserID{w.marketer, w.newcomer} {
		for _, r := range s.Accounts[u] {
			if r.Favourite != (r.Account.ID == w.loyalty) {
				w.t.Errorf("Accounts(%s): %s has Favourite %v; the star is on %s", u, r.Account.ID, r.Favourite, w.loyalty)
			}
		}
	}
	key := func(at time.Time) string {
		return fmt.Sprintf("%s %s %s %s", at.Format(time.TimeOnly), w.observer, w.engage, access.ViewAccount)
	}
	if !s.Decisions[key(now)].Allowed || s.Decisions[key(now.Add(3*time.Hour))].Allowed {
		w.t.Errorf("the expiring grant does not allow now and deny once it ran out: %+v", s.Decisions)
	}
	if len(s.Roles[w.acme]) == 0 || len(s.Organisations) != 2 || s.Organisations[1].Name != "Globex Corporation" {
		w.t.Errorf("custom roles %+v, organisations %+v", s.Roles[w.acme], s.Organisations)
	}
}

func (w *reopenWorld) ownerOf(o org.OrganisationID) org.Actor {
	if o == w.globex {
		return org.AsUser(w.globexOwner)
	}
	return w.ownerA
}

// readAll reads every page of a listing, three items at a time.
func readAll[T any](w *reopenWorld, list func(storage.PageRequest) (storage.Page[T], error)) []T {
	w.t.Helper()
	var out []T
	page := storage.PageRequest{Limit: 3}
	for {
		p, err := list(page)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		page.After = p.Next
	}
}
