package access

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// InviteRequest invites Email to an organisation: with Role on Account, with
// the organisation role OrgRole, or both. Org may be left empty when Account
// is given.
type InviteRequest struct {
	Email   string
	Org     org.OrganisationID
	Account org.AccountID
	Role    RoleID
	OrgRole org.Role
}

// Invite records an invitation and mails its token through the Notifier.
// Who may: for a role on an account, whoever may Grant it; for an
// organisation role, Owners and operators. Unlike Grant, the invitee may
// belong to other organisations: accepting is their consent.
//
// The mail is sent after the invitation is committed; if delivery fails,
// Invite returns the invitation, its revision and the delivery error, and
// Resend retries.
func (s *Service) Invite(ctx context.Context, actor org.Actor, r InviteRequest) (Invitation, storage.Revision, error) {
	email, err := org.NormaliseEmail(r.Email)
	if err != nil {
		return Invitation{}, 0, err
	}
	if (r.Account == "") != (r.Role == "") {
		return Invitation{}, 0, fmt.Errorf("access: invitation: account and role go together: %w", storage.ErrInvalidArgument)
	}
	if r.Account == "" && r.OrgRole == org.NoRole {
		return Invitation{}, 0, fmt.Errorf("access: invitation: neither a role on an account nor an organisation role: %w", storage.ErrInvalidArgument)
	}
	if r.OrgRole > org.Owner {
		return Invitation{}, 0, fmt.Errorf("access: invitation: organisation role %d is unknown: %w", r.OrgRole, storage.ErrInvalidArgument)
	}
	token, hash, err := newToken(s.cfg.Rand)
	if err != nil {
		return Invitation{}, 0, err
	}
	now := s.env.Now()
	inv := Invitation{
		ID: InvitationID(s.env.NewID("inv")), Org: r.Org, Email: email, Account: r.Account, Role: r.Role, OrgRole: r.OrgRole,
		InvitedBy: actor.String(), CreatedAt: now, ExpiresAt: now.Add(s.cfg.InvitationTTL), Status: Pending, TokenHash: hash, Sent: 1,
	}
	var orgName string
	rev, err := s.update(ctx, func(st Store) error {
		if err := s.authorizeInvitation(st, actor, &inv); err != nil {
			return err
		}
		o, err := st.Organisation(inv.Org)
		if err != nil {
			return err
		}
		orgName = o.Name
		if err := st.InsertInvitation(inv); err != nil {
			return fmt.Errorf("access: invite: %w", err)
		}
		return s.log(st, actor, "access.invitation.create", string(inv.ID), org.Subject{Org: inv.Org, Account: inv.Account},
			fmt.Sprintf("%s invited (%s)", inv.Email, describeOffer(inv)))
	})
	if err != nil {
		return Invitation{}, 0, err
	}
	return inv, rev, s.deliver(ctx, inv, orgName, token, false)
}

func describeOffer(inv Invitation) string {
	s := ""
	if inv.Account != "" {
		s = fmt.Sprintf("role %s on account %s", inv.Role, inv.Account)
	}
	if inv.OrgRole != org.NoRole {
		if s != "" {
			s += ", "
		}
		s += inv.OrgRole.String() + " of the organisation"
	}
	return s
}

// authorizeInvitation checks the offer of inv and fills its organisation.
func (s *Service) authorizeInvitation(st Store, actor org.Actor, inv *Invitation) error {
	if inv.Account != "" {
		a, err := st.Account(inv.Account)
		if err != nil {
			return fmt.Errorf("access: invitation: account %q: %w", inv.Account, err)
		}
		if inv.Org != "" && inv.Org != a.Org {
			return fmt.Errorf("access: invitation: account %s is not in organisation %s: %w", a.ID, inv.Org, storage.ErrInvalidArgument)
		}
		inv.Org = a.Org
		role, err := lookupRole(st, inv.Role)
		if err != nil {
			return err
		}
		if role.Org != "" && role.Org != a.Org {
			return fmt.Errorf("access: invitation: role %q belongs to another organisation: %w", inv.Role, storage.ErrInvalidArgument)
		}
		stake := []Permissions{role.Permissions}
		// Accepting replaces the invitee's role on the account, so the
		// inviter must also be allowed to change the role they hold now.
		if u, err := st.UserByEmail(inv.Email); err == nil {
			if g, err := st.Grant(u.ID, a.ID); err == nil {
				held, err := lookupRole(st, g.Role)
				if err != nil {
					return err
				}
				stake = append(stake, held.Permissions)
			} else if !storage.IsNotFound(err) {
				return err
			}
		} else if !storage.IsNotFound(err) {
			return err
		}
		if err := authorizeAccountUsers(st, actor, a, s.env.Now(), stake...); err != nil {
			return err
		}
	}
	if inv.Org == "" {
		return fmt.Errorf("access: invitation: organisation is empty: %w", storage.ErrInvalidArgument)
	}
	if _, err := st.Organisation(inv.Org); err != nil {
		return fmt.Errorf("access: invitation: organisation %q: %w", inv.Org, err)
	}
	if inv.OrgRole != org.NoRole {
		return authorizeOwner(st, actor, inv.Org, "invite to an organisation role")
	}
	return nil
}

