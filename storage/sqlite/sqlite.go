package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	// Readers is the most read-only connections open at once; default the
	// number of CPUs, at least 2.
	Readers int
	// BusyTimeout is how long a transaction waits for another process's
	// lock on the file; default 10 s.
	BusyTimeout time.Duration
}

// DB is an orgspace database in one SQLite file. It is safe for concurrent
// use; close it with [DB.Close].
type DB struct {
	path    string
	writer  *sql.DB // one connection: writes run one at a time
	readers *sql.DB
	hook    sqlstore.Hook
}

var _ storage.Transactor[*Tx] = (*DB)(nil)

var dialect = &sqlstore.Dialect{Name: "sqlite", Classify: classify}

// Open opens the database in the file at path, creating it if needed, and
// brings its schema up to date.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	return open(ctx, path, opts, nil)
}

// open opens the database and applies the first upTo migrations (all when
// nil); tests use it to make files of an older schema.
func open(ctx context.Context, path string, opts Options, upTo *int) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open: path %q must be a file name without '?' or '#': %w", path, storage.ErrInvalidArgument)
	}
	if opts.Readers <= 0 {
		opts.Readers = max(runtime.NumCPU(), 2)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if upTo != nil {
		ms = ms[:*upTo]
	}
	db := &DB{path: path}
	if db.writer, err = sql.Open("sqlite", dsn(path, opts, "_txlock=immediate", "_pragma=foreign_keys(1)")); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetConnMaxIdleTime(0)
	if db.readers, err = sql.Open("sqlite", dsn(path, opts, "_pragma=query_only(1)")); err != nil {
		_ = db.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.readers.SetMaxOpenConns(opts.Readers)
	db.readers.SetMaxIdleConns(opts.Readers)
	// Several processes opening one fresh file at once race to switch it
	// to WAL, and SQLite answers the losers SQLITE_BUSY at once, without
	// waiting on the busy timeout: they try again until it has passed.
	deadline := time.Now().Add(opts.BusyTimeout)
	for {
		err := db.migrate(ctx, ms)
		if err == nil {
			return db, nil
		}
		if !busy(err) || time.Now().After(deadline) || ctx.Err() != nil {
			_ = db.Close()
			return nil, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// busy reports whether err is SQLite's SQLITE_BUSY, of any extended code.
func busy(err error) bool {
	var e *sqlitedriver.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// dsn builds the driver's data source name: WAL, durable commits, waits
// for locks, and the given extra parameters.
func dsn(path string, opts Options, extra ...string) string {
	params := append([]string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", opts.BusyTimeout.Milliseconds()),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
	}, extra...)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(params, "&")
}

// migrate applies the missing migrations in one write transaction.
func (db *DB) migrate(ctx context.Context, ms []sqlstore.Migration) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.path, err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := sqlstore.Migrate(ctx, querier{tx}, dialect, ms, time.Now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: commit: %w", err)
	}
	return nil
}

// Close closes the database's connections.
func (db *DB) Close() error {
	return errors.Join(db.writer.Close(), db.readers.Close())
}

// Update runs fn in a read-write transaction and commits it as the next
// revision, which it returns. If fn returns an error, panics or exits its
// goroutine, the transaction rolls back and nothing is kept. It implements
// storage.Transactor.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) (storage.Revision, error) {
	return db.write(ctx, "update", true, fn)
}

// UpdateUnlogged runs fn in a read-write transaction that takes no part in
// the change log: it does not advance the revision, and Append fails in it
// with storage.ErrFailedPrecondition. It runs on the writer connection,
// one at a time with every other write, like Update, so fn runs once. It
// implements storage.Transactor.
func (db *DB) UpdateUnlogged(ctx context.Context, fn func(*Tx) error) error {
	_, err := db.write(ctx, "update unlogged", false, fn)
	return err
}

// write runs fn in a read-write transaction on the writer connection:
// logged, it seals the transaction as the next revision, which it
// returns; unlogged, it does not. what names the operation in errors.
func (db *DB) write(ctx context.Context, what string, logged bool, fn func(*Tx) error) (storage.Revision, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: begin: %w", what, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	var tx *Tx
	if logged {
		tx = sqlstore.Begin(ctx, querier{sqlTx}, dialect, true, db.hook)
	} else {
		tx = sqlstore.BeginUnlogged(ctx, querier{sqlTx}, dialect, db.hook, false)
	}
	defer tx.End()
	if err := fn(tx); err != nil {
		return 0, err
	}
	var rev storage.Revision
	if logged {
		rev, err = tx.Seal()
	} else {
		err = tx.CheckUnlogged()
	}
	if err != nil {
		return 0, err
	}
	if db.hook != nil {
		if err := db.hook("COMMIT"); err != nil {
			return 0, fmt.Errorf("sqlite: %s: commit: %w", what, err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: %s: commit: %w", what, err)
	}
	committed = true
	return rev, nil
}

// View runs fn in a read-only transaction on one snapshot of the file.
// A c ahead of the latest revision fails with storage.ErrInvalidArgument.
// It implements storage.Transactor.
func (db *DB) View(ctx context.Context, c storage.Consistency, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: view: %w", err)
	}
	sqlTx, err := db.readers.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: view: begin: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	tx := sqlstore.Begin(ctx, querier{sqlTx}, dialect, false, nil)
	defer tx.End()
	// The first read starts the snapshot, so fn sees the head checked here.
	head, err := tx.Head()
	if err != nil {
		return err
	}
	if !c.Satisfied(head) {
		return fmt.Errorf("sqlite: view %v: revision %d is ahead of the store (head %d): %w",
			c, c.MinRevision(), head, storage.ErrInvalidArgument)
	}
	return fn(tx)
}

// classify maps SQLite's constraint errors to the storage sentinels.
func classify(err error) error {
	var e *sqlitedriver.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return storage.ErrAlreadyExists
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return storage.ErrNotFound
	}
	return nil
}

// querier adapts a database/sql transaction to sqlstore.Querier.
type querier struct{ tx *sql.Tx }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// sqlRows adapts *sql.Rows, whose Close returns an error nobody needs:
// Err reports what went wrong.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }
