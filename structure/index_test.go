package structure

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/orgspace/orgspace/org"
)

// memStore is the part of a Store that Compile and Recompile read, over a
// state. No backend implements Store yet; the backends' own tests will
// compile from them. Any other method panics (the embedded Store is nil).
type memStore struct {
	Store
	s state
}

func (m *memStore) AllAccounts(fn func(org.Account) error) error { return each(m.s.accounts, fn) }
func (m *memStore) AllWebsites(fn func(Website) error) error     { return each(m.s.websites, fn) }
func (m *memStore) AllPrograms(fn func(Program) error) error     { return each(m.s.programs, fn) }
func (m *memStore) AllLinks(fn func(Link) error) error           { return each(m.s.links, fn) }

func (m *memStore) AllDefaultRules(fn func(org.OrganisationID, bool) error) error {
	for o, enabled := range m.s.rules {
		if err := fn(o, enabled); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) WebsitesOfOrg(o org.OrganisationID) ([]Website, error) {
	return ofOrg(m.s.websites, func(w Website) bool { return w.Org == o }), nil
}

func (m *memStore) ProgramsOfOrg(o org.OrganisationID) ([]Program, error) {
	return ofOrg(m.s.programs, func(p Program) bool { return p.Org == o }), nil
}

func (m *memStore) LinksOfOrg(o org.OrganisationID) ([]Link, error) {
	return ofOrg(m.s.links, func(l Link) bool { return l.Org == o }), nil
}

func (m *memStore) DefaultRule(o org.OrganisationID) (bool, error) {
	if enabled, ok := m.s.rules[o]; ok {
		return enabled, nil
	}
	return true, nil
}

func (m *memStore) ListAccounts(o org.OrganisationID, after org.AccountID, limit int) ([]org.Account, error) {
	all := ofOrg(m.s.accounts, func(a org.Account) bool { return a.Org == o && a.ID > after })
	slices.SortFunc(all, func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) })
	return all[:min(limit, len(all))], nil
}

