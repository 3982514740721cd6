package access

import (
	"time"

	"github.com/orgspace/orgspace/org"
)

// Grant gives a user a role on one account. A user has at most one grant per
// account, and any number of grants on accounts of any organisations.
type Grant struct {
	User    org.UserID
	Account org.AccountID
	// Org is the account's organisation (kept for listings).
	Org  org.OrganisationID
	Role RoleID
	// ExpiresAt ends the grant by itself (time-bound access); zero: never.
	ExpiresAt time.Time
	// Websites, on an Engage account, limits the grant to these websites
	// of the account (sorted, without repeats); nil: the whole account.
	// A limited grant gives its role's permissions on the listed websites
	// (Index.CheckWebsite) and, on the account itself, only ViewAccount
	// (see GrantedOnAccount).
	Websites  []org.WebsiteID
	GrantedBy string
	GrantedAt time.Time
}

// ActiveAt reports whether g still holds at t.
func (g Grant) ActiveAt(t time.Time) bool {
	return g.ExpiresAt.IsZero() || t.Before(g.ExpiresAt)
}

// Limited reports whether g holds only on chosen websites of its account.
func (g Grant) Limited() bool { return len(g.Websites) > 0 }

// GrantedOnAccount is what a grant of a role with permissions role gives
// on the account itself: all of them, or for a grant limited to websites
// only ViewAccount, so its holder can open the account but acts only on
// their websites (and, lacking ManageAccountUsers there, manages no users).
func GrantedOnAccount(role Permissions, limited bool) Permissions {
	if limited {
		return role & PermissionsOf(ViewAccount)
	}
	return role
}

// Effective is the pure rule that turns what a user holds in one account
// into permissions: the union of the organisation role's rights (an Owner
// has every permission; a Member has MemberPermissions, and
// MemberEventPermissions on Events accounts) and the active grant's role
// (for a grant limited to websites, what GrantedOnAccount gives).
// Both the store-backed authorisation of writes and the compiled index use
// it, so they cannot disagree.
func Effective(orgRole org.Role, product org.Product, grantRole Permissions, grantActive bool) Permissions {
	var p Permissions
	switch orgRole {
	case org.Owner:
		return AllPermissions
	case org.Member:
		p = MemberPermissions
		if product == org.Events {
			p |= MemberEventPermissions
		}
	}
	if grantActive {
		p |= grantRole
	}
	return p
}
