package sqlite

// Benchmarks shared by every backend (internal/backendbench), on a SQLite
// file in a temporary directory. BENCHMARKS.md records the figures.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/orgspace/orgspace/internal/backendbench"
	"github.com/orgspace/orgspace/storage"
)

// openBench opens a fresh database in b's temporary directory and closes it
// when b ends.
func openBench(b *testing.B) storage.Transactor[*Tx] {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "orgspace.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Errorf("close: %v", err)
		}
	})
	return db
}

// BenchmarkWrites grants and revokes through a Space by 1 and 8 writers;
// every write is a durable commit (WAL, synchronous FULL).
func BenchmarkWrites(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) { backendbench.Writes(b, openBench, n) })
	}
}

// filled is the file holding the synthetic set, filled by the first
// BenchmarkLoad of the process and removed by TestMain.
var filled backendbench.Filled[*Tx]

// BenchmarkLoad opens a Space on the 300,000-grant synthetic set in one
// file, kept open between ops as a service keeps it.
func BenchmarkLoad(b *testing.B) {
	backendbench.Load(b, &filled, openFreshFile)
}

// BenchmarkBillingTransfers posts licence transfers through
// billing.Service.Transfer: one at a time by 1 and 16 clients, and 1,000 per
// call. SQLite commits one write transaction at a time.
func BenchmarkBillingTransfers(b *testing.B) { backendbench.Transfers(b, openBench) }

// BenchmarkCouponRedeem redeems coupons of one issuer by 16 clients.
func BenchmarkCouponRedeem(b *testing.B) { backendbench.CouponRedeem(b, openBench) }

// filledCommunity is the file holding the synthetic community, filled by
// the first community benchmark of the process and removed by TestMain.
var filledCommunity backendbench.FilledCommunity[*Tx]

// openFreshFile opens a database in a fresh temporary directory, kept
// open between ops as a service keeps it; closing removes the directory.
func openFreshFile() (storage.Transactor[*Tx], func() error, error) {
	dir, err := os.MkdirTemp("", "orgspace-bench-")
	if err != nil {
		return nil, nil, err
	}
	db, err := Open(context.Background(), filepath.Join(dir, "orgspace.db"), Options{})
	if err != nil {
		return nil, nil, errors.Join(err, os.RemoveAll(dir))
	}
	return db, func() error { return errors.Join(db.Close(), os.RemoveAll(dir)) }, nil
}

// BenchmarkCommunityStats computes the community stats of an organisation
// with 200 events, 50,000 participations and 20,000 people.
func BenchmarkCommunityStats(b *testing.B) {
	backendbench.CommunityStats(b, &filledCommunity, openFreshFile)
}

// BenchmarkCommunityMembers lists a page of 50 of its direct members: the
// first page and the middle one.
func BenchmarkCommunityMembers(b *testing.B) {
	backendbench.CommunityMembers(b, &filledCommunity, openFreshFile)
}

// TestMain removes the files of BenchmarkLoad and of the community
// benchmarks once every benchmark has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := filled.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sqlite: bench: close:", err)
		code = max(code, 1)
	}
	if err := filledCommunity.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sqlite: bench: close the community:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}
