package postgres

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/storage/sqlite"
)

// The two backends share one store (internal/sqlstore), so their migration
// sets must build the same schema: the same migrations by version and
// name, and the same tables, columns, nullability, kinds of value, keys,
// indexes and foreign keys. Each is described as a sorted list of facts;
// the types compare by the kind of value the store writes (integer, text,
// bytes), since the dialects spell them differently.
func TestSchemaMatchesSQLite(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	db, err := Open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	want := sqliteSchemaFacts(t)
	got := postgresSchemaFacts(t, dsn, schema)
	if len(want) < 20 {
		t.Fatalf("the SQLite schema reads as %d facts: %q", len(want), want)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("the PostgreSQL schema differs from the SQLite one (-sqlite +postgres):\n%s", diff)
	}
}

// valueKinds maps each dialect's declared column types to the kind of
// value the store reads and writes through them.
var valueKinds = map[string]string{
	// SQLite
	"INTEGER": "integer", "BIGINT": "integer", "TEXT": "text", "BLOB": "bytes", "REAL": "float",
	// PostgreSQL (information_schema.columns.data_type); a Go bool is an
	// INTEGER in SQLite.
	"bigint": "integer", "integer": "integer", "smallint": "integer", "boolean": "integer",
	"text": "text", "bytea": "bytes", "double precision": "float",
}

func kindOf(t *testing.T, table, column, typ string) string {
	t.Helper()
	k, ok := valueKinds[typ]
	if !ok {
		t.Errorf("column %s.%s has type %q, which the parity test does not know", table, column, typ)
		return typ
	}
	return k
}

func columnFact(i int, table, name, kind string, notNull bool) string {
	null := "null"
	if notNull {
		null = "not null"
	}
	return fmt.Sprintf("column %s #%02d %s %s %s", table, i, name, kind, null)
}

func keyFact(kind, table string, cols []string) string {
	return fmt.Sprintf("%s %s (%s)", kind, table, strings.Join(cols, ", "))
}

func indexFact(name, table string, cols []string) string {
	return fmt.Sprintf("index %s on %s (%s)", name, table, strings.Join(cols, ", "))
}

func foreignKeyFact(table string, cols []string, ref string, refCols []string) string {
	return fmt.Sprintf("foreign key %s (%s) references %s (%s)", table, strings.Join(cols, ", "), ref, strings.Join(refCols, ", "))
}

func migrationFact(version int, name string) string {
	return fmt.Sprintf("migration %d %s", version, name)
}

