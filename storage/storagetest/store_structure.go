package storagetest

import (
	"cmp"
	"errors"
	"fmt"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// The store-level tests of structure.Store: websites, programs, custom
// links and the default rule. A link's selections read back exactly as
// written: lists in the order given, and an empty list as nil.

// Selections, spelled short.
type (
	webSel = structure.Selection[structure.WebsiteID]
	prgSel = structure.Selection[structure.ProgramID]
)

func (storeFixtures) website(id, o, a string) structure.Website {
	return structure.Website{
		ID:        structure.WebsiteID(id),
		Org:       org.OrganisationID(o),
		Account:   org.AccountID(a),
		Name:      "Website " + id,
		CreatedAt: storeT0.Add(9 * time.Minute),
	}
}

func (storeFixtures) program(id, o, a string) structure.Program {
	return structure.Program{
		ID:        structure.ProgramID(id),
		Org:       org.OrganisationID(o),
		Account:   org.AccountID(a),
		Name:      "Program " + id,
		CreatedAt: storeT0.Add(10 * time.Minute),
	}
}

// link makes a link of organisation o selecting websites w and programs p.
func (storeFixtures) link(id, o string, w webSel, p prgSel) structure.Link {
	return structure.Link{
		ID:        structure.LinkID(id),
		Org:       org.OrganisationID(o),
		Name:      "Link " + id,
		Websites:  w,
		Programs:  p,
		CreatedAt: storeT0.Add(11 * time.Minute),
		UpdatedAt: storeT0.Add(12 * time.Minute),
	}
}

// structureSeed is what the structure tests start from, on storeBase:
// websites and programs in both organisations, a link of each kind of
// selection, and a default rule set in org-2.
type structureSeed struct {
	Websites []structure.Website
	Programs []structure.Program
	Links    []structure.Link
	// Rules are the default rules to set.
	Rules map[org.OrganisationID]bool
}

func structureBase() structureSeed {
	return structureSeed{
		Websites: []structure.Website{sf.website("web-1", "org-1", "acc-1"), sf.website("web-2", "org-1", "acc-1"), sf.website("web-3", "org-2", "acc-3")},
		Programs: []structure.Program{sf.program("prg-1", "org-1", "acc-2"), sf.program("prg-2", "org-1", "acc-2"), sf.program("prg-3", "org-2", "acc-3")},
		Links: []structure.Link{
			sf.link("lnk-1", "org-1", webSel{Items: []structure.WebsiteID{"web-2", "web-1"}}, prgSel{Accounts: []org.AccountID{"acc-2"}}),
			sf.link("lnk-2", "org-1", webSel{Accounts: []org.AccountID{"acc-1"}}, prgSel{All: true}),
			sf.link("lnk-3", "org-2", webSel{All: true}, prgSel{Items: []structure.ProgramID{"prg-3"}}),
		},
		Rules: map[org.OrganisationID]bool{"org-2": false},
	}
}

func (s structureSeed) write(st orgspace.Store) error {
	for _, w := range s.Websites {
		if err := st.InsertWebsite(w); err != nil {
			return err
		}
	}
	for _, p := range s.Programs {
		if err := st.InsertProgram(p); err != nil {
			return err
		}
	}
	for _, l := range s.Links {
		if err := st.InsertLink(l); err != nil {
			return err
		}
	}
	for o, enabled := range s.Rules {
		if err := st.SetDefaultRule(o, enabled); err != nil {
			return err
		}
	}
	return nil
}

// seedStructure writes storeBase and s in one Update.
func (db storeDB) seedStructure(s structureSeed) storage.Revision {
	db.t.Helper()
	return db.update(func(st orgspace.Store) error {
		return errors.Join(storeBase().write(st), s.write(st))
	})
}

// structureProbe names the keys a structure snapshot looks up one by one.
type structureProbe struct {
	Orgs     []string
	Websites []string
	Programs []string
	Links    []string
}

func structureBaseProbe() structureProbe {
	return structureProbe{
		Orgs:     []string{"org-1", "org-2", "org-9", "org-x"},
		Websites: []string{"web-1", "web-2", "web-3", "web-9", "web-x"},
		Programs: []string{"prg-1", "prg-2", "prg-3", "prg-9", "prg-x"},
		Links:    []string{"lnk-1", "lnk-2", "lnk-3", "lnk-9", "lnk-x"},
	}
}

// structureSnapshot is everything a Store shows of the structure.
type structureSnapshot struct {
	Websites      []structure.Website
	Programs      []structure.Program
	Links         []structure.Link
	Rules         map[org.OrganisationID]bool
	WebsitesOfOrg map[string][]structure.Website
	ProgramsOfOrg map[string][]structure.Program
	LinksOfOrg    map[string][]structure.Link
	RuleOfOrg     map[string]bool
	Website       map[string]storeLookup[structure.Website]
	Program       map[string]storeLookup[structure.Program]
	Link          map[string]storeLookup[structure.Link]
}

func takeStructureSnapshot(st orgspace.Store, p structureProbe) (s structureSnapshot, err error) {
	if s.Websites, err = storeCollect(st.AllWebsites, func(a, b structure.Website) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return s, err
	}
	if s.Programs, err = storeCollect(st.AllPrograms, func(a, b structure.Program) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return s, err
	}
	if s.Links, err = storeCollect(st.AllLinks, func(a, b structure.Link) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return s, err
	}
	s.Rules = map[org.OrganisationID]bool{}
	if err = st.AllDefaultRules(func(o org.OrganisationID, enabled bool) error {
		if _, dup := s.Rules[o]; dup {
			return fmt.Errorf("storagetest: AllDefaultRules yields organisation %s twice", o)
		}
		s.Rules[o] = enabled
		return nil
	}); err != nil {
		return s, err
	}
	s.WebsitesOfOrg = map[string][]structure.Website{}
	s.ProgramsOfOrg = map[string][]structure.Program{}
	s.LinksOfOrg = map[string][]structure.Link{}
	s.RuleOfOrg = map[string]bool{}
	for _, o := range p.Orgs {
		id := org.OrganisationID(o)
		if s.WebsitesOfOrg[o], err = st.WebsitesOfOrg(id); err != nil {
			return s, err
		}
		if s.ProgramsOfOrg[o], err = st.ProgramsOfOrg(id); err != nil {
			return s, err
		}
		if s.LinksOfOrg[o], err = st.LinksOfOrg(id); err != nil {
			return s, err
		}
		if s.RuleOfOrg[o], err = st.DefaultRule(id); err != nil {
			return s, err
		}
	}
	if s.Website, err = storeLookupsOf(p.Websites, storeKeyOf, func(id string) (structure.Website, error) { return st.Website(structure.WebsiteID(id)) }); err != nil {
		return s, err
	}
	if s.Program, err = storeLookupsOf(p.Programs, storeKeyOf, func(id string) (structure.Program, error) { return st.Program(structure.ProgramID(id)) }); err != nil {
		return s, err
	}
	if s.Link, err = storeLookupsOf(p.Links, storeKeyOf, func(id string) (structure.Link, error) { return st.Link(structure.LinkID(id)) }); err != nil {
		return s, err
	}
	return s, nil
}

// problems lists where the listings and lookups disagree with the objects
// AllX yields.
func (s structureSnapshot) problems(p structureProbe) []string {
	var out []string
	check := func(what string, want, got any) {
		if diff := storeDiff(want, got); diff != "" {
			out = append(out, fmt.Sprintf("%s disagrees with the objects (-objects +listing):\n%s", what, diff))
		}
	}
	for _, o := range p.Orgs {
		id := org.OrganisationID(o)
		check("WebsitesOfOrg("+o+")", storeFilterSorted(s.Websites, func(w structure.Website) bool { return w.Org == id }, func(a, b structure.Website) int { return cmp.Compare(a.ID, b.ID) }), s.WebsitesOfOrg[o])
		check("ProgramsOfOrg("+o+")", storeFilterSorted(s.Programs, func(p structure.Program) bool { return p.Org == id }, func(a, b structure.Program) int { return cmp.Compare(a.ID, b.ID) }), s.ProgramsOfOrg[o])
		check("LinksOfOrg("+o+")", storeFilterSorted(s.Links, func(l structure.Link) bool { return l.Org == id }, func(a, b structure.Link) int { return cmp.Compare(a.ID, b.ID) }), s.LinksOfOrg[o])
		enabled, set := s.Rules[id]
		check("DefaultRule("+o+")", enabled || !set, s.RuleOfOrg[o])
	}
	for _, w := range s.Websites {
		if got, ok := s.Website[string(w.ID)]; ok {
			check("Website("+string(w.ID)+")", storeLookup[structure.Website]{Found: true, Value: w}, got)
		}
	}
	for _, p := range s.Programs {
		if got, ok := s.Program[string(p.ID)]; ok {
			check("Program("+string(p.ID)+")", storeLookup[structure.Program]{Found: true, Value: p}, got)
		}
	}
	for _, l := range s.Links {
		if got, ok := s.Link[string(l.ID)]; ok {
			check("Link("+string(l.ID)+")", storeLookup[structure.Link]{Found: true, Value: l}, got)
		}
	}
	return out
}

// structureSnapshot reads everything p names in one View and fails the
// test when its listings and lookups disagree with its objects.
func (db storeDB) structureSnapshot(p structureProbe) structureSnapshot {
	db.t.Helper()
	var s structureSnapshot
	db.view(func(st orgspace.Store) (err error) {
		s, err = takeStructureSnapshot(st, p)
		return err
	})
	for _, problem := range s.problems(p) {
		db.t.Error(problem)
	}
	if db.t.Failed() {
		db.t.FailNow()
	}
	return s
}

// requireStructureUnchanged fails the test when the structure differs from before.
func (db storeDB) requireStructureUnchanged(t *testing.T, p structureProbe, before structureSnapshot) {
	t.Helper()
	if diff := storeDiff(before, db.on(t).structureSnapshot(p)); diff != "" {
		t.Fatalf("structure changed (-before +after):\n%s", diff)
	}
}

// requireNilEmptyLists fails the test when a link read back holds an empty
// but non-nil list: the one form of an empty list is nil.
func requireNilEmptyLists(t *testing.T, where string, l structure.Link) {
	t.Helper()
	for name, empty := range map[string]bool{
		"Websites.Accounts": l.Websites.Accounts != nil && len(l.Websites.Accounts) == 0,
		"Websites.Items":    l.Websites.Items != nil && len(l.Websites.Items) == 0,
		"Programs.Accounts": l.Programs.Accounts != nil && len(l.Programs.Accounts) == 0,
		"Programs.Items":    l.Programs.Items != nil && len(l.Programs.Items) == 0,
	} {
		if empty {
			t.Errorf("%s: link %s has an empty, non-nil %s; want nil", where, l.ID, name)
		}
	}
}

// storeStructureRoundTrip writes websites, programs and links with every
// kind of selection, reads them back exactly (lists in the order written,
// empty lists as nil), changes them and reads them again; an update keeps
// what it does not write. A deleted link is gone, and a link inserted
// again under its ID has only its new selections.
func storeStructureRoundTrip(t *testing.T, db storeDB) {
	db.seedStructure(structureSeed{})
	changedWebsite := sf.website("web-rt", "org-1", "acc-1")
	changedWebsite.Name, changedWebsite.Archived = "Renamed", true
	changedProgram := sf.program("prg-rt", "org-1", "acc-2")
	changedProgram.Name, changedProgram.Archived = "Renamed", true
	// What an update does not write: another organisation, account and
	// creation time.
	moved := func(o, a string) (org.OrganisationID, org.AccountID, time.Time) {
		return org.OrganisationID(o), org.AccountID(a), storeT0.Add(time.Hour)
	}

	db.update(func(st orgspace.Store) error {
		return errors.Join(
			st.InsertWebsite(sf.website("web-a", "org-1", "acc-1")), st.InsertWebsite(sf.website("web-b", "org-1", "acc-1")),
			st.InsertWebsite(sf.website("web-c", "org-1", "acc-2")),
			st.InsertProgram(sf.program("prg-a", "org-1", "acc-2")), st.InsertProgram(sf.program("prg-b", "org-1", "acc-2")))
	})
	links := []struct {
		name    string
		link    structure.Link
		changed structure.Link
	}{{
		name:    "AllToAll",
		link:    sf.link("lnk-rt", "org-1", webSel{All: true}, prgSel{All: true}),
		changed: sf.link("lnk-rt", "org-1", webSel{Items: []structure.WebsiteID{"web-a"}}, prgSel{Accounts: []org.AccountID{"acc-2"}}),
	}, {
		name: "AccountsToItems",
		link: sf.link("lnk-rt", "org-1", webSel{Accounts: []org.AccountID{"acc-2", "acc-1"}},
			prgSel{Items: []structure.ProgramID{"prg-b", "prg-a"}}),
		changed: sf.link("lnk-rt", "org-1", webSel{All: true}, prgSel{Items: []structure.ProgramID{"prg-a"}}),
	}, {
		name: "ItemsToAccounts",
		link: sf.link("lnk-rt", "org-1", webSel{Items: []structure.WebsiteID{"web-c", "web-a", "web-b"}},
			prgSel{Accounts: []org.AccountID{"acc-2"}}),
		changed: sf.link("lnk-rt", "org-1", webSel{Items: []structure.WebsiteID{"web-b"}}, prgSel{Items: []structure.ProgramID{"prg-b"}}),
	}, {
		name: "AccountsAndItemsOnBothSides",
		link: sf.link("lnk-rt", "org-1",
			webSel{Accounts: []org.AccountID{"acc-1"}, Items: []structure.WebsiteID{"web-c"}},
			prgSel{Accounts: []org.AccountID{"acc-2", "acc-1"}, Items: []structure.ProgramID{"prg-a", "prg-b"}}),
		changed: sf.link("lnk-rt", "org-1", webSel{All: true, Accounts: []org.AccountID{"acc-1"}}, prgSel{All: true, Items: []structure.ProgramID{"prg-b"}}),
	}, {
		name:    "EmptyNonNilListsReadAsNil",
		link:    sf.link("lnk-rt", "org-1", webSel{All: true, Accounts: []org.AccountID{}, Items: []structure.WebsiteID{}}, prgSel{Items: []structure.ProgramID{"prg-a"}, Accounts: []org.AccountID{}}),
		changed: sf.link("lnk-rt", "org-1", webSel{Items: []structure.WebsiteID{"web-a"}, Accounts: []org.AccountID{}}, prgSel{All: true, Items: []structure.ProgramID{}}),
	}}
	// canonical is l as a backend reads it back: empty lists nil.
	canonical := func(l structure.Link) structure.Link {
		if len(l.Websites.Accounts) == 0 {
			l.Websites.Accounts = nil
		}
		if len(l.Websites.Items) == 0 {
			l.Websites.Items = nil
		}
		if len(l.Programs.Accounts) == 0 {
			l.Programs.Accounts = nil
		}
		if len(l.Programs.Items) == 0 {
			l.Programs.Items = nil
		}
		return l
	}
	readLink := func(t *testing.T, db storeDB, want structure.Link) {
		t.Helper()
		db.view(func(st orgspace.Store) error {
			got, err := st.Link(want.ID)
			if err != nil {
				t.Fatalf("Link: %v", err)
			}
			// Exactly, nil and empty told apart.
			if diff := gocmpExact(canonical(want), got); diff != "" {
				t.Errorf("Link read back (-want +got):\n%s", diff)
			}
			requireNilEmptyLists(t, "Link", got)
			ls, err := st.LinksOfOrg(want.Org)
			if err != nil || len(ls) != 1 {
				t.Fatalf("LinksOfOrg = %d links, %v; want 1", len(ls), err)
			}
			if diff := gocmpExact(canonical(want), ls[0]); diff != "" {
				t.Errorf("LinksOfOrg read back (-want +got):\n%s", diff)
			}
			return nil
		})
	}
	for _, tc := range links {
		t.Run("Link"+tc.name, func(t *testing.T) {
			db := db.on(t)
			db.update(func(st orgspace.Store) error { return st.InsertLink(tc.link) })
			readLink(t, db, tc.link)
			update := tc.changed
			update.Name, update.UpdatedAt = "Renamed", storeT0.Add(2*time.Hour)
			want := update
			update.Org, _, update.CreatedAt = moved("org-2", "")
			want.CreatedAt = tc.link.CreatedAt
			db.update(func(st orgspace.Store) error { return st.UpdateLink(update) })
			readLink(t, db, want)
			db.update(func(st orgspace.Store) error { return st.DeleteLink(tc.link.ID) })
			db.view(func(st orgspace.Store) error {
				if _, err := st.Link(tc.link.ID); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("Link after DeleteLink: error %v, want ErrNotFound", err)
				}
				if ls, err := st.LinksOfOrg("org-1"); len(ls) != 0 || err != nil {
					t.Errorf("LinksOfOrg after DeleteLink = %+v, %v; want none", ls, err)
				}
				return nil
			})
		})
	}
	t.Run("LinkInsertedAgainAfterDelete", func(t *testing.T) {
		db := db.on(t)
		old := sf.link("lnk-again", "org-1", webSel{Items: []structure.WebsiteID{"web-a", "web-b"}}, prgSel{Accounts: []org.AccountID{"acc-2"}})
		again := sf.link("lnk-again", "org-1", webSel{Accounts: []org.AccountID{"acc-1"}}, prgSel{Items: []structure.ProgramID{"prg-b"}})
		db.update(func(st orgspace.Store) error { return st.InsertLink(old) })
		db.update(func(st orgspace.Store) error {
			return errors.Join(st.DeleteLink(old.ID), st.InsertLink(again))
		})
		readLink(t, db, again)
		db.update(func(st orgspace.Store) error { return st.DeleteLink(again.ID) })
	})

	components := []struct {
		name    string
		insert  func(st orgspace.Store) error
		update  func(st orgspace.Store) error
		get     func(st orgspace.Store) (any, error)
		want    any
		changed any
	}{{
		name:   "Website",
		insert: func(st orgspace.Store) error { return st.InsertWebsite(sf.website("web-rt", "org-1", "acc-1")) },
		update: func(st orgspace.Store) error {
			w := changedWebsite
			w.Org, w.Account, w.CreatedAt = moved("org-2", "acc-3")
			return st.UpdateWebsite(w)
		},
		get:     func(st orgspace.Store) (any, error) { return st.Website("web-rt") },
		want:    sf.website("web-rt", "org-1", "acc-1"),
		changed: changedWebsite,
	}, {
		name:   "Program",
		insert: func(st orgspace.Store) error { return st.InsertProgram(sf.program("prg-rt", "org-1", "acc-2")) },
		update: func(st orgspace.Store) error {
			p := changedProgram
			p.Org, p.Account, p.CreatedAt = moved("org-2", "acc-3")
			return st.UpdateProgram(p)
		},
		get:     func(st orgspace.Store) (any, error) { return st.Program("prg-rt") },
		want:    sf.program("prg-rt", "org-1", "acc-2"),
		changed: changedProgram,
	}}
	for _, tc := range components {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			db.update(tc.insert)
			db.readBack(tc.get, tc.want)
			db.update(tc.update)
			db.readBack(tc.get, tc.changed)
		})
	}

	t.Run("DefaultRule", func(t *testing.T) {
		db := db.on(t)
		rule := func(o org.OrganisationID) bool {
			t.Helper()
			var enabled bool
			db.view(func(st orgspace.Store) (err error) {
				enabled, err = st.DefaultRule(o)
				return err
			})
			return enabled
		}
		if !rule("org-1") {
			t.Fatal("DefaultRule of an organisation that never set it is false, want true")
		}
		for _, enabled := range []bool{false, true, false} {
			db.update(func(st orgspace.Store) error { return st.SetDefaultRule("org-1", enabled) })
			if got := rule("org-1"); got != enabled {
				t.Errorf("DefaultRule after SetDefaultRule(%v) = %v", enabled, got)
			}
			if !rule("org-2") {
				t.Error("setting org-1's rule changed org-2's")
			}
		}
	})
}

