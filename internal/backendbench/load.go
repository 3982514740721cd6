package backendbench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/storage"
)

// loadChecks is how many checks of synthetic.Realistic() the first Space
// that Load opens must answer right before anything is timed.
const loadChecks = 4096

// Filled is a backend holding synthetic.Default(), filled on first use
// and kept for the rest of the process, so that every run of Load in one
// `go test` process (-count, the rounds that size b.N) reuses it. A
// backend's test file declares one as a package variable and calls Close
// from TestMain, after the benchmarks.
type Filled[T orgspace.Store] struct {
	once   sync.Once
	db     storage.Transactor[T]
	close  func() error
	checks []synthetic.Query
	err    error
}

// get opens the backend with open and fills it the first time; later calls
// return it as it is. open returns an empty backend and the function that
// closes it and removes what it stored.
func (f *Filled[T]) get(b *testing.B, open func() (storage.Transactor[T], func() error, error)) storage.Transactor[T] {
	b.Helper()
	f.once.Do(func() { f.err = f.fill(b, open) })
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.db
}

func (f *Filled[T]) fill(b *testing.B, open func() (storage.Transactor[T], func() error, error)) error {
	start := time.Now()
	ds, err := synthetic.Generate(synthetic.Default())
	if err != nil {
		return err
	}
	if f.checks, err = ds.Queries(loadChecks, 1, synthetic.Realistic()); err != nil {
		return err
	}
	generated := time.Since(start)
	if f.db, f.close, err = open(); err != nil {
		return fmt.Errorf("backendbench: open: %w", err)
	}
	start = time.Now()
	if err := ds.Load(context.Background(), storage.Narrow(f.db, func(t T) access.Store { return t })); err != nil {
		return err
	}
	b.Logf("synthetic set of %d grants generated in %v, written into the backend in %v",
		len(ds.Grants), generated.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// Close closes the backend and removes what it stored, if it was filled.
func (f *Filled[T]) Close() error {
	if f.close == nil {
		return nil
	}
	return f.close()
}

// Load measures orgspace.Open on the backend of f, filled with
// synthetic.Default() on first use (see [Filled]): each op opens a fresh
// Space, which compiles the access index from the store's full state (the
// organisations, accounts, roles and memberships, and the 300,000 grants).
// MiB-retained is the heap the open Space holds: live heap after a GC with
// it open, minus before.
func Load[T orgspace.Store](b *testing.B, f *Filled[T], open func() (storage.Transactor[T], func() error, error)) {
	db := f.get(b, open)
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	space, err := orgspace.Open(ctx, db, orgspace.Config{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	for _, q := range f.checks {
		if got := space.Access.Check(q.User, q.Account, q.Permission); got != q.Allowed {
			b.Fatalf("Check(%s, %s, %s) = %v, want %v (%v): the index differs from the synthetic set", q.User, q.Account, q.Permission, got, q.Allowed, q.Kind)
		}
	}
	space = nil
	b.ReportAllocs()
	for b.Loop() {
		if space, err = orgspace.Open(ctx, db, orgspace.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.KeepAlive(space)
	b.ReportMetric(retained, "MiB-retained")
}
