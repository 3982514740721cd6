package postgres

import (
	"testing"

	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/storagetest"
)

// openTemp opens a database in a fresh schema of the test server and
// closes it when t ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	dsn := pgtest.DSN(t)
	db, err := Open(t.Context(), dsn, Options{Schema: pgtest.Schema(t, dsn)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Transactor[*Tx] { return openTemp(t) })
}
