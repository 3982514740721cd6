package postgres

// Benchmarks shared by every backend (internal/backendbench), on the server
// that ORGSPACE_POSTGRES_DSN names (see internal/pgtest), each in a schema
// of its own. BENCHMARKS.md records the figures.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/internal/backendbench"
	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/storage"
)

// openBench opens a database in a fresh schema and closes it, and drops the
// schema, when b ends.
func openBench(b *testing.B) storage.Transactor[*Tx] {
	dsn := pgtest.DSN(b)
	db, err := Open(b.Context(), dsn, Options{Schema: pgtest.Schema(b, dsn)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	return db
}

// BenchmarkWrites grants and revokes through a Space by 1 and 8 writers;
// every write is a durable commit (synchronous_commit as the server sets
// it).
func BenchmarkWrites(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) { backendbench.Writes(b, openBench, n) })
	}
}

// filled is the schema holding the synthetic set, filled by the first
// BenchmarkLoad of the process and dropped by TestMain: pgtest.Schema
// would drop it when the first run of the benchmark ends.
var filled backendbench.Filled[*Tx]

// BenchmarkLoad opens a Space on the 300,000-grant synthetic set in one
// schema, through one pool kept open between ops as a service keeps it.
func BenchmarkLoad(b *testing.B) {
	backendbench.Load(b, &filled, openFreshSchema(b))
}

// openBilling is openBench with a pool of backendbench.Clients
// connections, one for each client of the billing benchmarks.
func openBilling(b *testing.B) storage.Transactor[*Tx] {
	dsn := pgtest.DSN(b)
	db, err := Open(b.Context(), dsn, Options{Schema: pgtest.Schema(b, dsn), MaxConns: backendbench.Clients})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	return db
}

// BenchmarkBillingTransfers posts licence transfers through
// billing.Service.Transfer: one at a time by 1 and 16 clients, committing
// concurrently and sharing WAL flushes (compare BenchmarkPgbenchTPCB), and
// 1,000 per call in one transaction.
func BenchmarkBillingTransfers(b *testing.B) { backendbench.Transfers(b, openBilling) }

// BenchmarkCouponRedeem redeems coupons of one issuer by 16 clients.
func BenchmarkCouponRedeem(b *testing.B) { backendbench.CouponRedeem(b, openBilling) }

// filledCommunity is the schema holding the synthetic community, filled
// by the first community benchmark of the process and dropped by TestMain.
var filledCommunity backendbench.FilledCommunity[*Tx]

// BenchmarkCommunityStats computes the community stats of an organisation
// with 200 events, 50,000 participations and 20,000 people.
func BenchmarkCommunityStats(b *testing.B) {
	backendbench.CommunityStats(b, &filledCommunity, openFreshSchema(b))
}

// BenchmarkCommunityMembers lists a page of 50 of its direct members: the
// first page and the middle one.
func BenchmarkCommunityMembers(b *testing.B) {
	backendbench.CommunityMembers(b, &filledCommunity, openFreshSchema(b))
}

// openFreshSchema returns a function that opens a database in a fresh
// schema, through one pool kept open between ops as a service keeps it;
// closing it drops the schema.
func openFreshSchema(b *testing.B) func() (storage.Transactor[*Tx], func() error, error) {
	dsn := pgtest.DSN(b)
	return func() (storage.Transactor[*Tx], func() error, error) {
		var r [6]byte
		_, _ = rand.Read(r[:])
		schema := "orgspace_bench_" + hex.EncodeToString(r[:])
		db, err := Open(context.Background(), dsn, Options{Schema: schema})
		drop := func() error {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				return err
			}
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			return err
		}
		if err != nil {
			return nil, nil, errors.Join(err, drop())
		}
		return db, func() error { db.Close(); return drop() }, nil
	}
}

// TestMain drops the schemas of BenchmarkLoad, BenchmarkPgbenchTPCB and
// the community benchmarks once every benchmark has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := filled.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "postgres: bench: drop schema:", err)
		code = max(code, 1)
	}
	if err := filledCommunity.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "postgres: bench: drop the community's schema:", err)
		code = max(code, 1)
	}
	if tpcb.drop != nil {
		if err := tpcb.drop(); err != nil {
			fmt.Fprintln(os.Stderr, "postgres: bench: drop pgbench schema:", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}
