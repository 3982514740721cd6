package storagetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// The structure's writes under injected faults: the failure world's Acme
// has an Engage and a Loyalty account, so it has a structure; the first
// structure operation gives it a website, a program and a custom link.

// faultStructureWorld is what the structure operations work on.
type faultStructureWorld struct {
	website structure.WebsiteID
	program structure.ProgramID
	link    structure.LinkID
}

// structure returns the structure world, made by the first call.
func (x *faultEnv) structure() *faultStructureWorld {
	x.t.Helper()
	if x.sw != nil {
		return x.sw
	}
	sp := x.space.Structure
	w, _, err := sp.CreateWebsite(x.ctx, x.w.ownerA, structure.NewWebsite{Account: x.w.engage, Name: "acme.test"})
	x.must(err)
	p, _, err := sp.CreateProgram(x.ctx, x.w.ownerA, structure.NewProgram{Account: x.w.loyalty, Name: "Acme Points"})
	x.must(err)
	l, _, err := sp.CreateLink(x.ctx, x.w.ownerA, structure.NewLink{
		Org: x.w.acme, Name: "Site to points",
		Websites: structure.Selection[structure.WebsiteID]{Items: []structure.WebsiteID{w.ID}},
		Programs: structure.Selection[structure.ProgramID]{Items: []structure.ProgramID{p.ID}},
	})
	x.must(err)
	x.sw = &faultStructureWorld{website: w.ID, program: p.ID, link: l.ID}
	return x.sw
}

// faultStructure is the structure as the store holds it, and as each Space
// answers it.
type faultStructure struct {
	Websites []structure.Website
	Programs []structure.Program
	Links    []structure.Link
	Rules    map[org.OrganisationID]bool
	Answers  []faultStructureAnswers
}

// faultStructureAnswers are an index's answers about the stored
// components and the world's organisations.
type faultStructureAnswers struct {
	Decisions   map[string]structure.Decision // by "website program"
	WebsitesFor map[structure.ProgramID][]structure.WebsiteID
	Available   map[org.OrganisationID]bool
	Rules       map[org.OrganisationID]bool
	Links       map[org.OrganisationID][]structure.Link
}

// structureState reads the stored structure, and the answers of every
// Space of x once caught up with the store.
func (x *faultEnv) structureState() faultStructure {
	x.t.Helper()
	var s faultStructure
	x.must(x.space.Store().View(x.ctx, storage.Latest(), func(st orgspace.Store) error {
		s.Rules = map[org.OrganisationID]bool{}
		if err := st.AllWebsites(func(w structure.Website) error { s.Websites = append(s.Websites, w); return nil }); err != nil {
			return err
		}
		if err := st.AllPrograms(func(p structure.Program) error { s.Programs = append(s.Programs, p); return nil }); err != nil {
			return err
		}
		if err := st.AllLinks(func(l structure.Link) error { s.Links = append(s.Links, l); return nil }); err != nil {
			return err
		}
		return st.AllDefaultRules(func(o org.OrganisationID, enabled bool) error { s.Rules[o] = enabled; return nil })
	}))
	slices.SortFunc(s.Websites, func(a, b structure.Website) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Programs, func(a, b structure.Program) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.Links, func(a, b structure.Link) int { return cmp.Compare(a.ID, b.ID) })
	for _, sp := range []*orgspace.Space{x.space, x.sp} {
		ix, err := sp.Structure.Index(x.ctx, storage.Latest())
		x.must(err)
		s.Answers = append(s.Answers, x.structureAnswers(ix, s))
	}
	return s
}

func (x *faultEnv) structureAnswers(ix *structure.Index, s faultStructure) faultStructureAnswers {
	a := faultStructureAnswers{
		Decisions: map[string]structure.Decision{}, WebsitesFor: map[structure.ProgramID][]structure.WebsiteID{},
		Available: map[org.OrganisationID]bool{}, Rules: map[org.OrganisationID]bool{}, Links: map[org.OrganisationID][]structure.Link{},
	}
	for _, p := range s.Programs {
		for _, w := range s.Websites {
			a.Decisions[fmt.Sprintf("%s %s", w.ID, p.ID)] = ix.Explain(w.ID, p.ID)
		}
		for _, w := range ix.WebsitesFor(p.ID) {
			a.WebsitesFor[p.ID] = append(a.WebsitesFor[p.ID], w.ID)
		}
	}
	for _, o := range []org.OrganisationID{x.w.acme, x.w.globex} {
		a.Available[o], a.Rules[o], a.Links[o] = ix.Available(o), ix.DefaultRule(o), ix.Links(o)
	}
	return a
}

