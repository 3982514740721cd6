package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// world is the seeds' set-up: organisation Toppp with an Engage, a Loyalty
// and an Events account, an Owner, and users in several roles.
type world struct {
	t        *testing.T
	ctx      context.Context
	space    *orgspace.Space
	clock    *accesstest.Clock
	operator org.Actor
	mails    map[string]string // email → last token

	toppp                    org.Organisation
	engage, loyalty, events  org.Account
	owner, admin, marketer   org.UserID
	editor, observer, member org.UserID
}

func newWorld(t *testing.T, cfg orgspace.Config) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clock: accesstest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), mails: map[string]string{}}
	cfg.Clock, cfg.IDs = w.clock, &org.SequentialIDs{}
	cfg.Notifier = access.NotifierFunc(func(_ context.Context, m access.InvitationMail) error {
		w.mails[m.Invitation.Email] = m.Token
		return nil
	})
	var err error
	if w.space, err = orgspace.Open(w.ctx, memstore.New(), cfg); err != nil {
		t.Fatal(err)
	}
	op, _, err := w.space.Org.CreateOperator(w.ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "csm@platform.test"})
	w.must(err)
	w.operator = org.AsOperator(op.ID)
	w.toppp = w.newOrg("Toppp")
	w.engage = w.newAccount(w.toppp.ID, org.Engage, "Toppp Engage", org.LoginPolicy{})
	w.loyalty = w.newAccount(w.toppp.ID, org.Loyalty, "Toppp Rewards", org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true})
	w.events = w.newAccount(w.toppp.ID, org.Events, "Toppp Events", org.LoginPolicy{})
	w.owner = w.newUser("owner@toppp.test")
	w.setOrgRole(w.operator, w.toppp.ID, w.owner, org.Owner)
	w.admin = w.grantNew("admin@toppp.test", w.engage.ID, access.Administrator)
	w.marketer = w.grantNew("marketer@toppp.test", w.engage.ID, access.Marketer)
	w.editor = w.grantNew("editor@toppp.test", w.engage.ID, access.Editor)
	w.observer = w.grantNew("observer@toppp.test", w.engage.ID, access.Observer)
	w.member = w.newUser("member@toppp.test")
	w.setOrgRole(as(w.owner), w.toppp.ID, w.member, org.Member)
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) newOrg(name string) org.Organisation {
	w.t.Helper()
	o, _, err := w.space.Org.CreateOrganisation(w.ctx, w.operator, org.NewOrganisation{Name: name})
	w.must(err)
	return o
}

func (w *world) newAccount(o org.OrganisationID, p org.Product, name string, login org.LoginPolicy) org.Account {
	w.t.Helper()
	a, _, err := w.space.Org.CreateAccount(w.ctx, w.operator, org.NewAccount{Org: o, Product: p, Name: name, Login: login})
	w.must(err)
	return a
}

func (w *world) newUser(email string) org.UserID {
	w.t.Helper()
	u, _, err := w.space.Org.CreateUser(w.ctx, w.operator, org.NewUser{Email: email, Name: email})
	w.must(err)
	return u.ID
}

// grantNew creates a user through the Owner, with a role on an account.
func (w *world) grantNew(email string, a org.AccountID, r access.RoleID) org.UserID {
	w.t.Helper()
	u, _, err := w.space.Access.AddUser(w.ctx, org.AsUser(w.owner), org.NewUser{Email: email, Name: email}, access.GrantRequest{Account: a, Role: r})
	w.must(err)
	return u.ID
}

func (w *world) setOrgRole(actor org.Actor, o org.OrganisationID, u org.UserID, r org.Role) {
	w.t.Helper()
	_, err := w.space.Access.SetOrganisationRole(w.ctx, actor, o, u, r)
	w.must(err)
}

func (w *world) grant(actor org.Actor, u org.UserID, a org.AccountID, r access.RoleID) error {
	_, err := w.space.Access.Grant(w.ctx, actor, access.GrantRequest{User: u, Account: a, Role: r})
	return err
}

// head returns the store's latest revision: a failed write must leave it
// (and so every object and the audit log) as it was.
func (w *world) head() storage.Revision {
	w.t.Helper()
	var h storage.Revision
	w.must(w.space.Store().View(w.ctx, storage.Latest(), func(st orgspace.Store) error {
		var err error
		h, err = st.Head()
		return err
	}))
	return h
}

// wantErr checks that err wraps want and that nothing was committed since before.
func (w *world) wantErr(err, want error, before storage.Revision) {
	w.t.Helper()
	if !errors.Is(err, want) {
		w.t.Errorf("error = %v, want %v", err, want)
	}
	if h := w.head(); h != before {
		w.t.Errorf("a failed write committed: head %d → %d", before, h)
	}
}

func as(u org.UserID) org.Actor { return org.AsUser(u) }
