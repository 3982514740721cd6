package storagetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// svcFailureWorld is the fixture plus what the failing writes need:
// custom roles, a user holding only ManageAccountUsers, and invitations in
// every state.
type svcFailureWorld struct {
	*svcFixture
	analyst, globexRole, helperRole access.RoleID
	helper                          org.UserID
	helperA                         org.Actor
	expired, declined, accepted     access.InvitationID
	revoked, pending, orgPending    access.InvitationID
	acceptedToken, declinedToken    string
	expiredToken, revokedToken      string
	staleToken, orphanToken         string
}

func (e *svcEnv) failureWorld() *svcFailureWorld {
	e.t.Helper()
	w := &svcFailureWorld{svcFixture: e.fixture()}
	ctx, sp := e.ctx, e.space
	invite := func(actor org.Actor, r access.InviteRequest) (access.InvitationID, string) {
		e.t.Helper()
		inv, _, err := sp.Access.Invite(ctx, actor, r)
		e.must(err)
		tok, ok := e.mail.Token(inv.ID)
		if !ok {
			e.t.Fatalf("no mail for invitation %s", inv.ID)
		}
		return inv.ID, tok
	}
	// An invitation that expires: made first, then the clock passes its TTL.
	w.expired, w.expiredToken = invite(w.ownerA, access.InviteRequest{Email: "late@example.test", Org: w.acme, OrgRole: org.Member})
	e.clock.Advance(access.DefaultInvitationTTL + time.Hour)

	r, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
	e.must(err)
	w.analyst = r.ID
	r, _, err = sp.Access.DefineRole(ctx, w.globexOwnerA, w.globex, access.NewRole{Name: "Globex Reader", Permissions: access.PermissionsOf(access.ViewAccount)})
	e.must(err)
	w.globexRole = r.ID
	r, _, err = sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Helper", Permissions: access.PermissionsOf(access.ViewAccount, access.ManageAccountUsers)})
	e.must(err)
	w.helperRole = r.ID
	w.helper = e.newUser("helper@acme.test")
	w.helperA = org.AsUser(w.helper)
	e.grant(w.ownerA, w.helper, w.events, w.helperRole, time.Time{})
	e.grant(w.ownerA, w.observer, w.loyalty, w.analyst, time.Time{})
	e.grant(w.ownerA, w.observer, w.events, access.Editor, time.Time{})

	w.declined, w.declinedToken = invite(w.ownerA, access.InviteRequest{Email: "no@example.test", Account: w.engage, Role: access.Editor})
	_, err = sp.Access.Decline(ctx, w.declinedToken)
	e.must(err)
	w.accepted, w.acceptedToken = invite(w.adminA, access.InviteRequest{Email: "yes@example.test", Account: w.engage, Role: access.Observer})
	u, _, err := sp.Access.Accept(ctx, w.acceptedToken, "Yes")
	e.must(err)
	e.users = append(e.users, u.ID)
	w.allUsers = append(w.allUsers, u.ID, w.helper)
	w.revoked, w.revokedToken = invite(w.ownerA, access.InviteRequest{Email: "gone@example.test", Org: w.acme, OrgRole: org.Owner})
	_, err = sp.Access.RevokeInvitation(ctx, e.operator, w.revoked)
	e.must(err)
	w.pending, w.staleToken = invite(w.adminA, access.InviteRequest{Email: "maybe@example.test", Account: w.engage, Role: access.Marketer})
	_, _, err = sp.Access.Resend(ctx, w.adminA, w.pending)
	e.must(err)
	w.orgPending, _ = invite(w.ownerA, access.InviteRequest{Email: "team@example.test", Org: w.acme, OrgRole: org.Member})
	// An invitation whose inviter loses the right to make it.
	lapsed := e.newUser("lapsed@acme.test")
	e.grant(w.ownerA, lapsed, w.loyalty, access.Administrator, time.Time{})
	_, w.orphanToken = invite(org.AsUser(lapsed), access.InviteRequest{Email: "orphan@example.test", Account: w.loyalty, Role: access.Observer})
	_, err = sp.Access.Revoke(ctx, w.ownerA, lapsed, w.loyalty)
	e.must(err)
	e.clock.Advance(time.Minute)
	return w
}

