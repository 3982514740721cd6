package access

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// update runs fn in a write transaction and then brings the index up to the
// new revision, so this instance's Check sees its own writes at once. A
// failed refresh does not undo the committed write: the next Sync or Index
// catches up.
func (s *Service) update(ctx context.Context, fn func(Store) error) (storage.Revision, error) {
	rev, err := s.tx.Update(ctx, fn)
	if err != nil {
		return 0, err
	}
	_, _ = s.Sync(ctx, storage.AtLeast(rev))
	return rev, nil
}

// GrantRequest gives User the role Role on Account.
type GrantRequest struct {
	User    org.UserID
	Account org.AccountID
	Role    RoleID
	// ExpiresAt, when set, ends the grant by itself (time-bound access); it
	// must be in the future and no later than [MaxExpiry].
	ExpiresAt time.Time
	// Websites, when set, limits the grant to these websites of Account,
	// which must be an Engage account (see Grant.Websites). The request is
	// the whole new grant: granting again without Websites lifts a limit.
	Websites []org.WebsiteID
}

// MaxExpiry is the latest grant expiry: the compiled index and the SQL
// backends hold an expiry as int64 Unix nanoseconds, which end in 2262.
var MaxExpiry = time.Unix(0, math.MaxInt64).UTC()

func (s *Service) checkGrantRequest(r GrantRequest, needUser bool) error {
	if needUser {
		if err := org.CheckID("user", string(r.User)); err != nil {
			return err
		}
	}
	if err := org.CheckID("account", string(r.Account)); err != nil {
		return err
	}
	if err := org.CheckID("role", string(r.Role)); err != nil {
		return err
	}
	if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(s.env.Now()) {
		return fmt.Errorf("access: grant expiry %s is not in the future: %w", r.ExpiresAt.Format(time.RFC3339), storage.ErrInvalidArgument)
	}
	if r.ExpiresAt.After(MaxExpiry) {
		return fmt.Errorf("access: grant expiry %s is after %s: %w", r.ExpiresAt.Format(time.RFC3339), MaxExpiry.Format(time.RFC3339), storage.ErrInvalidArgument)
	}
	for _, w := range r.Websites {
		if err := org.CheckID("websites", string(w)); err != nil {
			return err
		}
	}
	return nil
}

// grantWebsites validates a grant's website limit on account a and returns
// it sorted, without repeats; nil for none. As in package structure, a
// website of another account is not found, whichever account it is of.
func grantWebsites(st Store, a org.Account, ids []org.WebsiteID) ([]org.WebsiteID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if a.Product != org.Engage {
		return nil, fmt.Errorf("access: grant: websites: only a grant on an Engage account may be limited to websites, and account %s is %s: %w", a.ID, a.Product, storage.ErrInvalidArgument)
	}
	out := slices.Compact(slices.Sorted(slices.Values(ids)))
	for _, id := range out {
		acc, err := st.WebsiteAccount(id)
		if err != nil && !storage.IsNotFound(err) {
			return nil, err
		}
		if err != nil || acc != a.ID {
			return nil, fmt.Errorf("access: grant: websites: no website %q in account %s: %w", id, a.ID, storage.ErrNotFound)
		}
	}
	return out, nil
}

// Grant gives a user a role on an account, replacing the role they had
// there. Owners may grant any role; a user holding ManageAccountUsers on the
// account (an Administrator) may grant roles within their own permissions
// and change grants within them. A user who already belongs to another
// organisation is attached only by an operator or through an invitation.
func (s *Service) Grant(ctx context.Context, actor org.Actor, r GrantRequest) (storage.Revision, error) {
	if err := s.checkGrantRequest(r, true); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		a, err := st.Account(r.Account)
		if err != nil {
			return fmt.Errorf("access: grant: account %q: %w", r.Account, err)
		}
		// Authorise before looking anything else up, so that which users,
		// roles and grants exist is told only to those who manage the
		// account's users.
		if err := authorizeAccountUsers(st, actor, a, s.env.Now()); err != nil {
			return err
		}
		if _, err := st.User(r.User); err != nil {
			return fmt.Errorf("access: grant: user %q: %w", r.User, err)
		}
		return s.grant(st, actor, r)
	})
}

