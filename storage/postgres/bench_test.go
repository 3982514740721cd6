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
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/internal/backendbench"
	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/org"
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
	dsn := pgtest.DSN(b)
	backendbench.Load(b, &filled, func() (storage.Transactor[*Tx], func() error, error) {
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
	})
}

// BenchmarkBillingTransfers posts single transfers of licences over 10
// organisations, each either External to Pool or Pool to Consumed, with
// billing.Apply in UpdateUnlogged transactions:
//
//   - clients=16: 16 goroutines, one transfer per transaction, on a pool
//     of 16 connections: ledger writes committing concurrently, sharing
//     WAL flushes (compare pgbench's TPC-B with 16 clients);
//   - batch=1000: one goroutine, 1,000 transfers per transaction.
//
// The metric transfers/s is b.N over the wall time.
func BenchmarkBillingTransfers(b *testing.B) {
	b.Run("clients=16", func(b *testing.B) {
		db, next := openBillingBench(b, 16)
		b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				t := next()
				if err := db.UpdateUnlogged(b.Context(), func(tx *Tx) error { return billing.Apply(tx, "system", t) }); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
	b.Run("batch=1000", func(b *testing.B) {
		db, next := openBillingBench(b, 2)
		b.ResetTimer()
		for done := 0; done < b.N; {
			ts := make([]billing.Transfer, min(1000, b.N-done))
			for i := range ts {
				ts[i] = next()
			}
			if err := db.UpdateUnlogged(b.Context(), func(tx *Tx) error { return billing.Apply(tx, "system", ts...) }); err != nil {
				b.Fatal(err)
			}
			done += len(ts)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
}

// openBillingBench opens a database with a pool of conns connections in a
// fresh schema, with 10 organisations whose pools hold a million licences
// each, and returns it with a function that makes the next transfer:
// every third one buys (External to Pool), the others consume (Pool to
// Consumed), of a random organisation.
func openBillingBench(b *testing.B, conns int32) (*DB, func() billing.Transfer) {
	dsn := pgtest.DSN(b)
	db, err := Open(b.Context(), dsn, Options{Schema: pgtest.Schema(b, dsn), MaxConns: conns})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	account := func(o org.OrganisationID, k billing.AccountKind) billing.LedgerAccount {
		return billing.LedgerAccount{Org: o, Asset: billing.Licences, Kind: k}
	}
	var orgs [10]org.OrganisationID
	now := time.Now().UTC()
	if _, err := db.Update(b.Context(), func(tx *Tx) error {
		for i := range orgs {
			orgs[i] = org.OrganisationID(fmt.Sprintf("org_%02d", i))
			if err := tx.InsertOrganisation(org.Organisation{ID: orgs[i], Name: string(orgs[i]), CreatedAt: now}); err != nil {
				return err
			}
			if err := billing.Apply(tx, "system", billing.Transfer{ID: "seed_" + string(orgs[i]), Asset: billing.Licences,
				From: account(orgs[i], billing.External), To: account(orgs[i], billing.Pool), Amount: 1_000_000, Time: now}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	return db, func() billing.Transfer {
		i := n.Add(1)
		o := orgs[(i*7919)%int64(len(orgs))]
		t := billing.Transfer{ID: fmt.Sprintf("t_%d", i), Asset: billing.Licences,
			From: account(o, billing.Pool), To: account(o, billing.Consumed), Amount: 1, Time: now, Reason: "bench"}
		if i%3 == 0 {
			t.From, t.To = account(o, billing.External), account(o, billing.Pool)
		}
		return t
	}
}

// TestMain drops the schema of BenchmarkLoad once every benchmark has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := filled.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "postgres: bench: drop schema:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}
