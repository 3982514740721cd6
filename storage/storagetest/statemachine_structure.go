package storagetest

import (
	"fmt"
	"maps"
	"slices"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// The state machine's structure part: websites, programs, custom links and
// default rules changed by random actors, with random selections (some
// refused), checked against the model's direct evaluation of the rule.

// Unknown structure IDs the state machine also draws.
const (
	smUnknownWebsite structure.WebsiteID = "web_0"
	smUnknownProgram structure.ProgramID = "prg_0"
	smUnknownLink    structure.LinkID    = "lnk_0"
)

// smComponentNames repeat a name in another case (taken in one account)
// and hold a blank one (invalid).
var smComponentNames = []string{"Shop", "shop", "Blog", " News ", "Club", " "}

// smLinkNames: a link's name is optional, so blank is fine.
var smLinkNames = []string{"", "Shop to Club", " ", "Everything"}

// structureSetUp gives half of the organisations the Engage and Loyalty
// accounts their structure needs (the others keep it unavailable until an
// action adds them), and some Engage and Loyalty accounts a website or a
// program, so that links have something to select early.
func (sm *svcMachine) structureSetUp(rt *rapid.T) {
	for i, o := range sm.orgIDs {
		if !rapid.Bool().Draw(rt, fmt.Sprintf("organisation %d has a structure", i)) {
			continue
		}
		for _, p := range []org.Product{org.Engage, org.Loyalty} {
			if len(sm.accountsOfProduct(o, true, p)) > 0 {
				continue
			}
			in := org.NewAccount{Org: o, Product: p, Name: "Main"}
			a, rev, err := sm.space.Org.CreateAccount(sm.ctx, sm.opActor, in)
			if err != nil {
				rt.Fatalf("set-up: %v", err)
			}
			sm.rev, sm.accessRev = rev, rev
			sm.m.accounts[a.ID] = &modelAccount{ID: a.ID, Org: o, Product: p, Name: in.Name}
			sm.accountIDs = append(sm.accountIDs, a.ID)
		}
	}
	for i, id := range slices.Clone(sm.accountIDs) {
		a := sm.m.accounts[id]
		n := rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("account %d components", i))
		for j := range n {
			name := fmt.Sprintf("Site %d", j)
			switch a.Product {
			case org.Engage:
				w, rev, err := sm.space.Structure.CreateWebsite(sm.ctx, sm.opActor, structure.NewWebsite{Account: id, Name: name})
				if err != nil {
					rt.Fatalf("set-up: %v", err)
				}
				sm.rev = rev
				sm.m.structure.websites[w.ID] = structure.Website{ID: w.ID, Org: a.Org, Account: id, Name: name, CreatedAt: sm.m.now}
				sm.websiteIDs = append(sm.websiteIDs, w.ID)
			case org.Loyalty:
				p, rev, err := sm.space.Structure.CreateProgram(sm.ctx, sm.opActor, structure.NewProgram{Account: id, Name: name})
				if err != nil {
					rt.Fatalf("set-up: %v", err)
				}
				sm.rev = rev
				sm.m.structure.programs[p.ID] = structure.Program{ID: p.ID, Org: a.Org, Account: id, Name: name, CreatedAt: sm.m.now}
				sm.programIDs = append(sm.programIDs, p.ID)
			}
		}
	}
}

// --- Draws ----------------------------------------------------------------------

// actorPreferring draws the operator, rarely the host, an unknown user or
// nobody, or a user: three times in four one of preferred (when there are
// any), such as the Owners of the organisation concerned.
func (sm *svcMachine) actorPreferring(rt *rapid.T, preferred []org.UserID) org.Actor {
	switch k := rapid.IntRange(0, 19).Draw(rt, "actor kind"); {
	case k < 3:
		return sm.opActor
	case k == 3:
		return rapid.SampledFrom([]org.Actor{org.System(), org.AsUser(smUnknownUser), {}}).Draw(rt, "odd actor")
	}
	return org.AsUser(smPick(rt, "actor user", preferred, sm.userIDs))
}

// ownersOf are the Owners of o; settingsManagers the users holding
// ManageAccountSettings on a (Owners and Administrators).
func (sm *svcMachine) ownersOf(o org.OrganisationID) []org.UserID {
	var out []org.UserID
	for _, u := range sm.userIDs {
		if sm.m.orgRole(o, u) == org.Owner {
			out = append(out, u)
		}
	}
	return out
}

