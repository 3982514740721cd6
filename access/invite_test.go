package access_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

func invite(w *world, actor org.Actor, email string, a org.AccountID, r access.RoleID) access.Invitation {
	w.t.Helper()
	inv, _, err := w.space.Access.Invite(w.ctx, actor, access.InviteRequest{Email: email, Account: a, Role: r})
	w.must(err)
	return inv
}

func TestInvitationLifecycle(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	t.Run("accepted: a new user joins with the offered role", func(t *testing.T) {
		inv := invite(w, as(w.owner), "Staff@Toppp.test", w.loyalty.ID, access.Editor)
		if inv.Status != access.Pending || inv.Email != "staff@toppp.test" {
			t.Fatalf("invitation = %+v", inv)
		}
		token := w.mails["staff@toppp.test"]
		if bytes.Contains(inv.TokenHash, []byte(token)) || !bytes.Equal(inv.TokenHash, access.HashToken(token)) {
			t.Error("the stored token is not the token's hash")
		}
		u, _, err := w.space.Access.Accept(w.ctx, token, "Staff Member")
		w.must(err)
		if !w.space.Access.Check(u.ID, w.loyalty.ID, access.EditContent) {
			t.Error("the accepted grant does not hold")
		}
		before := w.head()
		_, _, err = w.space.Access.Accept(w.ctx, token, "Again")
		w.wantErr(err, storage.ErrFailedPrecondition, before)
	})
	t.Run("declined", func(t *testing.T) {
		invite(w, as(w.admin), "decline@toppp.test", w.engage.ID, access.Observer)
		_, err := w.space.Access.Decline(w.ctx, w.mails["decline@toppp.test"])
		w.must(err)
		before := w.head()
		_, _, err = w.space.Access.Accept(w.ctx, w.mails["decline@toppp.test"], "Late")
		w.wantErr(err, storage.ErrFailedPrecondition, before)
	})
	t.Run("revoked", func(t *testing.T) {
		inv := invite(w, as(w.owner), "revoke@toppp.test", w.engage.ID, access.Observer)
		before := w.head()
		_, err := w.space.Access.RevokeInvitation(w.ctx, as(w.marketer), inv.ID)
		w.wantErr(err, storage.ErrPermissionDenied, before)
		_, err = w.space.Access.RevokeInvitation(w.ctx, as(w.admin), inv.ID)
		w.must(err)
		_, _, err = w.space.Access.Accept(w.ctx, w.mails["revoke@toppp.test"], "Late")
		if !errors.Is(err, storage.ErrFailedPrecondition) {
			t.Errorf("accepting a revoked invitation: %v", err)
		}
	})
	t.Run("expired after 7 days, resent with a new token", func(t *testing.T) {
		inv := invite(w, as(w.owner), "slow@toppp.test", w.engage.ID, access.Observer)
		old := w.mails["slow@toppp.test"]
		w.clock.Advance(access.DefaultInvitationTTL)
		before := w.head()
		_, _, err := w.space.Access.Accept(w.ctx, old, "Slow")
		w.wantErr(err, storage.ErrFailedPrecondition, before)
		page, err := w.space.Access.Invitations(w.ctx, storage.Latest(), as(w.owner), w.toppp.ID, storage.PageRequest{})
		w.must(err)
		for _, i := range page.Items {
			if i.ID == inv.ID && i.Status != access.Expired {
				t.Errorf("listed status %s, want expired", i.Status)
			}
		}
		resent, _, err := w.space.Access.Resend(w.ctx, as(w.owner), inv.ID)
		w.must(err)
		if resent.Sent != 2 || w.mails["slow@toppp.test"] == old {
			t.Errorf("resend: %+v", resent)
		}
		if _, _, err := w.space.Access.Accept(w.ctx, old, "Slow"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("the old token still works: %v", err)
		}
		if _, _, err := w.space.Access.Accept(w.ctx, w.mails["slow@toppp.test"], "Slow"); err != nil {
			t.Errorf("the new token: %v", err)
		}
	})
	t.Run("who may invite", func(t *testing.T) {
		before := w.head()
		_, _, err := w.space.Access.Invite(w.ctx, as(w.marketer), access.InviteRequest{Email: "x@toppp.test", Account: w.engage.ID, Role: access.Observer})
		w.wantErr(err, storage.ErrPermissionDenied, before)
		_, _, err = w.space.Access.Invite(w.ctx, as(w.admin), access.InviteRequest{Email: "x@toppp.test", Org: w.toppp.ID, OrgRole: org.Owner})
		w.wantErr(err, storage.ErrPermissionDenied, before)
		_, _, err = w.space.Access.Invite(w.ctx, as(w.owner), access.InviteRequest{Email: "x@toppp.test"})
		w.wantErr(err, storage.ErrInvalidArgument, before)
		inv, _, err := w.space.Access.Invite(w.ctx, as(w.owner), access.InviteRequest{Email: "co-owner@toppp.test", Org: w.toppp.ID, OrgRole: org.Owner})
		w.must(err)
		u, _, err := w.space.Access.Accept(w.ctx, w.mails["co-owner@toppp.test"], "Co Owner")
		w.must(err)
		if !w.space.Access.Current().CheckOrganisation(u.ID, inv.Org, access.ManageOwners) {
			t.Error("the invited Owner is not an Owner")
		}
	})
}

// An invitation never lets its inviter do what Grant refuses: change a role
// above their own, or give a role after losing the right to.
func TestInvitationCannotEscalate(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	doorman, _, err := w.space.Access.DefineRole(w.ctx, as(w.owner), w.toppp.ID, access.NewRole{
		Name: "Doorman", Permissions: access.PermissionsOf(access.ViewAccount, access.ManageAccountUsers)})
	w.must(err)
	door := w.grantNew("door@toppp.test", w.engage.ID, doorman.ID)

	before := w.head()
	_, _, err = w.space.Access.Invite(w.ctx, as(door), access.InviteRequest{Email: "admin@toppp.test", Account: w.engage.ID, Role: access.Observer})
	w.wantErr(err, storage.ErrPermissionDenied, before)

	// Allowed when made; the inviter loses the right before the invitee accepts.
	inv := invite(w, as(w.admin), "later@toppp.test", w.engage.ID, access.Editor)
	_, err = w.space.Access.Revoke(w.ctx, as(w.owner), w.admin, w.engage.ID)
	w.must(err)
	before = w.head()
	_, _, err = w.space.Access.Accept(w.ctx, w.mails["later@toppp.test"], "Later")
	w.wantErr(err, storage.ErrPermissionDenied, before)
	page, err := w.space.Access.Invitations(w.ctx, storage.Latest(), as(w.owner), w.toppp.ID, storage.PageRequest{})
	w.must(err)
	for _, i := range page.Items {
		if i.ID == inv.ID && i.Status != access.Pending {
			t.Errorf("a refused acceptance changed the invitation to %s", i.Status)
		}
	}
}
