package sqlstore

import (
	"fmt"
	"strings"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

var _ structure.Store = (*Tx)(nil)

const websiteCols = `id, org_id, account_id, name, archived, created_at`

func scanWebsite(r Rows) (structure.Website, error) {
	var w structure.Website
	err := r.Scan(&w.ID, &w.Org, &w.Account, &w.Name, &w.Archived, timeCol{&w.CreatedAt})
	return w, err
}

// InsertWebsite implements structure.Store.
func (tx *Tx) InsertWebsite(w structure.Website) error {
	a := args{}
	a.add(w.ID, w.Org, w.Account, w.Name, w.Archived)
	a.time("website created at", w.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert website "+string(w.ID),
		`INSERT INTO websites (`+websiteCols+`) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("website "+string(w.ID), n, err)
}

// UpdateWebsite implements structure.Store: it writes the name and the
// archived flag; the organisation, account and creation time stay.
func (tx *Tx) UpdateWebsite(w structure.Website) error {
	n, err := tx.exec("update website "+string(w.ID),
		`UPDATE websites SET name = $2, archived = $3 WHERE id = $1`, w.ID, w.Name, w.Archived)
	return tx.found("website "+string(w.ID), n, err)
}

// Website implements structure.Store.
func (tx *Tx) Website(id structure.WebsiteID) (w structure.Website, err error) {
	err = tx.one("website "+string(id), func(r Rows) (err error) { w, err = scanWebsite(r); return err },
		`SELECT `+websiteCols+` FROM websites WHERE id = $1`, id)
	return w, err
}

// WebsitesOfOrg implements structure.Store.
func (tx *Tx) WebsitesOfOrg(o org.OrganisationID) ([]structure.Website, error) {
	return list(tx, "websites of organisation "+string(o), scanWebsite,
		`SELECT `+websiteCols+` FROM websites WHERE org_id = $1 ORDER BY id`, o)
}

// AllWebsites implements structure.Store.
func (tx *Tx) AllWebsites(fn func(structure.Website) error) error {
	return each(tx, "all websites", scanWebsite, fn, `SELECT `+websiteCols+` FROM websites`)
}

const programCols = `id, org_id, account_id, name, archived, created_at`

func scanProgram(r Rows) (structure.Program, error) {
	var p structure.Program
	err := r.Scan(&p.ID, &p.Org, &p.Account, &p.Name, &p.Archived, timeCol{&p.CreatedAt})
	return p, err
}

// InsertProgram implements structure.Store.
func (tx *Tx) InsertProgram(p structure.Program) error {
	a := args{}
	a.add(p.ID, p.Org, p.Account, p.Name, p.Archived)
	a.time("program created at", p.CreatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert program "+string(p.ID),
		`INSERT INTO programs (`+programCols+`) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted("program "+string(p.ID), n, err)
}

// UpdateProgram implements structure.Store: it writes the name and the
// archived flag; the organisation, account and creation time stay.
func (tx *Tx) UpdateProgram(p structure.Program) error {
	n, err := tx.exec("update program "+string(p.ID),
		`UPDATE programs SET name = $2, archived = $3 WHERE id = $1`, p.ID, p.Name, p.Archived)
	return tx.found("program "+string(p.ID), n, err)
}

// Program implements structure.Store.
func (tx *Tx) Program(id structure.ProgramID) (p structure.Program, err error) {
	err = tx.one("program "+string(id), func(r Rows) (err error) { p, err = scanProgram(r); return err },
		`SELECT `+programCols+` FROM programs WHERE id = $1`, id)
	return p, err
}

// ProgramsOfOrg implements structure.Store.
func (tx *Tx) ProgramsOfOrg(o org.OrganisationID) ([]structure.Program, error) {
	return list(tx, "programs of organisation "+string(o), scanProgram,
		`SELECT `+programCols+` FROM programs WHERE org_id = $1 ORDER BY id`, o)
}

// AllPrograms implements structure.Store.
func (tx *Tx) AllPrograms(fn func(structure.Program) error) error {
	return each(tx, "all programs", scanProgram, fn, `SELECT `+programCols+` FROM programs`)
}

// A link is a row of links, for its name, times and each side's All, and
// one row per account or item a side lists: link_accounts (with the side),
// link_websites and link_programs, numbered by ord in the order given.
// Reading a link puts them back in that order, and an empty list reads as
// nil.

const linkCols = `id, org_id, name, website_all, program_all, created_at, updated_at`

func scanLink(r Rows) (structure.Link, error) {
	var l structure.Link
	err := r.Scan(&l.ID, &l.Org, &l.Name, &l.Websites.All, &l.Programs.All, timeCol{&l.CreatedAt}, timeCol{&l.UpdatedAt})
	return l, err
}

// The kinds of member row: the side column of link_accounts, then the
// item tables.
const (
	websiteAccounts = 1
	programAccounts = 2
	websiteItems    = 3
	programItems    = 4
)

// member is one account or item a link's side lists.
type member struct {
	link structure.LinkID
	kind int64
	id   string
}

// memberQuery selects the member rows that where (a condition on link_id,
// or "" for every row) selects, ordered by link, kind and position.
func memberQuery(where string) string {
	if where != "" {
		where = ` WHERE ` + where
	}
	return `SELECT link_id, side, ord, account_id FROM link_accounts` + where + `
		UNION ALL SELECT link_id, ` + fmt.Sprint(websiteItems) + `, ord, website_id FROM link_websites` + where + `
		UNION ALL SELECT link_id, ` + fmt.Sprint(programItems) + `, ord, program_id FROM link_programs` + where + `
		ORDER BY 1, 2, 3`
}

func scanMember(r Rows) (member, error) {
	var m member
	var link string
	var ord int64
	err := r.Scan(&link, &m.kind, &ord, &m.id)
	m.link = structure.LinkID(link)
	return m, err
}

// addMember appends m to the list of l it belongs to.
func addMember(l *structure.Link, m member) error {
	switch m.kind {
	case websiteAccounts:
		l.Websites.Accounts = append(l.Websites.Accounts, org.AccountID(m.id))
	case programAccounts:
		l.Programs.Accounts = append(l.Programs.Accounts, org.AccountID(m.id))
	case websiteItems:
		l.Websites.Items = append(l.Websites.Items, structure.WebsiteID(m.id))
	case programItems:
		l.Programs.Items = append(l.Programs.Items, structure.ProgramID(m.id))
	default:
		return fmt.Errorf("link %s has a member of kind %d", m.link, m.kind)
	}
	return nil
}

// members reads the member rows that where selects into the links of
// byID.
func (tx *Tx) members(what string, byID map[structure.LinkID]*structure.Link, where string, args ...any) error {
	return each(tx, what, scanMember, func(m member) error {
		if l := byID[m.link]; l != nil {
			return addMember(l, m)
		}
		return nil
	}, memberQuery(where), args...)
}

// insertMembers writes the member rows of l.
func (tx *Tx) insertMembers(l structure.Link) error {
	var accounts, websites, programs [][]any
	for i, a := range l.Websites.Accounts {
		accounts = append(accounts, []any{l.ID, websiteAccounts, i, a})
	}
	for i, a := range l.Programs.Accounts {
		accounts = append(accounts, []any{l.ID, programAccounts, i, a})
	}
	for i, w := range l.Websites.Items {
		websites = append(websites, []any{l.ID, i, w})
	}
	for i, p := range l.Programs.Items {
		programs = append(programs, []any{l.ID, i, p})
	}
	what := "write the selections of link " + string(l.ID)
	if err := tx.insertRows(what, `link_accounts (link_id, side, ord, account_id)`, accounts); err != nil {
		return err
	}
	if err := tx.insertRows(what, `link_websites (link_id, ord, website_id)`, websites); err != nil {
		return err
	}
	return tx.insertRows(what, `link_programs (link_id, ord, program_id)`, programs)
}

// rowsPerInsert bounds the rows of one INSERT, so that its parameters
// stay well below SQLite's and PostgreSQL's limits (32,766 and 65,535).
const rowsPerInsert = 1000

// insertRows inserts rows, all of one width, into table (its name and
// column list), with as few statements as the parameter limits allow.
func (tx *Tx) insertRows(what, table string, rows [][]any) error {
	for len(rows) > 0 {
		batch := rows[:min(len(rows), rowsPerInsert)]
		rows = rows[len(batch):]
		var q strings.Builder
		vals := make([]any, 0, len(batch)*len(batch[0]))
		q.WriteString(`INSERT INTO ` + table + ` VALUES `)
		for i, row := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				vals = append(vals, v)
				fmt.Fprintf(&q, "$%d", len(vals))
			}
			q.WriteByte(')')
		}
		if _, err := tx.exec(what, q.String(), vals...); err != nil {
			return err
		}
	}
	return nil
}