// gocmpExact compares without treating nil and empty slices as equal.
func gocmpExact(want, got any) string { return gocmp.Diff(want, got) }

// storeStructureDuplicates inserts websites, programs and links whose ID is
// taken: each fails with ErrAlreadyExists and changes nothing, a link's
// selections included.
func storeStructureDuplicates(t *testing.T, db storeDB) {
	db.seedStructure(structureBase())
	p := structureBaseProbe()
	before := db.structureSnapshot(p)
	cases := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"WebsiteID", func(st orgspace.Store) error { return st.InsertWebsite(sf.website("web-1", "org-2", "acc-3")) }},
		{"ProgramID", func(st orgspace.Store) error { return st.InsertProgram(sf.program("prg-1", "org-2", "acc-3")) }},
		{"ProgramIDTakenInTheSameUpdate", func(st orgspace.Store) error {
			return errors.Join(st.InsertProgram(sf.program("prg-9", "org-1", "acc-2")), st.InsertProgram(sf.program("prg-9", "org-1", "acc-2")))
		}},
		{"LinkID", func(st orgspace.Store) error {
			return st.InsertLink(sf.link("lnk-1", "org-1", webSel{All: true}, prgSel{Items: []structure.ProgramID{"prg-2", "prg-1"}}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrAlreadyExists) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrAlreadyExists", rev, err)
			}
			db.requireStructureUnchanged(t, p, before)
		})
	}
	// The link's selections are untouched even when the transaction goes
	// on after the refused insert and commits.
	t.Run("LinkIDThenCommit", func(t *testing.T) {
		db := db.on(t)
		db.update(func(st orgspace.Store) error {
			err := st.InsertLink(sf.link("lnk-2", "org-1", webSel{Items: []structure.WebsiteID{"web-1"}}, prgSel{Items: []structure.ProgramID{"prg-1"}}))
			if !errors.Is(err, storage.ErrAlreadyExists) {
				t.Errorf("InsertLink of a taken ID: %v, want ErrAlreadyExists", err)
			}
			return nil
		})
		db.requireStructureUnchanged(t, p, before)
	})
}

