package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/orgspace/orgspace/storage"
)

// Migration is one versioned step of a backend's schema: a file named
// NNNN_what.sql, applied once, in a transaction, in version order.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// Sum is the SHA-256 of SQL, recorded when applied: a migration that
	// changed after it ran is refused, not silently skipped.
	Sum string
}

// LoadMigrations reads the migrations in dir of fsys. Their versions must
// be 1, 2, 3, … with no gap or repeat.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for i, f := range files { // Glob sorts, and versions are zero-padded
		name := path.Base(f)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want the name %04d_<what>.sql", name, i+1)
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b), Sum: hex.EncodeToString(sum[:])})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// Migrate brings the schema up to the last of ms inside q, a transaction
// the backend has begun while holding its migration lock, and returns the
// versions it applied. It refuses a database whose schema is newer than ms
// or whose applied migrations differ from ms, with an error wrapping
// storage.ErrFailedPrecondition, and then changes nothing.
func Migrate(ctx context.Context, q Querier, d *Dialect, ms []Migration, now time.Time) ([]int, error) {
	fail := func(err error) ([]int, error) { return nil, fmt.Errorf("%s: migrate: %w", d.Name, err) }
	if _, err := q.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		checksum TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fail(err)
	}
	applied, err := appliedMigrations(ctx, q)
	if err != nil {
		return fail(err)
	}
	for _, a := range applied {
		if a.Version > len(ms) {
			return fail(fmt.Errorf("the database schema is at version %d, newer than this build of orgspace knows (%d): upgrade orgspace: %w",
				applied[len(applied)-1].Version, len(ms), storage.ErrFailedPrecondition))
		}
		if m := ms[a.Version-1]; m.Name != a.Name || m.Sum != a.Sum {
			return fail(fmt.Errorf("applied migration %d (%s) differs from this build's %s: %w", a.Version, a.Name, m.Name, storage.ErrFailedPrecondition))
		}
	}
	var done []int
	for _, m := range ms[len(applied):] {
		if _, err := q.Exec(ctx, m.SQL); err != nil {
			return fail(fmt.Errorf("%s: %w", m.Name, err))
		}
		if _, err := q.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
			m.Version, m.Name, m.Sum, now.UnixNano()); err != nil {
			return fail(fmt.Errorf("%s: %w", m.Name, err))
		}
		done = append(done, m.Version)
	}
	return done, nil
}

// appliedMigrations lists the recorded migrations by version; they must
// be 1, 2, 3, … as Migrate writes them.
func appliedMigrations(ctx context.Context, q Querier) ([]Migration, error) {
	rows, err := q.Query(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		if err := rows.Scan(&m.Version, &m.Name, &m.Sum); err != nil {
			return nil, err
		}
		if m.Version != len(out)+1 {
			return nil, fmt.Errorf("schema_migrations records version %d after %d: %w", m.Version, len(out), storage.ErrFailedPrecondition)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