// InsertLink implements structure.Store.
func (tx *Tx) InsertLink(l structure.Link) error {
	a := args{}
	a.add(l.ID, l.Org, l.Name, l.Websites.All, l.Programs.All)
	a.time("link created at", l.CreatedAt)
	a.time("link updated at", l.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert link "+string(l.ID),
		`INSERT INTO links (`+linkCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, a.vals...)
	if err := tx.inserted("link "+string(l.ID), n, err); err != nil {
		return err
	}
	return tx.insertMembers(l)
}

// UpdateLink implements structure.Store: it writes the name, the
// selections and the update time; the organisation and creation time stay.
func (tx *Tx) UpdateLink(l structure.Link) error {
	a := args{}
	a.add(l.ID, l.Name, l.Websites.All, l.Programs.All)
	a.time("link updated at", l.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update link "+string(l.ID),
		`UPDATE links SET name = $2, website_all = $3, program_all = $4, updated_at = $5 WHERE id = $1`, a.vals...)
	if err := tx.found("link "+string(l.ID), n, err); err != nil {
		return err
	}
	for _, table := range []string{"link_accounts", "link_websites", "link_programs"} {
		if _, err := tx.exec("update link "+string(l.ID), `DELETE FROM `+table+` WHERE link_id = $1`, l.ID); err != nil {
			return err
		}
	}
	return tx.insertMembers(l)
}