// storeStructureNotFound looks up and changes websites, programs and links
// that do not exist: ErrNotFound, and nothing changes. Listings of an
// organisation without any are empty, not an error.
func storeStructureNotFound(t *testing.T, db storeDB) {
	db.seedStructure(structureBase())
	p := structureBaseProbe()
	before := db.structureSnapshot(p)
	ignore := func(_ any, err error) error { return err }
	reads := []struct {
		name string
		read func(st orgspace.Store) error
	}{
		{"Website", func(st orgspace.Store) error { return ignore(st.Website("web-x")) }},
		{"WebsiteByAProgramID", func(st orgspace.Store) error { return ignore(st.Website("prg-1")) }},
		{"Program", func(st orgspace.Store) error { return ignore(st.Program("prg-x")) }},
		{"Link", func(st orgspace.Store) error { return ignore(st.Link("lnk-x")) }},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			err := db.on(t).tx.View(t.Context(), storage.Latest(), tc.read)
			if !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("error %v, want ErrNotFound", err)
			}
		})
	}
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"UpdateWebsite", func(st orgspace.Store) error { return st.UpdateWebsite(sf.website("web-x", "org-1", "acc-1")) }},
		{"UpdateProgram", func(st orgspace.Store) error { return st.UpdateProgram(sf.program("prg-x", "org-1", "acc-2")) }},
		{"UpdateLink", func(st orgspace.Store) error {
			return st.UpdateLink(sf.link("lnk-x", "org-1", webSel{All: true}, prgSel{Items: []structure.ProgramID{"prg-1"}}))
		}},
		{"DeleteLink", func(st orgspace.Store) error { return st.DeleteLink("lnk-x") }},
		{"DeleteLinkTwice", func(st orgspace.Store) error { return errors.Join(st.DeleteLink("lnk-1"), st.DeleteLink("lnk-1")) }},
	}
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrNotFound) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrNotFound", rev, err)
			}
			db.requireStructureUnchanged(t, p, before)
		})
	}
	if s := before; len(s.WebsitesOfOrg["org-x"])+len(s.ProgramsOfOrg["org-x"])+len(s.LinksOfOrg["org-x"]) != 0 || !s.RuleOfOrg["org-x"] {
		t.Errorf("an unknown organisation has websites %v, programs %v, links %v, default rule %v; want none and true",
			s.WebsitesOfOrg["org-x"], s.ProgramsOfOrg["org-x"], s.LinksOfOrg["org-x"], s.RuleOfOrg["org-x"])
	}
}