func each[T any](items []T, fn func(T) error) error {
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// ofOrg returns a copy of the items keep keeps, as a store returns rows.
func ofOrg[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// clone returns a copy of s that may be changed without changing s.
func (s state) clone() state {
	c := state{
		accounts: slices.Clone(s.accounts),
		websites: slices.Clone(s.websites),
		programs: slices.Clone(s.programs),
		links:    slices.Clone(s.links),
		rules:    maps.Clone(s.rules),
	}
	for i, l := range c.links {
		c.links[i].Websites = cloneSelection(l.Websites)
		c.links[i].Programs = cloneSelection(l.Programs)
	}
	return c
}

func (s state) rule(o org.OrganisationID) bool {
	if enabled, ok := s.rules[o]; ok {
		return enabled
	}
	return true
}

// mustCompile compiles s through Compile, as from a store.
func mustCompile(t testing.TB, s state) *Index {
	t.Helper()
	ix, err := Compile(&memStore{s: s})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// disagreement returns how ix differs from the rule (Evaluate, and brute
// force over it) on state s, or nil: on every pair of websites and
// programs, unknown ones included, and on every listing and lookup.
func disagreement(ix *Index, s state) error {
	websites := append(slices.Clone(s.websites), Website{ID: "web_unknown"})
	programs := append(slices.Clone(s.programs), Program{ID: "prg_unknown"})
	slices.SortFunc(websites, func(a, b Website) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(programs, func(a, b Program) int { return cmp.Compare(a.ID, b.ID) })
	for _, w := range websites {
		var want []Program
		for _, p := range programs {
			d := Evaluate(s.links, s.rule(w.Org), w, p)
			if got := ix.Explain(w.ID, p.ID); got != d {
				return fmt.Errorf("Explain(%s, %s) = %+v, Evaluate says %+v", w.ID, p.ID, got, d)
			}
			if got := ix.Shares(w.ID, p.ID); got != d.Shared {
				return fmt.Errorf("Shares(%s, %s) = %v, Evaluate says %+v", w.ID, p.ID, got, d)
			}
			if d.Shared {
				want = append(want, p)
			}
		}
		if got := ix.ProgramsFor(w.ID); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("ProgramsFor(%s) = %v, want %v", w.ID, ids(got), ids(want))
		}
		if got, ok := ix.Website(w.ID); ok != (w.Org != "") || ok && got != w {
			return fmt.Errorf("Website(%s) = %+v, %v; want %+v", w.ID, got, ok, w)
		}
	}
	// Items in an order unlike the websites', repeated, unknown ones among
	// them, so that Filter keeps order and meets runs of one website.
	var items []WebsiteID
	byID := make(map[WebsiteID]Website)
	for i, w := range websites {
		if w.Org != "" {
			byID[w.ID] = w
		}
		w := websites[(i*7+3)%len(websites)].ID
		items = append(items, w, "web_unknown", w)
	}
	for _, p := range programs {
		var want []Website
		for _, w := range websites {
			if Evaluate(s.links, s.rule(w.Org), w, p).Shared {
				want = append(want, w)
			}
		}
		if got := ix.WebsitesFor(p.ID); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("WebsitesFor(%s) = %v, want %v", p.ID, ids(got), ids(want))
		}
		var kept []WebsiteID
		for _, it := range items {
			w := byID[it]
			if Evaluate(s.links, s.rule(w.Org), w, p).Shared {
				kept = append(kept, it)
			}
		}
		if got := Filter(ix, p.ID, items, func(w WebsiteID) WebsiteID { return w }); !slices.Equal(got, kept) {
			return fmt.Errorf("Filter(%s) = %v, want %v", p.ID, got, kept)
		}
		if got, ok := ix.Program(p.ID); ok != (p.Org != "") || ok && got != p {
			return fmt.Errorf("Program(%s) = %+v, %v; want %+v", p.ID, got, ok, p)
		}
	}
	byOrg := s.split()
	orgs := slices.Collect(maps.Keys(byOrg))
	for _, o := range append(orgs, "org_unknown") {
		os := byOrg[o]
		if os == nil {
			os = &orgState{rule: true}
		}
		if got, want := ix.Available(o), os.engage && os.loyalty; got != want {
			return fmt.Errorf("Available(%s) = %v, want %v", o, got, want)
		}
		if got, want := ix.DefaultRule(o), s.rule(o); got != want {
			return fmt.Errorf("DefaultRule(%s) = %v, want %v", o, got, want)
		}
		if got := ix.Links(o); !reflect.DeepEqual(got, os.links) && len(got)+len(os.links) > 0 {
			return fmt.Errorf("Links(%s) = %+v, want %+v", o, got, os.links)
		}
	}
	return nil
}

func ids[C Website | Program](cs []C) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		switch c := any(c).(type) {
		case Website:
			out[i] = string(c.ID)
		case Program:
			out[i] = string(c.ID)
		}
	}
	return out
}

