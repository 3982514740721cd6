package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/orgspace/orgspace/storage"
)

// files makes a MapFS of the given name → content pairs.
func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestLoadMigrationsReadsVersionsInOrder(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		names []string
	}{
		{"one", files("m/0001_a.sql", "A"), []string{"0001_a.sql"}},
		{"written out of order", files("m/0002_b.sql", "B", "m/0001_a.sql", "A", "m/0003_c.sql", "C"),
			[]string{"0001_a.sql", "0002_b.sql", "0003_c.sql"}},
		{"ten zero-padded versions sort by number",
			files("m/0001_a.sql", "1", "m/0002_a.sql", "2", "m/0003_a.sql", "3", "m/0004_a.sql", "4", "m/0005_a.sql", "5",
				"m/0006_a.sql", "6", "m/0007_a.sql", "7", "m/0008_a.sql", "8", "m/0009_a.sql", "9", "m/0010_a.sql", "10"),
			[]string{"0001_a.sql", "0002_a.sql", "0003_a.sql", "0004_a.sql", "0005_a.sql", "0006_a.sql", "0007_a.sql",
				"0008_a.sql", "0009_a.sql", "0010_a.sql"}},
		{"files that are not .sql are ignored",
			files("m/0001_a.sql", "A", "m/README.md", "x", "m/0002_b.sql.orig", "x", "m/0002_b.SQL", "x", "m/0003_c.txt", "x"),
			[]string{"0001_a.sql"}},
		{"files in other directories are ignored",
			files("m/0001_a.sql", "A", "m/old/0002_b.sql", "B", "0002_b.sql", "B", "n/0002_b.sql", "B"),
			[]string{"0001_a.sql"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := LoadMigrations(tc.fsys, "m")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, m := range ms {
				names = append(names, m.Name)
				if m.Version != i+1 {
					t.Errorf("migration %d (%s) has version %d", i, m.Name, m.Version)
				}
				if want := string(tc.fsys["m/"+m.Name].Data); m.SQL != want {
					t.Errorf("%s: SQL = %q, want the file's %q", m.Name, m.SQL, want)
				}
				if m.Sum != sum(m.SQL) {
					t.Errorf("%s: Sum = %s, want the SHA-256 of its SQL %s", m.Name, m.Sum, sum(m.SQL))
				}
			}
			if !slices.Equal(names, tc.names) {
				t.Errorf("names = %q, want %q", names, tc.names)
			}
		})
	}
}

func TestLoadMigrationsRefusesBadSets(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"empty directory", files("m/README.md", "x")},
		{"missing directory", files("other/0001_a.sql", "A")},
		{"does not start at 1", files("m/0002_b.sql", "B")},
		{"starts at 0", files("m/0000_z.sql", "Z", "m/0001_a.sql", "A")},
		{"a gap", files("m/0001_a.sql", "A", "m/0003_c.sql", "C")},
		{"a repeated version", files("m/0001_a.sql", "A", "m/0001_b.sql", "B")},
		{"the same version padded two ways", files("m/0001_a.sql", "A", "m/001_b.sql", "B")},
		{"no underscore", files("m/0001.sql", "A")},
		{"no number", files("m/init_a.sql", "A")},
		{"a name that is only the extension", files("m/.sql", "A")},
		{"unpadded versions past 9 sort out of order",
			files("m/1_a.sql", "1", "m/2_a.sql", "2", "m/3_a.sql", "3", "m/4_a.sql", "4", "m/5_a.sql", "5",
				"m/6_a.sql", "6", "m/7_a.sql", "7", "m/8_a.sql", "8", "m/9_a.sql", "9", "m/10_a.sql", "10")},
		{"a directory named like a migration", files("m/0001_a.sql", "A", "m/0002_b.sql/x", "B")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ms, err := LoadMigrations(tc.fsys, "m"); err == nil {
				t.Errorf("LoadMigrations = %d migrations, want an error", len(ms))
			}
		})
	}
}

// What LoadMigrations accepts beyond the documented NNNN_what.sql: the
// version is any integer strconv.Atoi reads, so padding is not required
// and a sign is allowed, as long as the sorted names count 1, 2, 3, ….
// This test pins the behaviour so that tightening it is a visible choice.
func TestLoadMigrationsAcceptsLooseVersionSpellings(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		names []string
	}{
		{"unpadded", files("m/1_a.sql", "A", "m/2_b.sql", "B"), []string{"1_a.sql", "2_b.sql"}},
		{"mixed padding", files("m/0001_a.sql", "A", "m/2_b.sql", "B"), []string{"0001_a.sql", "2_b.sql"}},
		{"a plus sign", files("m/+1_a.sql", "A", "m/0002_b.sql", "B"), []string{"+1_a.sql", "0002_b.sql"}},
		{"nothing after the underscore", files("m/0001_.sql", "A"), []string{"0001_.sql"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := LoadMigrations(tc.fsys, "m")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range ms {
				names = append(names, m.Name)
			}
			if !slices.Equal(names, tc.names) {
				t.Errorf("names = %q, want %q", names, tc.names)
			}
		})
	}
}