// storeStructureListings writes websites, programs and links of two
// organisations in scrambled ID order: each organisation's listing holds
// exactly its objects, in ID order, links with their own selections; the
// All methods yield every object once and stop at their function's first
// error.
func storeStructureListings(t *testing.T, db storeDB) {
	s := structureSeed{Rules: map[org.OrganisationID]bool{"org-1": true, "org-2": false}}
	var want structureSnapshot
	want.WebsitesOfOrg = map[string][]structure.Website{}
	want.ProgramsOfOrg = map[string][]structure.Program{}
	want.LinksOfOrg = map[string][]structure.Link{}
	for _, n := range []int{7, 2, 9, 4, 1, 8, 3, 6, 5} {
		o, a := "org-1", "acc-1"
		if n%3 == 0 {
			o, a = "org-2", "acc-3"
		}
		w := sf.website(fmt.Sprintf("web-%02d", n), o, a)
		p := sf.program(fmt.Sprintf("prg-%02d", n), o, a)
		l := sf.link(fmt.Sprintf("lnk-%02d", n), o,
			webSel{Items: []structure.WebsiteID{w.ID}, Accounts: []org.AccountID{org.AccountID(a)}},
			prgSel{Items: []structure.ProgramID{p.ID}, All: n%2 == 0})
		s.Websites, s.Programs, s.Links = append(s.Websites, w), append(s.Programs, p), append(s.Links, l)
	}
	db.seedStructure(s)
	byID := func(a, b structure.Link) int { return cmp.Compare(a.ID, b.ID) }
	probe := structureProbe{Orgs: []string{"org-1", "org-2", "org-3"}}
	got := db.structureSnapshot(probe)
	for _, o := range probe.Orgs {
		id := org.OrganisationID(o)
		wantLinks := storeFilterSorted(s.Links, func(l structure.Link) bool { return l.Org == id }, byID)
		if diff := storeDiff(wantLinks, got.LinksOfOrg[o]); diff != "" {
			t.Errorf("LinksOfOrg(%s) (-want +got):\n%s", o, diff)
		}
		wantWebsites := storeFilterSorted(s.Websites, func(w structure.Website) bool { return w.Org == id },
			func(a, b structure.Website) int { return cmp.Compare(a.ID, b.ID) })
		if diff := storeDiff(wantWebsites, got.WebsitesOfOrg[o]); diff != "" {
			t.Errorf("WebsitesOfOrg(%s) (-want +got):\n%s", o, diff)
		}
		wantPrograms := storeFilterSorted(s.Programs, func(p structure.Program) bool { return p.Org == id },
			func(a, b structure.Program) int { return cmp.Compare(a.ID, b.ID) })
		if diff := storeDiff(wantPrograms, got.ProgramsOfOrg[o]); diff != "" {
			t.Errorf("ProgramsOfOrg(%s) (-want +got):\n%s", o, diff)
		}
	}
	if n := len(got.LinksOfOrg["org-1"]) + len(got.LinksOfOrg["org-2"]); n != len(s.Links) {
		t.Errorf("the organisations list %d links, want %d", n, len(s.Links))
	}
	if diff := storeDiff(storeFilterSorted(s.Links, func(structure.Link) bool { return true }, byID), got.Links); diff != "" {
		t.Errorf("AllLinks (-want +got):\n%s", diff)
	}
	if diff := storeDiff(s.Rules, got.Rules); diff != "" {
		t.Errorf("AllDefaultRules (-want +got):\n%s", diff)
	}

	stop := errors.New("stop here")
	alls := []struct {
		name string
		all  func(st orgspace.Store, fn func() error) error
	}{
		{"AllWebsites", func(st orgspace.Store, fn func() error) error {
			return st.AllWebsites(func(structure.Website) error { return fn() })
		}},
		{"AllPrograms", func(st orgspace.Store, fn func() error) error {
			return st.AllPrograms(func(structure.Program) error { return fn() })
		}},
		{"AllLinks", func(st orgspace.Store, fn func() error) error {
			return st.AllLinks(func(structure.Link) error { return fn() })
		}},
		{"AllDefaultRules", func(st orgspace.Store, fn func() error) error {
			return st.AllDefaultRules(func(org.OrganisationID, bool) error { return fn() })
		}},
	}
	for _, tc := range alls {
		t.Run(tc.name+"StopsAtFirstError", func(t *testing.T) {
			calls := 0
			err := db.on(t).tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
				return tc.all(st, func() error {
					calls++
					return stop
				})
			})
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("%d calls, error %v; want 1 call and the function's error", calls, err)
			}
		})
	}
}

