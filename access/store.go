package access

import (
	"github.com/orgspace/orgspace/org"
)

// Store is what package access needs from a backend transaction: org.Store
// plus grants, custom roles, invitations and favourites. Lookups return
// storage.ErrNotFound when nothing matches; inserts return
// storage.ErrAlreadyExists when the key is taken. As in org.Store, the All
// methods stream to fn, which must not call the Store.
type Store interface {
	org.Store

	// PutGrant inserts or replaces the grant of (g.User, g.Account), its
	// website limit included. Grant, GrantsOfUser and AllGrants return
	// g.Websites as stored (sorted), nil when empty; a backend keeps no
	// reference to a caller's slice.
	PutGrant(g Grant) error
	// DeleteGrant removes a grant; ErrNotFound when there is none.
	DeleteGrant(user org.UserID, account org.AccountID) error
	Grant(user org.UserID, account org.AccountID) (Grant, error)
	// GrantsOfUser lists a user's grants by account ID.
	GrantsOfUser(user org.UserID) ([]Grant, error)
	// CountGrantsWithRole counts the grants of a role (to refuse deleting a role in use).
	CountGrantsWithRole(role RoleID) (int, error)
	// AllGrants calls fn for every grant, in no particular order.
	AllGrants(fn func(Grant) error) error
	// WebsiteAccount returns the Engage account a website belongs to (to
	// validate a grant's website limit); ErrNotFound for an unknown website.
	WebsiteAccount(id org.WebsiteID) (org.AccountID, error)

	InsertRole(r Role) error
	UpdateRole(r Role) error
	DeleteRole(id RoleID) error
	Role(id RoleID) (Role, error)
	// RolesOfOrg lists an organisation's custom roles by ID.
	RolesOfOrg(o org.OrganisationID) ([]Role, error)
	// AllRoles calls fn for every custom role, in no particular order.
	AllRoles(fn func(Role) error) error

	// InsertInvitation and UpdateInvitation fail with ErrAlreadyExists when
	// another invitation has the same TokenHash.
	InsertInvitation(inv Invitation) error
	UpdateInvitation(inv Invitation) error
	Invitation(id InvitationID) (Invitation, error)
	// InvitationByToken finds the invitation whose token hashes to hash.
	InvitationByToken(hash []byte) (Invitation, error)
	// ListInvitations lists an organisation's invitations by ID after the given one.
	ListInvitations(o org.OrganisationID, after InvitationID, limit int) ([]Invitation, error)

	// SetFavourite stores the user's favourite account; "" clears it.
	SetFavourite(user org.UserID, account org.AccountID) error
	// Favourite returns the stored favourite, "" when none.
	Favourite(user org.UserID) (org.AccountID, error)
	// AllFavourites calls fn for every stored favourite, in no particular order.
	AllFavourites(fn func(org.UserID, org.AccountID) error) error
}
