package structure

import (
	"slices"
	"testing"

	"github.com/orgspace/orgspace/org"
)

// The rule of the seed's "Structure your organisation", sentence by
// sentence, on Evaluate and on the compiled Index (compiled afresh, and
// recompiled after each change from the index of the starting world).

const (
	toppp org.OrganisationID = "org_toppp"
	other org.OrganisationID = "org_other"

	engageA  org.AccountID = "acc_engage_a"  // Engage account of websites A and New
	engageC  org.AccountID = "acc_engage_c"  // Engage account of website C
	loyaltyB org.AccountID = "acc_loyalty_b" // Loyalty account of programs B and New
	loyaltyD org.AccountID = "acc_loyalty_d" // Loyalty account of program D

	webA   WebsiteID = "web_a" // the "Toppp" website
	webC   WebsiteID = "web_c"
	webNew WebsiteID = "web_new" // added by some steps, on engageA
	webX   WebsiteID = "web_x"   // of the other organisation

	prgB   ProgramID = "prg_b" // the "Toppp Rewards Program"
	prgD   ProgramID = "prg_d"
	prgNew ProgramID = "prg_new" // added by some steps, on loyaltyB
	prgY   ProgramID = "prg_y"   // of the other organisation
)

// seedWorld is Toppp with two Engage and two Loyalty accounts, one website
// or program on each, and another organisation with one of each.
func seedWorld() state {
	return state{
		accounts: []org.Account{
			{ID: engageA, Org: toppp, Product: org.Engage},
			{ID: engageC, Org: toppp, Product: org.Engage},
			{ID: loyaltyB, Org: toppp, Product: org.Loyalty},
			{ID: loyaltyD, Org: toppp, Product: org.Loyalty},
			{ID: "acc_other_e", Org: other, Product: org.Engage},
			{ID: "acc_other_l", Org: other, Product: org.Loyalty},
		},
		websites: []Website{
			{ID: webA, Org: toppp, Account: engageA, Name: "Toppp"},
			{ID: webC, Org: toppp, Account: engageC, Name: "Toppp Kids"},
			{ID: webX, Org: other, Account: "acc_other_e"},
		},
		programs: []Program{
			{ID: prgB, Org: toppp, Account: loyaltyB, Name: "Toppp Rewards Program"},
			{ID: prgD, Org: toppp, Account: loyaltyD},
			{ID: prgY, Org: other, Account: "acc_other_l"},
		},
		rules: map[org.OrganisationID]bool{},
	}
}

// Steps that change a world.
type step func(*state)

func addLink(id LinkID, o org.OrganisationID, w Selection[WebsiteID], p Selection[ProgramID]) step {
	return func(s *state) { s.links = append(s.links, Link{ID: id, Org: o, Websites: w, Programs: p}) }
}

func deleteLink(id LinkID) step {
	return func(s *state) { s.links = slices.DeleteFunc(s.links, func(l Link) bool { return l.ID == id }) }
}

func setRule(o org.OrganisationID, enabled bool) step {
	return func(s *state) { s.rules[o] = enabled }
}

func addWebsite(id WebsiteID, a org.AccountID) step {
	return func(s *state) { s.websites = append(s.websites, Website{ID: id, Org: toppp, Account: a}) }
}

func addProgram(id ProgramID, a org.AccountID) step {
	return func(s *state) { s.programs = append(s.programs, Program{ID: id, Org: toppp, Account: a}) }
}

func archiveWebsite(id WebsiteID, archived bool) step {
	return func(s *state) {
		for i := range s.websites {
			if s.websites[i].ID == id {
				s.websites[i].Archived = archived
			}
		}
	}
}

func archiveProgram(id ProgramID, archived bool) step {
	return func(s *state) {
		for i := range s.programs {
			if s.programs[i].ID == id {
				s.programs[i].Archived = archived
			}
		}
	}
}

func all[ID ~string]() Selection[ID] { return Selection[ID]{All: true} }

func items[ID ~string](ids ...ID) Selection[ID] { return Selection[ID]{Items: ids} }

func accounts[ID ~string](as ...org.AccountID) Selection[ID] { return Selection[ID]{Accounts: as} }

