package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// svcRule is a documented rule of org or access, checked end to end over
// the backend: rare paths that random operations seldom reach.
type svcRule struct {
	name string
	run  func(t *testing.T, e *svcEnv, f *svcFixture)
}

func svcTestRules(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	for _, r := range svcRules {
		t.Run(r.name, func(t *testing.T) {
			e := newSvcEnv(t, newBackend)
			r.run(t, e, e.fixture())
		})
	}
}

// Helpers of the rules; each fails the test on an unexpected error.

func (e *svcEnv) invite(actor org.Actor, r access.InviteRequest) (access.InvitationID, string) {
	e.t.Helper()
	inv, _, err := e.space.Access.Invite(e.ctx, actor, r)
	e.must(err)
	tok, ok := e.mail.Token(inv.ID)
	if !ok {
		e.t.Fatalf("no mail for invitation %s", inv.ID)
	}
	return inv.ID, tok
}

func (e *svcEnv) accept(token, name string) org.User {
	e.t.Helper()
	u, _, err := e.space.Access.Accept(e.ctx, token, name)
	e.must(err)
	return u
}

func (e *svcEnv) membership(o org.OrganisationID, u org.UserID) org.Role {
	e.t.Helper()
	var r org.Role
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		m, err := st.Membership(o, u)
		if storage.IsNotFound(err) {
			return nil
		}
		r = m.Role
		return err
	}))
	return r
}

func (e *svcEnv) storedGrant(u org.UserID, a org.AccountID) (access.Grant, bool) {
	e.t.Helper()
	var g access.Grant
	found := false
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		var err error
		g, err = st.Grant(u, a)
		if storage.IsNotFound(err) {
			return nil
		}
		found = err == nil
		return err
	}))
	return g, found
}