func (sm *svcMachine) settingsManagers(a org.AccountID) []org.UserID {
	var out []org.UserID
	for _, u := range sm.userIDs {
		if sm.m.perms(u, a).Has(access.ManageAccountSettings) {
			out = append(out, u)
		}
	}
	return out
}

// accountsOfProduct are the accounts of product p: of organisation o when
// in is set, of every other one otherwise.
func (sm *svcMachine) accountsOfProduct(o org.OrganisationID, in bool, p org.Product) []org.AccountID {
	var out []org.AccountID
	for _, id := range sm.accountIDs {
		if a := sm.m.accounts[id]; (a.Org == o) == in && a.Product == p {
			out = append(out, id)
		}
	}
	return out
}

// websitesIn and programsIn are the components of o (in set) or of every
// other organisation, archived ones included.
func (sm *svcMachine) websitesIn(o org.OrganisationID, in bool) []string {
	var out []string
	for _, id := range sm.websiteIDs {
		if (sm.m.structure.websites[id].Org == o) == in {
			out = append(out, string(id))
		}
	}
	return out
}

func (sm *svcMachine) programsIn(o org.OrganisationID, in bool) []string {
	var out []string
	for _, id := range sm.programIDs {
		if (sm.m.structure.programs[id].Org == o) == in {
			out = append(out, string(id))
		}
	}
	return out
}

// smSide draws one side of a link from the accounts and components it may
// select: All, some accounts, some components, both, or rarely nothing. A
// drawn ID may come twice: a selection is a set.
func smSide(rt *rapid.T, label string, accounts []org.AccountID, items []string) structure.Selection[string] {
	var s structure.Selection[string]
	shape := rapid.IntRange(0, 9).Draw(rt, label+" shape")
	switch {
	case shape < 2:
		s.All = true
		return s
	case shape == 9:
		return s
	}
	if shape <= 4 || shape == 8 {
		for i, a := range accounts {
			if rapid.Bool().Draw(rt, fmt.Sprintf("%s account %d", label, i)) {
				s.Accounts = append(s.Accounts, a)
			}
		}
	}
	if shape >= 5 {
		for i, id := range items {
			if rapid.Bool().Draw(rt, fmt.Sprintf("%s item %d", label, i)) {
				s.Items = append(s.Items, id)
			}
		}
	}
	// Rarely empty by chance: one of the candidates at least, or All when
	// there are none.
	switch {
	case len(s.Accounts)+len(s.Items) > 0:
	case shape <= 4 && len(accounts) > 0:
		s.Accounts = append(s.Accounts, rapid.SampledFrom(accounts).Draw(rt, label+" account"))
	case shape >= 5 && len(items) > 0:
		s.Items = append(s.Items, rapid.SampledFrom(items).Draw(rt, label+" item"))
	default:
		s.All = true
	}
	if len(s.Items) > 0 && rapid.IntRange(0, 4).Draw(rt, label+" repeat") == 0 {
		s.Items = append(s.Items, s.Items[0])
	}
	return s
}

// linkContent draws a link's content for organisation o: usually one that
// selects only what it may, and one time in four with one defect the
// Service must refuse: an account of the other product or another
// organisation, a component of the other kind or another organisation,
// an unknown or malformed ID, All with a list.
func (sm *svcMachine) linkContent(rt *rapid.T, o org.OrganisationID) structure.LinkChange {
	web := smSide(rt, "websites", sm.accountsOfProduct(o, true, org.Engage), sm.websitesIn(o, true))
	prog := smSide(rt, "programs", sm.accountsOfProduct(o, true, org.Loyalty), sm.programsIn(o, true))
	if rapid.IntRange(0, 3).Draw(rt, "defect") == 0 {
		side, product, otherProduct := &web, org.Engage, org.Loyalty
		mine, other := sm.websitesIn, sm.programsIn
		unknown := string(smUnknownWebsite)
		if rapid.Bool().Draw(rt, "defect on the program side") {
			side, product, otherProduct = &prog, org.Loyalty, org.Engage
			mine, other = sm.programsIn, sm.websitesIn
			unknown = string(smUnknownProgram)
		}
		addAccount := func(ids []org.AccountID) {
			if len(ids) > 0 {
				side.Accounts = append(side.Accounts, rapid.SampledFrom(ids).Draw(rt, "defective account"))
			}
		}
		addItem := func(ids []string) {
			if len(ids) > 0 {
				side.Items = append(side.Items, rapid.SampledFrom(ids).Draw(rt, "defective item"))
			}
		}
		switch rapid.IntRange(0, 7).Draw(rt, "defect kind") {
		case 0:
			addAccount(append(sm.accountsOfProduct(o, true, otherProduct), sm.accountsOfProduct(o, true, org.Events)...))
		case 1:
			addItem(other(o, true))
		case 2:
			addAccount(sm.accountsOfProduct(o, false, product))
		case 3:
			addItem(mine(o, false))
		case 4:
			addItem(other(o, false))
		case 5:
			addItem([]string{unknown})
			addAccount([]org.AccountID{smUnknownAccount})
		case 6:
			side.All = true
			addItem([]string{unknown})
		case 7:
			addItem([]string{"", "web 1"})
		}
	}
	return structure.LinkChange{
		Name:     rapid.SampledFrom(smLinkNames).Draw(rt, "link name"),
		Websites: smSelection[structure.WebsiteID](web),
		Programs: smSelection[structure.ProgramID](prog),
	}
}

