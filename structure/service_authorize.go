package structure

import (
	"fmt"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Writes authorise the actor inside their own transaction, from the store,
// with access.Effective, the rule the access index uses: a concurrent
// change can never slip between the check and the write.

// orgHeld returns what user holds in organisation o itself, by
// organisation role alone, as access.Effective gives it.
func orgHeld(st Store, user org.UserID, o org.OrganisationID) (access.Permissions, error) {
	m, err := st.Membership(o, user)
	if err != nil && !storage.IsNotFound(err) {
		return 0, err
	}
	return access.Effective(m.Role, "", 0, false), nil
}

// rolePermissions returns the permissions of a built-in or custom role; a
// role that no longer exists holds none.
func rolePermissions(st Store, id access.RoleID) (access.Permissions, error) {
	if r, ok := access.BuiltinRole(id); ok {
		return r.Permissions, nil
	}
	r, err := st.Role(id)
	if storage.IsNotFound(err) {
		return 0, nil
	}
	return r.Permissions, err
}

func denied(format string, args ...any) error {
	return fmt.Errorf("structure: "+format+": %w", append(args, storage.ErrPermissionDenied)...)
}

// authorizeStructure allows actor to change organisation o's structure:
// operators and System (who may do what Owners do, as everywhere in the
// library) and users holding access.ManageStructure in o, which only the
// Owner role carries.
func authorizeStructure(st Store, actor org.Actor, o org.OrganisationID, now time.Time) error {
	if err := org.Resolve(st, actor); err != nil || actor.Kind != org.ActorUser {
		return err
	}
	perms, err := orgHeld(st, actor.User(), o)
	if err != nil {
		return err
	}
	if !perms.Has(access.ManageStructure) {
		return denied("only an Owner of organisation %s may change its structure (actor %s)", o, actor)
	}
	return nil
}

// authorizeComponent allows actor to create, rename or archive the websites
// or programs (noun) of account a: operators, System, and users holding
// access.ManageAccountSettings there (its Administrators, and the
// organisation's Owners).
func authorizeComponent(st Store, actor org.Actor, a org.Account, noun string, now time.Time) error {
	if err := org.Resolve(st, actor); err != nil || actor.Kind != org.ActorUser {
		return err
	}
	perms, _, err := access.Held(st, actor.User(), a, now)
	if err != nil {
		return err
	}
	if !perms.Has(access.ManageAccountSettings) {
		return denied("only an Owner of organisation %s or an Administrator of account %s may manage its %ss (actor %s)",
			a.Org, a.ID, noun, actor)
	}
	return nil
}

// authorizeRead allows actor to read organisation o's structure and
// components: operators, System, its Owners and Members, and users who can
// open at least one of its accounts (an active grant).
func authorizeRead(st Store, actor org.Actor, o org.OrganisationID, now time.Time) error {
	if err := org.Resolve(st, actor); err != nil || actor.Kind != org.ActorUser {
		return err
	}
	user := actor.User()
	perms, err := orgHeld(st, user, o)
	if err != nil {
		return err
	}
	if perms.Has(access.ViewOrganisation) {
		return nil
	}
	grants, err := st.GrantsOfUser(user)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Org != o || !g.ActiveAt(now) {
			continue
		}
		perms, err := rolePermissions(st, g.Role)
		if err != nil {
			return err
		}
		if perms.Has(access.ViewAccount) {
			return nil
		}
	}
	return denied("only users of organisation %s may read its structure (actor %s)", o, actor)
}

// availableIn reports whether organisation o has at least one Engage and
// one Loyalty account, reading its accounts a page at a time.
func availableIn(st Store, o org.OrganisationID) (bool, error) {
	engage, loyalty := false, false
	for after := org.AccountID(""); ; {
		page, err := st.ListAccounts(o, after, storage.MaxPageSize)
		if err != nil {
			return false, err
		}
		for _, a := range page {
			engage = engage || a.Product == org.Engage
			loyalty = loyalty || a.Product == org.Loyalty
			if engage && loyalty {
				return true, nil
			}
		}
		if len(page) < storage.MaxPageSize {
			return false, nil
		}
		after = page[len(page)-1].ID
	}
}

// requireAvailable fails with ErrStructureUnavailable unless organisation o
// has its structure.
func requireAvailable(st Store, o org.OrganisationID) error {
	ok, err := availableIn(st, o)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("organisation %s: %w", o, ErrStructureUnavailable)
	}
	return nil
}
