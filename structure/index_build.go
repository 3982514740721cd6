package structure

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"math/bits"
	"slices"

	"github.com/orgspace/orgspace/org"
)

// Compile builds the Index of every organisation from st, reading it
// through the All streams.
func Compile(st Store) (*Index, error) {
	var s state
	err := st.AllAccounts(func(a org.Account) error {
		s.accounts = append(s.accounts, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("structure: compile: accounts: %w", err)
	}
	err = st.AllWebsites(func(w Website) error {
		s.websites = append(s.websites, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("structure: compile: websites: %w", err)
	}
	err = st.AllPrograms(func(p Program) error {
		s.programs = append(s.programs, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("structure: compile: programs: %w", err)
	}
	err = st.AllLinks(func(l Link) error {
		s.links = append(s.links, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("structure: compile: links: %w", err)
	}
	s.rules = make(map[org.OrganisationID]bool)
	err = st.AllDefaultRules(func(o org.OrganisationID, enabled bool) error {
		s.rules[o] = enabled
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("structure: compile: default rules: %w", err)
	}
	return compile(s), nil
}

// Recompile returns a new Index in which organisations orgs are compiled
// again from st (their websites, programs, links, default rule and
// accounts) and every other organisation is shared with ix, which does not
// change. Its cost is that of the named organisations, plus a copy of one
// pointer per organisation and of the ID maps' shards that new components
// fall in (1/16 of the components each). A nil ix is an empty index.
func (ix *Index) Recompile(st Store, orgs ...org.OrganisationID) (*Index, error) {
	if ix == nil {
		ix = &Index{} // nothing compiled yet
	}
	states := make(map[org.OrganisationID]*orgState, len(orgs))
	for _, o := range orgs {
		if _, done := states[o]; done || o == "" {
			continue
		}
		s, err := readOrg(st, o)
		if err != nil {
			return nil, fmt.Errorf("structure: recompile %s: %w", o, err)
		}
		states[o] = s
	}
	return ix.patch(states), nil
}

// readOrg reads the state of organisation o from st.
func readOrg(st Store, o org.OrganisationID) (*orgState, error) {
	s := &orgState{}
	var err error
	if s.websites, err = st.WebsitesOfOrg(o); err != nil {
		return nil, fmt.Errorf("websites: %w", err)
	}
	if s.programs, err = st.ProgramsOfOrg(o); err != nil {
		return nil, fmt.Errorf("programs: %w", err)
	}
	if s.links, err = st.LinksOfOrg(o); err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	if s.rule, err = st.DefaultRule(o); err != nil {
		return nil, fmt.Errorf("default rule: %w", err)
	}
	// Availability needs one account of each product: stop reading then.
	const page = 100
	for after := org.AccountID(""); !(s.engage && s.loyalty); {
		accounts, err := st.ListAccounts(o, after, page)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		for _, a := range accounts {
			s.addAccount(a)
		}
		if len(accounts) < page {
			break
		}
		after = accounts[len(accounts)-1].ID
	}
	s.normalise(o)
	return s, nil
}

// state is what an Index is compiled from, as plain values: Compile reads
// it from a Store, and the tests build it directly.
type state struct {
	accounts []org.Account
	websites []Website
	programs []Program
	links    []Link
	rules    map[org.OrganisationID]bool // the organisations that set their default rule
}

// orgState is one organisation's part of a state.
type orgState struct {
	engage, loyalty bool
	rule            bool
	websites        []Website
	programs        []Program
	links           []Link
}

func (s *orgState) addAccount(a org.Account) {
	switch a.Product {
	case org.Engage:
		s.engage = true
	case org.Loyalty:
		s.loyalty = true
	}
}

// normalise keeps what is of organisation o, sorted by ID, so that a
// store's stray row cannot reach another organisation.
func (s *orgState) normalise(o org.OrganisationID) {
	s.websites = slices.DeleteFunc(s.websites, func(w Website) bool { return w.Org != o })
	s.programs = slices.DeleteFunc(s.programs, func(p Program) bool { return p.Org != o })
	s.links = slices.DeleteFunc(s.links, func(l Link) bool { return l.Org != o })
	slices.SortFunc(s.websites, func(a, b Website) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.programs, func(a, b Program) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(s.links, func(a, b Link) int { return cmp.Compare(a.ID, b.ID) })
}

// split groups s by organisation. Objects of no organisation ("") are left
// out: Evaluate says they share nothing.
func (s state) split() map[org.OrganisationID]*orgState {
	by := make(map[org.OrganisationID]*orgState)
	of := func(o org.OrganisationID) *orgState {
		os := by[o]
		if os == nil {
			os = &orgState{rule: true}
			by[o] = os
		}
		return os
	}
	for _, a := range s.accounts {
		of(a.Org).addAccount(a)
	}
	for _, w := range s.websites {
		of(w.Org).websites = append(of(w.Org).websites, w)
	}
	for _, p := range s.programs {
		of(p.Org).programs = append(of(p.Org).programs, p)
	}
	for _, l := range s.links {
		of(l.Org).links = append(of(l.Org).links, l)
	}
	for o, enabled := range s.rules {
		of(o).rule = enabled
	}
	delete(by, "")
	for o, os := range by {
		os.normalise(o)
	}
	return by
}

// compile builds the Index of state s.
func compile(s state) *Index { return (&Index{}).patch(s.split()) }

// patch returns a copy of ix with the organisations of states compiled
// from them.
func (ix *Index) patch(states map[org.OrganisationID]*orgState) *Index {
	nx := &Index{orgs: slices.Clone(ix.orgs)}
	newOrgs := make(map[org.OrganisationID]int32)
	newWebsites := make(map[WebsiteID]ref)
	newPrograms := make(map[ProgramID]ref)
	// In ID order, so that a compile numbers organisations the same way
	// every time.
	for _, id := range slices.Sorted(maps.Keys(states)) {
		s := states[id]
		// The next numbers continue those the organisation gave before.
		num, known := ix.orgNum.get(id)
		nextWeb, nextProg := 0, 0
		if known {
			nextWeb, nextProg = len(ix.orgs[num].webRank), len(ix.orgs[num].progRank)
		} else {
			num = int32(len(nx.orgs))
			nx.orgs = append(nx.orgs, nil)
			newOrgs[id] = num
		}
		webs := number(s.websites, func(w Website) WebsiteID { return w.ID }, num, ix.websites, newWebsites, nextWeb)
		progs := number(s.programs, func(p Program) ProgramID { return p.ID }, num, ix.programs, newPrograms, nextProg)
		nx.orgs[num] = compileOrg(id, s, webs, progs)
	}
	nx.orgNum = ix.orgNum.with(newOrgs)
	nx.websites = ix.websites.with(newWebsites)
	nx.programs = ix.programs.with(newPrograms)
	return nx
}

// numbering is how one kind of component of an organisation is numbered:
// by the refs of the index being patched, or by those the patch adds.
type numbering[ID ~string] struct {
	org  int32
	refs sharded[ID, ref]
	add  map[ID]ref
	rank []int32 // by number; -1: no component holds it any more
}

// number numbers organisation num's components comps (sorted by ID): a
// component keeps the number refs gives it in num, and a new one gets the
// next number, recorded in add.
func number[ID ~string, C any](comps []C, id func(C) ID, num int32, refs sharded[ID, ref], add map[ID]ref, next int) numbering[ID] {
	nums := make([]int32, len(comps))
	for i, c := range comps {
		if r, ok := refs.get(id(c)); ok && r.org == num {
			nums[i] = r.n
			continue
		}
		nums[i] = int32(next)
		add[id(c)] = ref{org: num, n: int32(next)}
		next++
	}
	rank := make([]int32, next)
	for i := range rank {
		rank[i] = -1
	}
	for i, n := range nums {
		rank[n] = int32(i)
	}
	return numbering[ID]{org: num, refs: refs, add: add, rank: rank}
}

// rankOf returns the rank of id if it is a component of the organisation.
func (n numbering[ID]) rankOf(id ID) (int, bool) {
	r, ok := n.add[id]
	if !ok || r.org != n.org {
		r, ok = n.refs.get(id)
	}
	if !ok || r.org != n.org {
		return 0, false
	}
	rank := n.rank[r.n]
	return int(rank), rank >= 0
}

// compileOrg compiles organisation id from s (sorted by ID) and the
// numbering of its components.
func compileOrg(id org.OrganisationID, s *orgState, webs numbering[WebsiteID], progs numbering[ProgramID]) *orgIndex {
	nw, np := len(s.websites), len(s.programs)
	o := &orgIndex{
		id:        id,
		available: s.engage && s.loyalty,
		rule:      s.rule,
		links:     s.links,
		websites:  s.websites,
		programs:  s.programs,
		webRank:   webs.rank,
		progRank:  progs.rank,
		wwords:    words(nw),
		pwords:    words(np),
	}
	o.webByID = make(map[WebsiteID]int32, nw)
	for i, w := range s.websites {
		o.webByID[w.ID] = int32(i)
	}
	// The live components: those not archived.
	liveW := make([]uint64, o.wwords)
	for i, w := range s.websites {
		if !w.Archived {
			set(liveW, i)
		}
	}
	liveP := make([]uint64, o.pwords)
	for i, p := range s.programs {
		if !p.Archived {
			set(liveP, i)
		}
	}
	// What each link selects, link by link; transposed below for Explain.
	linkWeb := make([]uint64, len(s.links)*o.wwords)
	linkProg := make([]uint64, len(s.links)*o.pwords)
	webSel := newSelector(s.websites, func(w Website) org.AccountID { return w.Account }, webs.rankOf)
	progSel := newSelector(s.programs, func(p Program) org.AccountID { return p.Account }, progs.rankOf)
	for l, lk := range s.links {
		webSel.selectInto(linkWeb[l*o.wwords:(l+1)*o.wwords], lk.Websites)
		progSel.selectInto(linkProg[l*o.pwords:(l+1)*o.pwords], lk.Programs)
	}

	o.rows = make([]uint64, nw*o.pwords)
	switch {
	case len(s.links) > 0:
		// Each link adds its programs to the row of each website it
		// selects; archived ones are masked out.
		sel := make([]uint64, o.pwords)
		for l := range s.links {
			for i, word := range linkProg[l*o.pwords : (l+1)*o.pwords] {
				sel[i] = word & liveP[i]
			}
			for w := range ones(linkWeb[l*o.wwords:(l+1)*o.wwords], liveW) {
				row := o.row(w)
				for i := range row {
					row[i] |= sel[i]
				}
			}
		}
	case s.rule:
		for w := range ones(liveW, liveW) {
			copy(o.row(w), liveP)
		}
	}
	o.lwords = words(len(s.links))
	o.webLinks = transpose(linkWeb, o.wwords, nw, o.lwords)
	o.progLinks = transpose(linkProg, o.pwords, np, o.lwords)
	o.cols = transpose(o.rows, o.pwords, np, o.wwords)
	return o
}

// transpose returns a, bitsets of words words each, transposed into m
// bitsets of mwords words: bit j of a's bitset i is bit i of the result's
// bitset j.
func transpose(a []uint64, words, m, mwords int) []uint64 {
	t := make([]uint64, m*mwords)
	for i := range len(a) / max(words, 1) {
		for j := range ones(a[i*words:(i+1)*words], nil) {
			set(t[j*mwords:], i)
		}
	}
	return t
}

// selector turns a Selection into a bitset over components by rank.
type selector[ID ~string] struct {
	n         int
	byAccount map[org.AccountID][]int
	rankOf    func(ID) (int, bool)
}

func newSelector[ID ~string, C any](comps []C, account func(C) org.AccountID, rankOf func(ID) (int, bool)) selector[ID] {
	s := selector[ID]{n: len(comps), byAccount: make(map[org.AccountID][]int), rankOf: rankOf}
	for i, c := range comps {
		s.byAccount[account(c)] = append(s.byAccount[account(c)], i)
	}
	return s
}

// selectInto sets in dst the bit of every component sel selects, as
// Selection.Selects says.
func (s selector[ID]) selectInto(dst []uint64, sel Selection[ID]) {
	if sel.All {
		for i := range s.n {
			set(dst, i)
		}
		return
	}
	for _, a := range sel.Accounts {
		for _, i := range s.byAccount[a] {
			set(dst, i)
		}
	}
	for _, item := range sel.Items {
		if i, ok := s.rankOf(item); ok {
			set(dst, i)
		}
	}
}

// words is the number of words of a bitset of n bits.
func words(n int) int { return (n + 63) / 64 }

func set(b []uint64, i int) { b[i>>6] |= 1 << (i & 63) }

// ones yields the bits set in a, and in mask too unless mask is nil.
func ones(a, mask []uint64) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i, word := range a {
			if mask != nil {
				word &= mask[i]
			}
			for word != 0 {
				if !yield(i<<6 | bits.TrailingZeros64(word)) {
					return
				}
				word &= word - 1
			}
		}
	}
}
