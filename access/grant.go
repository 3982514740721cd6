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
	GrantedBy string
	GrantedAt time.Time
}

// ActiveAt reports whether g still holds at t.
func (g Grant) ActiveAt(t time.Time) bool {
	return g.ExpiresAt.IsZero() || t.Before(g.ExpiresAt)
}

// Effective is the pure rule that turns what a user holds in one account
// into permissions: the union of the organisation role's rights (an Owner
// has every permission; a Member has MemberPermissions, and
// MemberEventPermissions on Events accounts) and the active grant's role.
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
