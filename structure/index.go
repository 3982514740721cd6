package structure

import (
	"math/bits"
	"slices"

	"github.com/orgspace/orgspace/org"
)

// Index is the compiled, immutable form of every organisation's structure,
// from which Shares, Explain, the listings and Filter answer with no I/O
// and exactly as [Evaluate] would. Compile builds one from a Store;
// Recompile returns a new Index with some organisations compiled again and
// the others shared (copy-on-write), so an *Index may be used from any
// number of goroutines and never changes under them.
//
// Per organisation, websites and programs are ranked by ID, and the
// sharing is held as bitsets: a row of program bits per website and a
// column of website bits per program; for Explain, a bitset of the links
// selecting each website and each program. That is 2 × websites × programs
// + (websites + programs) × links bits, each bitset rounded up to 64-bit
// words: 134,400 bytes for 1,000 websites, 200 programs and 500 links.
// Shares is a lookup in the index's map of programs, one in the
// organisation's map of websites, and one bit test.
type Index struct {
	orgs     []*orgIndex // by organisation number
	orgNum   sharded[org.OrganisationID, int32]
	websites sharded[WebsiteID, ref]
	programs sharded[ProgramID, ref]
}

// ref places a website or a program: its organisation's number and its own
// number in that organisation. Numbers are never reused nor changed, so an
// organisation compiled again keeps the refs of the components it had, and
// only new components reach the global maps.
type ref struct {
	org int32
	n   int32
}

// orgIndex is one organisation compiled. Components are placed by rank (their
// position in ID order); webRank and progRank translate numbers to ranks.
type orgIndex struct {
	id        org.OrganisationID
	available bool
	rule      bool
	links     []Link // sorted by ID

	websites []Website // sorted by ID
	programs []Program // sorted by ID
	webRank  []int32   // by number; -1: no longer a website of the organisation
	progRank []int32   // by number; -1 likewise
	// webByID gives a website's rank in one lookup, in a map that holds
	// this organisation's websites only: Shares and Filter look there.
	webByID map[WebsiteID]int32

	wwords, pwords, lwords int      // words of a bitset of websites, programs, links
	rows                   []uint64 // rows[w*pwords:]: the programs website w shares with
	cols                   []uint64 // cols[p*wwords:]: the websites program p shares with
	webLinks               []uint64 // webLinks[w*lwords:]: the links selecting website w
	progLinks              []uint64 // progLinks[p*lwords:]: the links selecting program p
}

func (o *orgIndex) row(w int) []uint64 { return o.rows[w*o.pwords : (w+1)*o.pwords] }
func (o *orgIndex) col(p int) []uint64 { return o.cols[p*o.wwords : (p+1)*o.wwords] }

// has reports whether bit i of set is set.
func has(set []uint64, i int) bool { return set[i>>6]&(1<<(i&63)) != 0 }

// org returns the organisation o compiled, or nil.
func (ix *Index) org(o org.OrganisationID) *orgIndex {
	if n, ok := ix.orgNum.get(o); ok {
		return ix.orgs[n]
	}
	return nil
}

// website returns the organisation of website w and w's rank in it.
func (ix *Index) website(w WebsiteID) (*orgIndex, int32, bool) {
	r, ok := ix.websites.get(w)
	if !ok {
		return nil, 0, false
	}
	o := ix.orgs[r.org]
	rank := o.webRank[r.n]
	return o, rank, rank >= 0
}

// program returns the organisation of program p and p's rank in it.
func (ix *Index) program(p ProgramID) (*orgIndex, int32, bool) {
	r, ok := ix.programs.get(p)
	if !ok {
		return nil, 0, false
	}
	o := ix.orgs[r.org]
	rank := o.progRank[r.n]
	return o, rank, rank >= 0
}

// pair returns the organisation of w and p with their ranks in it; ok is
// false when either is unknown or they are of different organisations.
func (ix *Index) pair(w WebsiteID, p ProgramID) (o *orgIndex, wi, pi int, ok bool) {
	o, pr, ok := ix.program(p)
	if !ok {
		return nil, 0, 0, false
	}
	// The organisation's own map: it holds its websites only, and a
	// lookup there costs less than in the index's.
	wr, ok := o.webByID[w]
	if !ok {
		return nil, 0, 0, false
	}
	return o, int(wr), int(pr), true
}

// Shares reports whether website w shares its data with program p: the
// answer of [Evaluate]. Unknown IDs, and a website and a program of
// different organisations, share nothing. It does not allocate.
func (ix *Index) Shares(w WebsiteID, p ProgramID) bool {
	o, wi, pi, ok := ix.pair(w, p)
	return ok && has(o.row(wi), pi)
}

