package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgspace/orgspace/internal/migrationtest"
	"github.com/orgspace/orgspace/storage"
)

// fileState is what a database file says about its schema and head.
type fileState struct {
	Migrations []migrationtest.Row
	Tables     []string
	Head       int64
}

// inspect reads the state of the database file at path through a
// connection of its own.
func inspect(t *testing.T, path string) fileState {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var s fileState
	rows, err := conn.Query(`SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m migrationtest.Row
		if err := rows.Scan(&m.Version, &m.Name, &m.Checksum, &m.AppliedAt); err != nil {
			t.Fatal(err)
		}
		s.Migrations = append(s.Migrations, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = conn.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.Tables = append(s.Tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(`SELECT revision FROM head`).Scan(&s.Head); err != nil {
		t.Fatal(err)
	}
	return s
}

// write runs statements on the file at path through the backend's writer.
func write(t *testing.T, path string, upTo *int, stmts ...string) {
	t.Helper()
	db, err := open(t.Context(), path, Options{}, upTo)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.writer.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestOpenUpgradesAVersion1FileAndKeepsItsRows(t *testing.T) {
	ctx := t.Context()
	ms := migrationtest.Load(t, migrationFiles)
	path := filepath.Join(t.TempDir(), "orgspace.db")
	s := migrationtest.NewVersion1()

	one := 1
	old, err := open(ctx, path, Options{}, &one)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Insert(ctx, func(ctx context.Context, q string, args ...any) error {
		_, err := old.writer.ExecContext(ctx, q, args...)
		return err
	})
	if cerr := old.Close(); err != nil || cerr != nil {
		t.Fatalf("insert the version-1 rows: %v; close: %v", err, cerr)
	}
	before := inspect(t, path)
	migrationtest.CheckRecorded(t, before.Migrations, ms[:1])

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("Open the version-1 file: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	after := inspect(t, path)
	migrationtest.CheckRecorded(t, after.Migrations, ms)
	if after.Migrations[0] != before.Migrations[0] {
		t.Errorf("the upgrade rewrote version 1's record: %+v, was %+v", after.Migrations[0], before.Migrations[0])
	}
	if after.Head != int64(s.Head) {
		t.Errorf("head = %d after the upgrade, want %d", after.Head, s.Head)
	}
	migrationtest.CheckUpgraded(t, db, s)
}

func TestOpenRefusesASchemaItDoesNotKnowAndLeavesTheFile(t *testing.T) {
	ms := migrationtest.Load(t, migrationFiles)
	tests := []struct {
		name   string
		change string
	}{
		{"a newer version", `INSERT INTO schema_migrations (version, name, checksum, applied_at)
			VALUES (` + strconv.Itoa(len(ms)+1) + `, '9999_from_the_future.sql', 'unknown', 1)`},
		{"a changed checksum", `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`},
		{"a renamed migration", `UPDATE schema_migrations SET name = '0002_renamed.sql' WHERE version = 2`},
		{"a gap in the record", `DELETE FROM schema_migrations WHERE version = 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "orgspace.db")
			write(t, path, nil, `UPDATE head SET revision = 7`, tc.change)
			before, raw := inspect(t, path), readFile(t, path)

			db, err := Open(t.Context(), path, Options{})
			if err == nil {
				_ = db.Close()
			}
			if !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Fatalf("Open = %v, want ErrFailedPrecondition", err)
			}
			if !bytes.Equal(readFile(t, path), raw) {
				t.Errorf("the refused Open changed the file's bytes")
			}
			if diff := gocmp.Diff(before, inspect(t, path)); diff != "" {
				t.Errorf("the refused Open changed the file (-before +after):\n%s", diff)
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenUpToDateAppliesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orgspace.db")
	write(t, path, nil)
	before := inspect(t, path)
	migrationtest.CheckRecorded(t, before.Migrations, migrationtest.Load(t, migrationFiles))
	time.Sleep(time.Millisecond) // a second run would record a later applied_at
	write(t, path, nil)
	if diff := gocmp.Diff(before, inspect(t, path)); diff != "" {
		t.Errorf("opening an up-to-date file changed it (-before +after):\n%s", diff)
	}
}

// A migration that fails rolls back with the others of its Open: the file
// stays at the version it had, with none of the failed step's tables.
func TestOpenWithAFailingMigrationKeepsTheOldSchema(t *testing.T) {
	ms := migrationtest.Load(t, migrationFiles)
	path := filepath.Join(t.TempDir(), "orgspace.db")
	one := 1
	// A table of migration 2's, made by hand, makes its CREATE TABLE fail
	// after the statements before it ran.
	write(t, path, &one, `CREATE TABLE favourites (user_id TEXT PRIMARY KEY)`)
	before := inspect(t, path)

	db, err := Open(t.Context(), path, Options{})
	if err == nil {
		_ = db.Close()
		t.Fatal("Open succeeded over a clashing table")
	}
	after := inspect(t, path)
	if diff := gocmp.Diff(before, after); diff != "" {
		t.Errorf("the failed upgrade left changes (-before +after):\n%s", diff)
	}
	migrationtest.CheckRecorded(t, after.Migrations, ms[:1])
}

func TestConcurrentOpenOfAFreshFileMigratesOnce(t *testing.T) {
	const n = 8
	ms := migrationtest.Load(t, migrationFiles)
	path := filepath.Join(t.TempDir(), "orgspace.db")
	var wg sync.WaitGroup
	dbs, errs := make([]*DB, n), make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			dbs[i], errs[i] = Open(t.Context(), path, Options{})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		// Every handle works on the one schema.
		if _, err := dbs[i].Update(t.Context(), func(tx *Tx) error {
			return tx.Append(storage.Entry{Time: migrationtest.T0, Actor: "system", Action: "test.open"})
		}); err != nil {
			t.Errorf("Update through handle %d: %v", i, err)
		}
	}
	for _, db := range dbs {
		if db != nil {
			if err := db.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		}
	}
	s := inspect(t, path)
	migrationtest.CheckRecorded(t, s.Migrations, ms)
	if want := int64(n - countErrs(errs)); s.Head != want {
		t.Errorf("head = %d after one write per handle, want %d", s.Head, want)
	}
	if diff := gocmp.Diff(freshTables(t), s.Tables, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("tables differ from a file opened alone (-want +got):\n%s", diff)
	}
}

func countErrs(errs []error) int {
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	return n
}

// freshTables lists the tables of a file that one Open made.
func freshTables(t *testing.T) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fresh.db")
	write(t, path, nil)
	return inspect(t, path).Tables
}
