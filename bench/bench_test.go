package bench

// The side-by-side benchmarks. Every figure is one Benchmark function with
// one sub-benchmark per library, in the order of Libraries(), so that a
// run interleaves the libraries figure by figure. The full set is
// generated, loaded into every library and cross-checked once per process,
// on the first benchmark that needs it; a failed cross-check fails every
// benchmark. bench/run.sh runs them all and prints the table.

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
)

var (
	full   = flag.Bool("full", false, "cross-check the full set in TestCrossCheck, not the small one")
	only   = flag.String("only", "", "load and measure only this library (and orgspace, which the ratios need)")
	rounds = flag.Int("rounds", 1, "measure every figure this many times, the libraries in turn in each round")
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, z := range []*lazyLoad{fullSet, tenthSet, smallSet} {
		if z.l != nil {
			z.l.Close()
		}
	}
	os.Exit(code)
}

// lazyLoad loads a set into libraries on first use.
type lazyLoad struct {
	config func() synthetic.Config
	// tenth loads the libraries measured on the tenth set (Library.Tenth)
	// besides the others; without it, only the others.
	tenth bool
	once  sync.Once
	l     *Loaded
	err   error
}

var (
	// fullSet holds the libraries measured on the full set.
	fullSet = &lazyLoad{config: Full}
	// tenthSet holds every library, cross-checked on the tenth set, for
	// the libraries measured on it.
	tenthSet = &lazyLoad{config: Tenth, tenth: true}
	// smallSet holds every library, for the short cross-check.
	smallSet = &lazyLoad{config: Small, tenth: true}
)

// libraries returns the libraries to measure: all of them, or orgspace
// and the one -only names.
func libraries() []Library {
	var out []Library
	for _, lib := range Libraries() {
		if *only == "" || lib.Name == "orgspace" || lib.Name == *only {
			out = append(out, lib)
		}
	}
	return out
}

func (z *lazyLoad) get(tb testing.TB) *Loaded {
	tb.Helper()
	z.once.Do(func() {
		c := z.config()
		libs := slices.DeleteFunc(libraries(), func(l Library) bool { return l.Tenth && !z.tenth })
		fmt.Printf("bench: loading %d organisations, %d accounts, %d users, %d grants into %d libraries\n",
			c.Organisations, c.Organisations*c.AccountsPerOrganisation, c.Users, c.Grants, len(libs))
		z.l, z.err = Load(c, libs, func(format string, args ...any) {
			fmt.Printf("bench: "+format+"\n", args...)
		})
		if z.err == nil {
			fmt.Println("bench: cross-check passed")
		}
	})
	if z.err != nil {
		tb.Fatal(z.err)
	}
	return z.l
}

// TestCrossCheck loads the small set into every library and cross-checks
// them; with -full, the sets of the benchmarks: the full one into the
// libraries measured on it, the tenth into all of them.
func TestCrossCheck(t *testing.T) {
	if !*full {
		smallSet.get(t)
		return
	}
	fullSet.get(t)
	tenthSet.get(t)
}

// sink keeps results alive past the loops.
var sink atomic.Int64

// eachEngine runs f as one sub-benchmark per library, named by its Label,
// on the set the library is measured on (i indexes l.Engines), -rounds
// times: every library once per round, so that the libraries take turns
// (go test's -count would repeat each one before the next). The testing
// package names the later rounds' runs label#01, label#02, ….
func eachEngine(b *testing.B, f func(b *testing.B, l *Loaded, i int)) {
	for range max(*rounds, 1) {
		for _, lib := range libraries() {
			z := fullSet
			if lib.Tenth {
				z = tenthSet
			}
			l := z.get(b)
			i := l.index(lib.Name)
			b.Run(lib.Label(), func(b *testing.B) { f(b, l, i) })
		}
	}
}

// checkQueries is the number of pre-drawn checks: a power of two, so the
// loop indexes them with a mask.
const checkQueries = 1 << 14

// BenchmarkCheck asks pre-drawn checks of CheckMix in turn (allowed by a
// grant or ownership, denied for want of a grant or of the permission),
// whose IDs are copies, as a request's would be.
func BenchmarkCheck(b *testing.B) {
	eachEngine(b, func(b *testing.B, l *Loaded, i int) {
		qs, err := l.Set.Queries(checkQueries, 11, CheckMix())
		if err != nil {
			b.Fatal(err)
		}
		e := l.Engines[i]
		b.ReportAllocs()
		allowed, n := 0, 0
		for b.Loop() {
			q := &qs[n&(checkQueries-1)]
			ok, err := e.Check(q.User, q.Account, q.Permission)
			if err != nil || ok != q.Allowed {
				b.Fatalf("Check(%s, %s, %s) = %v (error %v), want %v", q.User, q.Account, q.Permission, ok, err, q.Allowed)
			}
			if ok {
				allowed++
			}
			n++
		}
		sink.Add(int64(allowed))
	})
}

// listUsers is the number of users (or accounts) a listing benchmark
// cycles through.
const listUsers = 256

// BenchmarkAccountsOf lists the accounts of users in turn: ordinary users
// (1 to 5 grants), agency users (50 to 100 grants across organisations)
// and Owners (every account of their organisation, 100).
func BenchmarkAccountsOf(b *testing.B) {
	kinds := []struct {
		name  string
		users func(s *Set, r *rand.Rand) org.UserID
	}{
		{"ordinary", func(s *Set, r *rand.Rand) org.UserID {
			for {
				u := s.Users[r.IntN(len(s.Users))].ID
				if n := len(s.GrantsOf(s.UserIndex(u))); n > 0 && n <= 5 {
					return u
				}
			}
		}},
		{"agency", func(s *Set, r *rand.Rand) org.UserID { return s.Agencies[r.IntN(len(s.Agencies))] }},
		{"owner", func(s *Set, r *rand.Rand) org.UserID {
			o := s.Organisations[r.IntN(len(s.Organisations))].ID
			return s.OwnersOf[o][r.IntN(len(s.OwnersOf[o]))]
		}},
	}
	for _, k := range kinds {
		users := func(s *Set) []org.UserID {
			r := rand.New(rand.NewPCG(12, 0))
			users := make([]org.UserID, listUsers)
			for j := range users {
				users[j] = k.users(s, r)
			}
			return users
		}
		b.Run(k.name, func(b *testing.B) {
			eachEngine(b, func(b *testing.B, l *Loaded, i int) {
				e := l.Engines[i]
				listAccounts(b, users(l.Set), func(u org.UserID) (int, error) {
					as, err := e.AccountsOf(u)
					return len(as), err
				})
			})
		})
		// The same users' drop-down rows: orgspace alone has them.
		b.Run(k.name+"-rows", func(b *testing.B) {
			eachEngine(b, func(b *testing.B, l *Loaded, i int) {
				e, ok := l.Engines[i].Engine.(*orgspaceEngine)
				if !ok {
					b.Skip("only orgspace lists drop-down rows")
				}
				listAccounts(b, users(l.Set), func(u org.UserID) (int, error) { return e.menuRows(u), nil })
			})
		})
	}
}

// listAccounts measures list on users in turn, reporting how many accounts
// it lists on average.
func listAccounts(b *testing.B, users []org.UserID, list func(org.UserID) (int, error)) {
	b.ReportAllocs()
	rows, n := 0, 0
	for b.Loop() {
		k, err := list(users[n%len(users)])
		if err != nil {
			b.Fatal(err)
		}
		rows += k
		n++
	}
	sink.Add(int64(rows))
	b.ReportMetric(float64(rows)/float64(n), "accounts/op")
}

// BenchmarkUsersOfAccount lists the holders of a grant on accounts in
// turn, about 300 each.
func BenchmarkUsersOfAccount(b *testing.B) {
	eachEngine(b, func(b *testing.B, l *Loaded, i int) {
		r := rand.New(rand.NewPCG(13, 0))
		accounts := make([]org.AccountID, listUsers)
		for j := range accounts {
			accounts[j] = l.Set.Accounts[r.IntN(len(l.Set.Accounts))].ID
		}
		e := l.Engines[i]
		b.ReportAllocs()
		rows, n := 0, 0
		for b.Loop() {
			us, err := e.UsersOfAccount(accounts[n%listUsers])
			if err != nil {
				b.Fatal(err)
			}
			rows += len(us)
			n++
		}
		sink.Add(int64(rows))
		b.ReportMetric(float64(rows)/float64(n), "users/op")
	})
}

// BenchmarkBuild builds an engine from the library's Source, the whole
// set: orgspace compiles its index from the store, Casbin loads its policy
// and builds its role links, OpenFGA writes its tuples. MiB-retained is
// the heap one built engine holds: live heap after a GC with it, minus
// before it.
func BenchmarkBuild(b *testing.B) {
	eachEngine(b, func(b *testing.B, l *Loaded, i int) {
		src := l.Sources[i]
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		e, err := src.Build()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		retained := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
		closeEngine(e)
		b.ReportAllocs()
		for b.Loop() {
			e, err := src.Build()
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			closeEngine(e)
			b.StartTimer()
		}
		b.ReportMetric(retained, "MiB-retained")
	})
}

// closeEngine closes e if it holds resources.
func closeEngine(e Engine) {
	if c, ok := e.(io.Closer); ok {
		c.Close()
	}
}

// BenchmarkSetRoleCheck changes the role of one grant (Editor to Observer
// and back, a different grant each time) and then checks the permission
// the change gives or takes away, which must already answer the new way.
// Every grant is back to its role when the benchmark ends.
func BenchmarkSetRoleCheck(b *testing.B) {
	eachEngine(b, func(b *testing.B, l *Loaded, i int) {
		var targets []access.Grant
		for _, g := range l.Set.Grants {
			if g.Role == access.Editor && len(targets) < 1024 {
				targets = append(targets, g)
			}
		}
		flipped := make([]bool, len(targets))
		e := l.Engines[i]
		flip := func(j int) {
			g := targets[j]
			from, to := access.Editor, access.Observer
			if flipped[j] {
				from, to = to, from
			}
			if err := e.SetRole(g.User, g.Account, from, to); err != nil {
				b.Fatal(err)
			}
			flipped[j] = !flipped[j]
			ok, err := e.Check(g.User, g.Account, access.EditContent)
			if err != nil || ok == flipped[j] {
				b.Fatalf("after %s to %s, Check(%s, %s, %s) = %v (error %v)", from, to, g.User, g.Account, access.EditContent, ok, err)
			}
		}
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			flip(n % len(targets))
			n++
		}
		for j, f := range flipped {
			if f {
				flip(j)
			}
		}
	})
}
