package structure

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace/org"
)

// For random organisations and link sets, the compiled index answers as
// Evaluate on every pair and as brute force on every listing; recompiling
// one organisation after each random change answers as the rule on the
// changed state (and so as a fresh compile), and the index it started from
// keeps the old answers.
func TestCompiledIndexEqualsTheRule(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := &worldGen{t: t}
		s := g.world()
		ix, err := Compile(&memStore{s: s})
		if err != nil {
			t.Fatal(err)
		}
		if err := disagreement(ix, s); err != nil {
			t.Fatalf("compiled: %v", err)
		}
		for i := range rapid.IntRange(1, 8).Draw(t, "changes") {
			prev, prevIx := s.clone(), ix
			orgs := []org.OrganisationID{g.change(&s)}
			if rapid.Bool().Draw(t, "also recompile an unchanged organisation") {
				orgs = append(orgs, rapid.SampledFrom(g.orgs).Draw(t, "unchanged"))
			}
			if ix, err = ix.Recompile(&memStore{s: s}, orgs...); err != nil {
				t.Fatal(err)
			}
			if err := disagreement(ix, s); err != nil {
				t.Fatalf("after change %d, recompiled: %v", i, err)
			}
			if err := disagreement(prevIx, prev); err != nil {
				t.Fatalf("after change %d, the index before it: %v", i, err)
			}
		}
		// A fresh compile of the final state answers the same.
		if err := disagreement(compile(s), s); err != nil {
			t.Fatalf("compiled afresh: %v", err)
		}
	})
}

// worldGen draws organisations, their components and links. IDs are drawn
// at random, so a component added later often sorts between older ones.
type worldGen struct {
	t    *rapid.T
	orgs []org.OrganisationID
	ids  map[string]bool
}

