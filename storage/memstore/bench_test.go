package memstore_test

// Benchmarks shared by every backend (internal/backendbench), here on the
// in-memory backend for comparison with the SQL ones. BENCHMARKS.md records
// the figures.

import (
	"fmt"
	"testing"

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

// BenchmarkBillingTransfers posts licence transfers through
// billing.Service.Transfer: one at a time by 1 and 16 clients, and 1,000 per
// call.
func BenchmarkBillingTransfers(b *testing.B) { backendbench.Transfers(b, open) }

// BenchmarkCouponRedeem redeems coupons of one issuer by 16 clients.
func BenchmarkCouponRedeem(b *testing.B) { backendbench.CouponRedeem(b, open) }

// filledCommunity is the memstore holding the synthetic community, filled
// by the first community benchmark of the process; memory needs no
// closing.
var filledCommunity backendbench.FilledCommunity[*memstore.Tx]

func openCommunity() (storage.Transactor[*memstore.Tx], func() error, error) {
	return memstore.New(), nil, nil
}

// BenchmarkCommunityStats computes the community stats of an organisation
// with 200 events, 50,000 participations and 20,000 people.
func BenchmarkCommunityStats(b *testing.B) {
	backendbench.CommunityStats(b, &filledCommunity, openCommunity)
}

// BenchmarkCommunityMembers lists a page of 50 of its direct members: the
// first page and the middle one.
func BenchmarkCommunityMembers(b *testing.B) {
	backendbench.CommunityMembers(b, &filledCommunity, openCommunity)
}