// Decisions.
var (
	defaultEnabled  = Decision{Shared: true, Basis: DefaultEnabled}
	defaultDisabled = Decision{Basis: DefaultDisabled}
	noLink          = Decision{Basis: NoLink}
	archived        = Decision{Basis: Archived}
	otherOrg        = Decision{Basis: OtherOrganisation}
)

func byLink(id LinkID) Decision { return Decision{Shared: true, Basis: ByLink, Link: id} }

type pair struct {
	w    WebsiteID
	p    ProgramID
	want Decision
}

func TestStructureRule(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  []pair
	}{
		{
			name: "initially, with the default rule enabled, all data is available to all accounts",
			want: []pair{{webA, prgB, defaultEnabled}, {webA, prgD, defaultEnabled}, {webC, prgB, defaultEnabled}, {webC, prgD, defaultEnabled}},
		},
		{
			name:  "if the custom links table is empty and the default rule is not enabled, no data is shared",
			steps: []step{setRule(toppp, false)},
			want:  []pair{{webA, prgB, defaultDisabled}, {webA, prgD, defaultDisabled}, {webC, prgB, defaultDisabled}, {webC, prgD, defaultDisabled}},
		},
		{
			name:  "as soon as a custom link exists, only the data of the selected components is shared: website A with program B",
			steps: []step{addLink("lnk_1", toppp, items(webA), items(prgB))},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webA, prgD, noLink}, {webC, prgB, noLink}, {webC, prgD, noLink}},
		},
		{
			name:  "a custom link decides whatever the default rule says",
			steps: []step{setRule(toppp, false), addLink("lnk_1", toppp, items(webA), items(prgB))},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webA, prgD, noLink}, {webC, prgD, noLink}},
		},
		{
			name:  "new websites and programs are not automatically included in a link that lists its components",
			steps: []step{addLink("lnk_1", toppp, items(webA), items(prgB)), addWebsite(webNew, engageA), addProgram(prgNew, loyaltyB)},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webNew, prgB, noLink}, {webA, prgNew, noLink}, {webNew, prgNew, noLink}},
		},
		{
			name:  "unless the link selected All",
			steps: []step{addLink("lnk_1", toppp, all[WebsiteID](), all[ProgramID]()), addWebsite(webNew, engageA), addProgram(prgNew, loyaltyB)},
			want:  []pair{{webNew, prgB, byLink("lnk_1")}, {webA, prgNew, byLink("lnk_1")}, {webNew, prgNew, byLink("lnk_1")}, {webC, prgD, byLink("lnk_1")}},
		},
		{
			name:  "All on the website side and a list on the program side",
			steps: []step{addLink("lnk_1", toppp, all[WebsiteID](), items(prgB)), addWebsite(webNew, engageC)},
			want:  []pair{{webNew, prgB, byLink("lnk_1")}, {webC, prgB, byLink("lnk_1")}, {webNew, prgD, noLink}},
		},
		{
			name:  "selecting an account includes the components added to it later",
			steps: []step{addLink("lnk_1", toppp, accounts[WebsiteID](engageA), accounts[ProgramID](loyaltyB)), addWebsite(webNew, engageA), addProgram(prgNew, loyaltyB)},
			want:  []pair{{webNew, prgNew, byLink("lnk_1")}, {webA, prgNew, byLink("lnk_1")}, {webNew, prgB, byLink("lnk_1")}, {webC, prgB, noLink}, {webA, prgD, noLink}},
		},
		{
			name:  "a selection may mix accounts and listed components",
			steps: []step{addLink("lnk_1", toppp, Selection[WebsiteID]{Accounts: []org.AccountID{engageC}, Items: []WebsiteID{webA}}, items(prgB))},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webC, prgB, byLink("lnk_1")}, {webA, prgD, noLink}},
		},
		{
			name:  "deleting the last custom link falls back to the default rule, enabled",
			steps: []step{addLink("lnk_1", toppp, items(webA), items(prgB)), deleteLink("lnk_1")},
			want:  []pair{{webA, prgB, defaultEnabled}, {webC, prgD, defaultEnabled}},
		},
		{
			name:  "deleting the last custom link falls back to the default rule, disabled",
			steps: []step{setRule(toppp, false), addLink("lnk_1", toppp, items(webA), items(prgB)), deleteLink("lnk_1")},
			want:  []pair{{webA, prgB, defaultDisabled}, {webC, prgD, defaultDisabled}},
		},
		{
			name:  "deleting one of two links leaves the other deciding",
			steps: []step{addLink("lnk_1", toppp, items(webA), items(prgB)), addLink("lnk_2", toppp, items(webC), items(prgD)), deleteLink("lnk_1")},
			want:  []pair{{webA, prgB, noLink}, {webC, prgD, byLink("lnk_2")}},
		},
		{
			name:  "when several links select both, the first by ID decides",
			steps: []step{addLink("lnk_2", toppp, all[WebsiteID](), all[ProgramID]()), addLink("lnk_1", toppp, items(webA), items(prgB))},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webC, prgD, byLink("lnk_2")}},
		},
		{
			name:  "an archived website shares nothing",
			steps: []step{archiveWebsite(webA, true)},
			want:  []pair{{webA, prgB, archived}, {webC, prgB, defaultEnabled}},
		},
		{
			name:  "an archived program shares nothing, even with a link that lists it",
			steps: []step{addLink("lnk_1", toppp, all[WebsiteID](), items(prgB)), archiveProgram(prgB, true)},
			want:  []pair{{webA, prgB, archived}, {webA, prgD, noLink}},
		},
		{
			name:  "unarchiving restores what a link shared",
			steps: []step{addLink("lnk_1", toppp, items(webA), items(prgB)), archiveWebsite(webA, true), archiveWebsite(webA, false)},
			want:  []pair{{webA, prgB, byLink("lnk_1")}},
		},
		{
			name: "websites and programs of different organisations never share",
			want: []pair{{webX, prgB, otherOrg}, {webA, prgY, otherOrg}, {webX, prgY, defaultEnabled}},
		},
		{
			name:  "a link of another organisation has no effect here",
			steps: []step{setRule(toppp, false), addLink("lnk_1", other, all[WebsiteID](), all[ProgramID]())},
			want:  []pair{{webA, prgB, defaultDisabled}, {webX, prgY, byLink("lnk_1")}, {webA, prgY, otherOrg}},
		},
		{
			name:  "a link that lists another organisation's components does not reach them",
			steps: []step{addLink("lnk_1", toppp, items(webA, webX), items(prgB, prgY))},
			want:  []pair{{webA, prgB, byLink("lnk_1")}, {webX, prgY, defaultEnabled}, {webX, prgB, otherOrg}, {webA, prgY, otherOrg}},
		},
		{
			name: "unknown websites and programs share nothing",
			want: []pair{{"web_unknown", prgB, otherOrg}, {webA, "prg_unknown", otherOrg}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := seedWorld()
			recompiled := mustCompile(t, s)
			for _, change := range tt.steps {
				change(&s)
				var err error
				if recompiled, err = recompiled.Recompile(&memStore{s: s}, toppp, other); err != nil {
					t.Fatal(err)
				}
			}
			websites := make(map[WebsiteID]Website)
			for _, w := range s.websites {
				websites[w.ID] = w
			}
			programs := make(map[ProgramID]Program)
			for _, p := range s.programs {
				programs[p.ID] = p
			}
			compiled := mustCompile(t, s)
			for _, c := range tt.want {
				w, ok := websites[c.w]
				if !ok {
					w = Website{ID: c.w}
				}
				p, ok := programs[c.p]
				if !ok {
					p = Program{ID: c.p}
				}
				if got := Evaluate(s.links, s.rule(w.Org), w, p); got != c.want {
					t.Errorf("Evaluate(%s, %s) = %+v, want %+v", c.w, c.p, got, c.want)
				}
				for name, ix := range map[string]*Index{"compiled": compiled, "recompiled": recompiled} {
					if got := ix.Explain(c.w, c.p); got != c.want {
						t.Errorf("%s: Explain(%s, %s) = %+v, want %+v", name, c.w, c.p, got, c.want)
					}
					if got := ix.Shares(c.w, c.p); got != c.want.Shared {
						t.Errorf("%s: Shares(%s, %s) = %v, want %v", name, c.w, c.p, got, c.want.Shared)
					}
				}
			}
			// And on every other pair, listing and lookup, as the rule says.
			if err := disagreement(compiled, s); err != nil {
				t.Errorf("compiled: %v", err)
			}
			if err := disagreement(recompiled, s); err != nil {
				t.Errorf("recompiled: %v", err)
			}
		})
	}
}

