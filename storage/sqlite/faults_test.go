package sqlite

import (
	"testing"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// TestFaults fails each statement and the commit of every write in turn,
// through the hook Update runs before them, and checks that the write
// changes nothing then.
func TestFaults(t *testing.T) {
	storagetest.RunFaults(t, func(t *testing.T, hook func(string) error) storage.Transactor[*Tx] {
		db := openTemp(t)
		db.hook = hook
		return db
	})
}