// smSelection types a drawn side.
func smSelection[ID ~string](s structure.Selection[string]) structure.Selection[ID] {
	out := structure.Selection[ID]{All: s.All, Accounts: s.Accounts}
	for _, id := range s.Items {
		out.Items = append(out.Items, ID(id))
	}
	return out
}

// component draws a website (website set) or a program, mostly a known one.
func (sm *svcMachine) component(rt *rapid.T, website bool) string {
	if website {
		return string(smPick(rt, "website", sm.websiteIDs, append(slices.Clone(sm.websiteIDs), smUnknownWebsite)))
	}
	return string(smPick(rt, "program", sm.programIDs, append(slices.Clone(sm.programIDs), smUnknownProgram)))
}

// componentAccount is the account of a website or program, "" if unknown.
func (sm *svcMachine) componentAccount(website bool, id string) org.AccountID {
	if website {
		return sm.m.structure.websites[structure.WebsiteID(id)].Account
	}
	return sm.m.structure.programs[structure.ProgramID(id)].Account
}

// link draws a link, mostly a live one; with none, it skips the action
// three times in four, so that changes of links come when there are some.
func (sm *svcMachine) link(rt *rapid.T) structure.LinkID {
	live := slices.DeleteFunc(slices.Clone(sm.linkIDs), func(id structure.LinkID) bool {
		_, ok := sm.m.structure.links[id]
		return !ok
	})
	if len(live) == 0 && rapid.IntRange(0, 3).Draw(rt, "skip without links") > 0 {
		rt.Skip("no link yet")
	}
	return smPick(rt, "link", live, append(slices.Clone(sm.linkIDs), smUnknownLink))
}

// --- Actions ----------------------------------------------------------------------

func (sm *svcMachine) structureActions() map[string]func(*rapid.T) {
	actions := map[string]func(*rapid.T){
		// The operator adds an Engage or a Loyalty account, which may make
		// the structure available and joins links selecting All.
		"CreateEngageOrLoyaltyAccount": sm.createEngageOrLoyaltyAccount,
		"ReadStructure":                sm.readStructure,
	}
	for name, write := range sm.structureWrites() {
		actions[name] = func(rt *rapid.T) {
			sm.structureWritten = true
			write(rt)
		}
	}
	return actions
}

