package access

import (
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Writes authorise the actor inside their own transaction, from the store,
// with the same rule (Effective) as the index: a concurrent change can never
// slip between the check and the write.

// Held returns what user holds in account a at now, read from st: the
// permissions Effective gives the organisation role and the active grant,
// and the organisation role. Writes of the domains above access authorise
// with it, inside their own transaction, so they agree with the index.
func Held(st Store, user org.UserID, a org.Account, now time.Time) (Permissions, org.Role, error) {
	m, err := st.Membership(a.Org, user)
	if err != nil && !storage.IsNotFound(err) {
		return 0, 0, err
	}
	var granted Permissions
	active := false
	g, err := st.Grant(user, a.ID)
	switch {
	case err == nil:
		r, err := lookupRole(st, g.Role)
		if err != nil {
			return 0, 0, err
		}
		granted, active = GrantedOnAccount(r.Permissions, g.Limited()), g.ActiveAt(now)
	case !storage.IsNotFound(err):
		return 0, 0, err
	}
	return Effective(m.Role, a.Product, granted, active), m.Role, nil
}

func denied(format string, args ...any) error {
	return fmt.Errorf("access: "+format+": %w", append(args, storage.ErrPermissionDenied)...)
}

// authorizeAccountUsers allows actor to give or take away grants whose roles
// hold the permission sets in stake, on account a: operators and System
// always; users who hold ManageAccountUsers there (Owners, Administrators),
// and a user who is not an Owner only for roles within their own
// permissions ("never above their own role").
func authorizeAccountUsers(st Store, actor org.Actor, a org.Account, now time.Time, stake ...Permissions) error {
	if err := org.Resolve(st, actor); err != nil {
		return err
	}
	if actor.Kind != org.ActorUser {
		return nil
	}
	perms, role, err := Held(st, actor.User(), a, now)
	if err != nil {
		return err
	}
	if !perms.Has(ManageAccountUsers) {
		return denied("only an Owner of the organisation or an Administrator of account %s may manage its users (actor %s)", a.ID, actor)
	}
	if role == org.Owner {
		return nil
	}
	for _, p := range stake {
		if !perms.Contains(p) {
			return denied("%s may not grant or change a role above their own in account %s (missing %v)", actor, a.ID, p&^perms)
		}
	}
	return nil
}

// authorizeOwner allows operators, System and the Owners of o.
func authorizeOwner(st Store, actor org.Actor, o org.OrganisationID, what string) error {
	return org.RequireOwner(st, actor, o, what)
}

// orgsOf returns the organisations user belongs to, by role or by grant.
func orgsOf(st Store, user org.UserID) ([]org.OrganisationID, error) {
	ms, err := st.MembershipsOfUser(user)
	if err != nil {
		return nil, err
	}
	gs, err := st.GrantsOfUser(user)
	if err != nil {
		return nil, err
	}
	var ids []org.OrganisationID
	for _, m := range ms {
		ids = append(ids, m.Org)
	}
	for _, g := range gs {
		ids = append(ids, g.Org)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// authorizeAttach enforces the seeds' rule for existing users: a user who
// already belongs to another organisation, and not yet to o, is attached to
// o only by an operator (or by accepting an invitation, which does not come
// through here).
func authorizeAttach(st Store, actor org.Actor, user org.UserID, o org.OrganisationID) error {
	if actor.Kind != org.ActorUser {
		return nil
	}
	orgs, err := orgsOf(st, user)
	if err != nil {
		return err
	}
	if len(orgs) == 0 || slices.Contains(orgs, o) {
		return nil
	}
	return denied("user %s belongs to another organisation: invite them (they accept) or ask an operator to attach them", user)
}

func (s *Service) log(st Store, actor org.Actor, action, target string, about org.Subject, detail string) error {
	return org.Log(st, s.env, actor, action, target, about, detail)
}
