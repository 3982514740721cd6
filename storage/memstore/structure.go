package memstore

import (
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/structure"
)

var _ structure.Store = (*Tx)(nil)

// InsertWebsite implements structure.Store.
func (tx *Tx) InsertWebsite(w structure.Website) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.websites[w.ID]; ok {
		return exists("website", w.ID)
	}
	put(tx, st.websites, w.ID, w)
	indexAdd(tx, st.websitesOfOrg, w.Org, w.ID)
	return nil
}

// UpdateWebsite implements structure.Store: it writes the name and the
// archived flag; the organisation, account and creation time stay.
func (tx *Tx) UpdateWebsite(w structure.Website) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.websites, "website", w.ID)
	if err != nil {
		return err
	}
	old.Name, old.Archived = w.Name, w.Archived
	put(tx, st.websites, w.ID, old)
	return nil
}

// Website implements structure.Store.
func (tx *Tx) Website(id structure.WebsiteID) (structure.Website, error) {
	st, err := tx.read()
	if err != nil {
		return structure.Website{}, err
	}
	return lookup(st.websites, "website", id)
}

// WebsitesOfOrg implements structure.Store: ordered by ID.
func (tx *Tx) WebsitesOfOrg(o org.OrganisationID) ([]structure.Website, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collect(st.websites, st.websitesOfOrg[o].all(), same), nil
}

// AllWebsites implements structure.Store.
func (tx *Tx) AllWebsites(fn func(structure.Website) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.websites, fn)
}

// InsertProgram implements structure.Store.
func (tx *Tx) InsertProgram(p structure.Program) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.programs[p.ID]; ok {
		return exists("program", p.ID)
	}
	put(tx, st.programs, p.ID, p)
	indexAdd(tx, st.programsOfOrg, p.Org, p.ID)
	return nil
}

// UpdateProgram implements structure.Store: it writes the name and the
// archived flag; the organisation, account and creation time stay.
func (tx *Tx) UpdateProgram(p structure.Program) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.programs, "program", p.ID)
	if err != nil {
		return err
	}
	old.Name, old.Archived = p.Name, p.Archived
	put(tx, st.programs, p.ID, old)
	return nil
}

// Program implements structure.Store.
func (tx *Tx) Program(id structure.ProgramID) (structure.Program, error) {
	st, err := tx.read()
	if err != nil {
		return structure.Program{}, err
	}
	return lookup(st.programs, "program", id)
}

// ProgramsOfOrg implements structure.Store: ordered by ID.
func (tx *Tx) ProgramsOfOrg(o org.OrganisationID) ([]structure.Program, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collect(st.programs, st.programsOfOrg[o].all(), same), nil
}

// AllPrograms implements structure.Store.
func (tx *Tx) AllPrograms(fn func(structure.Program) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.programs, fn)
}

// cloneSelection copies s with slices of its own; an empty list is nil,
// as the SQL backends read it back.
func cloneSelection[ID ~string](s structure.Selection[ID]) structure.Selection[ID] {
	return structure.Selection[ID]{All: s.All, Accounts: cloneList(s.Accounts), Items: cloneList(s.Items)}
}

func cloneList[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// cloneLink copies l with selections of its own.
func cloneLink(l structure.Link) structure.Link {
	l.Websites, l.Programs = cloneSelection(l.Websites), cloneSelection(l.Programs)
	return l
}

// InsertLink implements structure.Store.
func (tx *Tx) InsertLink(l structure.Link) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.links[l.ID]; ok {
		return exists("link", l.ID)
	}
	put(tx, st.links, l.ID, cloneLink(l))
	indexAdd(tx, st.linksOfOrg, l.Org, l.ID)
	return nil
}

// UpdateLink implements structure.Store: it writes the name, the
// selections and the update time; the organisation and creation time stay.
func (tx *Tx) UpdateLink(l structure.Link) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.links, "link", l.ID)
	if err != nil {
		return err
	}
	old.Name, old.Websites, old.Programs, old.UpdatedAt = l.Name, l.Websites, l.Programs, l.UpdatedAt
	put(tx, st.links, l.ID, cloneLink(old))
	return nil
}

// DeleteLink implements structure.Store.
func (tx *Tx) DeleteLink(id structure.LinkID) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.links, "link", id)
	if err != nil {
		return err
	}
	del(tx, st.links, id)
	indexRemove(tx, st.linksOfOrg, old.Org, id)
	return nil
}

// Link implements structure.Store.
func (tx *Tx) Link(id structure.LinkID) (structure.Link, error) {
	st, err := tx.read()
	if err != nil {
		return structure.Link{}, err
	}
	l, err := lookup(st.links, "link", id)
	return cloneLink(l), err
}

// LinksOfOrg implements structure.Store: ordered by ID.
func (tx *Tx) LinksOfOrg(o org.OrganisationID) ([]structure.Link, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collect(st.links, st.linksOfOrg[o].all(), cloneLink), nil
}

// AllLinks implements structure.Store.
func (tx *Tx) AllLinks(fn func(structure.Link) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	return each(st.links, func(l structure.Link) error { return fn(cloneLink(l)) })
}

// SetDefaultRule implements structure.Store.
func (tx *Tx) SetDefaultRule(o org.OrganisationID, enabled bool) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	put(tx, st.defaultRules, o, enabled)
	return nil
}

// DefaultRule implements structure.Store: true for an organisation that
// never set it.
func (tx *Tx) DefaultRule(o org.OrganisationID) (bool, error) {
	st, err := tx.read()
	if err != nil {
		return false, err
	}
	enabled, set := st.defaultRules[o]
	return enabled || !set, nil
}

// AllDefaultRules implements structure.Store.
func (tx *Tx) AllDefaultRules(fn func(org.OrganisationID, bool) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for o, enabled := range st.defaultRules {
		if err := fn(o, enabled); err != nil {
			return err
		}
	}
	return nil
}