// structureWrites are the actions calling the Structure service's writes.
func (sm *svcMachine) structureWrites() map[string]func(*rapid.T) {
	ctx, sp, m := sm.ctx, sm.space, sm.m
	return map[string]func(*rapid.T){
		"CreateWebsite": func(rt *rapid.T) {
			a := smPick(rt, "account", sm.productAccounts(org.Engage), append(slices.Clone(sm.accountIDs), smUnknownAccount))
			actor := sm.actorPreferring(rt, sm.settingsManagers(a))
			in := structure.NewWebsite{Account: a, Name: rapid.SampledFrom(smComponentNames).Draw(rt, "website name")}
			what := fmt.Sprintf("CreateWebsite by %s: %+v", actor, in)
			apply, want, wantErr := m.createWebsite(actor, in)
			w, rev, err := sp.Structure.CreateWebsite(ctx, actor, in)
			if sm.outcome(rt, what, wantErr, err) {
				sm.wroteStructure(rt, what, rev)
				want.ID = w.ID
				if diff := gocmp.Diff(want, w); diff != "" {
					rt.Fatalf("%s: returned website (-model +Space):\n%s", what, diff)
				}
				apply(w)
				sm.websiteIDs = append(sm.websiteIDs, w.ID)
			}
		},
		"CreateProgram": func(rt *rapid.T) {
			a := smPick(rt, "account", sm.productAccounts(org.Loyalty), append(slices.Clone(sm.accountIDs), smUnknownAccount))
			actor := sm.actorPreferring(rt, sm.settingsManagers(a))
			in := structure.NewProgram{Account: a, Name: rapid.SampledFrom(smComponentNames).Draw(rt, "program name")}
			what := fmt.Sprintf("CreateProgram by %s: %+v", actor, in)
			apply, want, wantErr := m.createProgram(actor, in)
			p, rev, err := sp.Structure.CreateProgram(ctx, actor, in)
			if sm.outcome(rt, what, wantErr, err) {
				sm.wroteStructure(rt, what, rev)
				want.ID = p.ID
				if diff := gocmp.Diff(want, p); diff != "" {
					rt.Fatalf("%s: returned program (-model +Space):\n%s", what, diff)
				}
				apply(p)
				sm.programIDs = append(sm.programIDs, p.ID)
			}
		},
		"ArchiveWebsiteOrProgram": func(rt *rapid.T) {
			website := rapid.Bool().Draw(rt, "website")
			id := sm.component(rt, website)
			actor := sm.actorPreferring(rt, sm.settingsManagers(sm.componentAccount(website, id)))
			archived := rapid.Bool().Draw(rt, "archived")
			what := fmt.Sprintf("Archive by %s of %s: %v", actor, id, archived)
			apply, want := m.archive(actor, website, id, archived)
			var rev storage.Revision
			var err error
			if website {
				rev, err = sp.Structure.ArchiveWebsite(ctx, actor, structure.WebsiteID(id), archived)
			} else {
				rev, err = sp.Structure.ArchiveProgram(ctx, actor, structure.ProgramID(id), archived)
			}
			if sm.outcome(rt, what, want, err) {
				sm.wroteStructure(rt, what, rev)
				apply()
			}
		},
		"RenameWebsiteOrProgram": func(rt *rapid.T) {
			website := rapid.Bool().Draw(rt, "website")
			id := sm.component(rt, website)
			actor := sm.actorPreferring(rt, sm.settingsManagers(sm.componentAccount(website, id)))
			name := rapid.SampledFrom(smComponentNames).Draw(rt, "new name")
			what := fmt.Sprintf("Rename by %s of %s to %q", actor, id, name)
			apply, want := m.rename(actor, website, id, name)
			var rev storage.Revision
			var err error
			if website {
				rev, err = sp.Structure.RenameWebsite(ctx, actor, structure.WebsiteID(id), name)
			} else {
				rev, err = sp.Structure.RenameProgram(ctx, actor, structure.ProgramID(id), name)
			}
			if sm.outcome(rt, what, want, err) {
				sm.wroteStructure(rt, what, rev)
				apply()
			}
		},
		"CreateLink": func(rt *rapid.T) {
			o := sm.org(rt)
			actor := sm.actorPreferring(rt, sm.ownersOf(o))
			ch := sm.linkContent(rt, o)
			in := structure.NewLink{Org: o, Name: ch.Name, Websites: ch.Websites, Programs: ch.Programs}
			what := fmt.Sprintf("CreateLink by %s: %+v", actor, in)
			apply, want, wantErr := m.createLink(actor, in)
			l, rev, err := sp.Structure.CreateLink(ctx, actor, in)
			if sm.outcome(rt, what, wantErr, err) {
				sm.wroteStructure(rt, what, rev)
				want.ID = l.ID
				if diff := gocmp.Diff(want, l, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: returned link (-model +Space):\n%s", what, diff)
				}
				apply(l.ID)
				sm.linkIDs = append(sm.linkIDs, l.ID)
			}
		},
		"UpdateLink": func(rt *rapid.T) {
			id := sm.link(rt)
			l, ok := m.structure.links[id]
			o := l.Org
			if !ok {
				o = sm.org(rt)
			}
			actor := sm.actorPreferring(rt, sm.ownersOf(o))
			ch := sm.linkContent(rt, o)
			what := fmt.Sprintf("UpdateLink by %s of %s: %+v", actor, id, ch)
			apply, want, wantErr := m.updateLink(actor, id, ch)
			l, rev, err := sp.Structure.UpdateLink(ctx, actor, id, ch)
			if sm.outcome(rt, what, wantErr, err) {
				sm.wroteStructure(rt, what, rev)
				if diff := gocmp.Diff(want, l, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: returned link (-model +Space):\n%s", what, diff)
				}
				apply()
			}
		},
		"DeleteLink": func(rt *rapid.T) {
			id := sm.link(rt)
			actor := sm.actorPreferring(rt, sm.ownersOf(m.structure.links[id].Org))
			what := fmt.Sprintf("DeleteLink by %s of %s", actor, id)
			apply, want := m.deleteLink(actor, id)
			rev, err := sp.Structure.DeleteLink(ctx, actor, id)
			if sm.outcome(rt, what, want, err) {
				sm.wroteStructure(rt, what, rev)
				apply()
			}
		},
		"SetDefaultRule": func(rt *rapid.T) {
			o := sm.org(rt)
			actor := sm.actorPreferring(rt, sm.ownersOf(o))
			enabled := rapid.Bool().Draw(rt, "enabled")
			what := fmt.Sprintf("SetDefaultRule by %s of %s: %v", actor, o, enabled)
			apply, want := m.setDefaultRule(actor, o, enabled)
			rev, err := sp.Structure.SetDefaultRule(ctx, actor, o, enabled)
			if sm.outcome(rt, what, want, err) {
				sm.wroteStructure(rt, what, rev)
				apply()
			}
		},
	}
}

