package sqlstore

import (
	"github.com/orgspace/orgspace/org"
)

const orgCols = `id, name, time_zone, locale, created_at`

func scanOrg(r Rows) (org.Organisation, error) {
	var o org.Organisation
	err := r.Scan(&o.ID, &o.Name, &o.Settings.TimeZone, &o.Settings.Locale, timeCol{&o.CreatedAt})
	return o, err
}

// InsertOrganisation implements org.Store.
func (tx *Tx) InsertOrganisation(o org.Organisation) error {
	a := args{}
	a.add(o.ID, o.Name, o.Settings.TimeZone, o.Settings.Locale)
	a.time("organisation created at", o.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert organisation "+string(o.ID),
		`INSERT INTO organisations (`+orgCols+`) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("organisation "+string(o.ID), n, err)
}

// UpdateOrganisation implements org.Store.
func (tx *Tx) UpdateOrganisation(o org.Organisation) error {
	a := args{}
	a.add(o.ID, o.Name, o.Settings.TimeZone, o.Settings.Locale)
	a.time("organisation created at", o.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update organisation "+string(o.ID),
		`UPDATE organisations SET name = $2, time_zone = $3, locale = $4, created_at = $5 WHERE id = $1`, a.vals...)
	return tx.found("organisation "+string(o.ID), n, err)
}

// Organisation implements org.Store.
func (tx *Tx) Organisation(id org.OrganisationID) (o org.Organisation, err error) {
	err = tx.one("organisation "+string(id), func(r Rows) (err error) { o, err = scanOrg(r); return err },
		`SELECT `+orgCols+` FROM organisations WHERE id = $1`, id)
	return o, err
}

// ListOrganisations implements org.Store.
func (tx *Tx) ListOrganisations(after org.OrganisationID, limit int) ([]org.Organisation, error) {
	if err := tx.checkLimit("list organisations", limit); err != nil {
		return nil, err
	}
	return list(tx, "list organisations", scanOrg,
		`SELECT `+orgCols+` FROM organisations WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
}

const accountCols = `id, org_id, product, name, login_method, login_provider, login_two_factor, created_at`

func scanAccount(r Rows) (org.Account, error) {
	var a org.Account
	err := r.Scan(&a.ID, &a.Org, &a.Product, &a.Name, (*uint8)(&a.Login.Method), &a.Login.Provider, &a.Login.TwoFactor, timeCol{&a.CreatedAt})
	return a, err
}

func accountArgs(acc org.Account) args {
	a := args{}
	a.add(acc.ID, acc.Org, acc.Product, acc.Name, int64(acc.Login.Method), acc.Login.Provider, acc.Login.TwoFactor)
	a.time("account created at", acc.CreatedAt)
	return a
}

// InsertAccount implements org.Store.
func (tx *Tx) InsertAccount(acc org.Account) error {
	a := accountArgs(acc)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert account "+string(acc.ID),
		`INSERT INTO accounts (`+accountCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("account "+string(acc.ID), n, err)
}

// UpdateAccount implements org.Store.
func (tx *Tx) UpdateAccount(acc org.Account) error {
	a := accountArgs(acc)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update account "+string(acc.ID),
		`UPDATE accounts SET org_id = $2, product = $3, name = $4, login_method = $5, login_provider = $6,
			login_two_factor = $7, created_at = $8 WHERE id = $1`, a.vals...)
	return tx.found("account "+string(acc.ID), n, err)
}

// Account implements org.Store.
func (tx *Tx) Account(id org.AccountID) (a org.Account, err error) {
	err = tx.one("account "+string(id), func(r Rows) (err error) { a, err = scanAccount(r); return err },
		`SELECT `+accountCols+` FROM accounts WHERE id = $1`, id)
	return a, err
}

// ListAccounts implements org.Store.
func (tx *Tx) ListAccounts(o org.OrganisationID, after org.AccountID, limit int) ([]org.Account, error) {
	if err := tx.checkLimit("list accounts", limit); err != nil {
		return nil, err
	}
	return list(tx, "list accounts of "+string(o), scanAccount,
		`SELECT `+accountCols+` FROM accounts WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3`, o, after, limit)
}

// AllAccounts implements org.Store.
func (tx *Tx) AllAccounts(fn func(org.Account) error) error {
	return each(tx, "all accounts", scanAccount, fn, `SELECT `+accountCols+` FROM accounts`)
}

