package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// Each instance opens the one file on its own, as separate processes do.
func TestInstances(t *testing.T) {
	storagetest.RunInstances(t, func(t *testing.T, n int) []storage.Transactor[*Tx] {
		path := filepath.Join(t.TempDir(), "orgspace.db")
		handles := make([]storage.Transactor[*Tx], n)
		for i := range handles {
			db, err := Open(t.Context(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Errorf("close handle %d: %v", i, err)
				}
			})
			handles[i] = db
		}
		return handles
	})
}
