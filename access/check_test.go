package access_test

import (
	"strings"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

func TestExplainNamesTheGrantPath(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	tests := []struct {
		name    string
		user    org.UserID
		account org.AccountID
		p       access.Permission
		allowed bool
		via     access.Via
		reason  string
	}{
		{"a Marketer publishes by grant", w.marketer, w.engage.ID, access.PublishContent, true, access.ViaGrant, "grant of role marketer"},
		{"an Owner by organisation role", w.owner, w.loyalty.ID, access.ManageAccountUsers, true, access.ViaOrganisationRole, "owner of organisation"},
		{"a Member on events", w.member, w.events.ID, access.ManageEvents, true, access.ViaOrganisationRole, "member of organisation"},
		{"an Observer cannot edit", w.observer, w.engage.ID, access.EditContent, false, access.ViaGrant, "does not hold content.edit"},
		{"no grant on the account", w.marketer, w.loyalty.ID, access.ViewAccount, false, access.ViaNothing, "has no grant on account"},
		{"a Member outside events", w.member, w.engage.ID, access.ViewAccount, false, access.ViaOrganisationRole, "does not hold account.view"},
		{"an unknown account", w.owner, "acc_404", access.ViewAccount, false, access.ViaNothing, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := w.space.Access.Explain(tt.user, tt.account, tt.p)
			if d.Allowed != tt.allowed || d.Via != tt.via || !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("Explain = %+v; want allowed=%v via %s, reason containing %q", d, tt.allowed, tt.via, tt.reason)
			}
			if got := w.space.Access.Check(tt.user, tt.account, tt.p); got != d.Allowed {
				t.Errorf("Check = %v, Explain.Allowed = %v", got, d.Allowed)
			}
		})
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	ix := w.space.Access.Current()
	allocs := testing.AllocsPerRun(100, func() {
		ix.Check(w.marketer, w.engage.ID, access.PublishContent)
		ix.Check(w.owner, w.loyalty.ID, access.ManageStructure)
		ix.Check(w.observer, w.loyalty.ID, access.ViewAccount)
	})
	if allocs != 0 {
		t.Errorf("Check allocates %v times per run", allocs)
	}
}

// Custom roles are permission sets; changing one changes every grant of it.
func TestCustomRoles(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	analyst, _, err := w.space.Access.DefineRole(w.ctx, as(w.owner), w.toppp.ID, access.NewRole{
		Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
	w.must(err)
	u := w.grantNew("analyst@toppp.test", w.engage.ID, analyst.ID)
	if !w.space.Access.Check(u, w.engage.ID, access.ExportData) || w.space.Access.Check(u, w.engage.ID, access.EditContent) {
		t.Error("the custom role's permissions do not apply")
	}
	_, err = w.space.Access.UpdateRole(w.ctx, as(w.owner), analyst.ID, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount)})
	w.must(err)
	if w.space.Access.Check(u, w.engage.ID, access.ExportData) {
		t.Error("the role change does not apply to its grants")
	}
	before := w.head()
	_, err = w.space.Access.DeleteRole(w.ctx, as(w.owner), analyst.ID)
	w.wantErr(err, storage.ErrFailedPrecondition, before)
	_, _, err = w.space.Access.DefineRole(w.ctx, as(w.admin), w.toppp.ID, access.NewRole{Name: "Other", Permissions: access.PermissionsOf(access.ViewAccount)})
	w.wantErr(err, storage.ErrPermissionDenied, before)
	// A role of one organisation cannot be granted in another.
	other := w.newOrg("Other")
	otherAccount := w.newAccount(other.ID, org.Engage, "Other Engage", org.LoginPolicy{})
	before = w.head()
	w.wantErr(w.grant(w.operator, u, otherAccount.ID, analyst.ID), storage.ErrInvalidArgument, before)
	_, err = w.space.Access.Revoke(w.ctx, as(w.owner), u, w.engage.ID)
	w.must(err)
	_, err = w.space.Access.DeleteRole(w.ctx, as(w.owner), analyst.ID)
	w.must(err)
}

func TestListingsPageThroughUsers(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	var users []org.UserID
	for page := (storage.PageRequest{Limit: 2}); ; {
		p, err := w.space.Access.UsersOfAccount(w.ctx, storage.Latest(), as(w.admin), w.engage.ID, page)
		w.must(err)
		for _, m := range p.Items {
			users = append(users, m.User.ID)
			if m.User.Email == "" {
				t.Errorf("listing row without the user's record: %+v", m)
			}
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	if len(users) != 4 {
		t.Errorf("users of Engage = %v, want admin, marketer, editor, observer", users)
	}
	if _, err := w.space.Access.UsersOfAccount(w.ctx, storage.Latest(), as(w.marketer), w.engage.ID, storage.PageRequest{}); err == nil {
		t.Error("a Marketer lists the account's users")
	}
	p, err := w.space.Access.UsersOfOrganisation(w.ctx, storage.Latest(), as(w.owner), w.toppp.ID, storage.PageRequest{})
	w.must(err)
	if len(p.Items) != 6 || p.Next != "" {
		t.Errorf("users of Toppp: %d (next %q), want 6", len(p.Items), p.Next)
	}
}
