package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/storage/postgres"
	"github.com/orgspace/orgspace/storage/sqlite"
)

// Where the quickstart keeps its data unless told otherwise.
const (
	defaultPath   = "orgspace-quickstart.db"
	defaultSchema = "orgspace_quickstart"
)

// options choose the backend: memory when Memory is set, else PostgreSQL
// when DSN is set, else the SQLite file at Path.
type options struct {
	Memory bool
	Path   string
	DSN    string
	Schema string
	// Reset deletes the SQLite file, or drops the PostgreSQL schema, first.
	Reset bool
}

// header is the first line of the output: which backend, and where.
func header(o options) string {
	switch {
	case o.Memory:
		return "Backend: in memory (nothing survives the run)"
	case o.DSN != "":
		where := "PostgreSQL"
		if cfg, err := pgx.ParseConfig(o.DSN); err == nil {
			// Host and database only: a DSN may hold a password.
			where = fmt.Sprintf("PostgreSQL database %s on %s:%d", cfg.Database, cfg.Host, cfg.Port)
		}
		return fmt.Sprintf("Backend: %s, schema %s", where, o.Schema)
	default:
		return "Backend: SQLite file " + o.Path
	}
}

// openBackend is the one place that chooses the storage backend.
func openBackend(ctx context.Context, o options, cfg orgspace.Config) (space *orgspace.Space, closeFn func() error, err error) {
	switch {
	case o.Memory:
		space, err = orgspace.Open(ctx, memstore.New(), cfg)
		return space, func() error { return nil }, err
	case o.DSN != "":
		if o.Schema == "" {
			return nil, nil, errors.New("-schema must name a schema")
		}
		db, err := postgres.Open(ctx, o.DSN, postgres.Options{Schema: o.Schema})
		if err != nil {
			return nil, nil, err
		}
		closeFn = func() error { db.Close(); return nil }
		if space, err = orgspace.Open(ctx, db, cfg); err != nil {
			_ = closeFn()
			return nil, nil, err
		}
		return space, closeFn, nil
	default:
		db, err := sqlite.Open(ctx, o.Path, sqlite.Options{})
		if err != nil {
			return nil, nil, err
		}
		if space, err = orgspace.Open(ctx, db, cfg); err != nil {
			_ = db.Close()
			return nil, nil, err
		}
		return space, db.Close, nil
	}
}

// reset deletes what an earlier run kept: the SQLite file with its WAL and
// shared-memory companions, or the PostgreSQL schema with everything in it.
func reset(ctx context.Context, o options) error {
	switch {
	case o.Memory:
		return nil
	case o.DSN != "":
		// Dropping public (or the search_path's schema) could take tables
		// that are not orgspace's.
		if o.Schema == "" || o.Schema == "public" {
			return fmt.Errorf("-reset drops the schema: give -schema a schema of orgspace's own, not %q", o.Schema)
		}
		conn, err := pgx.Connect(ctx, o.DSN)
		if err != nil {
			return fmt.Errorf("reset: %w", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{o.Schema}.Sanitize()+" CASCADE"); err != nil {
			return fmt.Errorf("reset: drop schema %s: %w", o.Schema, err)
		}
		return nil
	default:
		for _, p := range []string{o.Path, o.Path + "-wal", o.Path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("reset: %w", err)
			}
		}
		return nil
	}
}
