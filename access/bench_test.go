package access_test

// Benchmarks of the compiled access index on the synthetic set of package
// internal/synthetic: synthetic.Default() is 10 organisations, 1,000
// accounts, 100,000 users and 300,000 grants. A set is generated and loaded
// into a memstore once per process, and only when a benchmark asks for it,
// so a plain `go test` (which runs no benchmark) never pays for it.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem -count 5 ./access/
//
// BENCHMARKS.md at the root of the repository records the figures and the
// targets they are held to.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// benchQueries is the number of pre-drawn checks of a Check benchmark: a
// power of two, so the loop indexes them with a mask.
const benchQueries = 1 << 16

// benchSet is a synthetic set loaded into a memstore, with a Service built
// over it and checks drawn from it.
type benchSet struct {
	ds  *synthetic.Dataset
	db  *memstore.DB
	tx  storage.Transactor[access.Store]
	svc *access.Service
	// mix is the realistic mix of checks, expiring the checks allowed by
	// time-bound grants; every answer has been verified against svc.
	mix, expiring []synthetic.Query
}

// lazySet builds a benchSet on first use.
type lazySet struct {
	config func() synthetic.Config
	// shuffled loads the grants in a random order instead of the
	// generator's, which puts each user's grants together.
	shuffled bool
	once     sync.Once
	set      *benchSet
	err      error
}

var (
	// bigSet is the set of the targets: synthetic.Default().
	bigSet = &lazySet{config: synthetic.Default}
	// shuffledSet is bigSet with its grants put into the store in a random
	// order, as writes over time would: the memstore hands grants to a
	// build in the order they were put in.
	shuffledSet = &lazySet{config: synthetic.Default, shuffled: true}
	// smallSet has the same organisations, accounts and marked users as
	// bigSet but 1% of its users and grants: a listing that costs the same
	// on both does not depend on the number of users.
	smallSet = &lazySet{config: func() synthetic.Config {
		c := synthetic.Default()
		c.Users, c.Grants = 1_000, 3_000
		return c
	}}
)

func (l *lazySet) get(b *testing.B) *benchSet {
	b.Helper()
	l.once.Do(func() { l.set, l.err = newBenchSet(l.config(), l.shuffled) })
	if l.err != nil {
		b.Fatal(l.err)
	}
	return l.set
}

func newBenchSet(c synthetic.Config, shuffled bool) (*benchSet, error) {
	ds, err := synthetic.Generate(c)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	s := &benchSet{ds: ds, db: memstore.New()}
	s.tx = storage.Narrow(s.db, func(t *memstore.Tx) access.Store { return t })
	load := *ds // ds itself stays in order: Queries reads it
	if shuffled {
		load.Grants = slices.Clone(ds.Grants)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(load.Grants), func(i, j int) {
			load.Grants[i], load.Grants[j] = load.Grants[j], load.Grants[i]
		})
	}
	if err := load.Load(ctx, s.tx); err != nil {
		return nil, err
	}
	if s.svc, err = access.NewService(ctx, s.tx, access.Config{}); err != nil {
		return nil, err
	}
	if s.mix, err = ds.Queries(benchQueries, 1, synthetic.Realistic()); err != nil {
		return nil, err
	}
	if s.expiring, err = ds.Queries(benchQueries, 2, synthetic.Mix{synthetic.ExpiringGrantAllows: 1}); err != nil {
		return nil, err
	}
	for _, q := range slices.Concat(s.mix, s.expiring) {
		if got := s.svc.Check(q.User, q.Account, q.Permission); got != q.Allowed {
			return nil, fmt.Errorf("Check(%s, %s, %s) = %v, want %v (%v)", q.User, q.Account, q.Permission, got, q.Allowed, q.Kind)
		}
	}
	return s, nil
}

// sink keeps results alive; benchmarks store into it once, after the loop,
// so that parallel benchmarks do not share a written cache line.
var sink atomic.Int64

// checker is one way of asking Check: through the Index or the Service.
type checker struct {
	name  string
	check func(s *benchSet) func(org.UserID, org.AccountID, access.Permission) bool
}

var checkers = []checker{
	{"index", func(s *benchSet) func(org.UserID, org.AccountID, access.Permission) bool {
		return s.svc.Current().Check
	}},
	{"service", func(s *benchSet) func(org.UserID, org.AccountID, access.Permission) bool { return s.svc.Check }},
}