// "The Structure tab is only accessible if the organisation includes at
// least one Engage account and one Loyalty account."
func TestStructureNeedsAnEngageAndALoyaltyAccount(t *testing.T) {
	tests := []struct {
		name     string
		products []org.Product
		want     bool
	}{
		{"no account", nil, false},
		{"Engage only", []org.Product{org.Engage, org.Engage}, false},
		{"Loyalty only", []org.Product{org.Loyalty}, false},
		{"Engage and Events", []org.Product{org.Engage, org.Events}, false},
		{"Engage and Loyalty", []org.Product{org.Engage, org.Loyalty}, true},
		{"Events, Loyalty and Engage", []org.Product{org.Events, org.Loyalty, org.Engage}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s state
			for i, p := range tt.products {
				s.accounts = append(s.accounts, org.Account{ID: org.AccountID(rune('a' + i)), Org: toppp, Product: p})
			}
			if got := mustCompile(t, s).Available(toppp); got != tt.want {
				t.Errorf("Available = %v, want %v", got, tt.want)
			}
		})
	}
}

// "… becomes available as soon as both exist": a recompile after the
// second product's first account makes it available.
func TestStructureBecomesAvailableWithTheSecondProduct(t *testing.T) {
	s := state{accounts: []org.Account{{ID: engageA, Org: toppp, Product: org.Engage}}}
	ix := mustCompile(t, s)
	if ix.Available(toppp) {
		t.Fatal("available with an Engage account only")
	}
	s.accounts = append(s.accounts, org.Account{ID: loyaltyB, Org: toppp, Product: org.Loyalty})
	ix, err := ix.Recompile(&memStore{s: s}, toppp)
	if err != nil {
		t.Fatal(err)
	}
	if !ix.Available(toppp) {
		t.Fatal("not available with an Engage and a Loyalty account")
	}
}