// storeStructureCopies checks that a caller cannot change the store
// through the selections of a link it passed to InsertLink or UpdateLink,
// nor through the values and slices it got back.
func storeStructureCopies(t *testing.T, db storeDB) {
	db.seedStructure(structureBase())
	p := structureBaseProbe()
	scribble := func(l *structure.Link) {
		l.Name = "scribbled"
		for _, s := range [][]org.AccountID{l.Websites.Accounts, l.Programs.Accounts} {
			for i := range s {
				s[i] = "scribbled"
			}
		}
		for i := range l.Websites.Items {
			l.Websites.Items[i] = "scribbled"
		}
		for i := range l.Programs.Items {
			l.Programs.Items[i] = "scribbled"
		}
		// Past the end, where a store sharing its backing array would see it.
		_ = append(l.Websites.Items, "scribbled")
		_ = append(l.Programs.Accounts, "scribbled")
	}

	in := sf.link("lnk-9", "org-1", webSel{Items: []structure.WebsiteID{"web-1", "web-2"}, Accounts: []org.AccountID{"acc-1"}},
		prgSel{Items: []structure.ProgramID{"prg-1"}, Accounts: []org.AccountID{"acc-2"}})
	db.update(func(st orgspace.Store) error {
		l := in
		l.Websites.Items, l.Websites.Accounts = slices3(in.Websites.Items), slices3(in.Websites.Accounts)
		l.Programs.Items, l.Programs.Accounts = slices3(in.Programs.Items), slices3(in.Programs.Accounts)
		err := st.InsertLink(l)
		scribble(&l)
		return err
	})
	changed := sf.link("lnk-1", "org-1", webSel{Accounts: []org.AccountID{"acc-1", "acc-2"}}, prgSel{Items: []structure.ProgramID{"prg-2", "prg-1"}})
	db.update(func(st orgspace.Store) error {
		l := changed
		l.Websites.Accounts, l.Programs.Items = slices3(changed.Websites.Accounts), slices3(changed.Programs.Items)
		err := st.UpdateLink(l)
		scribble(&l)
		return err
	})
	before := db.structureSnapshot(p)
	for id, want := range map[string]structure.Link{"lnk-9": in, "lnk-1": changed} {
		if got := before.Link[id]; !got.Found || storeDiff(want, got.Value) != "" {
			t.Errorf("after scribbling on its input: link %+v, want %+v", got.Value, want)
		}
	}

	db.view(func(st orgspace.Store) error {
		l, err := st.Link("lnk-1")
		if err != nil {
			return err
		}
		scribble(&l)
		for _, o := range []org.OrganisationID{"org-1", "org-2"} {
			ls, err := st.LinksOfOrg(o)
			if err != nil {
				return err
			}
			for i := range ls {
				scribble(&ls[i])
			}
			_ = append(ls, structure.Link{ID: "scribbled"})
			ws, err := st.WebsitesOfOrg(o)
			if err != nil {
				return err
			}
			ws[0].Name = "scribbled"
			_ = append(ws, structure.Website{ID: "scribbled"})
			ps, err := st.ProgramsOfOrg(o)
			if err != nil {
				return err
			}
			ps[0].Name = "scribbled"
			_ = append(ps, structure.Program{ID: "scribbled"})
		}
		return st.AllLinks(func(l structure.Link) error {
			scribble(&l)
			return nil
		})
	})
	db.requireStructureUnchanged(t, p, before)
}

