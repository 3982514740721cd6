package sqlstore

import (
	"fmt"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

const grantCols = `user_id, account_id, org_id, role_id, expires_at, granted_by, granted_at`

// grantScanner returns a function that scans the rows of one grant query
// (grantCols). Its destinations are made once and reused for every row, so
// a row costs no allocation of its own beyond the driver's, and they are
// plain strings, which database/sql and pgx assign directly where the named
// ID types would go through reflection: reading the 100,000s of grants of
// AllGrants is most of the time it takes to open a Space.
func grantScanner() func(Rows) (access.Grant, error) {
	var user, account, orgID, role, grantedBy string
	var g access.Grant
	dest := []any{&user, &account, &orgID, &role, timeCol{&g.ExpiresAt}, &grantedBy, timeCol{&g.GrantedAt}}
	return func(r Rows) (access.Grant, error) {
		if err := r.Scan(dest...); err != nil {
			return access.Grant{}, err
		}
		g.User, g.Account, g.Org, g.Role, g.GrantedBy = org.UserID(user), org.AccountID(account), org.OrganisationID(orgID), access.RoleID(role), grantedBy
		return g, nil
	}
}

func grantName(user org.UserID, account org.AccountID) string {
	return "grant of user " + string(user) + " on account " + string(account)
}

// PutGrant implements access.Store. The grant's websites are rows of
// grant_websites, replaced with the grant.
func (tx *Tx) PutGrant(g access.Grant) error {
	a := args{}
	a.add(g.User, g.Account, g.Org, g.Role)
	a.time("grant expires at", g.ExpiresAt)
	a.add(g.GrantedBy)
	a.time("grant granted at", g.GrantedAt)
	if a.err != nil {
		return a.err
	}
	what := "put " + grantName(g.User, g.Account)
	_, err := tx.exec(what,
		`INSERT INTO grants (`+grantCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (user_id, account_id) DO UPDATE SET org_id = excluded.org_id, role_id = excluded.role_id,
			expires_at = excluded.expires_at, granted_by = excluded.granted_by, granted_at = excluded.granted_at`, a.vals...)
	if err != nil {
		return err
	}
	if _, err := tx.exec(what, `DELETE FROM grant_websites WHERE user_id = $1 AND account_id = $2`, g.User, g.Account); err != nil {
		return err
	}
	if len(g.Websites) == 0 {
		return nil
	}
	rows := make([][]any, len(g.Websites))
	for i, w := range g.Websites {
		rows[i] = []any{string(g.User), string(g.Account), string(w)}
	}
	return tx.insertRows(what, `grant_websites (user_id, account_id, website_id)`, rows)
}

// DeleteGrant implements access.Store; its website rows go with it (ON
// DELETE CASCADE).
func (tx *Tx) DeleteGrant(user org.UserID, account org.AccountID) error {
	n, err := tx.exec("delete "+grantName(user, account),
		`DELETE FROM grants WHERE user_id = $1 AND account_id = $2`, user, account)
	return tx.found(grantName(user, account), n, err)
}

// Grant implements access.Store.
func (tx *Tx) Grant(user org.UserID, account org.AccountID) (g access.Grant, err error) {
	scan := grantScanner()
	err = tx.one(grantName(user, account), func(r Rows) (err error) { g, err = scan(r); return err },
		`SELECT `+grantCols+` FROM grants WHERE user_id = $1 AND account_id = $2`, user, account)
	if err != nil {
		return g, err
	}
	sites, err := tx.grantWebsites(grantName(user, account), ` WHERE user_id = $1 AND account_id = $2`, user, account)
	g.Websites = sites[grantKey{user, account}]
	return g, err
}

// GrantsOfUser implements access.Store.
func (tx *Tx) GrantsOfUser(user org.UserID) ([]access.Grant, error) {
	what := "grants of user " + string(user)
	sites, err := tx.grantWebsites(what, ` WHERE user_id = $1`, user)
	if err != nil {
		return nil, err
	}
	gs, err := list(tx, what, grantScanner(),
		`SELECT `+grantCols+` FROM grants WHERE user_id = $1 ORDER BY account_id`, user)
	for i := range gs {
		gs[i].Websites = sites[grantKey{gs[i].User, gs[i].Account}]
	}
	return gs, err
}

// CountGrantsWithRole implements access.Store.
func (tx *Tx) CountGrantsWithRole(role access.RoleID) (n int, err error) {
	err = tx.one("count grants", func(r Rows) error { return r.Scan(&n) },
		`SELECT count(*) FROM grants WHERE role_id = $1`, role)
	return n, err
}

// AllGrants implements access.Store. It reads the website rows first (few:
// only limited grants have any), then streams the grants with theirs.
func (tx *Tx) AllGrants(fn func(access.Grant) error) error {
	sites, err := tx.grantWebsites("all grants", "")
	if err != nil {
		return err
	}
	return each(tx, "all grants", grantScanner(), func(g access.Grant) error {
		if len(sites) != 0 {
			g.Websites = sites[grantKey{g.User, g.Account}]
		}
		return fn(g)
	}, `SELECT `+grantCols+` FROM grants`)
}

type grantKey struct {
	user    org.UserID
	account org.AccountID
}

// grantWebsites reads the rows of grant_websites that where selects, by
// grant, each list sorted.
func (tx *Tx) grantWebsites(what, where string, args ...any) (map[grantKey][]org.WebsiteID, error) {
	var out map[grantKey][]org.WebsiteID
	var user, account, website string
	err := tx.query(what, func(r Rows) error {
		if err := r.Scan(&user, &account, &website); err != nil {
			return tx.fail(what, err)
		}
		if out == nil {
			out = map[grantKey][]org.WebsiteID{}
		}
		k := grantKey{org.UserID(user), org.AccountID(account)}
		out[k] = append(out[k], org.WebsiteID(website))
		return nil
	}, `SELECT user_id, account_id, website_id FROM grant_websites`+where+` ORDER BY user_id, account_id, website_id`, args...)
	return out, err
}

// WebsiteAccount implements access.Store.
func (tx *Tx) WebsiteAccount(id org.WebsiteID) (a org.AccountID, err error) {
	err = tx.one("website "+string(id), func(r Rows) error { return r.Scan(&a) },
		`SELECT account_id FROM websites WHERE id = $1`, id)
	return a, err
}

const roleCols = `id, org_id, name, permissions, created_at`

func scanRole(r Rows) (access.Role, error) {
	var role access.Role
	var perms int64
	err := r.Scan(&role.ID, &role.Org, &role.Name, &perms, timeCol{&role.CreatedAt})
	role.Permissions = access.Permissions(uint64(perms))
	return role, err
}

func roleArgs(r access.Role) args {
	a := args{}
	a.add(r.ID, r.Org, r.Name, int64(uint64(r.Permissions)))
	a.time("role created at", r.CreatedAt)
	return a
}

// InsertRole implements access.Store.
func (tx *Tx) InsertRole(r access.Role) error {
	a := roleArgs(r)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert role "+string(r.ID),
		`INSERT INTO roles (`+roleCols+`) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("role "+string(r.ID), n, err)
}

// UpdateRole implements access.Store.
func (tx *Tx) UpdateRole(r access.Role) error {
	a := roleArgs(r)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update role "+string(r.ID),
		`UPDATE roles SET org_id = $2, name = $3, permissions = $4, created_at = $5 WHERE id = $1`, a.vals...)
	return tx.found("role "+string(r.ID), n, err)
}

// DeleteRole implements access.Store.
func (tx *Tx) DeleteRole(id access.RoleID) error {
	n, err := tx.exec("delete role "+string(id), `DELETE FROM roles WHERE id = $1`, id)
	return tx.found("role "+string(id), n, err)
}

// Role implements access.Store.
func (tx *Tx) Role(id access.RoleID) (r access.Role, err error) {
	err = tx.one("role "+string(id), func(rows Rows) (err error) { r, err = scanRole(rows); return err },
		`SELECT `+roleCols+` FROM roles WHERE id = $1`, id)
	return r, err
}

// RolesOfOrg implements access.Store.
func (tx *Tx) RolesOfOrg(o org.OrganisationID) ([]access.Role, error) {
	return list(tx, "roles of organisation "+string(o), scanRole,
		`SELECT `+roleCols+` FROM roles WHERE org_id = $1 ORDER BY id`, o)
}

// AllRoles implements access.Store.
func (tx *Tx) AllRoles(fn func(access.Role) error) error {
	return each(tx, "all roles", scanRole, fn, `SELECT `+roleCols+` FROM roles`)
}

const invitationCols = `id, org_id, email, account_id, role_id, org_role, invited_by, created_at, expires_at,
	status, token_hash, sent, answered_at, user_id`

func scanInvitation(r Rows) (access.Invitation, error) {
	var inv access.Invitation
	err := r.Scan(&inv.ID, &inv.Org, &inv.Email, &inv.Account, &inv.Role, (*uint8)(&inv.OrgRole), &inv.InvitedBy,
		timeCol{&inv.CreatedAt}, timeCol{&inv.ExpiresAt}, (*uint8)(&inv.Status), &inv.TokenHash, &inv.Sent,
		timeCol{&inv.AnsweredAt}, &inv.User)
	if len(inv.TokenHash) == 0 {
		inv.TokenHash = nil
	}
	return inv, err
}

func invitationArgs(inv access.Invitation) args {
	a := args{}
	a.add(inv.ID, inv.Org, inv.Email, inv.Account, inv.Role, int64(inv.OrgRole), inv.InvitedBy)
	a.time("invitation created at", inv.CreatedAt)
	a.time("invitation expires at", inv.ExpiresAt)
	a.add(int64(inv.Status), bytesArg(inv.TokenHash), inv.Sent)
	a.time("invitation answered at", inv.AnsweredAt)
	a.add(inv.User)
	return a
}

// checkToken refuses a token hash that an invitation other than id holds.
// It runs before the write, so that the unique key never fails inside the
// transaction.
func (tx *Tx) checkToken(id access.InvitationID, hash []byte) error {
	if len(hash) == 0 {
		return nil
	}
	var other access.InvitationID
	err := tx.one("invitation by token", func(r Rows) error { return r.Scan(&other) },
		`SELECT id FROM invitations WHERE token_hash = $1 AND id <> $2`, hash, id)
	switch {
	case err == nil:
		return fmt.Errorf("%s: invitation %q: its token hash is invitation %q's: %w", tx.d.Name, id, other, storage.ErrAlreadyExists)
	case storage.IsNotFound(err):
		return nil
	}
	return err
}

// InsertInvitation implements access.Store.
func (tx *Tx) InsertInvitation(inv access.Invitation) error {
	a := invitationArgs(inv)
	if a.err != nil {
		return a.err
	}
	if err := tx.checkToken(inv.ID, inv.TokenHash); err != nil {
		return err
	}
	n, err := tx.exec("insert invitation "+string(inv.ID),
		`INSERT INTO invitations (`+invitationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("invitation "+string(inv.ID), n, err)
}

// UpdateInvitation implements access.Store.
func (tx *Tx) UpdateInvitation(inv access.Invitation) error {
	a := invitationArgs(inv)
	if a.err != nil {
		return a.err
	}
	if err := tx.checkToken(inv.ID, inv.TokenHash); err != nil {
		return err
	}
	n, err := tx.exec("update invitation "+string(inv.ID),
		`UPDATE invitations SET org_id = $2, email = $3, account_id = $4, role_id = $5, org_role = $6, invited_by = $7,
			created_at = $8, expires_at = $9, status = $10, token_hash = $11, sent = $12, answered_at = $13, user_id = $14
		WHERE id = $1`, a.vals...)
	return tx.found("invitation "+string(inv.ID), n, err)
}

// Invitation implements access.Store.
func (tx *Tx) Invitation(id access.InvitationID) (inv access.Invitation, err error) {
	err = tx.one("invitation "+string(id), func(r Rows) (err error) { inv, err = scanInvitation(r); return err },
		`SELECT `+invitationCols+` FROM invitations WHERE id = $1`, id)
	return inv, err
}

// InvitationByToken implements access.Store.
func (tx *Tx) InvitationByToken(hash []byte) (inv access.Invitation, err error) {
	if len(hash) == 0 {
		return inv, fmt.Errorf("%s: invitation with an empty token hash: %w", tx.d.Name, storage.ErrNotFound)
	}
	err = tx.one("invitation by token", func(r Rows) (err error) { inv, err = scanInvitation(r); return err },
		`SELECT `+invitationCols+` FROM invitations WHERE token_hash = $1`, hash)
	return inv, err
}

// ListInvitations implements access.Store.
func (tx *Tx) ListInvitations(o org.OrganisationID, after access.InvitationID, limit int) ([]access.Invitation, error) {
	if err := tx.checkLimit("list invitations", limit); err != nil {
		return nil, err
	}
	return list(tx, "list invitations of "+string(o), scanInvitation,
		`SELECT `+invitationCols+` FROM invitations WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3`, o, after, limit)
}

// SetFavourite implements access.Store; "" clears the favourite.
func (tx *Tx) SetFavourite(user org.UserID, account org.AccountID) error {
	if account == "" {
		_, err := tx.exec("clear favourite of "+string(user), `DELETE FROM favourites WHERE user_id = $1`, user)
		return err
	}
	_, err := tx.exec("set favourite of "+string(user),
		`INSERT INTO favourites (user_id, account_id) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET account_id = excluded.account_id`, user, account)
	return err
}

// Favourite implements access.Store: "" when the user has none.
func (tx *Tx) Favourite(user org.UserID) (a org.AccountID, err error) {
	err = tx.one("favourite of "+string(user), func(r Rows) error { return r.Scan(&a) },
		`SELECT account_id FROM favourites WHERE user_id = $1`, user)
	if storage.IsNotFound(err) {
		return "", nil
	}
	return a, err
}

// AllFavourites implements access.Store.
func (tx *Tx) AllFavourites(fn func(org.UserID, org.AccountID) error) error {
	type fav struct {
		user    org.UserID
		account org.AccountID
	}
	return each(tx, "all favourites", func(r Rows) (f fav, err error) { return f, r.Scan(&f.user, &f.account) },
		func(f fav) error { return fn(f.user, f.account) }, `SELECT user_id, account_id FROM favourites`)
}
