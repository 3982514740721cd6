package structure

// Benchmarks of the compiled structure index, on one organisation of the
// size of the targets: 1,000 websites, 200 programs and 500 links (bigOrg:
// every 50th website and 40th program archived; links list a few
// components, select whole accounts, or All). Run them with
//
//	go test -run '^$' -bench . -benchmem -count 5 ./structure
//
// BENCHMARKS.md at the root of the repository records the figures and the
// targets they are held to.

import (
	"slices"
	"sync"
	"testing"

	"github.com/orgspace/orgspace/org"
)

const benchOrg org.OrganisationID = "org_bench"

var benchWorld = sync.OnceValue(func() state { return bigOrg(benchOrg, 1000, 200, 500) })

// benchPairs is the number of pre-drawn pairs: a power of two, so the loop
// indexes them with a mask.
const benchPairs = 1 << 12

type benchPair struct {
	w WebsiteID
	p ProgramID
}

// drawPairs draws pairs of s's components, half of them sharing, half not.
func drawPairs(b *testing.B, s state) []benchPair {
	ix := mustCompile(b, s)
	x := uint64(7)
	next := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int(x>>33) % n
	}
	var pairs []benchPair
	shared := 0
	for len(pairs) < benchPairs {
		q := benchPair{s.websites[next(len(s.websites))].ID, s.programs[next(len(s.programs))].ID}
		if ix.Shares(q.w, q.p) == (shared < benchPairs/2) {
			if ix.Shares(q.w, q.p) {
				shared++
			}
			pairs = append(pairs, q)
		}
	}
	// Interleave the two halves at random.
	for i := len(pairs) - 1; i > 0; i-- {
		j := next(i + 1)
		pairs[i], pairs[j] = pairs[j], pairs[i]
	}
	return pairs
}

var sinkBool bool

func BenchmarkShares(b *testing.B) {
	s := benchWorld()
	pairs := drawPairs(b, s)
	run := func(b *testing.B, ix *Index) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			q := pairs[i&(benchPairs-1)]
			sinkBool = ix.Shares(q.w, q.p)
		}
	}
	b.Run("compiled", func(b *testing.B) { run(b, mustCompile(b, s)) })
	// After a recompile that added a website: the index shares all but
	// one shard of the website map with the compiled one.
	b.Run("recompiled", func(b *testing.B) {
		ix := mustCompile(b, s)
		changed := s.clone()
		changed.websites = append(changed.websites, Website{ID: "org_bench_web_new", Org: benchOrg, Account: s.websites[0].Account})
		ix, err := ix.Recompile(&memStore{s: changed}, benchOrg)
		if err != nil {
			b.Fatal(err)
		}
		run(b, ix)
	})
}

var sinkDecision Decision

func BenchmarkExplain(b *testing.B) {
	s := benchWorld()
	pairs := drawPairs(b, s)
	ix := mustCompile(b, s)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := pairs[i&(benchPairs-1)]
		sinkDecision = ix.Explain(q.w, q.p)
	}
}

type benchItem struct {
	n       int
	website WebsiteID
}

func BenchmarkFilter(b *testing.B) {
	s := benchWorld()
	ix := mustCompile(b, s)
	// The program whose websites are closest to half of them, so that
	// Filter keeps about half the items.
	p := slices.MinFunc(s.programs, func(a, c Program) int {
		half := len(s.websites) / 2
		return abs(len(ix.WebsitesFor(a.ID))-half) - abs(len(ix.WebsitesFor(c.ID))-half)
	}).ID
	random := make([]benchItem, 10_000)
	x := uint64(3)
	for i := range random {
		x = x*6364136223846793005 + 1442695040888963407
		random[i] = benchItem{i, s.websites[int(x>>33)%len(s.websites)].ID}
	}
	grouped := slices.Clone(random)
	slices.SortStableFunc(grouped, func(a, c benchItem) int {
		switch {
		case a.website < c.website:
			return -1
		case a.website > c.website:
			return 1
		}
		return 0
	})
	websiteOf := func(it benchItem) WebsiteID { return it.website }
	for _, bm := range []struct {
		name  string
		items []benchItem
	}{{"random", random}, {"grouped-by-website", grouped}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			kept := 0
			for b.Loop() {
				kept = len(Filter(ix, p, bm.items, websiteOf))
			}
			b.ReportMetric(float64(kept), "kept")
		})
	}
}

func abs(n int) int { return max(n, -n) }

var sinkWebsites []Website

func BenchmarkWebsitesFor(b *testing.B) {
	s := benchWorld()
	ix := mustCompile(b, s)
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		sinkWebsites = ix.WebsitesFor(s.programs[i%len(s.programs)].ID)
		n += len(sinkWebsites)
	}
	b.ReportMetric(float64(n)/float64(b.N), "websites/op")
}

// BenchmarkRecompile recompiles the organisation after one link changed:
// every op edits one link's selections (in turn, back and forth) and
// recompiles from an in-memory Store, whose reads are counted in.
func BenchmarkRecompile(b *testing.B) {
	s := benchWorld()
	ix := mustCompile(b, s)
	changed := s.clone()
	changed.links[250].Websites = Selection[WebsiteID]{Items: []WebsiteID{s.websites[1].ID, s.websites[2].ID}}
	changed.links[250].Programs = Selection[ProgramID]{All: true}
	stores := []*memStore{{s: changed}, {s: s}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var err error
		if ix, err = ix.Recompile(stores[i&1], benchOrg); err != nil {
			b.Fatal(err)
		}
	}
}