func (g *worldGen) id(prefix string) string {
	if g.ids == nil {
		g.ids = make(map[string]bool)
	}
	for {
		id := fmt.Sprintf("%s_%03d", prefix, rapid.IntRange(0, 999).Draw(g.t, prefix))
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *worldGen) world() state {
	s := state{rules: make(map[org.OrganisationID]bool)}
	for i := range rapid.IntRange(1, 3).Draw(g.t, "organisations") {
		o := org.OrganisationID(fmt.Sprintf("org_%d", i))
		g.orgs = append(g.orgs, o)
		for range rapid.IntRange(0, 4).Draw(g.t, "accounts") {
			g.addAccount(&s, o)
		}
		for range rapid.IntRange(0, 6).Draw(g.t, "websites") {
			g.addWebsite(&s, o)
		}
		for range rapid.IntRange(0, 5).Draw(g.t, "programs") {
			g.addProgram(&s, o)
		}
		for range rapid.IntRange(0, 4).Draw(g.t, "links") {
			g.addLink(&s, o)
		}
		g.setRule(&s, o)
	}
	return s
}

// change changes one organisation of s at random and returns it.
func (g *worldGen) change(s *state) org.OrganisationID {
	o := rapid.SampledFrom(g.orgs).Draw(g.t, "organisation")
	switch rapid.IntRange(0, 8).Draw(g.t, "change") {
	case 0:
		g.addWebsite(s, o)
	case 1:
		g.addProgram(s, o)
	case 2:
		if i := g.pick(len(s.websites), "website"); i >= 0 {
			s.websites[i].Archived = !s.websites[i].Archived
			return s.websites[i].Org
		}
	case 3:
		if i := g.pick(len(s.programs), "program"); i >= 0 {
			s.programs[i].Archived = !s.programs[i].Archived
			return s.programs[i].Org
		}
	case 4:
		g.addLink(s, o)
	case 5:
		if i := g.pick(len(s.links), "link"); i >= 0 {
			l := &s.links[i]
			l.Websites = g.websites(*s, l.Org)
			l.Programs = g.programs(*s, l.Org)
			return l.Org
		}
	case 6:
		if i := g.pick(len(s.links), "link"); i >= 0 {
			o = s.links[i].Org
			s.links = slices.Delete(s.links, i, i+1)
		}
	case 7:
		g.setRule(s, o)
	case 8:
		g.addAccount(s, o)
	}
	return o
}

// pick returns an index below n, or -1 when n is 0.
func (g *worldGen) pick(n int, label string) int {
	if n == 0 {
		return -1
	}
	return rapid.IntRange(0, n-1).Draw(g.t, label)
}

func (g *worldGen) addAccount(s *state, o org.OrganisationID) {
	p := rapid.SampledFrom([]org.Product{org.Engage, org.Loyalty, org.Events}).Draw(g.t, "product")
	s.accounts = append(s.accounts, org.Account{ID: org.AccountID(g.id("acc")), Org: o, Product: p})
}

// accountsOf returns o's accounts of product p.
func accountsOf(s state, o org.OrganisationID, p org.Product) []org.AccountID {
	var out []org.AccountID
	for _, a := range s.accounts {
		if a.Org == o && a.Product == p {
			out = append(out, a.ID)
		}
	}
	return out
}

func (g *worldGen) addWebsite(s *state, o org.OrganisationID) {
	if as := accountsOf(*s, o, org.Engage); len(as) > 0 {
		s.websites = append(s.websites, Website{
			ID: WebsiteID(g.id("web")), Org: o,
			Account:  rapid.SampledFrom(as).Draw(g.t, "account"),
			Archived: rapid.IntRange(0, 4).Draw(g.t, "archived") == 0,
		})
	}
}

func (g *worldGen) addProgram(s *state, o org.OrganisationID) {
	if as := accountsOf(*s, o, org.Loyalty); len(as) > 0 {
		s.programs = append(s.programs, Program{
			ID: ProgramID(g.id("prg")), Org: o,
			Account:  rapid.SampledFrom(as).Draw(g.t, "account"),
			Archived: rapid.IntRange(0, 4).Draw(g.t, "archived") == 0,
		})
	}
}

func (g *worldGen) addLink(s *state, o org.OrganisationID) {
	s.links = append(s.links, Link{ID: LinkID(g.id("lnk")), Org: o, Websites: g.websites(*s, o), Programs: g.programs(*s, o)})
}

func (g *worldGen) setRule(s *state, o org.OrganisationID) {
	switch rapid.IntRange(0, 2).Draw(g.t, "default rule") {
	case 0:
		delete(s.rules, o) // never set: enabled
	case 1:
		s.rules[o] = true
	case 2:
		s.rules[o] = false
	}
}

func (g *worldGen) websites(s state, o org.OrganisationID) Selection[WebsiteID] {
	var ids []WebsiteID
	for _, w := range s.websites {
		ids = append(ids, w.ID)
	}
	return selection(g, ids, s, o, org.Engage)
}

func (g *worldGen) programs(s state, o org.OrganisationID) Selection[ProgramID] {
	var ids []ProgramID
	for _, p := range s.programs {
		ids = append(ids, p.ID)
	}
	return selection(g, ids, s, o, org.Loyalty)
}

// selection draws one side of a link of o: All, accounts, items or both.
// Accounts are mostly o's accounts of product p; items are drawn from
// every organisation's components, with an unknown one, as a bad store
// row might hold them.
func selection[ID ~string](g *worldGen, ids []ID, s state, o org.OrganisationID, p org.Product) Selection[ID] {
	var sel Selection[ID]
	kind := rapid.IntRange(0, 3).Draw(g.t, "selection")
	if kind == 0 {
		sel.All = true
		return sel
	}
	if kind&1 != 0 {
		accounts := append(accountsOf(s, o, p), "acc_unknown")
		for _, a := range s.accounts {
			if a.Org != o {
				accounts = append(accounts, a.ID)
				break
			}
		}
		sel.Accounts = rapid.SliceOfNDistinct(rapid.SampledFrom(accounts), 0, 3, rapid.ID).Draw(g.t, "accounts")
	}
	if kind&2 != 0 {
		ids = append(ids, "unknown")
		sel.Items = rapid.SliceOfNDistinct(rapid.SampledFrom(ids), 0, 4, rapid.ID).Draw(g.t, "items")
	}
	return sel
}