func (s *Service) deliver(ctx context.Context, inv Invitation, orgName, token string, resend bool) error {
	err := s.cfg.Notifier.NotifyInvitation(ctx, InvitationMail{Invitation: inv, OrgName: orgName, Token: token, ExpiresAt: inv.ExpiresAt, Resend: resend})
	if err != nil {
		return fmt.Errorf("access: invitation %s is saved but its mail was not delivered (resend it): %w", inv.ID, err)
	}
	return nil
}

// pendingByToken finds the invitation of a token and checks it is pending.
func (s *Service) pendingByToken(st Store, token string) (Invitation, error) {
	if _, err := ParseToken(token); err != nil {
		return Invitation{}, err
	}
	inv, err := st.InvitationByToken(HashToken(token))
	if err != nil {
		return Invitation{}, fmt.Errorf("access: invitation: %w", err)
	}
	if st := inv.StatusAt(s.env.Now()); st != Pending {
		return Invitation{}, fmt.Errorf("access: invitation %s is %s: %w", inv.ID, st, storage.ErrFailedPrecondition)
	}
	return inv, nil
}

// Accept accepts the invitation of token (the token proves the invitee
// reads the invited mailbox). An invitee without a user gets one, named
// name; an existing user keeps theirs (name is ignored). The invitee
// receives the offered grant (replacing a role they had on that account)
// and organisation role (never lowering one they had), also when they
// belong to other organisations. The inviter's authority is checked again
// as things stand now: if they may no longer make the offer (they lost
// their role, or the invitee's current role is above theirs), Accept fails
// with ErrPermissionDenied and the invitation stays pending.
func (s *Service) Accept(ctx context.Context, token, name string) (org.User, storage.Revision, error) {
	var u org.User
	rev, err := s.update(ctx, func(st Store) error {
		inv, err := s.pendingByToken(st, token)
		if err != nil {
			return err
		}
		if err := s.reauthorize(st, inv); err != nil {
			return err
		}
		u, err = st.UserByEmail(inv.Email)
		if storage.IsNotFound(err) {
			u, err = org.InsertNewUser(st, s.env, org.System(), org.NewUser{Email: inv.Email, Name: name})
		}
		if err != nil {
			return err
		}
		actor := org.AsUser(u.ID)
		if inv.Account != "" {
			if err := s.acceptGrant(st, actor, inv, u.ID); err != nil {
				return err
			}
		}
		if inv.OrgRole != org.NoRole {
			cur, err := st.Membership(inv.Org, u.ID)
			if err != nil && !storage.IsNotFound(err) {
				return err
			}
			if inv.OrgRole > cur.Role {
				if err := s.setOrgRole(st, actor, inv.Org, u.ID, inv.OrgRole); err != nil {
					return err
				}
			}
		}
		inv.Status, inv.AnsweredAt, inv.User = Accepted, s.env.Now(), u.ID
		if err := st.UpdateInvitation(inv); err != nil {
			return err
		}
		return s.log(st, actor, "access.invitation.accept", string(inv.ID), org.Subject{Org: inv.Org, User: u.ID}, inv.Email+" accepted")
	})
	if err != nil {
		return org.User{}, 0, err
	}
	return u, rev, nil
}

// reauthorize checks that inv's inviter may still make its offer.
func (s *Service) reauthorize(st Store, inv Invitation) error {
	inviter, err := org.ParseActor(inv.InvitedBy)
	if err != nil {
		return fmt.Errorf("access: invitation %s: %w", inv.ID, err)
	}
	if err := s.authorizeInvitation(st, inviter, &inv); err != nil {
		return fmt.Errorf("access: invitation %s: its inviter may no longer make it: %w", inv.ID, err)
	}
	return nil
}

// acceptGrant writes the grant an invitation offers; it was authorised when
// the invitation was made.
func (s *Service) acceptGrant(st Store, actor org.Actor, inv Invitation, user org.UserID) error {
	if _, err := lookupRole(st, inv.Role); err != nil {
		return fmt.Errorf("access: invitation %s: %w", inv.ID, err)
	}
	g := Grant{User: user, Account: inv.Account, Org: inv.Org, Role: inv.Role, GrantedBy: inv.InvitedBy, GrantedAt: s.env.Now()}
	if err := st.PutGrant(g); err != nil {
		return err
	}
	return s.log(st, actor, "access.grant.set", string(user), org.Subject{Org: inv.Org, Account: inv.Account, User: user},
		fmt.Sprintf("role %s on account %s, by invitation %s", inv.Role, inv.Account, inv.ID))
}