// slices3 copies s into a slice with spare capacity, so that an append
// past its end by the caller writes into the same backing array.
func slices3[T any](s []T) []T {
	return append(make([]T, 0, len(s)+3), s...)
}

// storeStructureWriteEverything makes every kind of structure write on
// structureBase, with reads inside the Update that must see them.
func storeStructureWriteEverything(t *testing.T, st orgspace.Store) {
	t.Helper()
	archived := sf.website("web-1", "org-1", "acc-1")
	archived.Archived, archived.Name = true, "Renamed"
	renamed := sf.program("prg-3", "org-2", "acc-3")
	renamed.Name = "Renamed"
	steps := []struct {
		name string
		err  error
	}{
		{"InsertWebsite", st.InsertWebsite(sf.website("web-9", "org-1", "acc-2"))},
		{"UpdateWebsite", st.UpdateWebsite(archived)},
		{"InsertProgram", st.InsertProgram(sf.program("prg-9", "org-2", "acc-3"))},
		{"UpdateProgram", st.UpdateProgram(renamed)},
		{"InsertLink", st.InsertLink(sf.link("lnk-9", "org-1", webSel{Items: []structure.WebsiteID{"web-9", "web-1"}}, prgSel{All: true}))},
		{"UpdateLink", st.UpdateLink(sf.link("lnk-1", "org-1", webSel{All: true}, prgSel{Items: []structure.ProgramID{"prg-2"}}))},
		{"DeleteLink", st.DeleteLink("lnk-3")},
		{"SetDefaultRule new", st.SetDefaultRule("org-1", false)},
		{"SetDefaultRule change", st.SetDefaultRule("org-2", true)},
		{"Append", st.Append(sf.entry("test.structure.all", "org-1"))},
	}
	for _, s := range steps {
		if s.err != nil {
			t.Errorf("%s: %v", s.name, s.err)
		}
	}
	s, err := takeStructureSnapshot(st, structureBaseProbe())
	if err != nil {
		t.Fatalf("read inside the Update: %v", err)
	}
	for _, problem := range s.problems(structureBaseProbe()) {
		t.Errorf("inside the Update: %s", problem)
	}
	switch {
	case !s.Website["web-9"].Found || !s.Website["web-1"].Value.Archived:
		t.Errorf("inside the Update: websites %+v do not show its writes", s.Website)
	case !s.Link["lnk-9"].Found || s.Link["lnk-3"].Found || !s.Link["lnk-1"].Value.Websites.All:
		t.Errorf("inside the Update: links %+v do not show its writes", s.Link)
	case s.RuleOfOrg["org-1"] || !s.RuleOfOrg["org-2"]:
		t.Errorf("inside the Update: default rules %v do not show its writes", s.RuleOfOrg)
	}
}