// createEngageOrLoyaltyAccount has the operator add an Engage or a Loyalty
// account, which may make the structure available and joins links
// selecting All.
func (sm *svcMachine) createEngageOrLoyaltyAccount(rt *rapid.T) {
	ctx, sp, m := sm.ctx, sm.space, sm.m
	in := org.NewAccount{
		Org:     rapid.SampledFrom(sm.orgIDs).Draw(rt, "organisation"),
		Product: rapid.SampledFrom([]org.Product{org.Engage, org.Loyalty}).Draw(rt, "product"),
		Name:    rapid.SampledFrom(smAccountNames).Draw(rt, "account name"),
	}
	what := fmt.Sprintf("CreateAccount by the operator: %+v", in)
	apply, want := m.createAccount(sm.opActor, in)
	a, rev, err := sp.Org.CreateAccount(ctx, sm.opActor, in)
	if sm.outcome(rt, what, want, err) {
		sm.wrote(rt, what, rev)
		apply(a)
		sm.accountIDs = append(sm.accountIDs, a.ID)
	}
}

// productAccounts are the accounts of product p in every organisation.
func (sm *svcMachine) productAccounts(p org.Product) []org.AccountID {
	var out []org.AccountID
	for _, id := range sm.accountIDs {
		if sm.m.accounts[id].Product == p {
			out = append(out, id)
		}
	}
	return out
}

