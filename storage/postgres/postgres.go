package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orgspace/orgspace/internal/sqlstore"
	"github.com/orgspace/orgspace/storage"
)

// Tx is a transaction of a [DB]; it implements orgspace.Store. It is valid
// only while the function it is passed to runs.
type Tx = sqlstore.Tx

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune a [DB]. The zero value is usable.
type Options struct {
	// Schema is the PostgreSQL schema of orgspace's tables, created if
	// needed; "" uses the connection's search_path (usually public).
	Schema string
	// MaxConns caps the pool's connections; default pgxpool's.
	MaxConns int32
}

// DB is an orgspace database in PostgreSQL. It is safe for concurrent use;
// close it with [DB.Close].
type DB struct {
	pool *pgxpool.Pool
	hook sqlstore.Hook
}

var _ storage.Transactor[*Tx] = (*DB)(nil)

var dialect = &sqlstore.Dialect{Name: "postgres", Classify: classify}

// Open connects to the database that dsn names (a postgres:// URL or a
// key=value string) and brings its schema up to date.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	return open(ctx, dsn, opts, nil)
}

// open connects and applies the first upTo migrations (all when nil);
// tests use it to make databases of an older schema.
func open(ctx context.Context, dsn string, opts Options, upTo *int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: dsn: %w: %w", storage.ErrInvalidArgument, err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if upTo != nil {
		ms = ms[:*upTo]
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx, opts.Schema, ms); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// migrateLock is the advisory lock key instances starting together queue
// on. It is one key for the whole database, not one per schema: a schema
// can be named by Options.Schema or by the DSN's search_path, and two
// instances naming it differently must still wait for each other.
// Migrations are rare, so instances of other schemas waiting costs nothing.
var migrateLock = func() int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("orgspace migrate"))
	return int64(h.Sum64())
}()

// migrate creates the schema if needed and applies the missing migrations
// in one transaction, under the database's migration lock.
func (db *DB) migrate(ctx context.Context, schema string, ms []sqlstore.Migration) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("postgres: migrate: lock: %w", err)
		}
		if schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
				return fmt.Errorf("postgres: migrate: create schema %s: %w", schema, err)
			}
		}
		_, err := sqlstore.Migrate(ctx, querier{tx}, dialect, ms, time.Now())
		return err
	})
}

// Close closes the pool's connections.
func (db *DB) Close() { db.pool.Close() }

// Update runs fn in a read-write transaction and commits it as the next
// revision, which it returns. It first locks the head row, so write
// transactions of every instance run one at a time (see the package
// documentation). If fn returns an error, panics or exits its goroutine,
// the transaction rolls back and nothing is kept. It implements
// storage.Transactor.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) (storage.Revision, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("postgres: update: %w", err)
	}
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return 0, fmt.Errorf("postgres: update: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// A rollback that cannot reach the server ends with the
			// connection, which the pool then drops.
			_ = pgTx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	const lock = `SELECT revision FROM head FOR UPDATE`
	if err := db.before(lock); err != nil {
		return 0, fmt.Errorf("postgres: update: lock head: %w", err)
	}
	if _, err := pgTx.Exec(ctx, lock); err != nil {
		return 0, fmt.Errorf("postgres: update: lock head: %w", err)
	}
	tx := sqlstore.Begin(ctx, querier{pgTx}, dialect, true, db.hook)
	defer tx.End()
	if err := fn(tx); err != nil {
		return 0, err
	}
	rev, err := tx.Seal()
	if err != nil {
		return 0, err
	}
	if err := db.before("COMMIT"); err != nil {
		return 0, fmt.Errorf("postgres: update: commit: %w", err)
	}
	if err := pgTx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: update: commit: %w", err)
	}
	committed = true
	return rev, nil
}

// View runs fn in a REPEATABLE READ, READ ONLY transaction: one snapshot.
// A c ahead of the latest revision fails with storage.ErrInvalidArgument.
// It implements storage.Transactor.
func (db *DB) View(ctx context.Context, c storage.Consistency, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: view: %w", err)
	}
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: view: begin: %w", err)
	}
	defer func() { _ = pgTx.Rollback(context.WithoutCancel(ctx)) }()
	tx := sqlstore.Begin(ctx, querier{pgTx}, dialect, false, nil)
	defer tx.End()
	// The first query takes the snapshot, so fn sees the head checked here.
	head, err := tx.Head()
	if err != nil {
		return err
	}
	if !c.Satisfied(head) {
		return fmt.Errorf("postgres: view %v: revision %d is ahead of the store (head %d): %w",
			c, c.MinRevision(), head, storage.ErrInvalidArgument)
	}
	return fn(tx)
}

// before runs the fault-injection hook, if any.
func (db *DB) before(stmt string) error {
	if db.hook == nil {
		return nil
	}
	return db.hook(stmt)
}

// classify maps PostgreSQL's constraint errors to the storage sentinels.
func classify(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code {
	case "23505": // unique_violation
		return storage.ErrAlreadyExists
	case "23503": // foreign_key_violation
		return storage.ErrNotFound
	}
	return nil
}

// querier adapts a pgx transaction to sqlstore.Querier; pgx.Rows is
// already a sqlstore.Rows.
type querier struct{ tx pgx.Tx }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.tx.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return q.tx.Query(ctx, query, args...)
}
