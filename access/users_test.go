package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// "Only users with the Owner and/or Administrator roles can add and manage users."
func TestOnlyOwnersAndAdministratorsManageUsers(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	newcomer := w.newUser("newcomer@toppp.test")
	tests := []struct {
		name  string
		actor org.Actor
		want  error
	}{
		{"an Owner adds a user", as(w.owner), nil},
		{"an Administrator adds a user to their account", as(w.admin), nil},
		{"an operator adds a user", w.operator, nil},
		{"a Marketer may not", as(w.marketer), storage.ErrPermissionDenied},
		{"an Editor may not", as(w.editor), storage.ErrPermissionDenied},
		{"an Observer may not", as(w.observer), storage.ErrPermissionDenied},
		{"a Member may not", as(w.member), storage.ErrPermissionDenied},
		{"an unknown user may not", as("usr_404"), storage.ErrPermissionDenied},
		{"nobody may not", org.Actor{}, storage.ErrPermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			err := w.grant(tt.actor, newcomer, w.engage.ID, access.Observer)
			if tt.want != nil {
				w.wantErr(err, tt.want, before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.space.Access.Check(newcomer, w.engage.ID, access.ViewAccount) {
				t.Error("the grant does not show in Check")
			}
			if _, err := w.space.Access.Revoke(w.ctx, tt.actor, newcomer, w.engage.ID); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if w.space.Access.Check(newcomer, w.engage.ID, access.ViewAccount) {
				t.Error("the revoked grant still shows in Check")
			}
		})
	}
}

// An Administrator manages users only in the accounts they administer.
func TestAdministratorOnlyInAccountsTheyAdminister(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	newcomer := w.newUser("newcomer@toppp.test")
	before := w.head()
	w.wantErr(w.grant(as(w.admin), newcomer, w.loyalty.ID, access.Observer), storage.ErrPermissionDenied, before)
	// Whether a grant exists is told only to those who manage the account.
	if _, err := w.space.Access.Revoke(w.ctx, as(w.admin), w.owner, w.loyalty.ID); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("revoke of a missing grant elsewhere: %v", err)
	}
	if _, err := w.space.Access.Revoke(w.ctx, as(w.admin), w.owner, w.engage.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("revoke of a missing grant in their account: %v", err)
	}
}