// readStructure asks the Service one of its reads, about a random
// subject, as every user, the operator, the host, an unknown user and
// nobody: the error the model predicts, and on success its answer.
func (sm *svcMachine) readStructure(rt *rapid.T) {
	ctx, sp, m, c := sm.ctx, sm.space.Structure, sm.m, storage.AtLeast(sm.rev)
	actors := []org.Actor{sm.opActor, org.System(), org.AsUser(smUnknownUser), {}}
	for _, u := range sm.userIDs {
		actors = append(actors, org.AsUser(u))
	}
	same := func(what string, want, got any) {
		rt.Helper()
		if diff := gocmp.Diff(want, got, svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: (-model +Space):\n%s", what, diff)
		}
	}
	q := rapid.IntRange(0, 6).Draw(rt, "query")
	w, p := structure.WebsiteID(sm.component(rt, true)), structure.ProgramID(sm.component(rt, false))
	o, archived := sm.org(rt), rapid.Bool().Draw(rt, "with archived")
	for _, actor := range actors {
		switch q {
		case 0:
			what := fmt.Sprintf("Shares by %s of %s and %s", actor, w, p)
			got, err := sp.Shares(ctx, c, actor, w, p)
			if sm.outcome(rt, what, m.query(actor, w, p), err) {
				same(what, m.decide(w, p).Shared, got)
			}
		case 1:
			what := fmt.Sprintf("Explain by %s of %s and %s", actor, w, p)
			got, err := sp.Explain(ctx, c, actor, w, p)
			if sm.outcome(rt, what, m.query(actor, w, p), err) {
				same(what, m.decide(w, p), got)
			}
		case 2:
			what := fmt.Sprintf("WebsitesFor by %s of %s", actor, p)
			got, err := sp.WebsitesFor(ctx, c, actor, p)
			if sm.outcome(rt, what, m.query(actor, "", p), err) {
				same(what, m.websitesFor(p), got)
			}
		case 3:
			what := fmt.Sprintf("ProgramsFor by %s of %s", actor, w)
			got, err := sp.ProgramsFor(ctx, c, actor, w)
			if sm.outcome(rt, what, m.query(actor, w, ""), err) {
				same(what, m.programsFor(w), got)
			}
		case 4:
			what := fmt.Sprintf("Links by %s of %s", actor, o)
			got, err := sp.Links(ctx, c, actor, o)
			if sm.outcome(rt, what, m.readStructure(actor, o), err) {
				same(what, m.linksOf(o), got)
			}
		case 5:
			what := fmt.Sprintf("DefaultRule by %s of %s", actor, o)
			got, err := sp.DefaultRule(ctx, c, actor, o)
			if sm.outcome(rt, what, m.readStructure(actor, o), err) {
				same(what, m.defaultRule(o), got)
			}
		case 6:
			// Listing components needs no structure.
			want := errNotFound
			if m.orgs[o] != nil {
				want = m.mayReadStructure(actor, o)
			}
			what := fmt.Sprintf("Websites and Programs by %s of %s (archived %v)", actor, o, archived)
			webs, err := sp.Websites(ctx, c, actor, o, archived)
			if sm.outcome(rt, what, want, err) {
				same(what, m.componentsOf(o, archived).websites, webs)
			}
			progs, err := sp.Programs(ctx, c, actor, o, archived)
			if sm.outcome(rt, what, want, err) {
				same(what, m.componentsOf(o, archived).programs, progs)
			}
		}
	}
}

// smComponents are an organisation's websites and programs, by ID.
type smComponents struct {
	websites []structure.Website
	programs []structure.Program
}