// checkMixes are the sets of checks of the Check benchmarks; each holds a
// power of two of them.
var checkMixes = []struct {
	name    string
	queries func(s *benchSet) []synthetic.Query
}{
	{"mix", func(s *benchSet) []synthetic.Query { return s.mix }},
	{"expiring", func(s *benchSet) []synthetic.Query { return s.expiring }},
	// mix-cached asks the first 256 checks of mix only: their users' entries
	// stay in the CPU caches, which leaves the cost of the code alone.
	{"mix-cached", func(s *benchSet) []synthetic.Query { return s.mix[:256] }},
}

// BenchmarkCheck asks pre-drawn checks in turn: "mix" is the realistic mix
// of synthetic.Realistic (allowed by a grant or the Owner role, denied) over
// all the users, "expiring" only checks allowed by time-bound grants, which
// read the clock, and "mix-cached" a few checks of the mix over and over.
func BenchmarkCheck(b *testing.B) {
	for _, c := range checkers {
		for _, m := range checkMixes {
			b.Run(c.name+"/"+m.name, func(b *testing.B) {
				s := bigSet.get(b)
				check, qs := c.check(s), m.queries(s)
				mask := len(qs) - 1
				b.ReportAllocs()
				allowed, i := 0, 0
				for b.Loop() {
					q := &qs[i&mask]
					if check(q.User, q.Account, q.Permission) {
						allowed++
					}
					i++
				}
				sink.Add(int64(allowed))
			})
		}
	}
}

// BenchmarkCheckParallel is BenchmarkCheck from GOMAXPROCS goroutines at
// once, each starting at a different place in the checks; ns/op is wall
// time divided by the checks of all goroutines.
func BenchmarkCheckParallel(b *testing.B) {
	for _, c := range checkers {
		for _, m := range checkMixes {
			b.Run(c.name+"/"+m.name, func(b *testing.B) {
				s := bigSet.get(b)
				check, qs := c.check(s), m.queries(s)
				mask := len(qs) - 1
				var start atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := int(start.Add(benchQueries / 7))
					allowed := 0
					for pb.Next() {
						q := &qs[i&mask]
						if check(q.User, q.Account, q.Permission) {
							allowed++
						}
						i++
					}
					sink.Add(int64(allowed))
				})
			})
		}
	}
}

// BenchmarkAccountsOf lists the accounts of the marked users with 1 and 100
// accounts, on the set of 100,000 users and on one of 1,000 users with the
// same organisations and accounts: the cost follows the number of accounts
// returned ("ns/account"), not the number of users.
func BenchmarkAccountsOf(b *testing.B) {
	benchmarkAccountListing(b, func(ix *access.Index, u org.UserID) int { return len(ix.AccountsOf(u)) })
}

// BenchmarkAccountIDsOf is BenchmarkAccountsOf for the IDs alone.
func BenchmarkAccountIDsOf(b *testing.B) {
	benchmarkAccountListing(b, func(ix *access.Index, u org.UserID) int { return len(ix.AccountIDsOf(u)) })
}

func benchmarkAccountListing(b *testing.B, list func(*access.Index, org.UserID) int) {
	sets := []struct {
		name string
		set  *lazySet
	}{{"users=100000", bigSet}, {"users=1000", smallSet}}
	for _, set := range sets {
		for _, n := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/accounts=%d", set.name, n), func(b *testing.B) {
				s := set.set.get(b)
				user := s.ds.OneAccount
				if n == 100 {
					user = s.ds.HundredAccounts
				}
				ix := s.svc.Current()
				if got := list(ix, user); got != n {
					b.Fatalf("%s lists %d accounts, want %d", user, got, n)
				}
				b.ReportAllocs()
				rows := 0
				for b.Loop() {
					rows += list(ix, user)
				}
				sink.Add(int64(rows))
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/account")
			})
		}
	}
}