// Explain returns whether website w shares its data with program p and
// what decided it, exactly as [Evaluate]: for a link, the first by ID of
// those selecting both. It reads one bit per link of the organisation
// twice, 64 to a word, and does not allocate.
func (ix *Index) Explain(w WebsiteID, p ProgramID) Decision {
	o, wi, pi, ok := ix.pair(w, p)
	switch {
	case !ok:
		return Decision{Basis: OtherOrganisation}
	case o.websites[wi].Archived || o.programs[pi].Archived:
		return Decision{Basis: Archived}
	}
	// Links are sorted by ID: the lowest bit set in both is the first.
	wl, pl := o.webLinks[wi*o.lwords:(wi+1)*o.lwords], o.progLinks[pi*o.lwords:(pi+1)*o.lwords]
	for i := range wl {
		if both := wl[i] & pl[i]; both != 0 {
			return Decision{Shared: true, Basis: ByLink, Link: o.links[i<<6|bits.TrailingZeros64(both)].ID}
		}
	}
	switch {
	case len(o.links) > 0:
		return Decision{Basis: NoLink}
	case o.rule:
		return Decision{Shared: true, Basis: DefaultEnabled}
	}
	return Decision{Basis: DefaultDisabled}
}

// WebsitesFor returns the websites that share their data with program p,
// sorted by ID, archived ones excluded (an archived or unknown program
// gets none). It takes time proportional to the result plus a scan of the
// program's column, one bit per website of the organisation (16 words for
// 1,000 websites), and allocates only the result.
func (ix *Index) WebsitesFor(p ProgramID) []Website {
	o, pi, ok := ix.program(p)
	if !ok {
		return nil
	}
	return collect(o.col(int(pi)), o.websites)
}

// ProgramsFor returns the programs that website w shares its data with,
// sorted by ID, archived ones excluded, scanning the website's row as
// WebsitesFor scans a column.
func (ix *Index) ProgramsFor(w WebsiteID) []Program {
	o, wi, ok := ix.website(w)
	if !ok {
		return nil
	}
	return collect(o.row(int(wi)), o.programs)
}

// collect returns the components whose rank is set in set, in rank order.
func collect[C any](set []uint64, comps []C) []C {
	n := 0
	for _, word := range set {
		n += bits.OnesCount64(word)
	}
	if n == 0 {
		return nil
	}
	out := make([]C, 0, n)
	for i, word := range set {
		for word != 0 {
			out = append(out, comps[i<<6|bits.TrailingZeros64(word)])
			word &= word - 1
		}
	}
	return out
}

// Filter returns the items whose website shares its data with program p, in
// their order: the host's own items (campaigns, opt-ins, variables) that,
// say, an earning rule of p may use. websiteOf names an item's website.
// The result is a new slice; items is not changed.
func Filter[T any](ix *Index, p ProgramID, items []T, websiteOf func(T) WebsiteID) []T {
	o, pi, ok := ix.program(p)
	if !ok {
		return nil
	}
	col := o.col(int(pi))
	byID := o.webByID
	// First the answers, one bit per item, then one allocation of the
	// exact size: growing the result by append cost more than the
	// lookups.
	var small [16]uint64
	keep := small[:]
	if n := words(len(items)); n > len(small) {
		keep = make([]uint64, n)
	}
	kept := 0
	// Items come grouped by website more often than not: the last
	// website's answer saves most lookups then.
	var last WebsiteID
	var bit uint64 // 1 when last shares with p
	started := false
	for i, it := range items {
		w := websiteOf(it)
		if !started || w != last {
			bit, last, started = 0, w, true
			if wi, known := byID[w]; known {
				bit = col[wi>>6] >> (wi & 63) & 1
			}
		}
		// No branch on the answer: it is as likely one way as the other.
		keep[i>>6] |= bit << (i & 63)
		kept += int(bit)
	}
	if kept == 0 {
		return nil
	}
	out := make([]T, 0, kept)
	for i, word := range keep {
		for word != 0 {
			out = append(out, items[i<<6|bits.TrailingZeros64(word)])
			word &= word - 1
		}
	}
	return out
}

// Available reports whether organisation o has at least one Engage and one
// Loyalty account, without which it has no structure
// ([ErrStructureUnavailable]). The queries above answer by the rule either
// way.
func (ix *Index) Available(o org.OrganisationID) bool {
	oi := ix.org(o)
	return oi != nil && oi.available
}

// Website returns website id as the index knows it, archived or not.
func (ix *Index) Website(id WebsiteID) (Website, bool) {
	o, r, ok := ix.website(id)
	if !ok {
		return Website{}, false
	}
	return o.websites[r], true
}

// Program returns program id as the index knows it, archived or not.
func (ix *Index) Program(id ProgramID) (Program, bool) {
	o, r, ok := ix.program(id)
	if !ok {
		return Program{}, false
	}
	return o.programs[r], true
}

// Links returns organisation o's custom links, sorted by ID: a copy the
// caller may change.
func (ix *Index) Links(o org.OrganisationID) []Link {
	oi := ix.org(o)
	if oi == nil || len(oi.links) == 0 {
		return nil
	}
	out := make([]Link, len(oi.links))
	for i, l := range oi.links {
		l.Websites = cloneSelection(l.Websites)
		l.Programs = cloneSelection(l.Programs)
		out[i] = l
	}
	return out
}

func cloneSelection[ID ~string](s Selection[ID]) Selection[ID] {
	return Selection[ID]{All: s.All, Accounts: slices.Clone(s.Accounts), Items: slices.Clone(s.Items)}
}

// DefaultRule reports whether organisation o's default rule is enabled:
// true for an organisation that never switched it.
func (ix *Index) DefaultRule(o org.OrganisationID) bool {
	oi := ix.org(o)
	return oi == nil || oi.rule
}
