package storagetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// svcAudit is what an audit entry must say; an empty Target is not compared.
type svcAudit struct {
	Action, Actor, Target string
	Org, Account, User    string
}

func (a svcAudit) matches(e storage.Entry) bool {
	return a.Action == e.Action && a.Actor == e.Actor && (a.Target == "" || a.Target == e.Target) &&
		a.Org == e.Org && a.Account == e.Account && a.User == e.User
}

// auditLog reads the audit log through Org.AuditLog as actor (filtered to
// organisation o when not empty), page by page with the given limit.
func (e *svcEnv) auditLog(actor org.Actor, o org.OrganisationID, limit int) ([]storage.Entry, error) {
	var out []storage.Entry
	req := storage.PageRequest{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			return nil, errors.New("audit log paging does not end")
		}
		page, err := e.space.Org.AuditLog(e.ctx, storage.Latest(), actor, o, req)
		if err != nil {
			return nil, err
		}
		if len(page.Items) > limit {
			return nil, fmt.Errorf("page of %d entries with limit %d", len(page.Items), limit)
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		if len(page.Items) == 0 {
			return nil, errors.New("empty page with a next cursor")
		}
		req.After = page.Next
	}
}

// checkAudit checks a successful write: its revision follows prev and is
// the head, and the log holds entries of that revision (seq 0, 1, …, at the
// clock's time) matching want, as the operator reads the whole log and as
// the organisations' Owners (or the operator) read their organisation's.
func (e *svcEnv) checkAudit(t *testing.T, f *svcFixture, prev, rev storage.Revision, want []svcAudit) {
	t.Helper()
	if rev <= prev {
		t.Errorf("revision %d is not greater than the previous %d", rev, prev)
	}
	if h := e.head(); h != rev {
		t.Errorf("head is %d, the write returned %d", h, rev)
	}
	if ix := e.space.Access.Current(); ix.Revision() < rev {
		t.Errorf("the writing Space's index is at revision %d, before its own write %d", ix.Revision(), rev)
	}
	all, err := e.auditLog(e.operator, "", 2)
	if err != nil {
		t.Fatalf("AuditLog as operator: %v", err)
	}
	var got []storage.Entry
	for _, x := range all {
		if x.Revision > prev && x.Revision != rev {
			t.Errorf("entry of revision %d between the previous write %d and this one %d: %+v", x.Revision, prev, rev, x)
		}
		if x.Revision == rev {
			got = append(got, x)
		}
	}
	if len(got) == 0 {
		t.Fatalf("no audit entry carries revision %d", rev)
	}
	now := e.clock.Now()
	for i, x := range got {
		if x.Seq != i {
			t.Errorf("entry %d of revision %d has Seq %d", i, rev, x.Seq)
		}
		if !x.Time.Equal(now) {
			t.Errorf("entry %s has time %v, want the clock's %v", x.Action, x.Time, now)
		}
	}
	for _, w := range want {
		found := false
		for _, x := range got {
			found = found || w.matches(x)
		}
		if !found {
			t.Errorf("no entry of revision %d matches %+v; the entries are:\n%s", rev, w, svcEntries(got))
		}
	}
	// Each organisation's view of the same revision.
	orgs := map[org.OrganisationID]bool{}
	for _, x := range got {
		if x.Org != "" {
			orgs[org.OrganisationID(x.Org)] = true
		}
	}
	for o := range orgs {
		var wantOrg []storage.Entry
		for _, x := range got {
			if x.Org == string(o) {
				wantOrg = append(wantOrg, x)
			}
		}
		readers := []org.Actor{e.operator}
		if owner, ok := f.orgOwner[o]; ok {
			readers = append(readers, owner)
		}
		for _, r := range readers {
			log, err := e.auditLog(r, o, 3)
			if err != nil {
				t.Errorf("AuditLog of %s as %s: %v", o, r, err)
				continue
			}
			var gotOrg []storage.Entry
			for _, x := range log {
				if x.Org != string(o) {
					t.Errorf("AuditLog of %s as %s returned an entry of %q: %+v", o, r, x.Org, x)
				}
				if x.Revision == rev {
					gotOrg = append(gotOrg, x)
				}
			}
			if diff := gocmp.Diff(wantOrg, gotOrg, svcCmpOptions...); diff != "" {
				t.Errorf("AuditLog of %s as %s, revision %d (-whole log +organisation's):\n%s", o, r, rev, diff)
			}
		}
	}
}

func svcEntries(es []storage.Entry) string {
	var b strings.Builder
	for _, x := range es {
		fmt.Fprintf(&b, "\t%+v\n", x)
	}
	return b.String()
}

