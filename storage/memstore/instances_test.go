package memstore_test

import (
	"testing"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// A memstore database lives in one process's memory, so its instances
// share the one value.
func TestInstances(t *testing.T) {
	storagetest.RunInstances(t, func(t *testing.T, n int) []storage.Transactor[*memstore.Tx] {
		db := memstore.New()
		handles := make([]storage.Transactor[*memstore.Tx], n)
		for i := range handles {
			handles[i] = db
		}
		return handles
	})
}