const userCols = `id, email, name, created_at`

func scanUser(r Rows) (org.User, error) {
	var u org.User
	err := r.Scan(&u.ID, &u.Email, &u.Name, timeCol{&u.CreatedAt})
	return u, err
}

// InsertUser implements org.Store: a taken ID or email fails with
// storage.ErrAlreadyExists.
func (tx *Tx) InsertUser(u org.User) error {
	a := args{}
	a.add(u.ID, u.Email, u.Name)
	a.time("user created at", u.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert user "+string(u.ID),
		`INSERT INTO users (`+userCols+`) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("user "+string(u.ID)+" or email "+u.Email, n, err)
}

// User implements org.Store.
func (tx *Tx) User(id org.UserID) (u org.User, err error) {
	err = tx.one("user "+string(id), func(r Rows) (err error) { u, err = scanUser(r); return err },
		`SELECT `+userCols+` FROM users WHERE id = $1`, id)
	return u, err
}

// UserByEmail implements org.Store.
func (tx *Tx) UserByEmail(email string) (u org.User, err error) {
	err = tx.one("user with email "+email, func(r Rows) (err error) { u, err = scanUser(r); return err },
		`SELECT `+userCols+` FROM users WHERE email = $1`, email)
	return u, err
}

// InsertOperator implements org.Store.
func (tx *Tx) InsertOperator(op org.Operator) error {
	a := args{}
	a.add(op.ID, op.Name, op.Email)
	a.time("operator created at", op.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert operator "+string(op.ID),
		`INSERT INTO operators (id, name, email, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("operator "+string(op.ID), n, err)
}

// Operator implements org.Store.
func (tx *Tx) Operator(id org.OperatorID) (op org.Operator, err error) {
	err = tx.one("operator "+string(id), func(r Rows) error {
		return r.Scan(&op.ID, &op.Name, &op.Email, timeCol{&op.CreatedAt})
	}, `SELECT id, name, email, created_at FROM operators WHERE id = $1`, id)
	return op, err
}

const membershipCols = `org_id, user_id, role, since`

func scanMembership(r Rows) (org.Membership, error) {
	var m org.Membership
	err := r.Scan(&m.Org, &m.User, (*uint8)(&m.Role), timeCol{&m.Since})
	return m, err
}

// PutMembership implements org.Store.
func (tx *Tx) PutMembership(m org.Membership) error {
	a := args{}
	a.add(m.Org, m.User, int64(m.Role))
	a.time("membership since", m.Since)
	if a.err != nil {
		return a.err
	}
	_, err := tx.exec("put membership "+m.Key(),
		`INSERT INTO memberships (`+membershipCols+`) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, since = excluded.since`, a.vals...)
	return err
}

// DeleteMembership implements org.Store.
func (tx *Tx) DeleteMembership(o org.OrganisationID, user org.UserID) error {
	n, err := tx.exec("delete membership",
		`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, o, user)
	return tx.found("membership "+string(o)+"/"+string(user), n, err)
}

// Membership implements org.Store.
func (tx *Tx) Membership(o org.OrganisationID, user org.UserID) (m org.Membership, err error) {
	err = tx.one("membership "+string(o)+"/"+string(user), func(r Rows) (err error) { m, err = scanMembership(r); return err },
		`SELECT `+membershipCols+` FROM memberships WHERE org_id = $1 AND user_id = $2`, o, user)
	return m, err
}

// MembershipsOfUser implements org.Store.
func (tx *Tx) MembershipsOfUser(user org.UserID) ([]org.Membership, error) {
	return list(tx, "memberships of user "+string(user), scanMembership,
		`SELECT `+membershipCols+` FROM memberships WHERE user_id = $1 ORDER BY org_id`, user)
}

// CountMembers implements org.Store.
func (tx *Tx) CountMembers(o org.OrganisationID, role org.Role) (n int, err error) {
	err = tx.one("count members", func(r Rows) error { return r.Scan(&n) },
		`SELECT count(*) FROM memberships WHERE org_id = $1 AND role = $2`, o, int64(role))
	return n, err
}

// AllMemberships implements org.Store.
func (tx *Tx) AllMemberships(fn func(org.Membership) error) error {
	return each(tx, "all memberships", scanMembership, fn, `SELECT `+membershipCols+` FROM memberships`)
}