// Decline declines the invitation of token.
func (s *Service) Decline(ctx context.Context, token string) (storage.Revision, error) {
	return s.update(ctx, func(st Store) error {
		inv, err := s.pendingByToken(st, token)
		if err != nil {
			return err
		}
		inv.Status, inv.AnsweredAt = Declined, s.env.Now()
		if err := st.UpdateInvitation(inv); err != nil {
			return err
		}
		return st.Append(storage.Entry{Time: s.env.Now(), Actor: "invitee:" + inv.Email, Action: "access.invitation.decline",
			Target: string(inv.ID), Org: string(inv.Org), Detail: inv.Email + " declined"})
	})
}

// answerable loads invitation id for its inviters: those who may make it.
func (s *Service) answerable(st Store, actor org.Actor, id InvitationID) (Invitation, error) {
	inv, err := st.Invitation(id)
	if err != nil {
		return Invitation{}, fmt.Errorf("access: invitation %q: %w", id, err)
	}
	check := inv
	if err := s.authorizeInvitation(st, actor, &check); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// RevokeInvitation withdraws a pending invitation: whoever may make it may.
func (s *Service) RevokeInvitation(ctx context.Context, actor org.Actor, id InvitationID) (storage.Revision, error) {
	return s.update(ctx, func(st Store) error {
		inv, err := s.answerable(st, actor, id)
		if err != nil {
			return err
		}
		if status := inv.StatusAt(s.env.Now()); status != Pending {
			return fmt.Errorf("access: invitation %s is %s: %w", id, status, storage.ErrFailedPrecondition)
		}
		inv.Status, inv.AnsweredAt = Revoked, s.env.Now()
		if err := st.UpdateInvitation(inv); err != nil {
			return err
		}
		return s.log(st, actor, "access.invitation.revoke", string(id), org.Subject{Org: inv.Org, Account: inv.Account}, inv.Email)
	})
}

// Resend mails a pending or expired invitation again with a new token (the
// old one stops working) and a new validity period.
func (s *Service) Resend(ctx context.Context, actor org.Actor, id InvitationID) (Invitation, storage.Revision, error) {
	token, hash, err := newToken(s.cfg.Rand)
	if err != nil {
		return Invitation{}, 0, err
	}
	var inv Invitation
	var orgName string
	rev, err := s.update(ctx, func(st Store) error {
		if inv, err = s.answerable(st, actor, id); err != nil {
			return err
		}
		if status := inv.StatusAt(s.env.Now()); status != Pending && status != Expired {
			return fmt.Errorf("access: invitation %s is %s: %w", id, status, storage.ErrFailedPrecondition)
		}
		o, err := st.Organisation(inv.Org)
		if err != nil {
			return err
		}
		orgName = o.Name
		inv.Status, inv.TokenHash, inv.ExpiresAt, inv.Sent = Pending, hash, s.env.Now().Add(s.cfg.InvitationTTL), inv.Sent+1
		if err := st.UpdateInvitation(inv); err != nil {
			return err
		}
		return s.log(st, actor, "access.invitation.resend", string(id), org.Subject{Org: inv.Org, Account: inv.Account}, inv.Email)
	})
	if err != nil {
		return Invitation{}, 0, err
	}
	return inv, rev, s.deliver(ctx, inv, orgName, token, true)
}

// Invitations lists an organisation's invitations by ID, with their status
// as of now: its Owners and operators may.
func (s *Service) Invitations(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, page storage.PageRequest) (storage.Page[Invitation], error) {
	var out storage.Page[Invitation]
	size, key, err := page.Key(1)
	if err != nil {
		return out, err
	}
	var after InvitationID
	if key != nil {
		after = InvitationID(key[0])
	}
	err = s.tx.View(ctx, c, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("access: invitations: organisation %q: %w", o, err)
		}
		if err := authorizeOwner(st, actor, o, "list invitations"); err != nil {
			return err
		}
		items, err := st.ListInvitations(o, after, size+1)
		if err != nil {
			return err
		}
		now := s.env.Now()
		for i := range items {
			items[i].Status = items[i].StatusAt(now)
			items[i].TokenHash = nil
		}
		out = storage.PageOf(items, size, func(inv Invitation) storage.Cursor { return org.IDCursor(inv.ID) })
		return nil
	})
	return out, err
}