// bigOrg is an organisation of the size of the targets: nw websites over
// 10 Engage accounts, np programs over 5 Loyalty accounts, and nl links of
// every kind of selection, drawn from a fixed seed.
func bigOrg(o org.OrganisationID, nw, np, nl int) state {
	s := state{rules: map[org.OrganisationID]bool{}}
	engage := make([]org.AccountID, 10)
	loyalty := make([]org.AccountID, 5)
	for i := range engage {
		engage[i] = org.AccountID(fmt.Sprintf("%s_acc_e%02d", o, i))
		s.accounts = append(s.accounts, org.Account{ID: engage[i], Org: o, Product: org.Engage})
	}
	for i := range loyalty {
		loyalty[i] = org.AccountID(fmt.Sprintf("%s_acc_l%02d", o, i))
		s.accounts = append(s.accounts, org.Account{ID: loyalty[i], Org: o, Product: org.Loyalty})
	}
	for i := range nw {
		s.websites = append(s.websites, Website{ID: WebsiteID(fmt.Sprintf("%s_web_%05d", o, i)), Org: o, Account: engage[i%len(engage)], Archived: i%50 == 49})
	}
	for i := range np {
		s.programs = append(s.programs, Program{ID: ProgramID(fmt.Sprintf("%s_prg_%05d", o, i)), Org: o, Account: loyalty[i%len(loyalty)], Archived: i%40 == 39})
	}
	// A small linear congruential generator: the same links every run.
	x := uint64(1)
	next := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int(x>>33) % n
	}
	for i := range nl {
		l := Link{ID: LinkID(fmt.Sprintf("%s_lnk_%05d", o, i)), Org: o}
		// Most links list a few websites and programs; 9% of the sides
		// select one account, and 1% All.
		switch k := next(100); {
		case k == 0:
			l.Websites.All = true
		case k < 10:
			l.Websites.Accounts = []org.AccountID{engage[next(len(engage))]}
		default:
			for range 1 + next(5) {
				l.Websites.Items = append(l.Websites.Items, s.websites[next(nw)].ID)
			}
		}
		switch k := next(100); {
		case k == 0:
			l.Programs.All = true
		case k < 10:
			l.Programs.Accounts = []org.AccountID{loyalty[next(len(loyalty))]}
		default:
			for range 1 + next(3) {
				l.Programs.Items = append(l.Programs.Items, s.programs[next(np)].ID)
			}
		}
		s.links = append(s.links, l)
	}
	return s
}

func TestCompiledIndexFollowsTheRuleOnALargeOrganisation(t *testing.T) {
	s := bigOrg("org_big", 300, 70, 120)
	if err := disagreement(mustCompile(t, s), s); err != nil {
		t.Fatal(err)
	}
}

// Recompile leaves the index it started from as it was: readers holding it
// keep their answers.
func TestRecompileLeavesTheOldIndexUnchanged(t *testing.T) {
	before := bigOrg("org_a", 40, 10, 8)
	other := bigOrg("org_b", 20, 5, 4)
	before.accounts = append(before.accounts, other.accounts...)
	before.websites = append(before.websites, other.websites...)
	before.programs = append(before.programs, other.programs...)
	before.links = append(before.links, other.links...)
	ix := mustCompile(t, before)

	after := before.clone()
	after.links = after.links[1:]
	after.rules["org_a"] = false
	after.websites = append(after.websites, Website{ID: "org_a_web_new", Org: "org_a", Account: "org_a_acc_e00"})
	after.websites[0].Archived = true
	nx, err := ix.Recompile(&memStore{s: after}, "org_a")
	if err != nil {
		t.Fatal(err)
	}
	if err := disagreement(nx, after); err != nil {
		t.Fatalf("recompiled: %v", err)
	}
	if err := disagreement(ix, before); err != nil {
		t.Fatalf("the old index changed: %v", err)
	}
	if nx.org("org_b") != ix.org("org_b") {
		t.Error("org_b was compiled again; it should be shared with the old index")
	}
}

// Sequential and random IDs spread over the shards, and adding entries
// copies only the shards they fall in, leaving the old map as it was.
func TestShardedMapCopiesOnlyTheShardsItAddsTo(t *testing.T) {
	for _, kind := range []string{"sequential", "random"} {
		t.Run(kind, func(t *testing.T) {
			add := make(map[WebsiteID]int)
			gen := org.IDGenerator(&org.SequentialIDs{})
			if kind == "random" {
				gen = org.RandomIDs{}
			}
			const n = 100 * shardCount
			for i := range n {
				add[WebsiteID(gen.NewID("web"))] = i
			}
			m := sharded[WebsiteID, int]{}.with(add)
			for i, shard := range m.shards {
				// 100 a shard on average; a fair hash stays well within.
				if len(shard) < 50 || len(shard) > 200 {
					t.Fatalf("shard %d holds %d of %d entries", i, len(shard), n)
				}
			}
			m2 := m.with(map[WebsiteID]int{"web_new": -1})
			if v, ok := m2.get("web_new"); !ok || v != -1 {
				t.Fatalf("the new map: web_new = %v, %v", v, ok)
			}
			if _, ok := m.get("web_new"); ok {
				t.Fatal("the old map changed")
			}
			copied := 0
			for i := range m.shards {
				if reflect.ValueOf(m.shards[i]).Pointer() != reflect.ValueOf(m2.shards[i]).Pointer() {
					copied++
				}
			}
			if copied != 1 {
				t.Fatalf("%d shards copied for one new entry, want 1", copied)
			}
			for k, v := range add {
				if got, ok := m2.get(k); !ok || got != v {
					t.Fatalf("the new map: %s = %v, %v; want %v", k, got, ok, v)
				}
			}
		})
	}
}