func svcTestFailedWrites(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	w := e.failureWorld()
	ctx, sp, op := e.ctx, e.space, e.operator
	now := e.clock.Now()
	// A well-formed token that no invitation has.
	unknownToken := strings.Repeat("A", 43)
	e.emails = []string{"orphan@example.test", "newbie@acme.test", "owner@acme.test", "fresh@example.test", "someone@example.test", "x@example.test"}

	cases := []struct {
		name string
		want error
		// msg, when set, must appear in the error.
		msg string
		do  func() error
	}{
		// Bad input.
		{"CreateOrganisation with an empty name", storage.ErrInvalidArgument, "name", func() error {
			_, _, err := sp.Org.CreateOrganisation(ctx, op, org.NewOrganisation{Name: "  "})
			return err
		}},
		{"CreateOrganisation with an unknown time zone", storage.ErrInvalidArgument, "time zone", func() error {
			_, _, err := sp.Org.CreateOrganisation(ctx, op, org.NewOrganisation{Name: "Hooli", Settings: org.Settings{TimeZone: "Mars/Olympus"}})
			return err
		}},
		{"CreateAccount with a malformed product", storage.ErrInvalidArgument, "product", func() error {
			_, _, err := sp.Org.CreateAccount(ctx, op, org.NewAccount{Org: w.acme, Product: "Engage!", Name: "X"})
			return err
		}},
		{"CreateAccount with SSO and no provider", storage.ErrInvalidArgument, "provider", func() error {
			_, _, err := sp.Org.CreateAccount(ctx, op, org.NewAccount{Org: w.acme, Product: org.Engage, Name: "X", Login: org.LoginPolicy{Method: org.SSO}})
			return err
		}},
		{"CreateUser with a malformed email", storage.ErrInvalidArgument, "email", func() error {
			_, _, err := sp.Org.CreateUser(ctx, op, org.NewUser{Email: "someone@", Name: "Someone"})
			return err
		}},
		{"RenameOrganisation to a name with a control character", storage.ErrInvalidArgument, "name", func() error {
			_, err := sp.Org.RenameOrganisation(ctx, w.ownerA, w.acme, "Acme\x07")
			return err
		}},
		{"SetLoginPolicy with a provider for password login", storage.ErrInvalidArgument, "provider", func() error {
			_, err := sp.Org.SetLoginPolicy(ctx, w.ownerA, w.engage, org.LoginPolicy{Provider: "okta"})
			return err
		}},
		{"Grant with an expiry in the past", storage.ErrInvalidArgument, "expiry", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Editor, ExpiresAt: now.Add(-time.Second)})
			return err
		}},
		{"Grant with an expiry of now", storage.ErrInvalidArgument, "expiry", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Editor, ExpiresAt: now})
			return err
		}},
		{"Grant with an empty role", storage.ErrInvalidArgument, "role", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.member, Account: w.engage})
			return err
		}},
		{"Grant of another organisation's custom role", storage.ErrInvalidArgument, "another organisation", func() error {
			_, err := sp.Access.Grant(ctx, op, access.GrantRequest{User: w.member, Account: w.engage, Role: w.globexRole})
			return err
		}},
		{"Revoke with an empty user", storage.ErrInvalidArgument, "user", func() error {
			_, err := sp.Access.Revoke(ctx, w.ownerA, "", w.engage)
			return err
		}},
		{"SetOrganisationRole with an unknown role", storage.ErrInvalidArgument, "role", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, op, w.acme, w.member, org.Role(9))
			return err
		}},
		{"DefineRole without account.view", storage.ErrInvalidArgument, "account.view", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Ghost", Permissions: access.PermissionsOf(access.EditContent)})
			return err
		}},
		{"DefineRole with an organisation permission", storage.ErrInvalidArgument, "account permissions", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Buyer", Permissions: access.PermissionsOf(access.ViewAccount, access.ManageBilling)})
			return err
		}},
		{"DefineRole with no permissions", storage.ErrInvalidArgument, "empty", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "Nobody"})
			return err
		}},
		{"UpdateRole of a built-in role", storage.ErrInvalidArgument, "built in", func() error {
			_, err := sp.Access.UpdateRole(ctx, op, access.Observer, access.NewRole{Name: "Watcher", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"DeleteRole of a built-in role", storage.ErrInvalidArgument, "built in", func() error {
			_, err := sp.Access.DeleteRole(ctx, op, access.Editor)
			return err
		}},
		{"Invite with an account but no role", storage.ErrInvalidArgument, "", func() error {
			_, _, err := sp.Access.Invite(ctx, w.ownerA, access.InviteRequest{Email: "x@example.test", Account: w.engage})
			return err
		}},
		{"Invite with neither a role nor an organisation role", storage.ErrInvalidArgument, "", func() error {
			_, _, err := sp.Access.Invite(ctx, w.ownerA, access.InviteRequest{Email: "x@example.test", Org: w.acme})
			return err
		}},
		{"Invite with a malformed email", storage.ErrInvalidArgument, "email", func() error {
			_, _, err := sp.Access.Invite(ctx, w.ownerA, access.InviteRequest{Email: "Someone <x@example.test>", Org: w.acme, OrgRole: org.Member})
			return err
		}},
		{"Invite naming an organisation the account is not in", storage.ErrInvalidArgument, "", func() error {
			_, _, err := sp.Access.Invite(ctx, op, access.InviteRequest{Email: "x@example.test", Org: w.globex, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"AddUser with a malformed email", storage.ErrInvalidArgument, "email", func() error {
			_, _, err := sp.Access.AddUser(ctx, w.ownerA, org.NewUser{Email: "newbie@", Name: "Newbie"}, access.GrantRequest{Account: w.engage, Role: access.Observer})
			return err
		}},
		{"AddUser with an empty name", storage.ErrInvalidArgument, "name", func() error {
			_, _, err := sp.Access.AddUser(ctx, w.ownerA, org.NewUser{Email: "newbie@acme.test"}, access.GrantRequest{Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Accept with a malformed token", storage.ErrInvalidArgument, "token", func() error {
			_, _, err := sp.Access.Accept(ctx, "not a token", "X")
			return err
		}},
		{"Accept by a new invitee without a name", storage.ErrInvalidArgument, "name", func() error {
			tok, _ := e.mail.Token(w.orgPending)
			_, _, err := sp.Access.Accept(ctx, tok, "")
			return err
		}},
		{"SetFavourite with an empty account", storage.ErrInvalidArgument, "account", func() error {
			_, err := sp.Access.SetFavourite(ctx, w.observerA, "")
			return err
		}},

		// Wrong actor.
		{"CreateOperator by an operator", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Org.CreateOperator(ctx, op, org.NewOperator{Name: "Mallory", Email: "mallory@platform.test"})
			return err
		}},
		{"CreateOrganisation by an Owner", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Org.CreateOrganisation(ctx, w.ownerA, org.NewOrganisation{Name: "Acme 2"})
			return err
		}},
		{"CreateAccount by an Owner", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Org.CreateAccount(ctx, w.ownerA, org.NewAccount{Org: w.acme, Product: org.Engage, Name: "More"})
			return err
		}},
		{"CreateUser by an Owner", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Org.CreateUser(ctx, w.ownerA, org.NewUser{Email: "fresh@example.test", Name: "Fresh"})
			return err
		}},
		{"RenameOrganisation by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Org.RenameOrganisation(ctx, w.adminA, w.acme, "Admin's")
			return err
		}},
		{"RenameOrganisation by the Owner of another organisation", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Org.RenameOrganisation(ctx, w.globexOwnerA, w.acme, "Globex's")
			return err
		}},
		{"SetLoginPolicy by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Org.SetLoginPolicy(ctx, w.adminA, w.engage, org.LoginPolicy{TwoFactor: true})
			return err
		}},
		{"Grant by nobody (the zero Actor)", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, org.Actor{}, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant by an unknown operator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, org.AsOperator("op_unknown"), access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant by an unknown user", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, org.AsUser("usr_unknown"), access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant by an Observer", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.observerA, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant by a Marketer", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.marketerA, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant by an Administrator on an account they do not administer", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.adminA, access.GrantRequest{User: w.member, Account: w.loyalty, Role: access.Observer})
			return err
		}},
		{"Grant by the Owner of another organisation", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.globexOwnerA, access.GrantRequest{User: w.member, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant of a role above the manager's own", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.helperA, access.GrantRequest{User: w.member, Account: w.events, Role: access.Editor})
			return err
		}},
		{"Grant replacing a role above the manager's own", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Grant(ctx, w.helperA, access.GrantRequest{User: w.observer, Account: w.events, Role: access.Observer})
			return err
		}},
		{"Revoke by a user who does not manage the account, of a grant that does not exist", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Revoke(ctx, w.marketerA, w.member, w.engage)
			return err
		}},
		{"Invite to replace a role above the inviter's own", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.Invite(ctx, w.helperA, access.InviteRequest{Email: "Observer@acme.test", Account: w.events, Role: access.Observer})
			return err
		}},
		{"Accept of an invitation whose inviter lost their role", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.Accept(ctx, w.orphanToken, "Orphan")
			return err
		}},
		{"Revoke of a role above the manager's own", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.Revoke(ctx, w.helperA, w.observer, w.events)
			return err
		}},
		{"an Owner may not attach a user of another organisation with a grant", storage.ErrPermissionDenied, "another organisation", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.outsider, Account: w.engage, Role: access.Observer})
			return err
		}},
		{"an Owner may not attach a user of another organisation as a Member", storage.ErrPermissionDenied, "another organisation", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, w.ownerA, w.acme, w.globexOwner, org.Member)
			return err
		}},
		{"SetOrganisationRole Owner by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, w.adminA, w.acme, w.admin, org.Owner)
			return err
		}},
		{"SetOrganisationRole Member by a Member", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, w.memberA, w.acme, w.loner, org.Member)
			return err
		}},
		{"DefineRole by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.adminA, w.acme, access.NewRole{Name: "Mine", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"UpdateRole by the Owner of another organisation", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.UpdateRole(ctx, w.globexOwnerA, w.analyst, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"DeleteRole by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.DeleteRole(ctx, w.adminA, w.helperRole)
			return err
		}},
		{"SetFavourite by an operator", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.SetFavourite(ctx, op, w.engage)
			return err
		}},
		{"SetFavourite of an account the user cannot open", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.SetFavourite(ctx, w.marketerA, w.loyalty)
			return err
		}},
		{"Invite to an organisation role by an Administrator", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.Invite(ctx, w.adminA, access.InviteRequest{Email: "x@example.test", Org: w.acme, OrgRole: org.Member})
			return err
		}},
		{"Invite to a role above the inviter's own", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.Invite(ctx, w.helperA, access.InviteRequest{Email: "x@example.test", Account: w.events, Role: access.Marketer})
			return err
		}},
		{"RevokeInvitation by a Marketer", storage.ErrPermissionDenied, "", func() error {
			_, err := sp.Access.RevokeInvitation(ctx, w.marketerA, w.pending)
			return err
		}},
		{"Resend by the Owner of another organisation", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.Resend(ctx, w.globexOwnerA, w.orgPending)
			return err
		}},
		{"AddUser by an Observer", storage.ErrPermissionDenied, "", func() error {
			_, _, err := sp.Access.AddUser(ctx, w.observerA, org.NewUser{Email: "newbie@acme.test", Name: "Newbie"}, access.GrantRequest{Account: w.engage, Role: access.Observer})
			return err
		}},

		// Unknown IDs.
		{"Grant to an unknown user", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: "usr_unknown", Account: w.engage, Role: access.Observer})
			return err
		}},
		{"Grant on an unknown account", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.member, Account: "acc_unknown", Role: access.Observer})
			return err
		}},
		{"Grant of an unknown role", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Grant(ctx, w.ownerA, access.GrantRequest{User: w.member, Account: w.engage, Role: "role_unknown"})
			return err
		}},
		{"Revoke of a grant that does not exist", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Revoke(ctx, w.ownerA, w.member, w.engage)
			return err
		}},
		{"Revoke on an unknown account", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Revoke(ctx, w.ownerA, w.admin, "acc_unknown")
			return err
		}},
		{"RenameOrganisation of an unknown organisation", storage.ErrNotFound, "", func() error {
			_, err := sp.Org.RenameOrganisation(ctx, op, "org_unknown", "Nowhere")
			return err
		}},
		{"CreateAccount in an unknown organisation", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Org.CreateAccount(ctx, op, org.NewAccount{Org: "org_unknown", Product: org.Engage, Name: "Lost"})
			return err
		}},
		{"SetLoginPolicy of an unknown account", storage.ErrNotFound, "", func() error {
			_, err := sp.Org.SetLoginPolicy(ctx, op, "acc_unknown", org.LoginPolicy{})
			return err
		}},
		{"SetOrganisationRole in an unknown organisation", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, op, "org_unknown", w.member, org.Member)
			return err
		}},
		{"SetOrganisationRole of an unknown user", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, op, w.acme, "usr_unknown", org.Member)
			return err
		}},
		{"DefineRole in an unknown organisation", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.DefineRole(ctx, op, "org_unknown", access.NewRole{Name: "Lost", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"UpdateRole of an unknown role", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.UpdateRole(ctx, op, "role_unknown", access.NewRole{Name: "Lost", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"DeleteRole of an unknown role", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.DeleteRole(ctx, op, "role_unknown")
			return err
		}},
		{"SetFavourite of an unknown account", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.SetFavourite(ctx, w.ownerA, "acc_unknown")
			return err
		}},
		{"Invite to an unknown account", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.Invite(ctx, op, access.InviteRequest{Email: "x@example.test", Account: "acc_unknown", Role: access.Observer})
			return err
		}},
		{"Invite to an unknown organisation", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.Invite(ctx, op, access.InviteRequest{Email: "x@example.test", Org: "org_unknown", OrgRole: org.Member})
			return err
		}},
		{"RevokeInvitation of an unknown invitation", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.RevokeInvitation(ctx, op, "inv_unknown")
			return err
		}},
		{"Resend of an unknown invitation", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.Resend(ctx, op, "inv_unknown")
			return err
		}},
		{"Accept with an unknown token", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.Accept(ctx, unknownToken, "X")
			return err
		}},
		{"Decline with an unknown token", storage.ErrNotFound, "", func() error {
			_, err := sp.Access.Decline(ctx, unknownToken)
			return err
		}},
		{"Accept with a token that Resend replaced", storage.ErrNotFound, "", func() error {
			_, _, err := sp.Access.Accept(ctx, w.staleToken, "X")
			return err
		}},

		// Preconditions.
		{"removing the last Owner", storage.ErrFailedPrecondition, "last Owner", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, op, w.acme, w.owner, org.NoRole)
			return err
		}},
		{"demoting the last Owner", storage.ErrFailedPrecondition, "last Owner", func() error {
			_, err := sp.Access.SetOrganisationRole(ctx, w.ownerA, w.acme, w.owner, org.Member)
			return err
		}},
		{"DeleteRole of a role in use", storage.ErrFailedPrecondition, "", func() error {
			_, err := sp.Access.DeleteRole(ctx, w.ownerA, w.analyst)
			return err
		}},
		{"Accept of an expired invitation", storage.ErrFailedPrecondition, "expired", func() error {
			_, _, err := sp.Access.Accept(ctx, w.expiredToken, "Late")
			return err
		}},
		{"Accept of a declined invitation", storage.ErrFailedPrecondition, "declined", func() error {
			_, _, err := sp.Access.Accept(ctx, w.declinedToken, "No")
			return err
		}},
		{"Accept of an accepted invitation", storage.ErrFailedPrecondition, "accepted", func() error {
			_, _, err := sp.Access.Accept(ctx, w.acceptedToken, "Yes")
			return err
		}},
		{"Decline of a revoked invitation", storage.ErrFailedPrecondition, "revoked", func() error {
			_, err := sp.Access.Decline(ctx, w.revokedToken)
			return err
		}},
		{"RevokeInvitation of an accepted invitation", storage.ErrFailedPrecondition, "", func() error {
			_, err := sp.Access.RevokeInvitation(ctx, w.adminA, w.accepted)
			return err
		}},
		{"RevokeInvitation of an expired invitation", storage.ErrFailedPrecondition, "", func() error {
			_, err := sp.Access.RevokeInvitation(ctx, w.ownerA, w.expired)
			return err
		}},
		{"Resend of a declined invitation", storage.ErrFailedPrecondition, "", func() error {
			_, _, err := sp.Access.Resend(ctx, w.ownerA, w.declined)
			return err
		}},

		// Identity taken.
		{"CreateUser with an existing email in another case", storage.ErrAlreadyExists, "that user already exists", func() error {
			_, _, err := sp.Org.CreateUser(ctx, op, org.NewUser{Email: "  OWNER@Acme.test ", Name: "Owner again"})
			return err
		}},
		{"AddUser with an existing email", storage.ErrAlreadyExists, "that user already exists", func() error {
			_, _, err := sp.Access.AddUser(ctx, w.ownerA, org.NewUser{Email: "owner@acme.test", Name: "Owner again"}, access.GrantRequest{Account: w.engage, Role: access.Observer})
			return err
		}},
		{"DefineRole with a custom role's name in another case", storage.ErrAlreadyExists, "", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: " analyst ", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"DefineRole with a built-in role's name", storage.ErrAlreadyExists, "", func() error {
			_, _, err := sp.Access.DefineRole(ctx, w.ownerA, w.acme, access.NewRole{Name: "OBSERVER", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
		{"UpdateRole to another custom role's name", storage.ErrAlreadyExists, "", func() error {
			_, err := sp.Access.UpdateRole(ctx, w.ownerA, w.helperRole, access.NewRole{Name: "ANALYST", Permissions: access.PermissionsOf(access.ViewAccount)})
			return err
		}},
	}

	users := w.allUsers
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			ixBefore := e.space.Access.Current()
			checks := svcMatrix(ixBefore, users, w.accounts)
			err := c.do()
			if !errors.Is(err, c.want) {
				t.Errorf("error = %v (%s), want one wrapping %v", err, svcSentinel(err), c.want)
			} else if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
			after := e.snapshot()
			if diff := gocmp.Diff(before, after, svcCmpOptions...); diff != "" {
				t.Errorf("the failed write changed the store (-before +after):\n%s", diff)
			}
			ix := e.space.Access.Current()
			if ix.Revision() != ixBefore.Revision() {
				t.Errorf("the index moved from revision %d to %d", ixBefore.Revision(), ix.Revision())
			}
			if diff := gocmp.Diff(checks, svcMatrix(ix, users, w.accounts)); diff != "" {
				t.Errorf("Check answers changed (-before +after):\n%s", diff)
			}
		})
	}
}