// DeleteLink implements structure.Store; its member rows go with it (ON
// DELETE CASCADE).
func (tx *Tx) DeleteLink(id structure.LinkID) error {
	n, err := tx.exec("delete link "+string(id), `DELETE FROM links WHERE id = $1`, id)
	return tx.found("link "+string(id), n, err)
}

// Link implements structure.Store.
func (tx *Tx) Link(id structure.LinkID) (l structure.Link, err error) {
	what := "link " + string(id)
	if err = tx.one(what, func(r Rows) (err error) { l, err = scanLink(r); return err },
		`SELECT `+linkCols+` FROM links WHERE id = $1`, id); err != nil {
		return structure.Link{}, err
	}
	err = tx.members(what, map[structure.LinkID]*structure.Link{id: &l}, `link_id = $1`, id)
	return l, err
}

// LinksOfOrg implements structure.Store.
func (tx *Tx) LinksOfOrg(o org.OrganisationID) ([]structure.Link, error) {
	what := "links of organisation " + string(o)
	links, err := list(tx, what, scanLink, `SELECT `+linkCols+` FROM links WHERE org_id = $1 ORDER BY id`, o)
	if err != nil || len(links) == 0 {
		return links, err
	}
	byID := make(map[structure.LinkID]*structure.Link, len(links))
	for i := range links {
		byID[links[i].ID] = &links[i]
	}
	err = tx.members(what, byID, `link_id IN (SELECT id FROM links WHERE org_id = $1)`, o)
	return links, err
}

// AllLinks implements structure.Store. It reads every member row first,
// then streams the links with theirs.
func (tx *Tx) AllLinks(fn func(structure.Link) error) error {
	byLink := map[structure.LinkID]*structure.Link{}
	if err := each(tx, "all links", scanMember, func(m member) error {
		l := byLink[m.link]
		if l == nil {
			l = new(structure.Link)
			byLink[m.link] = l
		}
		return addMember(l, m)
	}, memberQuery("")); err != nil {
		return err
	}
	return each(tx, "all links", scanLink, func(l structure.Link) error {
		if m := byLink[l.ID]; m != nil {
			l.Websites.Accounts, l.Websites.Items = m.Websites.Accounts, m.Websites.Items
			l.Programs.Accounts, l.Programs.Items = m.Programs.Accounts, m.Programs.Items
		}
		return fn(l)
	}, `SELECT `+linkCols+` FROM links`)
}

// SetDefaultRule implements structure.Store.
func (tx *Tx) SetDefaultRule(o org.OrganisationID, enabled bool) error {
	_, err := tx.exec("set the default rule of "+string(o),
		`INSERT INTO default_rules (org_id, enabled) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET enabled = excluded.enabled`, o, enabled)
	return err
}

// DefaultRule implements structure.Store: true for an organisation that
// never set it.
func (tx *Tx) DefaultRule(o org.OrganisationID) (enabled bool, err error) {
	err = tx.one("default rule of "+string(o), func(r Rows) error { return r.Scan(&enabled) },
		`SELECT enabled FROM default_rules WHERE org_id = $1`, o)
	if storage.IsNotFound(err) {
		return true, nil
	}
	return enabled, err
}

// AllDefaultRules implements structure.Store.
func (tx *Tx) AllDefaultRules(fn func(org.OrganisationID, bool) error) error {
	type rule struct {
		org     org.OrganisationID
		enabled bool
	}
	return each(tx, "all default rules", func(r Rows) (x rule, err error) { return x, r.Scan(&x.org, &x.enabled) },
		func(x rule) error { return fn(x.org, x.enabled) }, `SELECT org_id, enabled FROM default_rules`)
}
