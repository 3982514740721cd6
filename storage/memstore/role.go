package memstore

import (
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// InsertRole implements access.Store.
func (tx *Tx) InsertRole(r access.Role) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.roles[r.ID]; ok {
		return exists("role", r.ID)
	}
	put(tx, st.roles, r.ID, r)
	indexAdd(tx, st.rolesOfOrg, r.Org, r.ID)
	return nil
}

// UpdateRole implements access.Store.
func (tx *Tx) UpdateRole(r access.Role) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.roles, "role", r.ID)
	if err != nil {
		return err
	}
	put(tx, st.roles, r.ID, r)
	indexMove(tx, st.rolesOfOrg, old.Org, r.Org, r.ID)
	return nil
}

// DeleteRole implements access.Store. Grants of the role are left alone:
// the caller checks CountGrantsWithRole first.
func (tx *Tx) DeleteRole(id access.RoleID) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.roles, "role", id)
	if err != nil {
		return err
	}
	del(tx, st.roles, id)
	indexRemove(tx, st.rolesOfOrg, old.Org, id)
	return nil
}

// Role implements access.Store.
func (tx *Tx) Role(id access.RoleID) (access.Role, error) {
	st, err := tx.read()
	if err != nil {
		return access.Role{}, err
	}
	return lookup(st.roles, "role", id)
}

// RolesOfOrg implements access.Store: ordered by ID.
func (tx *Tx) RolesOfOrg(o org.OrganisationID) ([]access.Role, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collect(st.roles, st.rolesOfOrg[o].all(), same), nil
}

// AllRoles implements access.Store.
func (tx *Tx) AllRoles(fn func(access.Role) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.roles, fn)
}
