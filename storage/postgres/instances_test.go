package postgres

import (
	"testing"

	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// Each instance has its own connection pool on one schema, as separate
// processes do.
func TestInstances(t *testing.T) {
	storagetest.RunInstances(t, func(t *testing.T, n int) []storage.Transactor[*Tx] {
		dsn := pgtest.DSN(t)
		opts := Options{Schema: pgtest.Schema(t, dsn)}
		handles := make([]storage.Transactor[*Tx], n)
		for i := range handles {
			db, err := Open(t.Context(), dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			handles[i] = db
		}
		return handles
	})
}
