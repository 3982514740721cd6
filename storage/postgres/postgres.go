package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
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

var dialect = &sqlstore.Dialect{Name: "postgres", Classify: classify, RowLocks: true}

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
//
// Logged writes never wait on each other's row locks (the head lock comes
// first), but one that takes the row locks billing takes (package
// community accepting a participant takes a licence) can meet an unlogged
// write in a deadlock; PostgreSQL then aborts one of them, and Update runs
// fn again in a new transaction, up to maxAttempts times in all.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) (storage.Revision, error) {
	for attempt := 1; ; attempt++ {
		rev, err := db.write(ctx, "update", logged, fn)
		if err == nil || attempt >= maxAttempts || !retryable(err) {
			return rev, err
		}
		if !pause(ctx, attempt) {
			return 0, err
		}
	}
}

// maxAttempts bounds the runs of one write function that PostgreSQL
// aborts to break a deadlock or a serialisation conflict.
const maxAttempts = 10

// pause waits a short random time, growing with the attempts, so that the
// transaction that won goes first; false when ctx ended first.
func pause(ctx context.Context, attempt int) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(rand.N(time.Duration(attempt) * time.Millisecond)):
		return true
	}
}

// UpdateUnlogged runs fn in a READ COMMITTED read-write transaction that
// takes no part in the change log: it does not lock the head row, so such
// transactions run concurrently, kept apart by the row locks of the
// billing.Store lookups, and commit together (see the package
// documentation). Append fails in it with storage.ErrFailedPrecondition.
// When PostgreSQL aborts the transaction with a deadlock or a
// serialisation failure, it runs fn again in a new one, up to
// maxAttempts times in all.
//
// The transaction is optimistic (see sqlstore.BeginUnlogged): the
// transfers it records go to the journal with its commit, their IDs
// assumed free. When one was taken, it runs fn again, not optimistic,
// which then finds it taken. It implements storage.Transactor.
func (db *DB) UpdateUnlogged(ctx context.Context, fn func(*Tx) error) error {
	optimistic := true
	for attempt := 1; ; attempt++ {
		_, err := db.write(ctx, "update unlogged", unlogged(optimistic), fn)
		switch {
		case err == nil:
			return nil
		case optimistic && errors.Is(err, sqlstore.ErrRerun):
			optimistic = false
			continue
		case attempt >= maxAttempts || !retryable(err) || !pause(ctx, attempt):
			return err
		}
	}
}

// retryable reports whether err is PostgreSQL aborting a transaction that
// would succeed if run again: a deadlock or a serialisation failure.
func retryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// mode is how write runs a transaction.
type mode uint8

const (
	// logged: Update's, which locks the head row and seals a revision.
	logged mode = iota
	// unloggedPessimistic: UpdateUnlogged's, inserting each transfer as
	// it comes.
	unloggedPessimistic
	// unloggedOptimistic: UpdateUnlogged's, holding transfers back.
	unloggedOptimistic
)

func unlogged(optimistic bool) mode {
	if optimistic {
		return unloggedOptimistic
	}
	return unloggedPessimistic
}