// LoadMigrations never panics; it returns an error or migrations 1..n,
// one per .sql file of the directory, in name order, each with its
// file's content and that content's SHA-256.
func FuzzLoadMigrations(f *testing.F) {
	f.Add("0001_a.sql\n0002_b.sql", []byte("CREATE TABLE a (x INTEGER);\x00CREATE TABLE b (y TEXT);"))
	f.Add("0002_b.sql\n0001_a.sql\nREADME", []byte("B\x00A\x00readme"))
	f.Add("0001_a.sql\n0001_b.sql", []byte("x"))
	f.Add("1_a.sql\n10_b.sql", []byte(""))
	f.Add("+1_a.sql\n-2_b.sql", []byte("x\x00y"))
	f.Add("0001_a.sql/x\n0001_a.sql", []byte("x"))
	f.Add(".sql\n_.sql\n0_.sql", []byte("\xff\xfe"))
	f.Add("99999999999999999999_a.sql", []byte("x"))
	f.Fuzz(func(t *testing.T, names string, contents []byte) {
		const dir = "m"
		bodies := strings.Split(string(contents), "\x00")
		fsys := fstest.MapFS{}
		for i, n := range strings.Split(names, "\n") {
			p := path.Join(dir, n)
			// MapFS holds valid paths only, and a file cannot also be a
			// directory: keep the first of two such names.
			if !fs.ValidPath(p) || !strings.HasPrefix(p, dir+"/") || clashes(fsys, p) {
				continue
			}
			fsys[p] = &fstest.MapFile{Data: []byte(bodies[i%len(bodies)])}
		}
		ms, err := LoadMigrations(fsys, dir)
		if err != nil {
			return
		}
		var want []string // the .sql files right in dir
		for p := range fsys {
			if path.Dir(p) == dir && strings.HasSuffix(p, ".sql") {
				want = append(want, path.Base(p))
			}
		}
		slices.Sort(want)
		if len(ms) == 0 || len(ms) != len(want) {
			t.Fatalf("LoadMigrations = %d migrations from the files %q", len(ms), want)
		}
		for i, m := range ms {
			if m.Version != i+1 || m.Name != want[i] {
				t.Fatalf("migration %d = version %d %q, want version %d %q", i, m.Version, m.Name, i+1, want[i])
			}
			num, _, _ := strings.Cut(m.Name, "_")
			if v, err := strconv.Atoi(num); err != nil || v != m.Version {
				t.Fatalf("migration %q has version %d, but its name says %q", m.Name, m.Version, num)
			}
			if data := string(fsys[path.Join(dir, m.Name)].Data); m.SQL != data || m.Sum != sum(data) {
				t.Fatalf("migration %q: SQL or Sum does not match the file", m.Name)
			}
		}
	})
}

