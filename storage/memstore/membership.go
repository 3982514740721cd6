package memstore

import (
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// PutMembership implements org.Store.
func (tx *Tx) PutMembership(m org.Membership) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := membershipKey{m.Org, m.User}
	if old, ok := st.memberships[k]; ok {
		count(tx, st.members, memberCountKey{old.Org, old.Role}, -1)
	}
	put(tx, st.memberships, k, m)
	count(tx, st.members, memberCountKey{m.Org, m.Role}, +1)
	indexAdd(tx, st.orgsOfUser, m.User, m.Org)
	return nil
}

// DeleteMembership implements org.Store.
func (tx *Tx) DeleteMembership(o org.OrganisationID, user org.UserID) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := membershipKey{o, user}
	old, ok := st.memberships[k]
	if !ok {
		return membershipNotFound(o, user)
	}
	del(tx, st.memberships, k)
	count(tx, st.members, memberCountKey{old.Org, old.Role}, -1)
	indexRemove(tx, st.orgsOfUser, user, o)
	return nil
}

// Membership implements org.Store.
func (tx *Tx) Membership(o org.OrganisationID, user org.UserID) (org.Membership, error) {
	st, err := tx.read()
	if err != nil {
		return org.Membership{}, err
	}
	m, ok := st.memberships[membershipKey{o, user}]
	if !ok {
		return org.Membership{}, membershipNotFound(o, user)
	}
	return m, nil
}

// MembershipsOfUser implements org.Store: ordered by organisation ID.
func (tx *Tx) MembershipsOfUser(user org.UserID) ([]org.Membership, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	orgs := st.orgsOfUser[user].all()
	out := make([]org.Membership, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, st.memberships[membershipKey{o, user}])
	}
	return out, nil
}

// CountMembers implements org.Store.
func (tx *Tx) CountMembers(o org.OrganisationID, role org.Role) (int, error) {
	st, err := tx.read()
	if err != nil {
		return 0, err
	}
	return st.members[memberCountKey{o, role}], nil
}

// AllMemberships implements org.Store.
func (tx *Tx) AllMemberships(fn func(org.Membership) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.memberships, fn)
}

func membershipNotFound(o org.OrganisationID, user org.UserID) error {
	return fmt.Errorf("memstore: membership of user %q in organisation %q: %w", user, o, storage.ErrNotFound)
}