// accountIDs returns the IDs of user's accounts in drop-down order and the
// favourite.
func (e *svcEnv) accountIDs(u org.UserID) ([]org.AccountID, org.AccountID) {
	e.t.Helper()
	rows, err := e.space.Access.Accounts(e.ctx, storage.Latest(), u)
	e.must(err)
	var ids []org.AccountID
	var fav org.AccountID
	for _, r := range rows {
		ids = append(ids, r.Account.ID)
		if r.Favourite {
			if fav != "" {
				e.t.Errorf("user %s has two favourites, %s and %s", u, fav, r.Account.ID)
			}
			fav = r.Account.ID
		}
	}
	return ids, fav
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

var svcRules = []svcRule{
	{"accepting an invitation never lowers an organisation role", func(t *testing.T, e *svcEnv, f *svcFixture) {
		_, tok := e.invite(e.operator, access.InviteRequest{Email: "owner@acme.test", Account: f.events, Role: access.Editor, OrgRole: org.Member})
		if u := e.accept(tok, "ignored"); u.ID != f.owner {
			t.Fatalf("accepted as %s, want the existing user %s", u.ID, f.owner)
		}
		if r := e.membership(f.acme, f.owner); r != org.Owner {
			t.Errorf("the Owner is now %s", r)
		}
		if g, ok := e.storedGrant(f.owner, f.events); !ok || g.Role != access.Editor {
			t.Errorf("the offered grant is %+v, %v", g, ok)
		}
	}},
	{"accepting an invitation replaces the invitee's role on the account", func(t *testing.T, e *svcEnv, f *svcFixture) {
		e.grant(f.ownerA, f.observer, f.loyalty, access.Marketer, e.clock.Now().Add(time.Hour))
		_, tok := e.invite(f.ownerA, access.InviteRequest{Email: "Observer@Acme.test", Account: f.loyalty, Role: access.Observer})
		e.accept(tok, "")
		g, ok := e.storedGrant(f.observer, f.loyalty)
		if !ok || g.Role != access.Observer || !g.ExpiresAt.IsZero() {
			t.Errorf("after accepting, the grant is %+v (found %v), want Observer without expiry", g, ok)
		}
		if e.space.Access.Check(f.observer, f.loyalty, access.PublishContent) {
			t.Errorf("the replaced Marketer role still allows publishing")
		}
	}},
	{"a user of another organisation joins only by accepting an invitation", func(t *testing.T, e *svcEnv, f *svcFixture) {
		_, err := e.space.Access.Grant(e.ctx, f.ownerA, access.GrantRequest{User: f.outsider, Account: f.engage, Role: access.Editor})
		wantErr(t, "Grant by an Owner", err, storage.ErrPermissionDenied)
		_, tok := e.invite(f.ownerA, access.InviteRequest{Email: "outsider@globex.test", Account: f.engage, Role: access.Editor})
		e.accept(tok, "")
		if !e.space.Access.Check(f.outsider, f.engage, access.EditContent) {
			t.Errorf("the invitee cannot edit after accepting")
		}
		menu, err := e.space.Access.Menu(e.ctx, storage.Latest(), f.outsider)
		e.must(err)
		var orgs []org.OrganisationID
		for _, g := range menu {
			orgs = append(orgs, g.Org)
		}
		if want := []org.OrganisationID{f.acme, f.globex}; !slices.Equal(orgs, want) {
			t.Errorf("the drop-down groups %v, want %v (by organisation name)", orgs, want)
		}
		// Now a user of Acme too, the outsider can be granted more.
		e.grant(f.ownerA, f.outsider, f.loyalty, access.Observer, time.Time{})
	}},
	{"Resend restarts the validity period and the old token stops working", func(t *testing.T, e *svcEnv, f *svcFixture) {
		id, old := e.invite(f.adminA, access.InviteRequest{Email: "new@example.test", Account: f.engage, Role: access.Observer})
		e.clock.Advance(6 * 24 * time.Hour)
		_, _, err := e.space.Access.Resend(e.ctx, f.adminA, id)
		e.must(err)
		fresh, _ := e.mail.Token(id)
		e.clock.Advance(2 * 24 * time.Hour) // past the first validity period
		_, _, err = e.space.Access.Accept(e.ctx, old, "New")
		wantErr(t, "Accept with the old token", err, storage.ErrNotFound)
		u := e.accept(fresh, "New")
		if u.Email != "new@example.test" || u.Name != "New" {
			t.Errorf("the new user is %+v", u)
		}
	}},
	{"an invitation expires after its TTL, and Resend revives it", func(t *testing.T, e *svcEnv, f *svcFixture) {
		id, tok := e.invite(f.ownerA, access.InviteRequest{Email: "late@example.test", Org: f.acme, OrgRole: org.Member})
		e.clock.Advance(access.DefaultInvitationTTL)
		page, err := e.space.Access.Invitations(e.ctx, storage.Latest(), f.ownerA, f.acme, storage.PageRequest{})
		e.must(err)
		if len(page.Items) != 1 || page.Items[0].Status != access.Expired || page.Items[0].TokenHash != nil {
			t.Errorf("Invitations = %+v, want the one invitation, expired, without its token hash", page.Items)
		}
		_, _, err = e.space.Access.Accept(e.ctx, tok, "Late")
		wantErr(t, "Accept when expired", err, storage.ErrFailedPrecondition)
		_, _, err = e.space.Access.Resend(e.ctx, f.ownerA, id)
		e.must(err)
		tok, _ = e.mail.Token(id)
		u := e.accept(tok, "Late")
		if r := e.membership(f.acme, u.ID); r != org.Member {
			t.Errorf("the invitee is %s of Acme, want member", r)
		}
	}},
	{"a custom role's new permissions apply at once to every grant of it", func(t *testing.T, e *svcEnv, f *svcFixture) {
		r, _, err := e.space.Access.DefineRole(e.ctx, f.ownerA, f.acme, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount)})
		e.must(err)
		e.grant(f.ownerA, f.loner, f.loyalty, r.ID, time.Time{})
		e.grant(f.ownerA, f.member, f.engage, r.ID, time.Time{})
		_, err = e.space.Access.UpdateRole(e.ctx, f.ownerA, r.ID, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
		e.must(err)
		for _, s := range []struct {
			u org.UserID
			a org.AccountID
		}{{f.loner, f.loyalty}, {f.member, f.engage}} {
			if d := e.space.Access.Explain(s.u, s.a, access.ExportData); !d.Allowed || d.Via != access.ViaGrant || d.Role != string(r.ID) {
				t.Errorf("Explain(%s, %s, export) = %+v", s.u, s.a, d)
			}
			if e.open().Access.Check(s.u, s.a, access.EditContent) {
				t.Errorf("the role allows what it does not hold")
			}
		}
		_, err = e.space.Access.DeleteRole(e.ctx, f.ownerA, r.ID)
		wantErr(t, "DeleteRole of a role in use", err, storage.ErrFailedPrecondition)
	}},
	{"a time-bound grant ends by itself", func(t *testing.T, e *svcEnv, f *svcFixture) {
		end := e.clock.Now().Add(time.Hour)
		e.grant(f.ownerA, f.loner, f.loyalty, access.Observer, end)
		if !e.space.Access.Check(f.loner, f.loyalty, access.ViewAccount) {
			t.Fatalf("the grant does not allow before its end")
		}
		e.clock.Advance(time.Hour)
		for _, s := range []struct {
			name string
			ix   *access.Index
		}{{"the writing Space", e.space.Access.Current()}, {"a new Space", e.open().Access.Current()}} {
			if d := s.ix.Explain(f.loner, f.loyalty, access.ViewAccount); d.Allowed || d.Via != access.ViaGrant || !d.ExpiresAt.Equal(end) {
				t.Errorf("%s: at its end, Explain = %+v", s.name, d)
			}
		}
		if ids, fav := e.accountIDs(f.loner); len(ids) != 0 || fav != "" {
			t.Errorf("after the end, the user has accounts %v (favourite %q)", ids, fav)
		}
		page, err := e.space.Access.UsersOfAccount(e.ctx, storage.Latest(), f.ownerA, f.loyalty, storage.PageRequest{})
		e.must(err)
		if len(page.Items) != 1 || page.Items[0].User.ID != f.loner || !page.Items[0].Access.Expired {
			t.Errorf("UsersOfAccount = %+v, want the expired grant listed", page.Items)
		}
		_, err = e.space.Access.SetFavourite(e.ctx, f.lonerA, f.loyalty)
		wantErr(t, "SetFavourite of an expired account", err, storage.ErrPermissionDenied)
	}},
	{"the favourite falls back to the first accessible account in drop-down order", func(t *testing.T, e *svcEnv, f *svcFixture) {
		// The Member opens Acme Events; with grants on Engage and Rewards the
		// drop-down is Acme Engage, Acme Events, Acme Rewards.
		e.grant(f.ownerA, f.member, f.engage, access.Observer, time.Time{})
		e.grant(f.ownerA, f.member, f.loyalty, access.Observer, time.Time{})
		if ids, fav := e.accountIDs(f.member); !slices.Equal(ids, []org.AccountID{f.engage, f.events, f.loyalty}) || fav != f.engage {
			t.Errorf("accounts %v, favourite %s; want %v with the first as favourite", ids, fav, []org.AccountID{f.engage, f.events, f.loyalty})
		}
		_, err := e.space.Access.SetFavourite(e.ctx, f.memberA, f.loyalty)
		e.must(err)
		if _, fav := e.accountIDs(f.member); fav != f.loyalty {
			t.Errorf("favourite %s, want the starred %s", fav, f.loyalty)
		}
		_, err = e.space.Access.Revoke(e.ctx, f.ownerA, f.member, f.loyalty)
		e.must(err)
		if _, fav := e.accountIDs(f.member); fav != f.engage {
			t.Errorf("after the revoke, favourite %s, want the first, %s", fav, f.engage)
		}
		if s := e.snapshot(); s.Favourites[f.member] != "" {
			t.Errorf("the revoked favourite is still stored: %s", s.Favourites[f.member])
		}
		_, fav, err := e.space.Access.LoginPolicy(e.ctx, storage.Latest(), f.member)
		e.must(err)
		if fav != f.engage {
			t.Errorf("LoginPolicy lands in %s, want %s", fav, f.engage)
		}
	}},
	{"the last Owner cannot leave, but can once another Owner exists", func(t *testing.T, e *svcEnv, f *svcFixture) {
		_, err := e.space.Access.SetOrganisationRole(e.ctx, f.ownerA, f.acme, f.owner, org.NoRole)
		wantErr(t, "the last Owner leaves", err, storage.ErrFailedPrecondition)
		e.setOrgRole(f.ownerA, f.acme, f.admin, org.Owner)
		e.setOrgRole(f.ownerA, f.acme, f.owner, org.NoRole)
		_, err = e.space.Access.SetOrganisationRole(e.ctx, e.operator, f.acme, f.admin, org.Member)
		wantErr(t, "demoting the new last Owner", err, storage.ErrFailedPrecondition)
		if e.space.Access.Check(f.owner, f.loyalty, access.ViewAccount) {
			t.Errorf("the former Owner still opens an account they had only as Owner")
		}
	}},
	{"login lands in the favourite under its policy; switching goes to any accessible account", func(t *testing.T, e *svcEnv, f *svcFixture) {
		e.grant(f.ownerA, f.member, f.loyalty, access.Observer, time.Time{})
		_, err := e.space.Access.SetFavourite(e.ctx, f.memberA, f.loyalty)
		e.must(err)
		okta2fa := org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}
		_, err = e.space.Access.Login(e.ctx, storage.Latest(), f.member, org.LoginPolicy{})
		wantErr(t, "Login with a password into an SSO account", err, access.ErrStepUpRequired)
		sess, err := e.space.Access.Login(e.ctx, storage.Latest(), f.member, okta2fa)
		e.must(err)
		if sess.Account != f.loyalty || sess.Org != f.acme || sess.Policy != okta2fa {
			t.Errorf("Login = %+v", sess)
		}
		next, err := e.space.Access.Switch(e.ctx, storage.Latest(), sess, f.events)
		e.must(err)
		if next.Account != f.events || next.Policy != okta2fa {
			t.Errorf("Switch = %+v, want Acme Events under the login's policy", next)
		}
		_, err = e.space.Access.Switch(e.ctx, storage.Latest(), sess, f.globexEngage)
		wantErr(t, "Switch into an inaccessible account", err, storage.ErrPermissionDenied)

		cfg := e.config()
		cfg.StrictSwitch = true
		strict, err := e.backend(e.ctx, cfg)
		e.must(err)
		pw := access.Session{User: f.member, Account: f.events, Org: f.acme, Authenticated: org.LoginPolicy{TwoFactor: true}}
		_, err = strict.Access.Switch(e.ctx, storage.Latest(), pw, f.loyalty)
		wantErr(t, "strict Switch into a stricter account", err, access.ErrStepUpRequired)
		if _, err := strict.Access.Switch(e.ctx, storage.Latest(), sess, f.events); err != nil {
			t.Errorf("strict Switch with a session that meets the policy: %v", err)
		}
	}},
	{"Members work on every Events account of their organisation, also ones created later", func(t *testing.T, e *svcEnv, f *svcFixture) {
		later := e.newAccount(f.acme, org.Events, "Acme Festival", org.LoginPolicy{})
		other := e.newAccount(f.acme, org.Engage, "Acme Newsletter", org.LoginPolicy{})
		for _, a := range []org.AccountID{f.events, later} {
			for _, p := range access.MemberEventPermissions.List() {
				if !e.space.Access.Check(f.member, a, p) {
					t.Errorf("the Member lacks %s on Events account %s", p, a)
				}
			}
		}
		for _, a := range []org.AccountID{f.engage, f.loyalty, other} {
			if e.space.Access.Check(f.member, a, access.ViewAccount) {
				t.Errorf("the Member opens account %s, which is not an Events account", a)
			}
		}
		if !e.space.Access.Current().CheckOrganisation(f.member, f.acme, access.ViewOrganisation) {
			t.Errorf("the Member does not see the organisation")
		}
	}},
	{"a custom role offered by a pending invitation is not deleted until the invitation is revoked", func(t *testing.T, e *svcEnv, f *svcFixture) {
		r, _, err := e.space.Access.DefineRole(e.ctx, f.ownerA, f.acme, access.NewRole{Name: "Temp", Permissions: access.PermissionsOf(access.ViewAccount)})
		e.must(err)
		id, _ := e.invite(f.ownerA, access.InviteRequest{Email: "temp@example.test", Account: f.engage, Role: r.ID})
		if _, err := e.space.Access.DeleteRole(e.ctx, f.ownerA, r.ID); !errors.Is(err, storage.ErrFailedPrecondition) {
			t.Fatalf("deleting a role a pending invitation offers: %v, want ErrFailedPrecondition", err)
		}
		_, err = e.space.Access.RevokeInvitation(e.ctx, e.operator, id)
		e.must(err)
		_, err = e.space.Access.DeleteRole(e.ctx, f.ownerA, r.ID)
		e.must(err)
	}},
	{"the drop-down shows the organisation role when it gives access", func(t *testing.T, e *svcEnv, f *svcFixture) {
		e.grant(f.ownerA, f.member, f.events, access.Observer, time.Time{})
		e.grant(f.ownerA, f.member, f.engage, access.Observer, time.Time{})
		rows, err := e.space.Access.Accounts(e.ctx, storage.Latest(), f.member)
		e.must(err)
		roles := map[org.AccountID]string{}
		for _, r := range rows {
			roles[r.Account.ID] = r.Role
		}
		if roles[f.engage] != string(access.Observer) {
			t.Errorf("on Engage, where only the grant gives access, the role shown is %q, want %q", roles[f.engage], access.Observer)
		}
		if d := e.space.Access.Explain(f.member, f.events, access.ViewAccount); d.Via != access.ViaOrganisationRole {
			t.Fatalf("Explain on Events = %+v, want the Member role", d)
		}
		if roles[f.events] != org.Member.String() {
			t.Errorf("on Events, where the Member role gives access, the role shown is %q, want %q", roles[f.events], org.Member)
		}
	}},
	{"users of an account and of an organisation are listed by user ID, in pages", func(t *testing.T, e *svcEnv, f *svcFixture) {
		var got []org.UserID
		req := storage.PageRequest{Limit: 1}
		for {
			page, err := e.space.Access.UsersOfAccount(e.ctx, storage.Latest(), f.adminA, f.engage, req)
			e.must(err)
			for _, m := range page.Items {
				got = append(got, m.User.ID)
			}
			if page.Next == "" {
				break
			}
			req.After = page.Next
		}
		want := []org.UserID{f.admin, f.marketer, f.observer}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("UsersOfAccount = %v, want %v", got, want)
		}
		page, err := e.space.Access.UsersOfOrganisation(e.ctx, storage.Latest(), f.ownerA, f.acme, storage.PageRequest{Limit: storage.MaxPageSize})
		e.must(err)
		got = nil
		for _, m := range page.Items {
			got = append(got, m.User.ID)
		}
		want = append(want, f.owner, f.member)
		slices.Sort(want)
		if !slices.Equal(got, want) || page.Next != "" {
			t.Errorf("UsersOfOrganisation = %v (next %q), want %v", got, page.Next, want)
		}
		_, err = e.space.Access.UsersOfAccount(e.ctx, storage.Latest(), f.observerA, f.engage, storage.PageRequest{})
		wantErr(t, "UsersOfAccount by an Observer", err, storage.ErrPermissionDenied)
		_, err = e.space.Access.UsersOfOrganisation(e.ctx, storage.Latest(), f.adminA, f.acme, storage.PageRequest{})
		wantErr(t, "UsersOfOrganisation by an Administrator", err, storage.ErrPermissionDenied)
	}},
}