// storeStructureFailedUpdateRollsBack checks that an Update whose function
// makes every structure write, sees them, and then fails leaves the
// structure as it was; the same writes commit when it succeeds. Writes in a
// View fail.
func storeStructureFailedUpdateRollsBack(t *testing.T, db storeDB) {
	head := db.seedStructure(structureBase())
	p := structureBaseProbe()
	before := db.structureSnapshot(p)
	failure := fmt.Errorf("storagetest: the function fails: %w", storage.ErrConflict)
	rev, err := db.tryUpdate(func(st orgspace.Store) error {
		storeStructureWriteEverything(t, st)
		return failure
	})
	if !errors.Is(err, storage.ErrConflict) || rev != 0 {
		t.Fatalf("Update = %d, %v; want 0 and the function's error", rev, err)
	}
	db.requireStructureUnchanged(t, p, before)
	if h := db.head(); h != head {
		t.Errorf("Head after the failed Update = %d, want %d", h, head)
	}

	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"InsertWebsite", func(st orgspace.Store) error { return st.InsertWebsite(sf.website("web-9", "org-1", "acc-1")) }},
		{"UpdateWebsite", func(st orgspace.Store) error { return st.UpdateWebsite(sf.website("web-1", "org-1", "acc-1")) }},
		{"InsertProgram", func(st orgspace.Store) error { return st.InsertProgram(sf.program("prg-9", "org-1", "acc-2")) }},
		{"UpdateProgram", func(st orgspace.Store) error { return st.UpdateProgram(sf.program("prg-1", "org-1", "acc-2")) }},
		{"InsertLink", func(st orgspace.Store) error {
			return st.InsertLink(sf.link("lnk-9", "org-1", webSel{All: true}, prgSel{All: true}))
		}},
		{"UpdateLink", func(st orgspace.Store) error {
			return st.UpdateLink(sf.link("lnk-1", "org-1", webSel{All: true}, prgSel{All: true}))
		}},
		{"DeleteLink", func(st orgspace.Store) error { return st.DeleteLink("lnk-1") }},
		{"SetDefaultRule", func(st orgspace.Store) error { return st.SetDefaultRule("org-1", false) }},
	}
	for _, w := range writes {
		t.Run("InView"+w.name, func(t *testing.T) {
			if err := db.tx.View(t.Context(), storage.Latest(), w.write); err == nil {
				t.Errorf("%s in a View succeeded", w.name)
			}
		})
	}
	db.requireStructureUnchanged(t, p, before)

	db.update(func(st orgspace.Store) error {
		storeStructureWriteEverything(t, st)
		return nil
	})
	after := db.structureSnapshot(p)
	if !after.Link["lnk-9"].Found || after.Link["lnk-3"].Found || after.RuleOfOrg["org-1"] || !after.RuleOfOrg["org-2"] {
		t.Errorf("the committed Update's writes are missing: links %+v, default rules %v", after.Link, after.RuleOfOrg)
	}
}