// clashes reports whether p would be both a file and a directory of fsys.
func clashes(fsys fstest.MapFS, p string) bool {
	for q := range fsys {
		if q == p || strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

// fakeDB is a Querier that understands the statements Migrate sends about
// schema_migrations and records every other statement as a migration run.
type fakeDB struct {
	recorded []fakeRow
	ran      []string
	failOn   string // a migration statement that fails
	failRead bool   // reading schema_migrations fails
}

type fakeRow struct {
	version   int
	name, sum string
	appliedAt int64
}

var errFake = errors.New("fake database error")

func (db *fakeDB) Exec(_ context.Context, query string, args ...any) (int64, error) {
	switch {
	case strings.HasPrefix(query, "CREATE TABLE IF NOT EXISTS schema_migrations"):
		return 0, nil
	case strings.HasPrefix(query, "INSERT INTO schema_migrations"):
		if len(args) != 4 {
			return 0, fmt.Errorf("insert with %d arguments", len(args))
		}
		db.recorded = append(db.recorded, fakeRow{args[0].(int), args[1].(string), args[2].(string), args[3].(int64)})
		return 1, nil
	case query == db.failOn:
		return 0, errFake
	}
	db.ran = append(db.ran, query)
	return 0, nil
}

func (db *fakeDB) Query(_ context.Context, query string, _ ...any) (Rows, error) {
	if !strings.HasPrefix(query, "SELECT version, name, checksum FROM schema_migrations ORDER BY version") {
		return nil, fmt.Errorf("unexpected query %q", query)
	}
	if db.failRead {
		return nil, errFake
	}
	rows := slices.Clone(db.recorded)
	slices.SortFunc(rows, func(a, b fakeRow) int { return a.version - b.version })
	return &fakeRows{rows: rows, i: -1}, nil
}

type fakeRows struct {
	rows []fakeRow
	i    int
}

func (r *fakeRows) Next() bool { r.i++; return r.i < len(r.rows) }
func (r *fakeRows) Err() error { return nil }
func (r *fakeRows) Close()     {}
func (r *fakeRows) Scan(dest ...any) error {
	row := r.rows[r.i]
	*dest[0].(*int), *dest[1].(*string), *dest[2].(*string) = row.version, row.name, row.sum
	return nil
}

var testDialect = &Dialect{Name: "fake", Classify: func(error) error { return nil }}

// testMigrations are three migrations whose SQL is their name.
func testMigrations(t *testing.T) []Migration {
	t.Helper()
	ms, err := LoadMigrations(files("m/0001_a.sql", "SQL a", "m/0002_b.sql", "SQL b", "m/0003_c.sql", "SQL c"), "m")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestMigrateAppliesTheMissingMigrationsInOrder(t *testing.T) {
	ctx := t.Context()
	ms := testMigrations(t)
	t0 := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	db := &fakeDB{}

	done, err := Migrate(ctx, db, testDialect, ms[:1], t0)
	if err != nil || !slices.Equal(done, []int{1}) {
		t.Fatalf("Migrate(first) = %v, %v; want [1]", done, err)
	}
	done, err = Migrate(ctx, db, testDialect, ms, t0.Add(time.Hour))
	if err != nil || !slices.Equal(done, []int{2, 3}) {
		t.Fatalf("Migrate(all) = %v, %v; want [2 3]", done, err)
	}
	if want := []string{"SQL a", "SQL b", "SQL c"}; !slices.Equal(db.ran, want) {
		t.Errorf("ran %q, want %q", db.ran, want)
	}
	for i, r := range db.recorded {
		m := ms[i]
		at := t0.Add(time.Hour).UnixNano()
		if i == 0 {
			at = t0.UnixNano()
		}
		if r != (fakeRow{m.Version, m.Name, m.Sum, at}) {
			t.Errorf("recorded %+v, want version %d %s %s at %d", r, m.Version, m.Name, m.Sum, at)
		}
	}
	done, err = Migrate(ctx, db, testDialect, ms, t0.Add(2*time.Hour))
	if err != nil || len(done) != 0 || len(db.ran) != 3 || len(db.recorded) != 3 {
		t.Errorf("Migrate on an up-to-date schema = %v, %v; ran %d, recorded %d", done, err, len(db.ran), len(db.recorded))
	}
}

func TestMigrateRefusesASchemaItDoesNotKnow(t *testing.T) {
	ms := testMigrations(t)
	rec := func(rows ...fakeRow) []fakeRow { return rows }
	row := func(m Migration) fakeRow { return fakeRow{m.Version, m.Name, m.Sum, 1} }
	tests := []struct {
		name     string
		recorded []fakeRow
	}{
		{"a newer version", rec(row(ms[0]), row(ms[1]), row(ms[2]), fakeRow{4, "0004_d.sql", sum("SQL d"), 1})},
		{"a changed checksum", rec(row(ms[0]), fakeRow{2, ms[1].Name, sum("SQL b, edited"), 1})},
		{"a renamed migration", rec(row(ms[0]), fakeRow{2, "0002_renamed.sql", ms[1].Sum, 1})},
		{"a gap in the record", rec(row(ms[0]), row(ms[2]))},
		{"a record that does not start at 1", rec(row(ms[1]))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := &fakeDB{recorded: slices.Clone(tc.recorded)}
			done, err := Migrate(t.Context(), db, testDialect, ms, time.Now())
			if !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Errorf("Migrate = %v, %v; want ErrFailedPrecondition", done, err)
			}
			if len(db.ran) != 0 || !slices.Equal(db.recorded, tc.recorded) {
				t.Errorf("a refused Migrate ran %q and left the record %+v", db.ran, db.recorded)
			}
		})
	}
}

func TestMigrateStopsAtAFailingMigration(t *testing.T) {
	ms := testMigrations(t)
	db := &fakeDB{failOn: "SQL b"}
	done, err := Migrate(t.Context(), db, testDialect, ms, time.Now())
	if !errors.Is(err, errFake) || !strings.Contains(err.Error(), ms[1].Name) || done != nil {
		t.Errorf("Migrate = %v, %v; want the database error naming %s", done, err, ms[1].Name)
	}
	if !slices.Equal(db.ran, []string{"SQL a"}) || len(db.recorded) != 1 {
		t.Errorf("after the failure: ran %q, recorded %d; want only the first", db.ran, len(db.recorded))
	}
	if _, err := Migrate(t.Context(), &fakeDB{failRead: true}, testDialect, ms, time.Now()); !errors.Is(err, errFake) {
		t.Errorf("Migrate with an unreadable schema_migrations = %v, want the database error", err)
	}
}
