package orgspace

import (
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/structure"
)

// Store is what a backend's transaction type implements: the Store of every
// domain package. It grows as domains are added; storage/storagetest checks
// that a backend implements it faithfully.
type Store interface {
	// structure.Store embeds access.Store, which embeds org.Store.
	structure.Store
	// billing.Store embeds org.Store too.
	billing.Store
}