// write runs fn in a read-write transaction of mode m and, when logged,
// returns the revision it sealed. what names the operation in errors.
func (db *DB) write(ctx context.Context, what string, m mode, fn func(*Tx) error) (storage.Revision, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("postgres: %s: %w", what, err)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: %s: begin: %w", what, err)
	}
	p := newPipe(conn)
	committed := false
	defer func() {
		if !committed {
			p.rollback(ctx)
		}
		conn.Release()
	}()
	var tx *Tx
	if m == logged {
		const lock = `SELECT revision FROM head FOR UPDATE`
		if err := db.before(lock); err != nil {
			return 0, fmt.Errorf("postgres: %s: lock head: %w", what, err)
		}
		if _, err := p.Exec(ctx, lock); err != nil {
			return 0, fmt.Errorf("postgres: %s: lock head: %w", what, err)
		}
		tx = sqlstore.Begin(ctx, p, dialect, true, db.hook)
	} else {
		tx = sqlstore.BeginUnlogged(ctx, p, dialect, db.hook, m == unloggedOptimistic)
	}
	defer tx.End()
	rev, err := db.finish(ctx, what, p, tx, m, fn)
	if err != nil && m == unloggedOptimistic && !errors.Is(err, sqlstore.ErrRerun) {
		if ids := tx.OptimisticIDs(); len(ids) > 0 {
			// The failure may follow from assuming a taken ID free.
			p.rollback(ctx)
			var taken bool
			if cerr := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM journal WHERE id = ANY($1))`, ids).Scan(&taken); cerr != nil || taken {
				return 0, fmt.Errorf("postgres: %s: %w after: %w", what, sqlstore.ErrRerun, err)
			}
		}
	}
	if err != nil {
		return 0, err
	}
	committed = true
	return rev, nil
}

// finish runs fn in tx and commits.
func (db *DB) finish(ctx context.Context, what string, p *pipe, tx *Tx, m mode, fn func(*Tx) error) (storage.Revision, error) {
	if err := fn(tx); err != nil {
		return 0, err
	}
	var rev storage.Revision
	var err error
	if m == logged {
		rev, err = tx.Seal()
	} else {
		err = tx.CheckUnlogged()
	}
	if err != nil {
		return 0, err
	}
	if err := db.before("COMMIT"); err != nil {
		return 0, fmt.Errorf("postgres: %s: commit: %w", what, err)
	}
	if err := p.commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: %s: commit: %w", what, err)
	}
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

// pipe is a read-write transaction on one pooled connection that sends
// the writes the transaction defers (sqlstore.Deferrer) together with its
// next statement, in one round trip: its BEGIN goes with its first
// statement, and the writes it defers to the end go with its COMMIT. A
// transaction that posts one transfer thus makes two round trips, the
// lock and the commit.
type pipe struct {
	conn  *pgxpool.Conn
	queue []deferred
}

// deferred is a statement the pipe holds back; fail wraps its error.
type deferred struct {
	query string
	args  []any
	fail  func(error) error
}

var _ sqlstore.Deferrer = (*pipe)(nil)

// beginReadCommitted begins the transactions of Update and UpdateUnlogged.
const beginReadCommitted = `BEGIN ISOLATION LEVEL READ COMMITTED`

func newPipe(conn *pgxpool.Conn) *pipe {
	return &pipe{conn: conn, queue: []deferred{{query: beginReadCommitted}}}
}

// Defer implements sqlstore.Deferrer.
func (p *pipe) Defer(query string, args []any, fail func(error) error) {
	p.queue = append(p.queue, deferred{query, args, fail})
}

// send sends the held statements and then query in one batch, and returns
// its results at query's.
func (p *pipe) send(ctx context.Context, query string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(p.queue)+1)}
	for _, d := range p.queue {
		b.Queue(d.query, d.args...)
	}
	b.Queue(query, args...)
	held := p.queue
	p.queue = nil
	br := p.conn.SendBatch(ctx, b)
	for _, d := range held {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			if d.fail != nil {
				err = d.fail(err)
			}
			return nil, err
		}
	}
	return br, nil
}

// Exec implements sqlstore.Querier.
func (p *pipe) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.exec(ctx, query, args)
	return tag.RowsAffected(), err
}

func (p *pipe) exec(ctx context.Context, query string, args []any) (pgconn.CommandTag, error) {
	if len(p.queue) == 0 {
		return p.conn.Exec(ctx, query, args...)
	}
	br, err := p.send(ctx, query, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query implements sqlstore.Querier.
func (p *pipe) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	if len(p.queue) == 0 {
		return p.conn.Query(ctx, query, args...)
	}
	br, err := p.send(ctx, query, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return batchRows{rows, br}, nil
}

// batchRows are the rows of a query sent in a batch, which closing them
// ends.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.Rows.Close()
	_ = r.br.Close()
}

// commit sends the held statements and COMMIT; a transaction that sent
// nothing has nothing to commit. Like pgx's Tx.Commit, it reports a
// transaction that PostgreSQL rolled back instead, because a statement of
// it failed, as an error.
func (p *pipe) commit(ctx context.Context) error {
	if len(p.queue) == 1 && p.queue[0].query == beginReadCommitted {
		p.queue = nil
		return nil
	}
	tag, err := p.exec(ctx, `COMMIT`, nil)
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback
	}
	return err
}

// rollback ends a transaction that will not commit. A rollback that fails
// leaves the connection in its transaction, and the pool then drops it.
func (p *pipe) rollback(ctx context.Context) {
	p.queue = nil
	if p.conn.Conn().PgConn().TxStatus() != 'I' {
		_, _ = p.conn.Exec(context.WithoutCancel(ctx), `ROLLBACK`)
	}
}