// sqliteSchemaFacts describes the schema of a fresh SQLite file.
func sqliteSchemaFacts(t *testing.T) []string {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "orgspace.db")
	sdb, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sdb.Close(); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	query := func(q string, args []any, scan func(*sql.Rows) error) {
		t.Helper()
		rows, err := conn.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}

	var facts, tables []string
	query(`SELECT version, name FROM schema_migrations`, nil, func(r *sql.Rows) error {
		var v int
		var n string
		err := r.Scan(&v, &n)
		facts = append(facts, migrationFact(v, n))
		return err
	})
	query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`, nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		tables = append(tables, n)
		return err
	})
	for _, tbl := range tables {
		var pk []string // by position in the key
		query(`SELECT cid, name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, []any{tbl}, func(r *sql.Rows) error {
			var cid, notNull, pos int
			var name, typ string
			if err := r.Scan(&cid, &name, &typ, &notNull, &pos); err != nil {
				return err
			}
			// A key column is never NULL: declared so in PostgreSQL,
			// enforced without saying in SQLite's WITHOUT ROWID and
			// INTEGER PRIMARY KEY tables.
			facts = append(facts, columnFact(cid, tbl, name, kindOf(t, tbl, name, typ), notNull == 1 || pos > 0))
			if pos > 0 {
				pk = append(pk, fmt.Sprintf("%d %s", pos, name))
			}
			return nil
		})
		slices.Sort(pk)
		for i := range pk {
			_, pk[i], _ = strings.Cut(pk[i], " ")
		}
		facts = append(facts, keyFact("primary key", tbl, pk))

		type index struct{ name, origin string }
		var indexes []index
		query(`SELECT name, origin FROM pragma_index_list(?)`, []any{tbl}, func(r *sql.Rows) error {
			var ix index
			err := r.Scan(&ix.name, &ix.origin)
			indexes = append(indexes, ix)
			return err
		})
		for _, ix := range indexes {
			var cols []string
			query(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, []any{ix.name}, func(r *sql.Rows) error {
				var c string
				err := r.Scan(&c)
				cols = append(cols, c)
				return err
			})
			switch ix.origin {
			case "u":
				facts = append(facts, keyFact("unique", tbl, cols))
			case "c":
				facts = append(facts, indexFact(ix.name, tbl, cols))
			}
		}

		fks := map[int]*[3][]string{} // id → columns, referenced table, referenced columns
		query(`SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, []any{tbl}, func(r *sql.Rows) error {
			var id int
			var ref, from, to string
			if err := r.Scan(&id, &ref, &from, &to); err != nil {
				return err
			}
			if fks[id] == nil {
				fks[id] = &[3][]string{nil, {ref}, nil}
			}
			fks[id][0] = append(fks[id][0], from)
			fks[id][2] = append(fks[id][2], to)
			return nil
		})
		for _, fk := range fks {
			facts = append(facts, foreignKeyFact(tbl, fk[0], fk[1][0], fk[2]))
		}
	}
	slices.Sort(facts)
	return facts
}

// postgresSchemaFacts describes schema.
func postgresSchemaFacts(t *testing.T, dsn, schema string) []string {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	query := func(q string, scan func(pgx.Rows) error, args ...any) {
		t.Helper()
		rows, _ := conn.Query(ctx, q, args...)
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	var facts []string
	query(`SELECT version, name FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize(), func(r pgx.Rows) error {
		var v int
		var n string
		err := r.Scan(&v, &n)
		facts = append(facts, migrationFact(v, n))
		return err
	})
	position := map[string]int{} // columns seen per table
	query(`SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, func(r pgx.Rows) error {
		var tbl, name, typ string
		var notNull bool
		if err := r.Scan(&tbl, &name, &typ, &notNull); err != nil {
			return err
		}
		facts = append(facts, columnFact(position[tbl], tbl, name, kindOf(t, tbl, name, typ), notNull))
		position[tbl]++
		return nil
	}, schema)
	// Constraints: primary keys, unique keys and foreign keys, with their
	// columns in key order.
	query(`SELECT c.contype::text, tc.relname::text,
			array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
			coalesce(rc.relname::text, ''),
			array(SELECT a.attname::text FROM unnest(coalesce(c.confkey, '{}')) WITH ORDINALITY k(n, o)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)
		FROM pg_constraint c
		JOIN pg_class tc ON tc.oid = c.conrelid
		JOIN pg_namespace ns ON ns.oid = tc.relnamespace
		LEFT JOIN pg_class rc ON rc.oid = c.confrelid
		WHERE ns.nspname = $1 AND c.contype IN ('p', 'u', 'f')`, func(r pgx.Rows) error {
		var kind, tbl, ref string
		var cols, refCols []string
		if err := r.Scan(&kind, &tbl, &cols, &ref, &refCols); err != nil {
			return err
		}
		switch kind {
		case "p":
			facts = append(facts, keyFact("primary key", tbl, cols))
		case "u":
			facts = append(facts, keyFact("unique", tbl, cols))
		case "f":
			facts = append(facts, foreignKeyFact(tbl, cols, ref, refCols))
		}
		return nil
	}, schema)
	// Indexes made by CREATE INDEX: those that back no constraint.
	query(`SELECT ic.relname::text, tc.relname::text,
			array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o)
				JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o)
		FROM pg_index x
		JOIN pg_class ic ON ic.oid = x.indexrelid
		JOIN pg_class tc ON tc.oid = x.indrelid
		JOIN pg_namespace ns ON ns.oid = tc.relnamespace
		WHERE ns.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`, func(r pgx.Rows) error {
		var name, tbl string
		var cols []string
		err := r.Scan(&name, &tbl, &cols)
		facts = append(facts, indexFact(name, tbl, cols))
		return err
	}, schema)
	slices.Sort(facts)
	return facts
}