// checkStructureKept checks, after the n-th call failed, that the stored
// structure and every Space's answers are as before.
func (x *faultEnv) checkStructureKept(t *testing.T, n int, before faultStructure) {
	t.Helper()
	if diff := gocmp.Diff(before, x.structureState(), svcCmpOptions...); diff != "" {
		t.Errorf("call %d failed; the structure changed (-before +after):\n%s", n, diff)
	}
}

// checkStructureFollows checks, after a success, that the writing Space's
// current structure, and every Space once caught up, answer as a Space
// opened now, which compiles the new state afresh.
func (x *faultEnv) checkStructureFollows(t *testing.T) {
	t.Helper()
	cur := x.sp.Structure.Current()
	s := x.structureState()
	fresh := x.structureAnswers(x.open().Structure.Current(), s)
	if diff := gocmp.Diff(fresh, x.structureAnswers(cur, s), svcCmpOptions...); diff != "" {
		t.Errorf("the writing Space's current structure after the write (-fresh Space +writing Space):\n%s", diff)
	}
	for i, got := range s.Answers {
		if diff := gocmp.Diff(fresh, got, svcCmpOptions...); diff != "" {
			t.Errorf("Space %d's structure after the write (-fresh Space +Space %d):\n%s", i+1, i+1, diff)
		}
	}
}

func faultWebsite(t *testing.T, s faultStructure, id structure.WebsiteID) structure.Website {
	t.Helper()
	return faultFind(t, "website "+string(id), s.Websites, func(w structure.Website) bool { return w.ID == id })
}

func faultProgram(t *testing.T, s faultStructure, id structure.ProgramID) structure.Program {
	t.Helper()
	return faultFind(t, "program "+string(id), s.Programs, func(p structure.Program) bool { return p.ID == id })
}

func faultLink(t *testing.T, s faultStructure, id structure.LinkID) structure.Link {
	t.Helper()
	return faultFind(t, "link "+string(id), s.Links, func(l structure.Link) bool { return l.ID == id })
}