func (m *model) componentsOf(o org.OrganisationID, withArchived bool) smComponents {
	var out smComponents
	for _, id := range slices.Sorted(maps.Keys(m.structure.websites)) {
		if w := m.structure.websites[id]; w.Org == o && (withArchived || !w.Archived) {
			out.websites = append(out.websites, w)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(m.structure.programs)) {
		if p := m.structure.programs[id]; p.Org == o && (withArchived || !p.Archived) {
			out.programs = append(out.programs, p)
		}
	}
	return out
}

func (m *model) linksOf(o org.OrganisationID) []structure.Link {
	return slices.DeleteFunc(m.linkList(), func(l structure.Link) bool { return l.Org != o })
}

// --- Invariants ---------------------------------------------------------------------

// checkStructure compares the answers of s's current structure index, and
// of one caught up with the store's latest state, with the model: for
// every pair of the model's components (and unknown ones) against
// structure.Evaluate over the model, and the listings against brute force.
// (checkStore compares what the store holds.)
func (sm *svcMachine) checkStructure(rt *rapid.T, when string, s *orgspace.Space) {
	rt.Helper()
	latest, err := s.Structure.Index(sm.ctx, storage.Latest())
	if err != nil {
		rt.Fatalf("%s: structure index: %v", when, err)
	}
	for name, ix := range map[string]*structure.Index{"the current index": s.Structure.Current(), "the latest index": latest} {
		sm.checkIndex(rt, when+", "+name, ix)
	}
}

func (sm *svcMachine) checkIndex(rt *rapid.T, when string, ix *structure.Index) {
	rt.Helper()
	m := sm.m
	webs := append(slices.Clone(sm.websiteIDs), smUnknownWebsite)
	progs := append(slices.Clone(sm.programIDs), smUnknownProgram)
	for _, w := range webs {
		for _, p := range progs {
			want := m.decide(w, p)
			if got := ix.Explain(w, p); got != want {
				rt.Fatalf("%s: Explain(%s, %s) = %+v, Evaluate over the model %+v\n%s", when, w, p, got, want, sm.describeStructure())
			}
			if got := ix.Shares(w, p); got != want.Shared {
				rt.Fatalf("%s: Shares(%s, %s) = %v, Evaluate over the model %v\n%s", when, w, p, got, want.Shared, sm.describeStructure())
			}
		}
		if diff := gocmp.Diff(m.programsFor(w), ix.ProgramsFor(w), svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: ProgramsFor(%s) (-brute force +index):\n%s", when, w, diff)
		}
	}
	for _, p := range progs {
		if diff := gocmp.Diff(m.websitesFor(p), ix.WebsitesFor(p), svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: WebsitesFor(%s) (-brute force +index):\n%s", when, p, diff)
		}
		// Filter, with the websites themselves as the items, keeps those
		// that share, in their order.
		var kept []structure.WebsiteID
		for _, w := range webs {
			if m.decide(w, p).Shared {
				kept = append(kept, w)
			}
		}
		got := structure.Filter(ix, p, webs, func(w structure.WebsiteID) structure.WebsiteID { return w })
		if diff := gocmp.Diff(kept, got, svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: Filter(%s) (-brute force +index):\n%s", when, p, diff)
		}
	}
	for _, o := range append(slices.Clone(sm.orgIDs), smUnknownOrg) {
		if got, want := ix.Available(o), m.available(o); got != want {
			rt.Fatalf("%s: Available(%s) = %v, the model says %v", when, o, got, want)
		}
		if got, want := ix.DefaultRule(o), m.defaultRule(o); got != want {
			rt.Fatalf("%s: DefaultRule(%s) = %v, the model says %v", when, o, got, want)
		}
		if diff := gocmp.Diff(m.linksOf(o), ix.Links(o), svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: Links(%s) (-model +index):\n%s", when, o, diff)
		}
	}
}

// smStructureStored is the structure the store holds.
type smStructureStored struct {
	Websites map[structure.WebsiteID]structure.Website
	Programs map[structure.ProgramID]structure.Program
	Links    map[structure.LinkID]structure.Link
	Rules    map[org.OrganisationID]bool
}

// storedStructure reads the structure st holds.
func storedStructure(st orgspace.Store) (smStructureStored, error) {
	got := smStructureStored{
		Websites: map[structure.WebsiteID]structure.Website{}, Programs: map[structure.ProgramID]structure.Program{},
		Links: map[structure.LinkID]structure.Link{}, Rules: map[org.OrganisationID]bool{},
	}
	if err := st.AllWebsites(func(w structure.Website) error { got.Websites[w.ID] = w; return nil }); err != nil {
		return got, err
	}
	if err := st.AllPrograms(func(p structure.Program) error { got.Programs[p.ID] = p; return nil }); err != nil {
		return got, err
	}
	if err := st.AllLinks(func(l structure.Link) error { got.Links[l.ID] = l; return nil }); err != nil {
		return got, err
	}
	err := st.AllDefaultRules(func(o org.OrganisationID, enabled bool) error { got.Rules[o] = enabled; return nil })
	return got, err
}

// storedStructure is the structure the model predicts the store holds.
func (m *model) storedStructure() smStructureStored {
	return smStructureStored{Websites: m.structure.websites, Programs: m.structure.programs, Links: m.structure.links, Rules: m.structure.rules}
}

// describeStructure renders the model's structure for failures.
func (sm *svcMachine) describeStructure() string {
	m := sm.m
	s := "model structure:"
	for _, o := range sm.orgIDs {
		s += fmt.Sprintf("\n  %s: available %v, default rule %v", o, m.available(o), m.defaultRule(o))
	}
	for _, id := range slices.Sorted(maps.Keys(m.structure.websites)) {
		w := m.structure.websites[id]
		s += fmt.Sprintf("\n  website %s of %s/%s archived %v", id, w.Org, w.Account, w.Archived)
	}
	for _, id := range slices.Sorted(maps.Keys(m.structure.programs)) {
		p := m.structure.programs[id]
		s += fmt.Sprintf("\n  program %s of %s/%s archived %v", id, p.Org, p.Account, p.Archived)
	}
	for _, l := range m.linkList() {
		s += fmt.Sprintf("\n  link %s of %s: websites %+v programs %+v", l.ID, l.Org, l.Websites, l.Programs)
	}
	return s
}
