package structure

import (
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// ErrStructureUnavailable: the organisation does not have at least one
// Engage and one Loyalty account, so it has no structure. It wraps
// storage.ErrFailedPrecondition.
var ErrStructureUnavailable = fmt.Errorf("structure unavailable: the organisation needs an Engage and a Loyalty account: %w", storage.ErrFailedPrecondition)

// WebsiteID identifies a website; it is org.WebsiteID, so a grant limited
// to websites (package access) names the same identifiers.
type WebsiteID = org.WebsiteID

// Identifiers of the objects of this package.
type (
	ProgramID string
	LinkID    string
)

// ID prefixes of new objects.
const (
	websitePrefix = "web"
	programPrefix = "prg"
	linkPrefix    = "lnk"
)

// Website is a website (or subdomain) of an Engage account: where its
// campaigns are published.
type Website struct {
	ID      WebsiteID
	Org     org.OrganisationID
	Account org.AccountID
	Name    string
	// Archived websites share nothing and are listed only on request; an
	// explicit link keeps them, so unarchiving one restores its links.
	Archived  bool
	CreatedAt time.Time
}

// Program is a loyalty program of a Loyalty account.
type Program struct {
	ID      ProgramID
	Org     org.OrganisationID
	Account org.AccountID
	Name    string
	// Archived programs share nothing, as archived websites.
	Archived  bool
	CreatedAt time.Time
}

// Selection is one side of a link: which websites, or which programs, it
// selects. All selects every component of the organisation, those added
// later included; otherwise it selects every component of Accounts (later
// ones included) and the components listed in Items (later ones not).
// A selection selects something: All, or at least one account or item.
type Selection[ID ~string] struct {
	All      bool
	Accounts []org.AccountID
	Items    []ID
}

// Selects reports whether s selects the component id of account a.
func (s Selection[ID]) Selects(id ID, a org.AccountID) bool {
	return s.All || slices.Contains(s.Accounts, a) || slices.Contains(s.Items, id)
}

// IsEmpty reports whether s selects nothing.
func (s Selection[ID]) IsEmpty() bool {
	return !s.All && len(s.Accounts) == 0 && len(s.Items) == 0
}

// Link is a custom organisation-level link: the data of the websites it
// selects is shared with the programs it selects.
type Link struct {
	ID  LinkID
	Org org.OrganisationID
	// Name is optional: what Explain shows, with the ID.
	Name      string
	Websites  Selection[WebsiteID]
	Programs  Selection[ProgramID]
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Basis says what decided whether a website shares with a program.
type Basis uint8

// The bases of a Decision.
const (
	// ByLink: a custom link selects both (the Decision names it).
	ByLink Basis = iota + 1
	// NoLink: custom links exist and none selects both.
	NoLink
	// DefaultEnabled: no custom link exists and the default rule is enabled.
	DefaultEnabled
	// DefaultDisabled: no custom link exists and the default rule is disabled.
	DefaultDisabled
	// Archived: the website or the program is archived.
	Archived
	// OtherOrganisation: the website and the program are of different
	// organisations, or one of them is unknown.
	OtherOrganisation
)

var basisNames = [...]string{
	ByLink:            "a custom link selects both",
	NoLink:            "no custom link selects both",
	DefaultEnabled:    "no custom link exists and the default rule is enabled",
	DefaultDisabled:   "no custom link exists and the default rule is disabled",
	Archived:          "the website or the program is archived",
	OtherOrganisation: "the website and the program are not of one organisation",
}

// String describes the basis in words.
func (b Basis) String() string {
	if int(b) < len(basisNames) && basisNames[b] != "" {
		return basisNames[b]
	}
	return fmt.Sprintf("basis(%d)", b)
}

// Decision is whether a website shares its data with a program, and why.
type Decision struct {
	Shared bool
	Basis  Basis
	// Link is the deciding link when Basis is ByLink: the first, by ID, of
	// those selecting both.
	Link LinkID
}

// Evaluate decides, directly from the organisation's links and default
// rule, whether website w shares its data with program p. It is the rule
// itself, in its plainest form: with at least one custom link, w shares
// with p exactly when some link selects both, whatever the default rule
// says; with none, everything is shared when the default rule is enabled
// and nothing when it is disabled. Archived components share nothing.
// The compiled form answers the same, faster.
func Evaluate(links []Link, defaultRule bool, w Website, p Program) Decision {
	switch {
	case w.Org == "" || w.Org != p.Org:
		return Decision{Basis: OtherOrganisation}
	case w.Archived || p.Archived:
		return Decision{Basis: Archived}
	}
	var found LinkID
	n := 0
	for _, l := range links {
		if l.Org != w.Org {
			continue
		}
		n++
		if l.Websites.Selects(w.ID, w.Account) && l.Programs.Selects(p.ID, p.Account) && (found == "" || l.ID < found) {
			found = l.ID
		}
	}
	switch {
	case found != "":
		return Decision{Shared: true, Basis: ByLink, Link: found}
	case n > 0:
		return Decision{Basis: NoLink}
	case defaultRule:
		return Decision{Shared: true, Basis: DefaultEnabled}
	}
	return Decision{Basis: DefaultDisabled}
}
