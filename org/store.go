package org

import "github.com/orgspace/orgspace/storage"

// Store is what package org needs from a backend transaction. Methods that
// look one object up return storage.ErrNotFound when it does not exist;
// Insert methods return storage.ErrAlreadyExists when the ID (or, for users,
// the normalised email) is taken. Listings are ordered by ID and return the
// objects with an ID greater than after, at most limit of them; a limit that
// is not positive fails with ErrInvalidArgument. No update moves an object
// to another organisation.
//
// The All methods stream every object to fn; fn must not call the Store
// (a SQL backend is still reading the rows), and an error it returns stops
// the stream and is returned.
type Store interface {
	storage.Log

	InsertOrganisation(o Organisation) error
	UpdateOrganisation(o Organisation) error
	Organisation(id OrganisationID) (Organisation, error)
	ListOrganisations(after OrganisationID, limit int) ([]Organisation, error)

	InsertAccount(a Account) error
	UpdateAccount(a Account) error
	Account(id AccountID) (Account, error)
	ListAccounts(org OrganisationID, after AccountID, limit int) ([]Account, error)
	// AllAccounts calls fn for every account, in no particular order.
	AllAccounts(fn func(Account) error) error

	InsertUser(u User) error
	User(id UserID) (User, error)
	UserByEmail(email string) (User, error)

	InsertOperator(op Operator) error
	Operator(id OperatorID) (Operator, error)

	// PutMembership inserts or replaces the membership of (m.Org, m.User).
	PutMembership(m Membership) error
	// DeleteMembership removes it; ErrNotFound when there is none.
	DeleteMembership(org OrganisationID, user UserID) error
	Membership(org OrganisationID, user UserID) (Membership, error)
	// MembershipsOfUser lists a user's memberships by organisation ID.
	MembershipsOfUser(user UserID) ([]Membership, error)
	// CountMembers counts the memberships of org with the given role.
	CountMembers(org OrganisationID, role Role) (int, error)
	// AllMemberships calls fn for every membership, in no particular order.
	AllMemberships(fn func(Membership) error) error
}
