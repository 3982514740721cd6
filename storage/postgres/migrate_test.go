package postgres

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/internal/migrationtest"
	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/storage"
)

// schemaState is what a schema says about its migrations, tables and head.
type schemaState struct {
	Migrations []migrationtest.Row
	Tables     []string
	Head       int64
}

// inspect reads the state of schema through a connection of its own.
func inspect(t *testing.T, dsn, schema string) schemaState {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var s schemaState
	rows, _ := conn.Query(ctx, `SELECT version, name, checksum, applied_at FROM `+
		pgx.Identifier{schema, "schema_migrations"}.Sanitize()+` ORDER BY version`)
	if s.Migrations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[migrationtest.Row]); err != nil {
		t.Fatal(err)
	}
	rows, _ = conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
	if s.Tables, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT revision FROM `+pgx.Identifier{schema, "head"}.Sanitize()).Scan(&s.Head); err != nil {
		t.Fatal(err)
	}
	return s
}

// write opens schema with the first upTo migrations (all when nil) and
// runs statements in it.
func write(t *testing.T, dsn, schema string, upTo *int, stmts ...string) {
	t.Helper()
	db, err := open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2}, upTo)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.pool.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestOpenUpgradesAVersion1SchemaAndKeepsItsRows(t *testing.T) {
	ctx := t.Context()
	ms := migrationtest.Load(t, migrationFiles)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	s := migrationtest.NewVersion1()

	one := 1
	old, err := open(ctx, dsn, Options{Schema: schema, MaxConns: 2}, &one)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, old.pool, func(tx pgx.Tx) error {
		return s.Insert(ctx, func(ctx context.Context, q string, args ...any) error {
			_, err := tx.Exec(ctx, q, args...)
			return err
		})
	})
	old.Close()
	if err != nil {
		t.Fatalf("insert the version-1 rows: %v", err)
	}
	before := inspect(t, dsn, schema)
	migrationtest.CheckRecorded(t, before.Migrations, ms[:1])

	db, err := Open(ctx, dsn, Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatalf("Open the version-1 schema: %v", err)
	}
	t.Cleanup(db.Close)
	after := inspect(t, dsn, schema)
	migrationtest.CheckRecorded(t, after.Migrations, ms)
	if after.Migrations[0] != before.Migrations[0] {
		t.Errorf("the upgrade rewrote version 1's record: %+v, was %+v", after.Migrations[0], before.Migrations[0])
	}
	if after.Head != int64(s.Head) {
		t.Errorf("head = %d after the upgrade, want %d", after.Head, s.Head)
	}
	migrationtest.CheckUpgraded(t, db, s)
}

func TestOpenRefusesASchemaItDoesNotKnowAndLeavesIt(t *testing.T) {
	ms := migrationtest.Load(t, migrationFiles)
	dsn := pgtest.DSN(t)
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
			schema := pgtest.Schema(t, dsn)
			write(t, dsn, schema, nil, `UPDATE head SET revision = 7`, tc.change)
			before := inspect(t, dsn, schema)

			db, err := Open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2})
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Fatalf("Open = %v, want ErrFailedPrecondition", err)
			}
			if diff := gocmp.Diff(before, inspect(t, dsn, schema)); diff != "" {
				t.Errorf("the refused Open changed the schema (-before +after):\n%s", diff)
			}
		})
	}
}

func TestOpenUpToDateAppliesNothing(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	write(t, dsn, schema, nil)
	before := inspect(t, dsn, schema)
	migrationtest.CheckRecorded(t, before.Migrations, migrationtest.Load(t, migrationFiles))
	time.Sleep(time.Millisecond) // a second run would record a later applied_at
	write(t, dsn, schema, nil)
	if diff := gocmp.Diff(before, inspect(t, dsn, schema)); diff != "" {
		t.Errorf("opening an up-to-date schema changed it (-before +after):\n%s", diff)
	}
}

// A migration that fails rolls back with the others of its Open: the
// schema stays at the version it had, with none of the failed step's
// tables.
func TestOpenWithAFailingMigrationKeepsTheOldSchema(t *testing.T) {
	ms := migrationtest.Load(t, migrationFiles)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	one := 1
	// A table of migration 2's, made by hand, makes its CREATE TABLE fail
	// after the statements before it ran.
	write(t, dsn, schema, &one, `CREATE TABLE favourites (user_id TEXT PRIMARY KEY)`)
	before := inspect(t, dsn, schema)

	db, err := Open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2})
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded over a clashing table")
	}
	after := inspect(t, dsn, schema)
	if diff := gocmp.Diff(before, after); diff != "" {
		t.Errorf("the failed upgrade left changes (-before +after):\n%s", diff)
	}
	migrationtest.CheckRecorded(t, after.Migrations, ms[:1])
}

// Instances that start together on a fresh schema queue on the migration
// lock: the first creates the schema and migrates, the others find it
// done. The lock holds also when instances name the schema differently:
// some by Options.Schema, others by the DSN's search_path.
func TestConcurrentOpenOfAFreshSchemaMigratesOnce(t *testing.T) {
	t.Run("named by Options.Schema", func(t *testing.T) {
		testConcurrentOpen(t, false)
	})
	t.Run("named by Options.Schema or by search_path", func(t *testing.T) {
		testConcurrentOpen(t, true)
	})
}

func testConcurrentOpen(t *testing.T, bySearchPath bool) {
	const n = 8
	ms := migrationtest.Load(t, migrationFiles)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	opts := func(i int) (string, Options) {
		if bySearchPath && i%2 == 1 {
			return withSearchPath(t, dsn, schema), Options{MaxConns: 2}
		}
		return dsn, Options{Schema: schema, MaxConns: 2}
	}
	if bySearchPath {
		// search_path names only a schema that exists: create it, empty.
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(t.Context(), `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
		conn.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	dbs, errs := make([]*DB, n), make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			d, o := opts(i)
			dbs[i], errs[i] = Open(t.Context(), d, o)
		})
	}
	close(start)
	wg.Wait()
	writes := 0
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
			continue
		}
		writes++
	}
	for _, db := range dbs {
		if db != nil {
			db.Close()
		}
	}
	s := inspect(t, dsn, schema)
	migrationtest.CheckRecorded(t, s.Migrations, ms)
	if s.Head != int64(writes) {
		t.Errorf("head = %d after one write per handle, want %d", s.Head, writes)
	}
	other := pgtest.Schema(t, dsn)
	write(t, dsn, other, nil)
	if diff := gocmp.Diff(inspect(t, dsn, other).Tables, s.Tables); diff != "" {
		t.Errorf("tables differ from a schema opened alone (-want +got):\n%s", diff)
	}
}

// withSearchPath returns dsn with its search_path set to schema.
func withSearchPath(t *testing.T, dsn, schema string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