func svcTestAuditOfWrites(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	f := e.fixture()
	ctx, sp := e.ctx, e.space
	op := e.operator.String()
	user := func(u org.UserID) string { return org.AsUser(u).String() }

	var (
		newOrg   org.OrganisationID
		newAcc   org.AccountID
		newUser  org.UserID
		role     access.Role
		invID    access.InvitationID
		invEmail = "Invitee@Example.test"
	)
	type step struct {
		name string
		do   func() (storage.Revision, []svcAudit, error)
	}
	steps := []step{
		{"CreateOperator by System", func() (storage.Revision, []svcAudit, error) {
			o, rev, err := sp.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.test"})
			return rev, []svcAudit{{Action: "org.operator.create", Actor: "system", Target: string(o.ID)}}, err
		}},
		{"CreateOrganisation by an operator", func() (storage.Revision, []svcAudit, error) {
			o, rev, err := sp.Org.CreateOrganisation(ctx, e.operator, org.NewOrganisation{Name: "Initech", Settings: org.Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"}})
			newOrg = o.ID
			return rev, []svcAudit{{Action: "org.organisation.create", Actor: op, Target: string(o.ID), Org: string(o.ID)}}, err
		}},
		{"CreateAccount by an operator", func() (storage.Revision, []svcAudit, error) {
			a, rev, err := sp.Org.CreateAccount(ctx, e.operator, org.NewAccount{Org: newOrg, Product: org.Loyalty, Name: "Initech Rewards"})
			newAcc = a.ID
			return rev, []svcAudit{{Action: "org.account.create", Actor: op, Target: string(a.ID), Org: string(newOrg), Account: string(a.ID)}}, err
		}},
		{"CreateUser by an operator", func() (storage.Revision, []svcAudit, error) {
			u, rev, err := sp.Org.CreateUser(ctx, e.operator, org.NewUser{Email: "Boss@Initech.test", Name: "Bill"})
			newUser = u.ID
			e.users = append(e.users, u.ID)
			return rev, []svcAudit{{Action: "org.user.create", Actor: op, Target: string(u.ID), User: string(u.ID)}}, err
		}},
		{"SetOrganisationRole: an operator sets the first Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.SetOrganisationRole(ctx, e.operator, newOrg, newUser, org.Owner)
			f.orgOwner[newOrg] = org.AsUser(newUser)
			return rev, []svcAudit{{Action: "access.org_role.set", Actor: op, Target: string(newUser), Org: string(newOrg), User: string(newUser)}}, err
		}},
		{"RenameOrganisation by its Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Org.RenameOrganisation(ctx, org.AsUser(newUser), newOrg, "Initech Europe")
			return rev, []svcAudit{{Action: "org.organisation.rename", Actor: user(newUser), Target: string(newOrg), Org: string(newOrg)}}, err
		}},
		{"SetLoginPolicy by an Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Org.SetLoginPolicy(ctx, org.AsUser(newUser), newAcc, org.LoginPolicy{Method: org.SSO, Provider: "azure"})
			return rev, []svcAudit{{Action: "org.account.login_policy", Actor: user(newUser), Target: string(newAcc), Org: string(newOrg), Account: string(newAcc)}}, err
		}},
		{"AddUser by an Owner creates the user and grants in one revision", func() (storage.Revision, []svcAudit, error) {
			u, rev, err := sp.Access.AddUser(ctx, f.ownerA, org.NewUser{Email: "editor@acme.test", Name: "Ed"}, access.GrantRequest{Account: f.engage, Role: access.Editor})
			e.users = append(e.users, u.ID)
			return rev, []svcAudit{
				{Action: "org.user.create", Actor: user(f.owner), Target: string(u.ID), User: string(u.ID)},
				{Action: "access.grant.set", Actor: user(f.owner), Org: string(f.acme), Account: string(f.engage), User: string(u.ID)},
			}, err
		}},
		{"Grant by an Administrator", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.Grant(ctx, f.adminA, access.GrantRequest{User: f.loner, Account: f.engage, Role: access.Editor})
			return rev, []svcAudit{{Action: "access.grant.set", Actor: user(f.admin), Org: string(f.acme), Account: string(f.engage), User: string(f.loner)}}, err
		}},
		{"Grant with an expiry by an operator", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.Grant(ctx, e.operator, access.GrantRequest{User: f.loner, Account: f.loyalty, Role: access.Observer, ExpiresAt: e.clock.Now().Add(48 * time.Hour)})
			return rev, []svcAudit{{Action: "access.grant.set", Actor: op, Org: string(f.acme), Account: string(f.loyalty), User: string(f.loner)}}, err
		}},
		{"DefineRole by an Owner", func() (storage.Revision, []svcAudit, error) {
			var rev storage.Revision
			var err error
			role, rev, err = sp.Access.DefineRole(ctx, f.ownerA, f.acme, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
			return rev, []svcAudit{{Action: "access.role.define", Actor: user(f.owner), Target: string(role.ID), Org: string(f.acme)}}, err
		}},
		{"UpdateRole by an operator", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.UpdateRole(ctx, e.operator, role.ID, access.NewRole{Name: "Data analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData, access.ViewPersonalData)})
			return rev, []svcAudit{{Action: "access.role.update", Actor: op, Target: string(role.ID), Org: string(f.acme)}}, err
		}},
		{"Grant of a custom role by an Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.member, Account: f.loyalty, Role: role.ID})
			return rev, []svcAudit{{Action: "access.grant.set", Actor: user(f.owner), Org: string(f.acme), Account: string(f.loyalty), User: string(f.member)}}, err
		}},
		{"Revoke by an Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.Revoke(ctx, f.ownerA, f.member, f.loyalty)
			return rev, []svcAudit{{Action: "access.grant.revoke", Actor: user(f.owner), Org: string(f.acme), Account: string(f.loyalty), User: string(f.member)}}, err
		}},
		{"DeleteRole of an unused role by an Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.DeleteRole(ctx, f.ownerA, role.ID)
			return rev, []svcAudit{{Action: "access.role.delete", Actor: user(f.owner), Target: string(role.ID), Org: string(f.acme)}}, err
		}},
		{"SetOrganisationRole: an Owner makes a second Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.SetOrganisationRole(ctx, f.ownerA, f.acme, f.admin, org.Owner)
			return rev, []svcAudit{{Action: "access.org_role.set", Actor: user(f.owner), Target: string(f.admin), Org: string(f.acme), User: string(f.admin)}}, err
		}},
		{"SetOrganisationRole: an Owner removes another Owner", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.SetOrganisationRole(ctx, f.ownerA, f.acme, f.admin, org.NoRole)
			return rev, []svcAudit{{Action: "access.org_role.set", Actor: user(f.owner), Target: string(f.admin), Org: string(f.acme), User: string(f.admin)}}, err
		}},
		{"SetFavourite by a user", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.SetFavourite(ctx, f.memberA, f.events)
			return rev, []svcAudit{{Action: "access.favourite.set", Actor: user(f.member), Target: string(f.events), Org: string(f.acme), Account: string(f.events), User: string(f.member)}}, err
		}},
		{"Invite to an account role by an Administrator", func() (storage.Revision, []svcAudit, error) {
			inv, rev, err := sp.Access.Invite(ctx, f.adminA, access.InviteRequest{Email: "guest@example.test", Account: f.engage, Role: access.Observer})
			invID = inv.ID
			return rev, []svcAudit{{Action: "access.invitation.create", Actor: user(f.admin), Target: string(inv.ID), Org: string(f.acme), Account: string(f.engage)}}, err
		}},
		{"Resend by an Owner", func() (storage.Revision, []svcAudit, error) {
			_, rev, err := sp.Access.Resend(ctx, f.ownerA, invID)
			return rev, []svcAudit{{Action: "access.invitation.resend", Actor: user(f.owner), Target: string(invID), Org: string(f.acme), Account: string(f.engage)}}, err
		}},
		{"RevokeInvitation by an operator", func() (storage.Revision, []svcAudit, error) {
			rev, err := sp.Access.RevokeInvitation(ctx, e.operator, invID)
			return rev, []svcAudit{{Action: "access.invitation.revoke", Actor: op, Target: string(invID), Org: string(f.acme), Account: string(f.engage)}}, err
		}},
		{"Invite to an account role and the organisation by an Owner", func() (storage.Revision, []svcAudit, error) {
			inv, rev, err := sp.Access.Invite(ctx, f.ownerA, access.InviteRequest{Email: invEmail, Account: f.events, Role: access.Editor, OrgRole: org.Member})
			invID = inv.ID
			return rev, []svcAudit{{Action: "access.invitation.create", Actor: user(f.owner), Target: string(inv.ID), Org: string(f.acme), Account: string(f.events)}}, err
		}},
		{"Accept by a new user creates them, grants and sets the organisation role", func() (storage.Revision, []svcAudit, error) {
			tok, ok := e.mail.Token(invID)
			if !ok {
				return 0, nil, fmt.Errorf("no mail for invitation %s", invID)
			}
			u, rev, err := sp.Access.Accept(ctx, tok, "Ivy")
			e.users = append(e.users, u.ID)
			return rev, []svcAudit{
				{Action: "org.user.create", Actor: "system", Target: string(u.ID), User: string(u.ID)},
				{Action: "access.grant.set", Actor: user(u.ID), Org: string(f.acme), Account: string(f.events), User: string(u.ID)},
				{Action: "access.org_role.set", Actor: user(u.ID), Org: string(f.acme), User: string(u.ID)},
				{Action: "access.invitation.accept", Actor: user(u.ID), Target: string(invID), Org: string(f.acme), User: string(u.ID)},
			}, err
		}},
		{"Invite to the organisation by an Owner", func() (storage.Revision, []svcAudit, error) {
			inv, rev, err := sp.Access.Invite(ctx, f.ownerA, access.InviteRequest{Email: "shy@example.test", Org: f.acme, OrgRole: org.Member})
			invID = inv.ID
			return rev, []svcAudit{{Action: "access.invitation.create", Actor: user(f.owner), Target: string(inv.ID), Org: string(f.acme)}}, err
		}},
		{"Decline by the invitee", func() (storage.Revision, []svcAudit, error) {
			tok, _ := e.mail.Token(invID)
			rev, err := sp.Access.Decline(ctx, tok)
			return rev, []svcAudit{{Action: "access.invitation.decline", Actor: "invitee:shy@example.test", Target: string(invID), Org: string(f.acme)}}, err
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.clock.Advance(time.Minute)
			prev := e.head()
			rev, want, err := s.do()
			if err != nil {
				t.Fatalf("write failed: %v", err)
			}
			e.checkAudit(t, f, prev, rev, want)
		})
	}
}