// An Administrator never grants above their own role; only an Owner grants Owner.
func TestNoGrantAboveOwnRole(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	// A custom role that manages users but cannot publish.
	coordinator, _, err := w.space.Access.DefineRole(w.ctx, as(w.owner), w.toppp.ID, access.NewRole{
		Name: "Coordinator", Permissions: access.PermissionsOf(access.ViewAccount, access.EditContent, access.ManageAccountUsers)})
	w.must(err)
	coord := w.grantNew("coord@toppp.test", w.engage.ID, coordinator.ID)
	newcomer := w.newUser("newcomer@toppp.test")
	another := w.newUser("another@toppp.test")
	tests := []struct {
		name  string
		apply func() error
		want  error
	}{
		{"an Administrator grants Administrator (their own role)", func() error {
			return w.grant(as(w.admin), another, w.engage.ID, access.Administrator)
		}, nil},
		{"an Administrator may not make anyone Owner", func() error {
			_, err := w.space.Access.SetOrganisationRole(w.ctx, as(w.admin), w.toppp.ID, newcomer, org.Owner)
			return err
		}, storage.ErrPermissionDenied},
		{"an Administrator may not make anyone Member", func() error {
			_, err := w.space.Access.SetOrganisationRole(w.ctx, as(w.admin), w.toppp.ID, newcomer, org.Member)
			return err
		}, storage.ErrPermissionDenied},
		{"a user manager grants a role within their own", func() error {
			return w.grant(as(coord), newcomer, w.engage.ID, access.Editor)
		}, nil},
		{"a user manager may not grant Marketer, which publishes", func() error {
			return w.grant(as(coord), newcomer, w.engage.ID, access.Marketer)
		}, storage.ErrPermissionDenied},
		{"a user manager may not demote a Marketer above them", func() error {
			return w.grant(as(coord), w.marketer, w.engage.ID, access.Observer)
		}, storage.ErrPermissionDenied},
		{"a user manager may not revoke a Marketer above them", func() error {
			_, err := w.space.Access.Revoke(w.ctx, as(coord), w.marketer, w.engage.ID)
			return err
		}, storage.ErrPermissionDenied},
		{"a user manager may not promote themselves", func() error {
			return w.grant(as(coord), coord, w.engage.ID, access.Administrator)
		}, storage.ErrPermissionDenied},
		{"an Owner grants Owner", func() error {
			_, err := w.space.Access.SetOrganisationRole(w.ctx, as(w.owner), w.toppp.ID, newcomer, org.Owner)
			return err
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			err := tt.apply()
			if tt.want != nil {
				w.wantErr(err, tt.want, before)
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// "The last Owner cannot be removed or demoted."
func TestLastOwnerCannotBeRemovedOrDemoted(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	for _, r := range []org.Role{org.Member, org.NoRole} {
		before := w.head()
		_, err := w.space.Access.SetOrganisationRole(w.ctx, w.operator, w.toppp.ID, w.owner, r)
		w.wantErr(err, storage.ErrFailedPrecondition, before)
	}
	second := w.newUser("second-owner@toppp.test")
	w.setOrgRole(as(w.owner), w.toppp.ID, second, org.Owner)
	// With two Owners, one may step down; then the other is the last again.
	w.setOrgRole(as(second), w.toppp.ID, w.owner, org.Member)
	before := w.head()
	_, err := w.space.Access.SetOrganisationRole(w.ctx, as(second), w.toppp.ID, second, org.NoRole)
	w.wantErr(err, storage.ErrFailedPrecondition, before)
	if !w.space.Access.Current().CheckOrganisation(second, w.toppp.ID, access.ManageOwners) {
		t.Error("the remaining Owner lost the Owner role")
	}
}

// "If you receive the error: Sorry, that user already exists, make sure
// you're not using the email address of an existing user."
func TestCreatingAUserWithAnExistingEmailFails(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	for _, email := range []string{"marketer@toppp.test", "  MARKETER@Toppp.Test "} {
		before := w.head()
		_, _, err := w.space.Access.AddUser(w.ctx, as(w.owner), org.NewUser{Email: email, Name: "Twin"},
			access.GrantRequest{Account: w.engage.ID, Role: access.Editor})
		w.wantErr(err, storage.ErrAlreadyExists, before)
		if err == nil || !strings.Contains(err.Error(), "that user already exists") {
			t.Errorf("error %q does not say that the user already exists", err)
		}
		_, _, err = w.space.Org.CreateUser(w.ctx, w.operator, org.NewUser{Email: email, Name: "Twin"})
		w.wantErr(err, storage.ErrAlreadyExists, before)
	}
}

// "The same person could have Admin rights in one account, but be a
// Marketer in another", also in accounts of several organisations.
func TestADifferentRoleInEachAccountAcrossOrganisations(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	client := w.newOrg("Client Co")
	clientEngage := w.newAccount(client.ID, org.Engage, "Client Engage", org.LoginPolicy{})
	agency := w.newUser("agency@agency.test")
	w.must(w.grant(w.operator, agency, w.engage.ID, access.Administrator))
	w.must(w.grant(w.operator, agency, clientEngage.ID, access.Marketer))
	check := w.space.Access.Check
	if !check(agency, w.engage.ID, access.ManageAccountUsers) {
		t.Error("the agency user does not administer Toppp Engage")
	}
	if !check(agency, clientEngage.ID, access.PublishContent) || check(agency, clientEngage.ID, access.ManageAccountUsers) {
		t.Error("the agency user is not exactly a Marketer in Client Engage")
	}
	if check(agency, w.loyalty.ID, access.ViewAccount) {
		t.Error("a grant on one account gives access to another")
	}
	menu, err := w.space.Access.Menu(w.ctx, storage.Latest(), agency)
	w.must(err)
	if len(menu) != 2 || menu[0].OrgName != "Client Co" || menu[1].OrgName != "Toppp" ||
		menu[0].Accounts[0].Role != "marketer" || menu[1].Accounts[0].Role != "administrator" {
		t.Errorf("drop-down = %+v", menu)
	}
}

// "If you need to provide access to your organisation to an existing user in
// another organisation, you may need to contact our Support Team" — or the
// user accepts an invitation.
func TestUserOfAnotherOrganisationIsAttachedByOperatorOrInvitation(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	client := w.newOrg("Client Co")
	clientEngage := w.newAccount(client.ID, org.Engage, "Client Engage", org.LoginPolicy{})
	clientOwner := w.newUser("owner@client.test")
	w.setOrgRole(w.operator, client.ID, clientOwner, org.Owner)

	before := w.head()
	w.wantErr(w.grant(as(clientOwner), w.marketer, clientEngage.ID, access.Editor), storage.ErrPermissionDenied, before)
	_, err := w.space.Access.SetOrganisationRole(w.ctx, as(clientOwner), client.ID, w.marketer, org.Member)
	w.wantErr(err, storage.ErrPermissionDenied, before)

	// By invitation: the user accepts.
	_, _, err = w.space.Access.Invite(w.ctx, as(clientOwner), access.InviteRequest{Email: "marketer@toppp.test", Account: clientEngage.ID, Role: access.Editor})
	w.must(err)
	u, _, err := w.space.Access.Accept(w.ctx, w.mails["marketer@toppp.test"], "")
	w.must(err)
	if u.ID != w.marketer || !w.space.Access.Check(w.marketer, clientEngage.ID, access.EditContent) {
		t.Errorf("accepting did not attach the existing user: %+v", u)
	}
	// Once they belong, the Owner manages them directly.
	w.must(w.grant(as(clientOwner), w.marketer, clientEngage.ID, access.Marketer))
	// By an operator.
	w.must(w.grant(w.operator, w.editor, clientEngage.ID, access.Observer))
	// A user who belongs to no organisation yet is attached directly.
	loner := w.newUser("loner@nowhere.test")
	w.must(w.grant(as(clientOwner), loner, clientEngage.ID, access.Observer))
}

// Time-bound access ends by itself, in the compiled index too.
func TestTimeBoundAccessEndsByItself(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	auditor := w.newUser("auditor@external.test")
	until := w.clock.Now().Add(48 * 60 * 60 * 1e9)
	_, err := w.space.Access.Grant(w.ctx, as(w.owner), access.GrantRequest{User: auditor, Account: w.loyalty.ID, Role: access.Observer, ExpiresAt: until})
	w.must(err)
	if !w.space.Access.Check(auditor, w.loyalty.ID, access.ViewAccount) {
		t.Fatal("the time-bound grant does not hold before it ends")
	}
	w.clock.Advance(48 * 60 * 60 * 1e9)
	if w.space.Access.Check(auditor, w.loyalty.ID, access.ViewAccount) {
		t.Error("the time-bound grant still holds after it ended")
	}
	d := w.space.Access.Explain(auditor, w.loyalty.ID, access.ViewAccount)
	if d.Allowed || !strings.Contains(d.Reason, "expired") {
		t.Errorf("Explain = %s", d.Reason)
	}
	if got, _ := w.space.Access.Accounts(w.ctx, storage.Latest(), auditor); len(got) != 0 {
		t.Errorf("an expired grant still lists its account: %+v", got)
	}
	before := w.head()
	_, err = w.space.Access.Grant(w.ctx, as(w.owner), access.GrantRequest{User: auditor, Account: w.loyalty.ID, Role: access.Observer, ExpiresAt: w.clock.Now()})
	w.wantErr(err, storage.ErrInvalidArgument, before)
	// Past MaxExpiry an expiry cannot be held exactly, on any backend.
	_, err = w.space.Access.Grant(w.ctx, as(w.owner), access.GrantRequest{User: auditor, Account: w.loyalty.ID, Role: access.Observer, ExpiresAt: access.MaxExpiry.Add(1e9)})
	w.wantErr(err, storage.ErrInvalidArgument, before)
	_, err = w.space.Access.Grant(w.ctx, as(w.owner), access.GrantRequest{User: auditor, Account: w.loyalty.ID, Role: access.Observer, ExpiresAt: access.MaxExpiry})
	w.must(err)
	if !w.space.Access.Check(auditor, w.loyalty.ID, access.ViewAccount) {
		t.Error("a grant ending at MaxExpiry does not hold")
	}
}

// Bad input returns a clear error naming the field and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	owner := as(w.owner)
	tests := []struct {
		name  string
		apply func() error
		want  error
		field string
	}{
		{"empty user", func() error { return w.grant(owner, "", w.engage.ID, access.Editor) }, storage.ErrInvalidArgument, "user"},
		{"empty account", func() error { return w.grant(owner, w.editor, "", access.Editor) }, storage.ErrInvalidArgument, "account"},
		{"empty role", func() error { return w.grant(owner, w.editor, w.engage.ID, "") }, storage.ErrInvalidArgument, "role"},
		{"unknown user", func() error { return w.grant(owner, "usr_404", w.engage.ID, access.Editor) }, storage.ErrNotFound, "usr_404"},
		{"unknown account", func() error { return w.grant(owner, w.editor, "acc_404", access.Editor) }, storage.ErrNotFound, "acc_404"},
		{"unknown role", func() error { return w.grant(owner, w.editor, w.engage.ID, "role_404") }, storage.ErrNotFound, "role_404"},
		{"invalid email", func() error {
			_, _, err := w.space.Access.AddUser(w.ctx, owner, org.NewUser{Email: "not-an-email", Name: "X"}, access.GrantRequest{Account: w.engage.ID, Role: access.Editor})
			return err
		}, storage.ErrInvalidArgument, "email"},
		{"empty user name", func() error {
			_, _, err := w.space.Access.AddUser(w.ctx, owner, org.NewUser{Email: "x@toppp.test", Name: " "}, access.GrantRequest{Account: w.engage.ID, Role: access.Editor})
			return err
		}, storage.ErrInvalidArgument, "user name"},
		{"empty organisation name", func() error {
			_, err := w.space.Org.RenameOrganisation(w.ctx, owner, w.toppp.ID, "")
			return err
		}, storage.ErrInvalidArgument, "organisation name"},
		{"unknown organisation", func() error {
			_, err := w.space.Org.RenameOrganisation(w.ctx, owner, "org_404", "New")
			return err
		}, storage.ErrNotFound, "org_404"},
		{"invalid product", func() error {
			_, _, err := w.space.Org.CreateAccount(w.ctx, w.operator, org.NewAccount{Org: w.toppp.ID, Product: "Engage!", Name: "X"})
			return err
		}, storage.ErrInvalidArgument, "product"},
		{"SSO without a provider", func() error {
			_, _, err := w.space.Org.CreateAccount(w.ctx, w.operator, org.NewAccount{Org: w.toppp.ID, Product: org.Engage, Name: "X", Login: org.LoginPolicy{Method: org.SSO}})
			return err
		}, storage.ErrInvalidArgument, "provider"},
		{"a custom role with an organisation permission", func() error {
			_, _, err := w.space.Access.DefineRole(w.ctx, owner, w.toppp.ID, access.NewRole{Name: "Boss", Permissions: access.PermissionsOf(access.ViewAccount, access.ManageBilling)})
			return err
		}, storage.ErrInvalidArgument, "permissions"},
		{"a custom role named like a built-in", func() error {
			_, _, err := w.space.Access.DefineRole(w.ctx, owner, w.toppp.ID, access.NewRole{Name: "marketer", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}, storage.ErrAlreadyExists, "marketer"},
		{"a favourite that is not a user's", func() error {
			_, err := w.space.Access.SetFavourite(w.ctx, w.operator, w.engage.ID)
			return err
		}, storage.ErrPermissionDenied, "favourite"},
		{"a malformed invitation token", func() error {
			_, _, err := w.space.Access.Accept(w.ctx, "not-a-token", "X")
			return err
		}, storage.ErrInvalidArgument, "token"},
		{"a negative page limit", func() error {
			_, err := w.space.Access.UsersOfAccount(w.ctx, storage.Latest(), owner, w.engage.ID, storage.PageRequest{Limit: -1})
			return err
		}, storage.ErrInvalidArgument, "limit"},
		{"a forged cursor", func() error {
			_, err := w.space.Access.UsersOfAccount(w.ctx, storage.Latest(), owner, w.engage.ID, storage.PageRequest{After: "!!"})
			return err
		}, storage.ErrInvalidArgument, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			err := tt.apply()
			w.wantErr(err, tt.want, before)
			if err != nil && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

// Only an operator creates organisations and accounts; Owners rename the
// organisation and list all its accounts.
func TestOrganisationManagement(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	before := w.head()
	_, _, err := w.space.Org.CreateOrganisation(w.ctx, as(w.owner), org.NewOrganisation{Name: "Mine"})
	w.wantErr(err, storage.ErrPermissionDenied, before)
	_, _, err = w.space.Org.CreateAccount(w.ctx, as(w.owner), org.NewAccount{Org: w.toppp.ID, Product: org.Engage, Name: "More"})
	w.wantErr(err, storage.ErrPermissionDenied, before)
	_, err = w.space.Org.RenameOrganisation(w.ctx, as(w.admin), w.toppp.ID, "Hijacked")
	w.wantErr(err, storage.ErrPermissionDenied, before)
	_, err = w.space.Org.Accounts(w.ctx, storage.Latest(), as(w.member), w.toppp.ID, storage.PageRequest{})
	w.wantErr(err, storage.ErrPermissionDenied, before)

	_, err = w.space.Org.RenameOrganisation(w.ctx, as(w.owner), w.toppp.ID, "Toppp Media")
	w.must(err)
	var ids []org.AccountID
	for page := (storage.PageRequest{Limit: 2}); ; {
		p, err := w.space.Org.Accounts(w.ctx, storage.Latest(), as(w.owner), w.toppp.ID, page)
		w.must(err)
		for _, a := range p.Items {
			ids = append(ids, a.ID)
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	if len(ids) != 3 {
		t.Errorf("the Owner lists %v, want the 3 accounts", ids)
	}
	menu, err := w.space.Access.Menu(w.ctx, storage.Latest(), w.owner)
	w.must(err)
	if len(menu) != 1 || menu[0].OrgName != "Toppp Media" || len(menu[0].Accounts) != 3 {
		t.Errorf("the rename does not show in the drop-down: %+v", menu)
	}
}