// grant applies r inside a transaction (the user exists).
func (s *Service) grant(st Store, actor org.Actor, r GrantRequest) error {
	a, err := st.Account(r.Account)
	if err != nil {
		return fmt.Errorf("access: grant: account %q: %w", r.Account, err)
	}
	role, err := lookupRole(st, r.Role)
	if err != nil {
		return err
	}
	if role.Org != "" && role.Org != a.Org {
		return fmt.Errorf("access: grant: role %q belongs to another organisation: %w", r.Role, storage.ErrInvalidArgument)
	}
	stake := []Permissions{role.Permissions}
	old, err := st.Grant(r.User, r.Account)
	switch {
	case err == nil:
		oldRole, err := lookupRole(st, old.Role)
		if err != nil {
			return err
		}
		stake = append(stake, oldRole.Permissions)
	case !storage.IsNotFound(err):
		return err
	}
	now := s.env.Now()
	if err := authorizeAccountUsers(st, actor, a, now, stake...); err != nil {
		return err
	}
	if err := authorizeAttach(st, actor, r.User, a.Org); err != nil {
		return err
	}
	websites, err := grantWebsites(st, a, r.Websites)
	if err != nil {
		return err
	}
	g := Grant{User: r.User, Account: a.ID, Org: a.Org, Role: role.ID, ExpiresAt: r.ExpiresAt.UTC(), Websites: websites, GrantedBy: actor.String(), GrantedAt: now}
	if r.ExpiresAt.IsZero() {
		g.ExpiresAt = time.Time{}
	}
	if err := st.PutGrant(g); err != nil {
		return fmt.Errorf("access: grant: %w", err)
	}
	detail := fmt.Sprintf("role %s on account %s", g.Role, g.Account)
	if g.Limited() {
		detail += " limited to websites " + joinIDs(g.Websites)
	}
	if !g.ExpiresAt.IsZero() {
		detail += " until " + g.ExpiresAt.Format(time.RFC3339)
	}
	return s.log(st, actor, "access.grant.set", string(r.User), org.Subject{Org: a.Org, Account: a.ID, User: r.User}, detail)
}

// Revoke removes a user's grant on an account, under the same rules as
// Grant. If the user can no longer open their favourite account, the stored
// favourite is cleared and the fallback rule applies (see Index.Favourite).
func (s *Service) Revoke(ctx context.Context, actor org.Actor, user org.UserID, account org.AccountID) (storage.Revision, error) {
	if err := org.CheckID("user", string(user)); err != nil {
		return 0, err
	}
	if err := org.CheckID("account", string(account)); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		a, err := st.Account(account)
		if err != nil {
			return fmt.Errorf("access: revoke: account %q: %w", account, err)
		}
		now := s.env.Now()
		// Authorise before looking the grant up, so that whether a grant
		// exists is told only to those who manage the account's users.
		if err := authorizeAccountUsers(st, actor, a, now); err != nil {
			return err
		}
		g, err := st.Grant(user, account)
		if err != nil {
			return fmt.Errorf("access: revoke: grant of user %q on account %q: %w", user, account, err)
		}
		role, err := lookupRole(st, g.Role)
		if err != nil {
			return err
		}
		if err := authorizeAccountUsers(st, actor, a, now, role.Permissions); err != nil {
			return err
		}
		if err := st.DeleteGrant(user, account); err != nil {
			return fmt.Errorf("access: revoke: %w", err)
		}
		if err := s.dropFavouriteIfInaccessible(st, user); err != nil {
			return err
		}
		return s.log(st, actor, "access.grant.revoke", string(user), org.Subject{Org: a.Org, Account: a.ID, User: user},
			fmt.Sprintf("role %s on account %s", g.Role, account))
	})
}

