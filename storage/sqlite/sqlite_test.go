package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// openTemp opens a fresh database in a file of t's temporary directory and
// closes it when t ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "orgspace.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Transactor[*Tx] { return openTemp(t) })
}
