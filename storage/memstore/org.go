package memstore

import "github.com/orgspace/orgspace/org"

// InsertOrganisation implements org.Store.
func (tx *Tx) InsertOrganisation(o org.Organisation) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.orgs[o.ID]; ok {
		return exists("organisation", o.ID)
	}
	put(tx, st.orgs, o.ID, o)
	setAdd(tx, st.orgIDs, o.ID)
	return nil
}

// UpdateOrganisation implements org.Store.
func (tx *Tx) UpdateOrganisation(o org.Organisation) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, err := lookup(st.orgs, "organisation", o.ID); err != nil {
		return err
	}
	put(tx, st.orgs, o.ID, o)
	return nil
}

// Organisation implements org.Store.
func (tx *Tx) Organisation(id org.OrganisationID) (org.Organisation, error) {
	st, err := tx.read()
	if err != nil {
		return org.Organisation{}, err
	}
	return lookup(st.orgs, "organisation", id)
}

// ListOrganisations implements org.Store.
func (tx *Tx) ListOrganisations(after org.OrganisationID, limit int) ([]org.Organisation, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("list organisations", limit); err != nil {
		return nil, err
	}
	return collect(st.orgs, st.orgIDs.after(after, limit), same), nil
}

// InsertAccount implements org.Store.
func (tx *Tx) InsertAccount(a org.Account) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.accounts[a.ID]; ok {
		return exists("account", a.ID)
	}
	put(tx, st.accounts, a.ID, a)
	indexAdd(tx, st.accountsOfOrg, a.Org, a.ID)
	return nil
}

// UpdateAccount implements org.Store.
func (tx *Tx) UpdateAccount(a org.Account) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.accounts, "account", a.ID)
	if err != nil {
		return err
	}
	put(tx, st.accounts, a.ID, a)
	indexMove(tx, st.accountsOfOrg, old.Org, a.Org, a.ID)
	return nil
}

// Account implements org.Store.
func (tx *Tx) Account(id org.AccountID) (org.Account, error) {
	st, err := tx.read()
	if err != nil {
		return org.Account{}, err
	}
	return lookup(st.accounts, "account", id)
}

// ListAccounts implements org.Store.
func (tx *Tx) ListAccounts(o org.OrganisationID, after org.AccountID, limit int) ([]org.Account, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("list accounts", limit); err != nil {
		return nil, err
	}
	return collect(st.accounts, st.accountsOfOrg[o].after(after, limit), same), nil
}

// AllAccounts implements org.Store.
func (tx *Tx) AllAccounts(fn func(org.Account) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.accounts, fn)
}