// AddUser creates a user and grants them a role on an account, in one
// transaction: the seeds' "Create a new user". The email must be new: an
// existing email fails with an error that wraps storage.ErrAlreadyExists and
// says "that user already exists" (give existing users access with Grant,
// or Invite them). The same actors as for Grant may.
func (s *Service) AddUser(ctx context.Context, actor org.Actor, in org.NewUser, r GrantRequest) (org.User, storage.Revision, error) {
	if err := s.checkGrantRequest(r, false); err != nil {
		return org.User{}, 0, err
	}
	var u org.User
	rev, err := s.update(ctx, func(st Store) error {
		a, err := st.Account(r.Account)
		if err != nil {
			return fmt.Errorf("access: add user: account %q: %w", r.Account, err)
		}
		// Authorise before anything is written, so a refused actor learns
		// nothing about which emails exist.
		role, err := lookupRole(st, r.Role)
		if err != nil {
			return err
		}
		if err := authorizeAccountUsers(st, actor, a, s.env.Now(), role.Permissions); err != nil {
			return err
		}
		if u, err = org.InsertNewUser(st, s.env, actor, in); err != nil {
			return err
		}
		r.User = u.ID
		return s.grant(st, actor, r)
	})
	if err != nil {
		return org.User{}, 0, err
	}
	return u, rev, nil
}

// SetOrganisationRole makes user an Owner or Member of organisation o, or
// removes their organisation role (org.NoRole). Operators (who set the first
// Owner) and Owners may; only they grant Owner. The last Owner cannot be
// removed or demoted. A user who belongs to another organisation is attached
// only by an operator or through an invitation.
func (s *Service) SetOrganisationRole(ctx context.Context, actor org.Actor, o org.OrganisationID, user org.UserID, role org.Role) (storage.Revision, error) {
	if err := org.CheckID("organisation", string(o)); err != nil {
		return 0, err
	}
	if err := org.CheckID("user", string(user)); err != nil {
		return 0, err
	}
	if role > org.Owner {
		return 0, fmt.Errorf("access: organisation role %d is unknown: %w", role, storage.ErrInvalidArgument)
	}
	return s.update(ctx, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("access: organisation %q: %w", o, err)
		}
		if err := authorizeOwner(st, actor, o, "give or remove organisation roles"); err != nil {
			return err
		}
		if _, err := st.User(user); err != nil {
			return fmt.Errorf("access: user %q: %w", user, err)
		}
		if err := authorizeAttach(st, actor, user, o); err != nil {
			return err
		}
		return s.setOrgRole(st, actor, o, user, role)
	})
}

// setOrgRole applies an authorised organisation role change, keeping the
// last Owner.
func (s *Service) setOrgRole(st Store, actor org.Actor, o org.OrganisationID, user org.UserID, role org.Role) error {
	cur, err := st.Membership(o, user)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if cur.Role == org.Owner && role != org.Owner {
		n, err := st.CountMembers(o, org.Owner)
		if err != nil {
			return err
		}
		if n <= 1 {
			return fmt.Errorf("access: the last Owner of organisation %s cannot be removed or demoted: %w", o, storage.ErrFailedPrecondition)
		}
	}
	if role == org.NoRole {
		if cur.Role == org.NoRole {
			return s.log(st, actor, "access.org_role.set", string(user), org.Subject{Org: o, User: user}, "none → none")
		}
		if err := st.DeleteMembership(o, user); err != nil {
			return fmt.Errorf("access: remove organisation role: %w", err)
		}
	} else if err := st.PutMembership(org.Membership{Org: o, User: user, Role: role, Since: s.env.Now()}); err != nil {
		return fmt.Errorf("access: set organisation role: %w", err)
	}
	// A demoted Owner may lose the accounts they reached as Owner.
	if err := s.dropFavouriteIfInaccessible(st, user); err != nil {
		return err
	}
	return s.log(st, actor, "access.org_role.set", string(user), org.Subject{Org: o, User: user},
		fmt.Sprintf("%s → %s", cur.Role, role))
}

// dropFavouriteIfInaccessible clears user's stored favourite when they can
// no longer open it.
func (s *Service) dropFavouriteIfInaccessible(st Store, user org.UserID) error {
	fav, err := st.Favourite(user)
	if err != nil || fav == "" {
		return err
	}
	a, err := st.Account(fav)
	if err != nil {
		return err
	}
	perms, _, err := Held(st, user, a, s.env.Now())
	if err != nil || perms.Has(ViewAccount) {
		return err
	}
	return st.SetFavourite(user, "")
}

// joinIDs lists website IDs for messages: "web_1, web_2".
func joinIDs(ids []org.WebsiteID) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(id))
	}
	return b.String()
}