func svcTestAuditPaging(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	f := e.fixture()
	// More entries: a few grants and revokes in both organisations.
	for i := range 4 {
		e.clock.Advance(time.Minute)
		e.grant(f.ownerA, f.member, f.loyalty, access.Observer, time.Time{})
		_, err := e.space.Access.Revoke(e.ctx, f.ownerA, f.member, f.loyalty)
		e.must(err)
		if i%2 == 0 {
			e.grant(f.globexOwnerA, f.outsider, f.globexEngage, []access.RoleID{access.Editor, access.Observer}[i/2], time.Time{})
		}
	}
	var whole []storage.Entry
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		whole, err = svcAllEntries(st)
		return err
	}))
	if len(whole) < 20 {
		t.Fatalf("only %d log entries", len(whole))
	}
	for i := 1; i < len(whole); i++ {
		if !whole[i-1].Position().Before(whole[i].Position()) {
			t.Fatalf("log out of order at %d: %+v then %+v", i, whole[i-1], whole[i])
		}
	}
	filter := func(o org.OrganisationID) []storage.Entry {
		var out []storage.Entry
		for _, x := range whole {
			if x.Org == string(o) {
				out = append(out, x)
			}
		}
		return out
	}
	cases := []struct {
		name   string
		reader org.Actor
		org    org.OrganisationID
		want   []storage.Entry
	}{
		{"operator reads the whole log", e.operator, "", whole},
		{"operator reads one organisation's log", e.operator, f.globex, filter(f.globex)},
		{"Owner reads their organisation's log", f.ownerA, f.acme, filter(f.acme)},
		{"other Owner reads their organisation's log", f.globexOwnerA, f.globex, filter(f.globex)},
	}
	for _, c := range cases {
		for _, limit := range []int{1, 2, 3, 7, storage.MaxPageSize} {
			t.Run(fmt.Sprintf("%s in pages of %d", c.name, limit), func(t *testing.T) {
				got, err := e.auditLog(c.reader, c.org, limit)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(c.want, got, svcCmpOptions...); diff != "" {
					t.Errorf("(-store's Entries +AuditLog):\n%s", diff)
				}
			})
		}
	}
	denied := []struct {
		name   string
		reader org.Actor
		org    org.OrganisationID
		limit  int
		want   error
	}{
		{"an Owner may not read another organisation's log", f.ownerA, f.globex, 5, storage.ErrPermissionDenied},
		{"an Owner may not read the whole log", f.ownerA, "", 5, storage.ErrPermissionDenied},
		{"an Administrator may not read the organisation's log", f.adminA, f.acme, 5, storage.ErrPermissionDenied},
		{"a Member may not read the organisation's log", f.memberA, f.acme, 5, storage.ErrPermissionDenied},
		{"nobody may read the log", org.Actor{}, "", 5, storage.ErrPermissionDenied},
		{"a negative limit is invalid", e.operator, "", -1, storage.ErrInvalidArgument},
		{"a limit above the maximum is invalid", e.operator, "", storage.MaxPageSize + 1, storage.ErrInvalidArgument},
	}
	for _, d := range denied {
		t.Run(d.name, func(t *testing.T) {
			_, err := e.space.Org.AuditLog(e.ctx, storage.Latest(), d.reader, d.org, storage.PageRequest{Limit: d.limit})
			if !errors.Is(err, d.want) {
				t.Errorf("AuditLog error = %v, want %v", err, d.want)
			}
		})
	}
	t.Run("a malformed cursor is invalid", func(t *testing.T) {
		_, err := e.space.Org.AuditLog(e.ctx, storage.Latest(), e.operator, "", storage.PageRequest{After: "not a cursor!", Limit: 2})
		if !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("AuditLog error = %v, want ErrInvalidArgument", err)
		}
	})
}
