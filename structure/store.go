package structure

import (
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// Store is what package structure needs from a backend transaction:
// access.Store plus websites, programs, custom links and the default rule.
// Lookups return storage.ErrNotFound when nothing matches; inserts return
// storage.ErrAlreadyExists when the ID is taken. Listings are ordered by
// ID. As in org.Store, the All methods stream to fn, which must not call
// the Store.
//
// Values round-trip exactly: a link's lists come back in the order they
// were written (the Service writes them sorted, without repeats), an empty
// list as nil, and every value in or out is a copy. Updates write only
// what may change (a component's name and archived flag; a link's name,
// selections and UpdatedAt); nothing moves to another account or
// organisation. The store checks references only as far as its schema
// does: the Service validates every ID before it writes.
type Store interface {
	access.Store

	InsertWebsite(w Website) error
	// UpdateWebsite replaces a website (name, archived); it never moves
	// one to another account.
	UpdateWebsite(w Website) error
	Website(id WebsiteID) (Website, error)
	// WebsitesOfOrg lists an organisation's websites, archived included.
	WebsitesOfOrg(o org.OrganisationID) ([]Website, error)
	// AllWebsites calls fn for every website, in no particular order.
	AllWebsites(fn func(Website) error) error

	InsertProgram(p Program) error
	// UpdateProgram replaces a program (name, archived).
	UpdateProgram(p Program) error
	Program(id ProgramID) (Program, error)
	// ProgramsOfOrg lists an organisation's programs, archived included.
	ProgramsOfOrg(o org.OrganisationID) ([]Program, error)
	// AllPrograms calls fn for every program, in no particular order.
	AllPrograms(fn func(Program) error) error

	InsertLink(l Link) error
	// UpdateLink replaces a link's name and selections.
	UpdateLink(l Link) error
	// DeleteLink removes a link; ErrNotFound when there is none.
	DeleteLink(id LinkID) error
	Link(id LinkID) (Link, error)
	// LinksOfOrg lists an organisation's custom links.
	LinksOfOrg(o org.OrganisationID) ([]Link, error)
	// AllLinks calls fn for every link, in no particular order.
	AllLinks(fn func(Link) error) error

	// SetDefaultRule stores whether the organisation's default rule is
	// enabled.
	SetDefaultRule(o org.OrganisationID, enabled bool) error
	// DefaultRule returns it: true for an organisation that never set it.
	DefaultRule(o org.OrganisationID) (bool, error)
	// AllDefaultRules calls fn for every organisation that set its rule.
	AllDefaultRules(fn func(o org.OrganisationID, enabled bool) error) error
}
