package memstore_test

// Benchmarks shared by every backend (internal/backendbench), here on the
// in-memory backend for comparison with the SQL ones. BENCHMARKS.md records
// the figures.

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/internal/backendbench"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

func open(*testing.B) storage.Transactor[*memstore.Tx] { return memstore.New() }

// BenchmarkWrites grants and revokes through a Space by 1 and 8 writers.
func BenchmarkWrites(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) { backendbench.Writes(b, open, n) })
	}
}

// filled is the memstore holding the synthetic set, filled by the first
// BenchmarkLoad of the process; memory needs no closing.
var filled backendbench.Filled[*memstore.Tx]

// BenchmarkLoad opens a Space on the 300,000-grant synthetic set.
func BenchmarkLoad(b *testing.B) {
	backendbench.Load(b, &filled, func() (storage.Transactor[*memstore.Tx], func() error, error) {
		return memstore.New(), nil, nil
	})
}

// BenchmarkBillingTransfer posts External->Pool transfers, each in its own
// UpdateUnlogged, as the billing service records a purchase's units.
func BenchmarkBillingTransfer(b *testing.B) {
	db := memstore.New()
	at := time.Date(2024, time.March, 1, 9, 30, 0, 0, time.UTC)
	t := billing.Transfer{
		Asset:  billing.Licences,
		From:   billing.LedgerAccount{Org: "org-1", Asset: billing.Licences, Kind: billing.External},
		To:     billing.LedgerAccount{Org: "org-1", Asset: billing.Licences, Kind: billing.Pool},
		Amount: 5,
		Time:   at,
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.ID = "t" + strconv.Itoa(i)
		if err := db.UpdateUnlogged(b.Context(), func(tx *memstore.Tx) error { return billing.Apply(tx, "system", t) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
}
