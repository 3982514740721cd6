package memstore

import (
	"fmt"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// PutGrant implements access.Store.
func (tx *Tx) PutGrant(g access.Grant) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := grantKey{g.User, g.Account}
	if old, ok := st.grants.get(k); ok {
		count(tx, st.grantsWithRole, old.Role, -1)
	}
	rowPut(tx, st.grants, k, cloneGrant(g))
	count(tx, st.grantsWithRole, g.Role, +1)
	indexAdd(tx, st.grantsOfUser, g.User, g.Account)
	return nil
}

// DeleteGrant implements access.Store.
func (tx *Tx) DeleteGrant(user org.UserID, account org.AccountID) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	k := grantKey{user, account}
	old, ok := st.grants.get(k)
	if !ok {
		return grantNotFound(user, account)
	}
	rowDelete(tx, st.grants, k)
	count(tx, st.grantsWithRole, old.Role, -1)
	indexRemove(tx, st.grantsOfUser, user, account)
	return nil
}

// Grant implements access.Store.
func (tx *Tx) Grant(user org.UserID, account org.AccountID) (access.Grant, error) {
	st, err := tx.read()
	if err != nil {
		return access.Grant{}, err
	}
	g, ok := st.grants.get(grantKey{user, account})
	if !ok {
		return access.Grant{}, grantNotFound(user, account)
	}
	return cloneGrant(g), nil
}

// GrantsOfUser implements access.Store: ordered by account ID.
func (tx *Tx) GrantsOfUser(user org.UserID) ([]access.Grant, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	accounts := st.grantsOfUser[user].all()
	out := make([]access.Grant, 0, len(accounts))
	for _, a := range accounts {
		g, _ := st.grants.get(grantKey{user, a})
		out = append(out, cloneGrant(g))
	}
	return out, nil
}

// CountGrantsWithRole implements access.Store.
func (tx *Tx) CountGrantsWithRole(role access.RoleID) (int, error) {
	st, err := tx.read()
	if err != nil {
		return 0, err
	}
	return st.grantsWithRole[role], nil
}

// AllGrants implements access.Store. The grants come in the order of the
// table's rows: the order they were first put in, until deletions move
// rows (see rowTable).
func (tx *Tx) AllGrants(fn func(access.Grant) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return st.grants.each(func(g *access.Grant) error { return fn(cloneGrant(*g)) })
}

// WebsiteAccount implements access.Store.
func (tx *Tx) WebsiteAccount(id org.WebsiteID) (org.AccountID, error) {
	st, err := tx.read()
	if err != nil {
		return "", err
	}
	w, err := lookup(st.websites, "website", id)
	return w.Account, err
}

// cloneGrant copies g with a website list of its own: stored grants hold
// lists no caller has.
func cloneGrant(g access.Grant) access.Grant {
	g.Websites = cloneList(g.Websites)
	return g
}

func grantNotFound(user org.UserID, account org.AccountID) error {
	return fmt.Errorf("memstore: grant of user %q on account %q: %w", user, account, storage.ErrNotFound)
}
