package bench

import (
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// Engine is one authorisation library loaded with a [Set]. Its answers
// follow orgspace's rule on that set: an Owner holds every permission on
// every account of their organisation; a grant gives its role's
// permissions on its account; nothing else allows.
type Engine interface {
	// Check reports whether user holds permission p on account.
	Check(user org.UserID, account org.AccountID, p access.Permission) (bool, error)
	// AccountsOf returns the accounts user can open (through a grant or
	// as an Owner), each once, in the library's own order.
	AccountsOf(user org.UserID) ([]org.AccountID, error)
	// UsersOfAccount returns the users holding a grant on account, each
	// once, in the library's own order. Owners of the account's
	// organisation who hold no grant on it are not listed.
	UsersOfAccount(account org.AccountID) ([]org.UserID, error)
	// SetRole changes the role of the grant user holds on account from one
	// role to the other.
	SetRole(user org.UserID, account org.AccountID, from, to access.RoleID) error
}

// Source is a Set in one library's own input form (a loaded store, policy
// lines, relationship tuples), prepared once and untimed.
type Source interface {
	// Build builds a new Engine from the source: what the build benchmark
	// times.
	Build() (Engine, error)
}

// Library is one library under comparison.
type Library struct {
	// Name names the library in benchmark names and tables.
	Name string
	// Module is its Go module path, whose version the tables report.
	Module string
	// Prepare turns a Set into the library's Source.
	Prepare func(s *Set) (Source, error)
	// Tenth says that the library is measured on the tenth set (Tenth),
	// the full one being impractical for it, and cross-checked on it.
	Tenth bool
}

// Label names the library in benchmark names and tables: its name, with
// "-tenth" when it is measured on the tenth set.
func (l Library) Label() string {
	if l.Tenth {
		return l.Name + "-tenth"
	}
	return l.Name
}

// Libraries are the libraries compared, orgspace first.
func Libraries() []Library {
	return []Library{
		{Name: "orgspace", Module: "github.com/orgspace/orgspace", Prepare: prepareOrgspace},
		{Name: "casbin", Module: "github.com/casbin/casbin/v2", Prepare: prepareCasbin},
		// OpenFGA's memory datastore loads the full set in about 24
		// minutes and scans every tuple on each read: see prepareOpenFGA.
		{Name: "openfga", Module: "github.com/openfga/openfga", Prepare: prepareOpenFGA, Tenth: true},
	}
}