// Shares and Explain do not allocate.
func TestSharesDoesNotAllocate(t *testing.T) {
	s := bigOrg("org_a", 100, 20, 30)
	ix := mustCompile(t, s)
	w, p := s.websites[3].ID, s.programs[4].ID
	if n := testing.AllocsPerRun(100, func() { ix.Shares(w, p) }); n != 0 {
		t.Errorf("Shares allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { ix.Explain(w, p) }); n != 0 {
		t.Errorf("Explain allocates %v times", n)
	}
}

func TestRecompileReportsTheStoreError(t *testing.T) {
	ix := mustCompile(t, bigOrg("org_a", 3, 2, 1))
	if _, err := ix.Recompile(failingStore{}, "org_a"); err == nil || err.Error() != "structure: recompile org_a: websites: disk on fire" {
		t.Fatalf("Recompile: %v", err)
	}
	if _, err := Compile(failingStore{}); err == nil || err.Error() != "structure: compile: accounts: disk on fire" {
		t.Fatalf("Compile: %v", err)
	}
}

type failingStore struct{ Store }

func (failingStore) WebsitesOfOrg(org.OrganisationID) ([]Website, error) {
	return nil, fmt.Errorf("disk on fire")
}
func (failingStore) AllAccounts(func(org.Account) error) error { return fmt.Errorf("disk on fire") }

// Readers keep answering from the index they hold while another goroutine
// recompiles and publishes new ones (run with -race to check the sharing).
func TestReadersAnswerFromTheirIndexWhileRecompiling(t *testing.T) {
	linked := bigOrg("org_a", 50, 10, 5)
	linked.links = append(linked.links, Link{ID: "org_a_lnk_0", Org: "org_a", Websites: items(linked.websites[0].ID), Programs: items(linked.programs[0].ID)})
	unlinked := linked.clone()
	unlinked.links = unlinked.links[:len(unlinked.links)-1]
	w, p := linked.websites[0].ID, linked.programs[0].ID
	stores := []*memStore{{s: unlinked}, {s: linked}}
	if Evaluate(linked.links, true, linked.websites[0], linked.programs[0]) == Evaluate(unlinked.links, true, linked.websites[0], linked.programs[0]) {
		t.Fatal("the two states should decide the pair differently")
	}

	var current atomic.Pointer[Index]
	var want sync.Map // *Index → Decision
	ix := mustCompile(t, unlinked)
	want.Store(ix, Evaluate(unlinked.links, true, unlinked.websites[0], unlinked.programs[0]))
	current.Store(ix)
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				ix := current.Load()
				d, _ := want.Load(ix)
				if got := ix.Explain(w, p); got != d.(Decision) {
					t.Errorf("Explain = %+v, want %+v", got, d)
					return
				}
			}
		})
	}
	for i := range 200 {
		next, err := current.Load().Recompile(stores[(i+1)%2], "org_a")
		if err != nil {
			t.Fatal(err)
		}
		s := stores[(i+1)%2].s
		want.Store(next, Evaluate(s.links, true, s.websites[0], s.programs[0]))
		current.Store(next)
	}
	close(done)
	readers.Wait()
}
