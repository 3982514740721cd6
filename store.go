package orgspace

import (
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/structure"
)

// Store is what a backend's transaction type implements: the Store of every
// domain package. It grows as domains are added; storage/storagetest checks
// that a backend implements it faithfully.
type Store interface {
	// structure.Store embeds access.Store, which embeds org.Store.
	structure.Store
	// community.Store embeds billing.Store, which embeds org.Store too.
	community.Store
}