// faultStructureOps are the write operations of structure.Service.
var faultStructureOps = []faultOp{
	{"structure.CreateWebsite", func(x *faultEnv) faultCase {
		x.structure()
		var w structure.Website
		return faultCase{
			structure: true,
			actions:   []string{"structure.website.create"},
			do: func() (rev storage.Revision, err error) {
				w, rev, err = x.sp.Structure.CreateWebsite(x.ctx, x.w.adminA, structure.NewWebsite{Account: x.w.engage, Name: "shop.acme.test"})
				return rev, err
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if diff := gocmp.Diff(w, faultWebsite(t, x.structureState(), w.ID)); diff != "" {
					t.Errorf("stored website (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"structure.CreateProgram", func(x *faultEnv) faultCase {
		x.structure()
		var p structure.Program
		return faultCase{
			structure: true,
			actions:   []string{"structure.program.create"},
			do: func() (rev storage.Revision, err error) {
				p, rev, err = x.sp.Structure.CreateProgram(x.ctx, x.w.ownerA, structure.NewProgram{Account: x.w.loyalty, Name: "Acme Club"})
				return rev, err
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if diff := gocmp.Diff(p, faultProgram(t, x.structureState(), p.ID)); diff != "" {
					t.Errorf("stored program (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"structure.RenameWebsite", func(x *faultEnv) faultCase {
		sw := x.structure()
		const name = "www.acme.test"
		return faultCase{
			structure: true,
			actions:   []string{"structure.website.rename"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.RenameWebsite(x.ctx, x.operator, sw.website, name)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if w := faultWebsite(t, x.structureState(), sw.website); w.Name != name {
					t.Errorf("the website is named %q, want %q", w.Name, name)
				}
			},
		}
	}},
	{"structure.RenameProgram", func(x *faultEnv) faultCase {
		sw := x.structure()
		const name = "Acme Miles"
		return faultCase{
			structure: true,
			actions:   []string{"structure.program.rename"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.RenameProgram(x.ctx, x.w.ownerA, sw.program, name)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if p := faultProgram(t, x.structureState(), sw.program); p.Name != name {
					t.Errorf("the program is named %q, want %q", p.Name, name)
				}
			},
		}
	}},
	{"structure.ArchiveWebsite", func(x *faultEnv) faultCase {
		sw := x.structure()
		return faultCase{
			structure: true,
			actions:   []string{"structure.website.archive"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.ArchiveWebsite(x.ctx, x.w.adminA, sw.website, true)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if w := faultWebsite(t, x.structureState(), sw.website); !w.Archived {
					t.Errorf("the website is not archived")
				}
			},
		}
	}},
	{"structure.ArchiveWebsite restoring it", func(x *faultEnv) faultCase {
		sw := x.structure()
		return faultCase{
			structure: true,
			actions:   []string{"structure.website.unarchive"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.ArchiveWebsite(x.ctx, x.w.ownerA, sw.website, false)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if w := faultWebsite(t, x.structureState(), sw.website); w.Archived {
					t.Errorf("the website is still archived")
				}
			},
		}
	}},
	{"structure.ArchiveProgram", func(x *faultEnv) faultCase {
		sw := x.structure()
		return faultCase{
			structure: true,
			actions:   []string{"structure.program.archive"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.ArchiveProgram(x.ctx, x.operator, sw.program, true)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if p := faultProgram(t, x.structureState(), sw.program); !p.Archived {
					t.Errorf("the program is not archived")
				}
			},
		}
	}},
	{"structure.CreateLink", func(x *faultEnv) faultCase {
		sw := x.structure()
		var l structure.Link
		return faultCase{
			structure: true,
			actions:   []string{"structure.link.create"},
			do: func() (rev storage.Revision, err error) {
				l, rev, err = x.sp.Structure.CreateLink(x.ctx, x.w.ownerA, structure.NewLink{
					Org:      x.w.acme,
					Websites: structure.Selection[structure.WebsiteID]{Accounts: []org.AccountID{x.w.engage}, Items: []structure.WebsiteID{sw.website}},
					Programs: structure.Selection[structure.ProgramID]{All: true},
				})
				return rev, err
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if diff := gocmp.Diff(l, faultLink(t, x.structureState(), l.ID), svcCmpOptions...); diff != "" {
					t.Errorf("stored link (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"structure.UpdateLink", func(x *faultEnv) faultCase {
		sw := x.structure()
		var l structure.Link
		return faultCase{
			structure: true,
			actions:   []string{"structure.link.update"},
			do: func() (rev storage.Revision, err error) {
				l, rev, err = x.sp.Structure.UpdateLink(x.ctx, x.operator, sw.link, structure.LinkChange{
					Name:     "Everything to the points",
					Websites: structure.Selection[structure.WebsiteID]{All: true},
					Programs: structure.Selection[structure.ProgramID]{Accounts: []org.AccountID{x.w.loyalty}, Items: []structure.ProgramID{sw.program}},
				})
				return rev, err
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if diff := gocmp.Diff(l, faultLink(t, x.structureState(), sw.link), svcCmpOptions...); diff != "" {
					t.Errorf("stored link (-returned +stored):\n%s", diff)
				}
			},
		}
	}},
	{"structure.SetDefaultRule", func(x *faultEnv) faultCase {
		x.structure()
		return faultCase{
			structure: true,
			actions:   []string{"structure.default_rule.set"},
			do: func() (storage.Revision, error) {
				return x.sp.Structure.SetDefaultRule(x.ctx, x.w.ownerA, x.w.acme, false)
			},
			check: func(t *testing.T, _ svcSnapshot) {
				if enabled, ok := x.structureState().Rules[x.w.acme]; !ok || enabled {
					t.Errorf("the default rule is stored %v (set %v), want disabled", enabled, ok)
				}
			},
		}
	}},
	{"structure.DeleteLink", func(x *faultEnv) faultCase {
		sw := x.structure()
		return faultCase{
			structure: true,
			actions:   []string{"structure.link.delete"},
			do:        func() (storage.Revision, error) { return x.sp.Structure.DeleteLink(x.ctx, x.w.ownerA, sw.link) },
			check: func(t *testing.T, _ svcSnapshot) {
				if slices.ContainsFunc(x.structureState().Links, func(l structure.Link) bool { return l.ID == sw.link }) {
					t.Errorf("the deleted link is still stored")
				}
			},
		}
	}},
}