// "When creating an earning rule for your 'Toppp Rewards Program' in
// Loyalty, it will limit the number of available values for various
// Engage-related criteria, such as campaigns, opt-ins or variables. Users
// will only be able to choose from relevant values related to the 'Toppp'
// website."
func TestEarningRuleChoosesOnlyFromTheLinkedWebsite(t *testing.T) {
	type campaign struct {
		name    string
		website WebsiteID
	}
	s := seedWorld()
	addLink("lnk_toppp", toppp, items(webA), items(prgB))(&s)
	ix := mustCompile(t, s)
	campaigns := []campaign{{"quiz", webA}, {"kids quiz", webC}, {"contest", webA}, {"other", webX}, {"poll", webA}}

	got := Filter(ix, prgB, campaigns, func(c campaign) WebsiteID { return c.website })
	if want := []campaign{{"quiz", webA}, {"contest", webA}, {"poll", webA}}; !slices.Equal(got, want) {
		t.Errorf("campaigns for the Toppp Rewards Program: %v, want %v", got, want)
	}
	if got := Filter(ix, prgD, campaigns, func(c campaign) WebsiteID { return c.website }); len(got) != 0 {
		t.Errorf("campaigns for program D: %v, want none", got)
	}
	if got := ix.WebsitesFor(prgB); len(got) != 1 || got[0].Name != "Toppp" {
		t.Errorf("WebsitesFor(Toppp Rewards Program) = %+v, want the Toppp website", got)
	}
	if got := ix.ProgramsFor(webA); len(got) != 1 || got[0].Name != "Toppp Rewards Program" {
		t.Errorf("ProgramsFor(Toppp) = %+v, want the Toppp Rewards Program", got)
	}
}