// holders returns the sorted IDs of the users holding a grant that keep
// selects, plus extra.
func holders(ds *synthetic.Dataset, keep func(access.Grant) bool, extra ...org.UserID) []org.UserID {
	ids := slices.Clone(extra)
	for _, g := range ds.Grants {
		if keep(g) {
			ids = append(ids, g.User)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// pageCase is one page request of a user listing.
type pageCase struct {
	name  string
	limit int
	// middle starts the page after the user halfway down the list.
	middle bool
	// service asks the Service rather than its Index.
	service bool
}

var pageCases = []pageCase{
	{"index/page=10", 10, false, false},
	{"index/page=50", 50, false, false},
	{"index/page=50-middle", 50, true, false},
	{"service/page=50", 50, false, true},
}

// BenchmarkUsersOfAccount pages through the holders of the first account
// (about 300 of them): Index.UsersOfAccount, and Service.UsersOfAccount
// (which authorises the actor and loads each user of the page from the
// store) as an operator.
func BenchmarkUsersOfAccount(b *testing.B) {
	for _, pc := range pageCases {
		b.Run(pc.name, func(b *testing.B) {
			s := bigSet.get(b)
			account := s.ds.Accounts[0].ID
			ids := holders(s.ds, func(g access.Grant) bool { return g.Account == account })
			benchPage(b, s, pc, ids,
				func(ix *access.Index, after org.UserID) (int, bool) {
					page, more := ix.UsersOfAccount(account, after, pc.limit)
					return len(page), more
				},
				func(ctx context.Context, after storage.Cursor) (int, error) {
					page, err := s.svc.UsersOfAccount(ctx, storage.Latest(), org.System(), account, storage.PageRequest{After: after, Limit: pc.limit})
					return len(page.Items), err
				})
		})
	}
}

// BenchmarkUsersOfOrganisation pages through the users of the first
// organisation (its Owner and about 17,000 grant holders), as
// BenchmarkUsersOfAccount does.
func BenchmarkUsersOfOrganisation(b *testing.B) {
	for _, pc := range pageCases {
		b.Run(pc.name, func(b *testing.B) {
			s := bigSet.get(b)
			o := s.ds.Organisations[0].ID
			ids := holders(s.ds, func(g access.Grant) bool { return g.Org == o }, s.ds.Users[0].ID)
			benchPage(b, s, pc, ids,
				func(ix *access.Index, after org.UserID) (int, bool) {
					page, more := ix.UsersOfOrganisation(o, after, pc.limit)
					return len(page), more
				},
				func(ctx context.Context, after storage.Cursor) (int, error) {
					page, err := s.svc.UsersOfOrganisation(ctx, storage.Latest(), org.System(), o, storage.PageRequest{After: after, Limit: pc.limit})
					return len(page.Items), err
				})
		})
	}
}

// benchPage times one page of a listing of ids, through the index or the
// service, after checking that the page is full.
func benchPage(b *testing.B, s *benchSet, pc pageCase, ids []org.UserID,
	index func(ix *access.Index, after org.UserID) (int, bool),
	service func(ctx context.Context, after storage.Cursor) (int, error),
) {
	b.Helper()
	var after org.UserID
	if pc.middle {
		after = ids[len(ids)/2]
	}
	ctx := context.Background()
	ix := s.svc.Current()
	run := func() (int, error) {
		if pc.service {
			var c storage.Cursor
			if after != "" {
				c = org.IDCursor(after)
			}
			return service(ctx, c)
		}
		n, _ := index(ix, after)
		return n, nil
	}
	if n, err := run(); err != nil || n != pc.limit {
		b.Fatalf("page of %d users (error %v), want %d; the list holds %d", n, err, pc.limit, len(ids))
	}
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		n, err := run()
		if err != nil {
			b.Fatal(err)
		}
		rows += n
	}
	sink.Add(int64(rows))
	b.ReportMetric(float64(len(ids)), "listed")
}

// BenchmarkNewService builds a Service, and so its index, from the 300,000
// grants of the loaded memstore, put in user by user (user-order) or in a
// random order (random-order). MiB-retained is the heap the built Service
// holds: live heap after a GC with it, minus before it.
func BenchmarkNewService(b *testing.B) {
	b.Run("user-order", func(b *testing.B) { benchmarkNewService(b, bigSet.get(b)) })
	b.Run("random-order", func(b *testing.B) { benchmarkNewService(b, shuffledSet.get(b)) })
}

func benchmarkNewService(b *testing.B, s *benchSet) {
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	svc, err := access.NewService(ctx, s.tx, access.Config{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(svc)
	retained := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	svc = nil
	b.ReportAllocs()
	for b.Loop() {
		if svc, err = access.NewService(ctx, s.tx, access.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.KeepAlive(svc)
	b.ReportMetric(retained, "MiB-retained")
}

// BenchmarkGrant is the cost of one write and the patch of the index that
// follows it, through a Service of its own over the big set, by an operator
// (org.System):
//
//   - role-change: Grant changes the role of an existing grant (Editor and
//     Observer in turn); the patch replaces one user in the index's delta.
//   - new-organisation: Grant on an account of an organisation the user
//     was not in, then Revoke of it, in turn (one write per op); the patch
//     also copies the account's and the organisation's sorted user lists.
//   - store-only/role-change: the role change written straight through the
//     store (PutGrant and its log entry in one transaction), no Service and
//     no index: what the write costs without the patch.
//
// Every sub-benchmark puts the grants back as they were when it ends.
func BenchmarkGrant(b *testing.B) {
	const targets = 4096
	other := map[access.RoleID]access.RoleID{access.Editor: access.Observer, access.Observer: access.Editor}
	// roleChanges returns the grants of the role change: Editors and
	// Observers, not time-bound, of distinct ordinary users.
	roleChanges := func(ds *synthetic.Dataset) []access.Grant {
		var out []access.Grant
		for i := len(ds.Organisations) + 2; len(out) < targets && i < len(ds.Users); i += 7 {
			for _, g := range ds.GrantsOf(i) {
				if other[g.Role] != "" && g.ExpiresAt.IsZero() {
					out = append(out, g)
					break
				}
			}
		}
		return out
	}
	// flip returns the grant of the next role change of g: the other role
	// while flipped[j] is false, back to g's role after.
	flip := func(g access.Grant, flipped []bool, j int) access.Grant {
		if !flipped[j] {
			g.Role = other[g.Role]
		}
		flipped[j] = !flipped[j]
		return g
	}
	ctx := context.Background()

	b.Run("role-change", func(b *testing.B) {
		s := bigSet.get(b)
		svc := newWriteService(b, s)
		gs := roleChanges(s.ds)
		flipped := make([]bool, len(gs))
		grant := func(g access.Grant) {
			if _, err := svc.Grant(ctx, org.System(), access.GrantRequest{User: g.User, Account: g.Account, Role: g.Role}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			grant(flip(gs[i%len(gs)], flipped, i%len(gs)))
		}
		for j, f := range flipped {
			if f {
				grant(gs[j])
			}
		}
		if got := svc.Check(gs[0].User, gs[0].Account, access.EditContent); got != (gs[0].Role == access.Editor) {
			b.Fatalf("the index does not follow the writes")
		}
	})

	b.Run("new-organisation", func(b *testing.B) {
		s := bigSet.get(b)
		svc := newWriteService(b, s)
		// Ordinary users, each with an account of an organisation where
		// they hold nothing.
		var pairs [][2]string
		for i := len(s.ds.Organisations) + 2; len(pairs) < targets && i < len(s.ds.Users); i += 7 {
			held := s.ds.GrantsOf(i)
			for o := range s.ds.Organisations {
				oid := s.ds.Organisations[o].ID
				if !slices.ContainsFunc(held, func(g access.Grant) bool { return g.Org == oid }) {
					accs := s.ds.OrganisationAccounts(o)
					pairs = append(pairs, [2]string{string(s.ds.Users[i].ID), string(accs[i%len(accs)].ID)})
					break
				}
			}
		}
		step := func(i int) {
			p := pairs[(i/2)%len(pairs)]
			user, account := org.UserID(p[0]), org.AccountID(p[1])
			var err error
			if i%2 == 0 {
				_, err = svc.Grant(ctx, org.System(), access.GrantRequest{User: user, Account: account, Role: access.Observer})
			} else {
				_, err = svc.Revoke(ctx, org.System(), user, account)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for ; b.Loop(); i++ {
			step(i)
		}
		if i%2 == 1 {
			step(i) // revoke the last grant
		}
	})

	b.Run("store-only/role-change", func(b *testing.B) {
		s := bigSet.get(b)
		gs := roleChanges(s.ds)
		flipped := make([]bool, len(gs))
		put := func(g access.Grant) {
			_, err := s.tx.Update(ctx, func(st access.Store) error {
				if err := st.PutGrant(g); err != nil {
					return err
				}
				return org.Log(st, org.Env{}, org.System(), "access.grant.set", string(g.User),
					org.Subject{Org: g.Org, Account: g.Account, User: g.User}, "role "+string(g.Role))
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			put(flip(gs[i%len(gs)], flipped, i%len(gs)))
		}
		for j, f := range flipped {
			if f {
				put(gs[j])
			}
		}
	})
}

// newWriteService builds a Service of its own over s, so that its writes
// patch its index and not the one of s.svc.
func newWriteService(b *testing.B, s *benchSet) *access.Service {
	b.Helper()
	svc, err := access.NewService(context.Background(), s.tx, access.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}
