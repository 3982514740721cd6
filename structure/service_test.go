package structure_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/structure"
)

// world is the seed's organisation Toppp, with an Engage account (websites
// A and B), a Loyalty account (program "Toppp Rewards") and an Events
// account, users in every role, and a second organisation whose Owner is an
// outsider to Toppp.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *memstore.DB
	env      org.Env
	clock    *accesstest.Clock
	space    *orgspace.Space
	svc      *structure.Service
	operator org.Actor

	toppp                   org.Organisation
	engage, loyalty, events org.Account
	siteA, siteB            structure.Website
	rewards                 structure.Program

	owner, member, admin, loyaltyAdmin, observer, outsider org.UserID

	other        org.Organisation
	otherSite    structure.Website
	otherProgram structure.Program
	otherEngage  org.Account
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: memstore.New(), clock: accesstest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	w.env = org.Env{Clock: w.clock, IDs: &org.SequentialIDs{}}
	var err error
	w.space, err = orgspace.Open(w.ctx, w.db, orgspace.Config{Clock: w.env.Clock, IDs: w.env.IDs})
	w.must(err)
	w.svc = w.newService(structure.Config{})
	op, _, err := w.space.Org.CreateOperator(w.ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "csm@platform.test"})
	w.must(err)
	w.operator = org.AsOperator(op.ID)

	w.toppp = w.newOrg("Toppp")
	w.engage = w.newAccount(w.toppp.ID, org.Engage, "Toppp Engage")
	w.loyalty = w.newAccount(w.toppp.ID, org.Loyalty, "Toppp Rewards")
	w.events = w.newAccount(w.toppp.ID, org.Events, "Toppp Events")
	w.owner = w.newUser("owner@toppp.test")
	w.setOrgRole(w.operator, w.toppp.ID, w.owner, org.Owner)
	w.member = w.newUser("member@toppp.test")
	w.setOrgRole(as(w.owner), w.toppp.ID, w.member, org.Member)
	w.admin = w.addUser("admin@toppp.test", w.engage.ID, access.Administrator)
	w.loyaltyAdmin = w.addUser("loyalty-admin@toppp.test", w.loyalty.ID, access.Administrator)
	w.observer = w.addUser("observer@toppp.test", w.engage.ID, access.Observer)
	w.siteA = w.newWebsite(w.engage.ID, "toppp.com")
	w.siteB = w.newWebsite(w.engage.ID, "shop.toppp.com")
	w.rewards = w.newProgram(w.loyalty.ID, "Toppp Rewards Program")

	w.other = w.newOrg("Elsewhere")
	w.otherEngage = w.newAccount(w.other.ID, org.Engage, "Elsewhere Engage")
	otherLoyalty := w.newAccount(w.other.ID, org.Loyalty, "Elsewhere Loyalty")
	w.outsider = w.newUser("owner@elsewhere.test")
	w.setOrgRole(w.operator, w.other.ID, w.outsider, org.Owner)
	w.otherSite = w.newWebsite(w.otherEngage.ID, "elsewhere.test")
	w.otherProgram = w.newProgram(otherLoyalty.ID, "Elsewhere Points")
	return w
}

func (w *world) newService(cfg structure.Config) *structure.Service {
	w.t.Helper()
	cfg.Env = w.env
	svc, err := structure.NewService(w.ctx, storage.Narrow(w.db, func(t *memstore.Tx) structure.Store { return t }), cfg)
	w.must(err)
	return svc
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func as(u org.UserID) org.Actor { return org.AsUser(u) }

func (w *world) newOrg(name string) org.Organisation {
	w.t.Helper()
	o, _, err := w.space.Org.CreateOrganisation(w.ctx, w.operator, org.NewOrganisation{Name: name})
	w.must(err)
	return o
}

func (w *world) newAccount(o org.OrganisationID, p org.Product, name string) org.Account {
	w.t.Helper()
	a, _, err := w.space.Org.CreateAccount(w.ctx, w.operator, org.NewAccount{Org: o, Product: p, Name: name})
	w.must(err)
	return a
}

func (w *world) newUser(email string) org.UserID {
	w.t.Helper()
	u, _, err := w.space.Org.CreateUser(w.ctx, w.operator, org.NewUser{Email: email, Name: email})
	w.must(err)
	return u.ID
}

func (w *world) setOrgRole(actor org.Actor, o org.OrganisationID, u org.UserID, r org.Role) {
	w.t.Helper()
	_, err := w.space.Access.SetOrganisationRole(w.ctx, actor, o, u, r)
	w.must(err)
}

// addUser creates a user with a role on an account, through the operator.
func (w *world) addUser(email string, a org.AccountID, r access.RoleID) org.UserID {
	w.t.Helper()
	u, _, err := w.space.Access.AddUser(w.ctx, w.operator, org.NewUser{Email: email, Name: email}, access.GrantRequest{Account: a, Role: r})
	w.must(err)
	return u.ID
}

func (w *world) newWebsite(a org.AccountID, name string) structure.Website {
	w.t.Helper()
	site, _, err := w.svc.CreateWebsite(w.ctx, w.operator, structure.NewWebsite{Account: a, Name: name})
	w.must(err)
	return site
}

func (w *world) newProgram(a org.AccountID, name string) structure.Program {
	w.t.Helper()
	p, _, err := w.svc.CreateProgram(w.ctx, w.operator, structure.NewProgram{Account: a, Name: name})
	w.must(err)
	return p
}

func (w *world) newLink(in structure.NewLink) structure.Link {
	w.t.Helper()
	l, _, err := w.svc.CreateLink(w.ctx, as(w.owner), in)
	w.must(err)
	return l
}

// head returns the store's latest revision: a failed write must leave it
// (and so every object and the audit log) as it was.
func (w *world) head() storage.Revision {
	w.t.Helper()
	var h storage.Revision
	w.must(w.db.View(w.ctx, storage.Latest(), func(tx *memstore.Tx) error {
		var err error
		h, err = tx.Head()
		return err
	}))
	return h
}

// entriesAt returns the log entries of revision rev.
func (w *world) entriesAt(rev storage.Revision) []storage.Entry {
	w.t.Helper()
	var out []storage.Entry
	w.must(w.db.View(w.ctx, storage.Latest(), func(tx *memstore.Tx) error {
		var err error
		out, err = tx.Entries(storage.LogQuery{After: storage.Position{Revision: rev - 1, Seq: math.MaxInt32}, Limit: 100})
		return err
	}))
	return slices.DeleteFunc(out, func(e storage.Entry) bool { return e.Revision != rev })
}

// wantErr checks that err wraps want, names field, and that nothing was
// committed since before.
func (w *world) wantErr(err, want error, field string, before storage.Revision) {
	w.t.Helper()
	if !errors.Is(err, want) {
		w.t.Errorf("error = %v, want %v", err, want)
	} else if !strings.Contains(err.Error(), field) {
		w.t.Errorf("error %q does not name %q", err, field)
	}
	if h := w.head(); h != before {
		w.t.Errorf("a failed write committed: head %d → %d", before, h)
	}
}

func websites(ids ...structure.WebsiteID) structure.Selection[structure.WebsiteID] {
	return structure.Selection[structure.WebsiteID]{Items: ids}
}

func programs(ids ...structure.ProgramID) structure.Selection[structure.ProgramID] {
	return structure.Selection[structure.ProgramID]{Items: ids}
}

// "The Structure tab is only accessible if the organisation includes at
// least one Engage account and one Loyalty account."
func TestStructureOperationsNeedAnEngageAndALoyaltyAccount(t *testing.T) {
	w := newWorld(t)
	solo := w.newOrg("Solo")
	boss := w.newUser("boss@solo.test")
	w.setOrgRole(w.operator, solo.ID, boss, org.Owner)
	structureOps := func() map[string]error {
		_, _, linkErr := w.svc.CreateLink(w.ctx, as(boss), structure.NewLink{Org: solo.ID,
			Websites: structure.Selection[structure.WebsiteID]{All: true}, Programs: structure.Selection[structure.ProgramID]{All: true}})
		_, ruleErr := w.svc.SetDefaultRule(w.ctx, as(boss), solo.ID, false)
		_, linksErr := w.svc.Links(w.ctx, storage.Latest(), as(boss), solo.ID)
		_, defaultErr := w.svc.DefaultRule(w.ctx, storage.Latest(), as(boss), solo.ID)
		return map[string]error{"CreateLink": linkErr, "SetDefaultRule": ruleErr, "Links": linksErr, "DefaultRule": defaultErr}
	}
	wantUnavailable := func(stage string) {
		t.Helper()
		before := w.head()
		for op, err := range structureOps() {
			if !errors.Is(err, structure.ErrStructureUnavailable) || !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Errorf("%s: %s: error = %v, want ErrStructureUnavailable", stage, op, err)
			} else if n := strings.Count(err.Error(), "structure:"); n != 1 {
				t.Errorf("%s: %s: the error names the package %d times: %v", stage, op, n, err)
			}
		}
		if h := w.head(); h != before {
			t.Errorf("%s: a refused write committed: head %d → %d", stage, before, h)
		}
	}

	wantUnavailable("no account")
	engage := w.newAccount(solo.ID, org.Engage, "Solo Engage")
	wantUnavailable("an Engage account only")
	// Websites are parts of their account: they exist before the structure.
	site, _, err := w.svc.CreateWebsite(w.ctx, as(boss), structure.NewWebsite{Account: engage.ID, Name: "solo.test"})
	w.must(err)
	if got, err := w.svc.Websites(w.ctx, storage.Latest(), as(boss), solo.ID, false); err != nil || len(got) != 1 {
		t.Errorf("Websites before the structure = %v, %v; want the website", got, err)
	}
	if _, err := w.svc.ProgramsFor(w.ctx, storage.Latest(), as(boss), site.ID); !errors.Is(err, structure.ErrStructureUnavailable) {
		t.Errorf("ProgramsFor before the structure: error = %v, want ErrStructureUnavailable", err)
	}
	if w.svc.Current().Available(solo.ID) {
		t.Error("the index says the structure is available with an Engage account only")
	}

	_, rev, err := w.space.Org.CreateAccount(w.ctx, w.operator, org.NewAccount{Org: solo.ID, Product: org.Loyalty, Name: "Solo Loyalty"})
	w.must(err)
	ix, err := w.svc.Index(w.ctx, storage.AtLeast(rev))
	w.must(err)
	if !ix.Available(solo.ID) {
		t.Error("the index does not see the structure once the Loyalty account exists")
	}
	for op, err := range structureOps() {
		if err != nil {
			t.Errorf("with both accounts: %s: %v", op, err)
		}
	}
	if got, err := w.svc.ProgramsFor(w.ctx, storage.Latest(), as(boss), site.ID); err != nil || len(got) != 0 {
		t.Errorf("ProgramsFor with no program = %v, %v", got, err)
	}
}

// Websites belong to Engage accounts and programs to Loyalty accounts; bad
// input is refused with an error naming the field, and changes nothing.
func TestBadComponentInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name  string
		apply func() error
		want  error
		field string
	}{
		{"a website on a Loyalty account", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: w.loyalty.ID, Name: "x.test"})
			return err
		}, storage.ErrInvalidArgument, "website account"},
		{"a website on an Events account", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: w.events.ID, Name: "x.test"})
			return err
		}, storage.ErrInvalidArgument, "website account"},
		{"a program on an Engage account", func() error {
			_, _, err := w.svc.CreateProgram(w.ctx, as(w.owner), structure.NewProgram{Account: w.engage.ID, Name: "Points"})
			return err
		}, storage.ErrInvalidArgument, "program account"},
		{"a website with no account", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Name: "x.test"})
			return err
		}, storage.ErrInvalidArgument, "website account"},
		{"a website on an unknown account", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: "acc_404", Name: "x.test"})
			return err
		}, storage.ErrNotFound, "acc_404"},
		{"a website with an empty name", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: w.engage.ID, Name: "  "})
			return err
		}, storage.ErrInvalidArgument, "website name"},
		{"a program with a control character in its name", func() error {
			_, _, err := w.svc.CreateProgram(w.ctx, as(w.owner), structure.NewProgram{Account: w.loyalty.ID, Name: "Points\x00"})
			return err
		}, storage.ErrInvalidArgument, "program name"},
		{"a second website of the account with the same name, in other case", func() error {
			_, _, err := w.svc.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: w.engage.ID, Name: "TOPPP.com"})
			return err
		}, storage.ErrAlreadyExists, "toppp.com"},
		{"renaming a website to another's name", func() error {
			_, err := w.svc.RenameWebsite(w.ctx, as(w.owner), w.siteB.ID, "toppp.com")
			return err
		}, storage.ErrAlreadyExists, "toppp.com"},
		{"renaming to an empty name", func() error {
			_, err := w.svc.RenameProgram(w.ctx, as(w.owner), w.rewards.ID, "")
			return err
		}, storage.ErrInvalidArgument, "program name"},
		{"renaming an unknown website", func() error {
			_, err := w.svc.RenameWebsite(w.ctx, as(w.owner), "web_404", "new.test")
			return err
		}, storage.ErrNotFound, "web_404"},
		{"renaming a program as a website", func() error {
			_, err := w.svc.RenameWebsite(w.ctx, as(w.owner), structure.WebsiteID(w.rewards.ID), "new.test")
			return err
		}, storage.ErrNotFound, string(w.rewards.ID)},
		{"archiving an unknown program", func() error {
			_, err := w.svc.ArchiveProgram(w.ctx, as(w.owner), "prg_404", true)
			return err
		}, storage.ErrNotFound, "prg_404"},
		{"archiving a website with no ID", func() error {
			_, err := w.svc.ArchiveWebsite(w.ctx, as(w.owner), "", true)
			return err
		}, storage.ErrInvalidArgument, "website"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			w.wantErr(tt.apply(), tt.want, tt.field, before)
		})
	}
	// The same name on another account is fine.
	other := w.newAccount(w.toppp.ID, org.Engage, "Toppp Engage 2")
	w.newWebsite(other.ID, "toppp.com")
}

// "Bad input (a website of another organisation in a link, a program in
// the website side, unknown IDs, empty link) is rejected with a clear error
// and changes nothing", on creating a link and on changing one.
func TestBadLinkInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	all := structure.Selection[structure.WebsiteID]{All: true}
	allPrograms := structure.Selection[structure.ProgramID]{All: true}
	valid := structure.LinkChange{Name: "Toppp", Websites: websites(w.siteA.ID), Programs: programs(w.rewards.ID)}
	link := w.newLink(structure.NewLink{Org: w.toppp.ID, Name: valid.Name, Websites: valid.Websites, Programs: valid.Programs})
	tests := []struct {
		name  string
		in    structure.LinkChange
		want  error
		field string
	}{
		{"an empty website side", structure.LinkChange{Programs: allPrograms}, storage.ErrInvalidArgument, "link Websites"},
		{"an empty program side", structure.LinkChange{Websites: all}, storage.ErrInvalidArgument, "link Programs"},
		{"All with a list besides", structure.LinkChange{Websites: structure.Selection[structure.WebsiteID]{All: true, Items: []structure.WebsiteID{w.siteA.ID}}, Programs: allPrograms},
			storage.ErrInvalidArgument, "link Websites"},
		{"an empty website ID", structure.LinkChange{Websites: websites(w.siteA.ID, ""), Programs: allPrograms}, storage.ErrInvalidArgument, "link Websites.Items[1]"},
		{"an empty account ID", structure.LinkChange{Websites: all, Programs: structure.Selection[structure.ProgramID]{Accounts: []org.AccountID{""}}},
			storage.ErrInvalidArgument, "link Programs.Accounts[0]"},
		{"a name with a control character", structure.LinkChange{Name: "a\nb", Websites: all, Programs: allPrograms}, storage.ErrInvalidArgument, "link name"},
		{"a program in the website side", structure.LinkChange{Websites: websites(structure.WebsiteID(w.rewards.ID)), Programs: allPrograms},
			storage.ErrInvalidArgument, "link Websites.Items"},
		{"a website in the program side", structure.LinkChange{Websites: all, Programs: programs(structure.ProgramID(w.siteA.ID))},
			storage.ErrInvalidArgument, "link Programs.Items"},
		{"a Loyalty account in the website side", structure.LinkChange{Websites: structure.Selection[structure.WebsiteID]{Accounts: []org.AccountID{w.loyalty.ID}}, Programs: allPrograms},
			storage.ErrInvalidArgument, "link Websites.Accounts"},
		{"an Events account in the program side", structure.LinkChange{Websites: all, Programs: structure.Selection[structure.ProgramID]{Accounts: []org.AccountID{w.events.ID}}},
			storage.ErrInvalidArgument, "link Programs.Accounts"},
		{"an unknown website", structure.LinkChange{Websites: websites("web_404"), Programs: allPrograms}, storage.ErrNotFound, "link Websites.Items"},
		{"an unknown program", structure.LinkChange{Websites: all, Programs: programs("prg_404")}, storage.ErrNotFound, "link Programs.Items"},
		{"an unknown account", structure.LinkChange{Websites: structure.Selection[structure.WebsiteID]{Accounts: []org.AccountID{"acc_404"}}, Programs: allPrograms},
			storage.ErrNotFound, "link Websites.Accounts"},
		{"a website of another organisation", structure.LinkChange{Websites: websites(w.siteA.ID, w.otherSite.ID), Programs: allPrograms},
			storage.ErrNotFound, "link Websites.Items"},
		{"a program of another organisation", structure.LinkChange{Websites: all, Programs: programs(w.otherProgram.ID)}, storage.ErrNotFound, "link Programs.Items"},
		{"an account of another organisation", structure.LinkChange{Websites: structure.Selection[structure.WebsiteID]{Accounts: []org.AccountID{w.otherEngage.ID}}, Programs: allPrograms},
			storage.ErrNotFound, "link Websites.Accounts"},
		{"a program of another organisation in the website side", structure.LinkChange{Websites: websites(structure.WebsiteID(w.otherProgram.ID)), Programs: allPrograms},
			storage.ErrNotFound, "link Websites.Items"},
	}
	for _, tt := range tests {
		t.Run("create: "+tt.name, func(t *testing.T) {
			before := w.head()
			_, _, err := w.svc.CreateLink(w.ctx, as(w.owner), structure.NewLink{Org: w.toppp.ID, Name: tt.in.Name, Websites: tt.in.Websites, Programs: tt.in.Programs})
			w.wantErr(err, tt.want, tt.field, before)
		})
		t.Run("update: "+tt.name, func(t *testing.T) {
			before := w.head()
			_, _, err := w.svc.UpdateLink(w.ctx, as(w.owner), link.ID, tt.in)
			w.wantErr(err, tt.want, tt.field, before)
			got, err := w.svc.Link(w.ctx, storage.Latest(), as(w.owner), link.ID)
			w.must(err)
			if got.Name != link.Name || !slices.Equal(got.Websites.Items, link.Websites.Items) || !slices.Equal(got.Programs.Items, link.Programs.Items) {
				t.Errorf("the link changed: %+v", got)
			}
		})
	}
	for _, tt := range []struct {
		name  string
		apply func() error
		want  error
		field string
	}{
		{"a link of no organisation", func() error {
			_, _, err := w.svc.CreateLink(w.ctx, as(w.owner), structure.NewLink{Websites: all, Programs: allPrograms})
			return err
		}, storage.ErrInvalidArgument, "link Org"},
		{"a link of an unknown organisation", func() error {
			_, _, err := w.svc.CreateLink(w.ctx, as(w.owner), structure.NewLink{Org: "org_404", Websites: all, Programs: allPrograms})
			return err
		}, storage.ErrNotFound, "org_404"},
		{"updating an unknown link", func() error {
			_, _, err := w.svc.UpdateLink(w.ctx, as(w.owner), "lnk_404", valid)
			return err
		}, storage.ErrNotFound, "lnk_404"},
		{"deleting an unknown link", func() error {
			_, err := w.svc.DeleteLink(w.ctx, as(w.owner), "lnk_404")
			return err
		}, storage.ErrNotFound, "lnk_404"},
		{"the default rule of an unknown organisation", func() error {
			_, err := w.svc.SetDefaultRule(w.ctx, as(w.owner), "org_404", false)
			return err
		}, storage.ErrNotFound, "org_404"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			w.wantErr(tt.apply(), tt.want, tt.field, before)
		})
	}
}

// A selection is a set: a repeated ID is kept once, the lists are stored
// sorted, and the caller's slices are not kept.
func TestASelectionIsASet(t *testing.T) {
	w := newWorld(t)
	items := []structure.WebsiteID{w.siteB.ID, w.siteA.ID, w.siteB.ID}
	accounts := []org.AccountID{w.loyalty.ID, w.loyalty.ID}
	l := w.newLink(structure.NewLink{Org: w.toppp.ID, Websites: websites(items...),
		Programs: structure.Selection[structure.ProgramID]{Accounts: accounts}})
	want := []structure.WebsiteID{w.siteA.ID, w.siteB.ID}
	slices.Sort(want)
	if !slices.Equal(l.Websites.Items, want) || !slices.Equal(l.Programs.Accounts, []org.AccountID{w.loyalty.ID}) {
		t.Errorf("link selects %v and %v, want %v and [%s]", l.Websites.Items, l.Programs.Accounts, want, w.loyalty.ID)
	}
	items[0] = "web_changed"
	got, err := w.svc.Link(w.ctx, storage.Latest(), as(w.owner), l.ID)
	w.must(err)
	if !slices.Equal(got.Websites.Items, want) {
		t.Errorf("stored link selects %v, want %v", got.Websites.Items, want)
	}
}

// Who may change and read the structure: Owners (and operators) change
// links and the default rule; Administrators of an account manage its
// websites or programs; anyone who can open an account of the organisation
// reads it.
func TestWhoMayChangeAndReadTheStructure(t *testing.T) {
	w := newWorld(t)
	expiring := w.newUser("external@agency.test")
	_, err := w.space.Access.Grant(w.ctx, as(w.owner), access.GrantRequest{User: expiring, Account: w.engage.ID, Role: access.Observer, ExpiresAt: w.clock.Now().Add(time.Hour)})
	w.must(err)
	w.clock.Advance(2 * time.Hour)

	actors := []struct {
		name  string
		actor org.Actor
	}{
		{"Owner", as(w.owner)},
		{"Member", as(w.member)},
		{"Administrator of the Engage account", as(w.admin)},
		{"Administrator of the Loyalty account", as(w.loyaltyAdmin)},
		{"Observer", as(w.observer)},
		{"Observer whose grant expired", as(expiring)},
		{"Owner of another organisation", as(w.outsider)},
		{"operator", w.operator},
		{"unknown user", as("usr_404")},
		{"nobody", org.Actor{}},
	}
	n := 0
	ops := []struct {
		name    string
		write   bool
		allowed []string
		apply   func(org.Actor) error
	}{
		{"create a link", true, []string{"Owner", "operator"}, func(a org.Actor) error {
			_, _, err := w.svc.CreateLink(w.ctx, a, structure.NewLink{Org: w.toppp.ID, Websites: websites(w.siteA.ID), Programs: programs(w.rewards.ID)})
			return err
		}},
		{"switch the default rule", true, []string{"Owner", "operator"}, func(a org.Actor) error {
			_, err := w.svc.SetDefaultRule(w.ctx, a, w.toppp.ID, false)
			return err
		}},
		{"create a website", true, []string{"Owner", "Administrator of the Engage account", "operator"}, func(a org.Actor) error {
			n++
			_, _, err := w.svc.CreateWebsite(w.ctx, a, structure.NewWebsite{Account: w.engage.ID, Name: "site" + string(rune('a'+n)) + ".toppp.com"})
			return err
		}},
		{"rename a website", true, []string{"Owner", "Administrator of the Engage account", "operator"}, func(a org.Actor) error {
			_, err := w.svc.RenameWebsite(w.ctx, a, w.siteB.ID, "shop.toppp.com")
			return err
		}},
		{"archive a website", true, []string{"Owner", "Administrator of the Engage account", "operator"}, func(a org.Actor) error {
			_, err := w.svc.ArchiveWebsite(w.ctx, a, w.siteB.ID, false)
			return err
		}},
		{"create a program", true, []string{"Owner", "Administrator of the Loyalty account", "operator"}, func(a org.Actor) error {
			n++
			_, _, err := w.svc.CreateProgram(w.ctx, a, structure.NewProgram{Account: w.loyalty.ID, Name: "Points " + string(rune('a'+n))})
			return err
		}},
		{"list the links", false, []string{"Owner", "Member", "Administrator of the Engage account", "Administrator of the Loyalty account", "Observer", "operator"}, func(a org.Actor) error {
			_, err := w.svc.Links(w.ctx, storage.Latest(), a, w.toppp.ID)
			return err
		}},
		{"list the websites", false, []string{"Owner", "Member", "Administrator of the Engage account", "Administrator of the Loyalty account", "Observer", "operator"}, func(a org.Actor) error {
			_, err := w.svc.Websites(w.ctx, storage.Latest(), a, w.toppp.ID, true)
			return err
		}},
		{"ask what a program may use", false, []string{"Owner", "Member", "Administrator of the Engage account", "Administrator of the Loyalty account", "Observer", "operator"}, func(a org.Actor) error {
			_, err := w.svc.WebsitesFor(w.ctx, storage.Latest(), a, w.rewards.ID)
			return err
		}},
		{"explain a decision", false, []string{"Owner", "Member", "Administrator of the Engage account", "Administrator of the Loyalty account", "Observer", "operator"}, func(a org.Actor) error {
			_, err := w.svc.Explain(w.ctx, storage.Latest(), a, w.siteA.ID, w.rewards.ID)
			return err
		}},
	}
	for _, op := range ops {
		for _, ac := range actors {
			t.Run(op.name+"/"+ac.name, func(t *testing.T) {
				before := w.head()
				err := op.apply(ac.actor)
				if slices.Contains(op.allowed, ac.name) {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if !errors.Is(err, storage.ErrPermissionDenied) {
					t.Errorf("error = %v, want ErrPermissionDenied", err)
				}
				if h := w.head(); h != before {
					t.Errorf("a refused write committed: head %d → %d", before, h)
				}
			})
		}
	}
}

// Every write is audited: its revision is the store's head, and it appends
// one entry naming the action, the actor, the object and the organisation.
func TestEveryWriteIsAuditedAtItsRevision(t *testing.T) {
	w := newWorld(t)
	var link structure.Link
	writes := []struct {
		action string
		target func() string
		apply  func() (storage.Revision, error)
	}{
		{"structure.website.create", nil, func() (storage.Revision, error) {
			_, rev, err := w.svc.CreateWebsite(w.ctx, as(w.admin), structure.NewWebsite{Account: w.engage.ID, Name: "new.toppp.com"})
			return rev, err
		}},
		{"structure.program.create", nil, func() (storage.Revision, error) {
			_, rev, err := w.svc.CreateProgram(w.ctx, as(w.owner), structure.NewProgram{Account: w.loyalty.ID, Name: "Toppp Gold"})
			return rev, err
		}},
		{"structure.website.rename", func() string { return string(w.siteA.ID) }, func() (storage.Revision, error) {
			return w.svc.RenameWebsite(w.ctx, as(w.owner), w.siteA.ID, "www.toppp.com")
		}},
		{"structure.program.rename", func() string { return string(w.rewards.ID) }, func() (storage.Revision, error) {
			return w.svc.RenameProgram(w.ctx, as(w.owner), w.rewards.ID, "Toppp Rewards")
		}},
		{"structure.website.archive", func() string { return string(w.siteB.ID) }, func() (storage.Revision, error) {
			return w.svc.ArchiveWebsite(w.ctx, as(w.owner), w.siteB.ID, true)
		}},
		{"structure.website.unarchive", func() string { return string(w.siteB.ID) }, func() (storage.Revision, error) {
			return w.svc.ArchiveWebsite(w.ctx, as(w.owner), w.siteB.ID, false)
		}},
		{"structure.program.archive", func() string { return string(w.rewards.ID) }, func() (storage.Revision, error) {
			return w.svc.ArchiveProgram(w.ctx, as(w.owner), w.rewards.ID, true)
		}},
		{"structure.link.create", nil, func() (storage.Revision, error) {
			var rev storage.Revision
			var err error
			link, rev, err = w.svc.CreateLink(w.ctx, as(w.owner), structure.NewLink{Org: w.toppp.ID, Websites: websites(w.siteA.ID), Programs: programs(w.rewards.ID)})
			return rev, err
		}},
		{"structure.link.update", func() string { return string(link.ID) }, func() (storage.Revision, error) {
			_, rev, err := w.svc.UpdateLink(w.ctx, as(w.owner), link.ID, structure.LinkChange{Name: "All of it",
				Websites: structure.Selection[structure.WebsiteID]{All: true}, Programs: structure.Selection[structure.ProgramID]{All: true}})
			return rev, err
		}},
		{"structure.link.delete", func() string { return string(link.ID) }, func() (storage.Revision, error) {
			return w.svc.DeleteLink(w.ctx, as(w.owner), link.ID)
		}},
		{"structure.default_rule.set", func() string { return string(w.toppp.ID) }, func() (storage.Revision, error) {
			return w.svc.SetDefaultRule(w.ctx, w.operator, w.toppp.ID, false)
		}},
	}
	for _, wr := range writes {
		before := w.head()
		rev, err := wr.apply()
		if err != nil {
			t.Fatalf("%s: %v", wr.action, err)
		}
		if rev != before+1 || w.head() != rev {
			t.Errorf("%s: revision %d, head before %d, after %d", wr.action, rev, before, w.head())
		}
		es := w.entriesAt(rev)
		if len(es) != 1 {
			t.Fatalf("%s: %d log entries at revision %d, want 1: %+v", wr.action, len(es), rev, es)
		}
		e := es[0]
		if e.Action != wr.action || e.Org != string(w.toppp.ID) || e.Actor == "" || e.Target == "" || e.Detail == "" {
			t.Errorf("entry %+v, want action %s in organisation %s", e, wr.action, w.toppp.ID)
		}
		if wr.target != nil && e.Target != wr.target() {
			t.Errorf("%s: target %q, want %q", wr.action, e.Target, wr.target())
		}
	}
	// Owners read them per organisation.
	page, err := w.space.Org.AuditLog(w.ctx, storage.Latest(), as(w.owner), w.toppp.ID, storage.PageRequest{Limit: storage.MaxPageSize})
	w.must(err)
	n := 0
	for _, e := range page.Items {
		if strings.HasPrefix(e.Action, "structure.") {
			n++
		}
	}
	// The world created 2 websites and 1 program of Toppp before the writes above.
	if want := len(writes) + 3; n != want {
		t.Errorf("Toppp's audit log holds %d structure entries, want %d", n, want)
	}
}

// "Initially, with the default rule enabled, all data is available to all
// accounts. As soon as you have created a custom organisation-level link,
// only the data from the selected components will be shared."
func TestCustomLinkOverridesDefaultRule(t *testing.T) {
	w := newWorld(t)
	shares := func(site structure.WebsiteID) bool {
		t.Helper()
		ok, err := w.svc.Shares(w.ctx, storage.Latest(), as(w.observer), site, w.rewards.ID)
		w.must(err)
		return ok
	}
	if !shares(w.siteA.ID) || !shares(w.siteB.ID) {
		t.Fatal("with the default rule enabled and no link, not everything is shared")
	}
	l := w.newLink(structure.NewLink{Org: w.toppp.ID, Name: "Toppp", Websites: websites(w.siteA.ID), Programs: programs(w.rewards.ID)})
	if !shares(w.siteA.ID) || shares(w.siteB.ID) {
		t.Error("the link does not decide alone")
	}
	d, err := w.svc.Explain(w.ctx, storage.Latest(), as(w.member), w.siteA.ID, w.rewards.ID)
	w.must(err)
	if d.Basis != structure.ByLink || d.Link != l.ID {
		t.Errorf("Explain = %+v, want link %s", d, l.ID)
	}
	// "If you add new websites … they will not be automatically included …
	// unless you selected All."
	site := w.newWebsite(w.engage.ID, "new.toppp.com")
	if shares(site.ID) {
		t.Error("a new website joined an explicit link")
	}
	_, _, err = w.svc.UpdateLink(w.ctx, as(w.owner), l.ID, structure.LinkChange{Websites: structure.Selection[structure.WebsiteID]{All: true}, Programs: programs(w.rewards.ID)})
	w.must(err)
	late := w.newWebsite(w.engage.ID, "later.toppp.com")
	if !shares(site.ID) || !shares(late.ID) {
		t.Error("a link selecting All websites does not include new ones")
	}
	// "If the custom links table is empty and the default rule is not
	// enabled, no data will be shared."
	_, err = w.svc.SetDefaultRule(w.ctx, as(w.owner), w.toppp.ID, false)
	w.must(err)
	if !shares(w.siteA.ID) {
		t.Error("the default rule decided while a custom link exists")
	}
	_, err = w.svc.DeleteLink(w.ctx, as(w.owner), l.ID)
	w.must(err)
	if shares(w.siteA.ID) {
		t.Error("with no link and the default rule disabled, something is shared")
	}
	got, err := w.svc.WebsitesFor(w.ctx, storage.Latest(), as(w.owner), w.rewards.ID)
	w.must(err)
	if len(got) != 0 {
		t.Errorf("WebsitesFor = %v, want none", got)
	}
}

// Archived websites and programs share nothing and are listed only on
// request; restoring one restores what it shared.
func TestArchivedComponentsShareNothing(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.ArchiveWebsite(w.ctx, as(w.admin), w.siteA.ID, true)
	w.must(err)
	active, err := w.svc.Websites(w.ctx, storage.Latest(), as(w.observer), w.toppp.ID, false)
	w.must(err)
	withArchived, err := w.svc.Websites(w.ctx, storage.Latest(), as(w.observer), w.toppp.ID, true)
	w.must(err)
	if len(active) != 1 || active[0].ID != w.siteB.ID || len(withArchived) != 2 {
		t.Errorf("Websites = %v; with archived %v", active, withArchived)
	}
	ps, err := w.svc.ProgramsFor(w.ctx, storage.Latest(), as(w.owner), w.siteA.ID)
	w.must(err)
	if len(ps) != 0 {
		t.Errorf("an archived website shares with %v", ps)
	}
	_, err = w.svc.ArchiveWebsite(w.ctx, as(w.admin), w.siteA.ID, false)
	w.must(err)
	ps, err = w.svc.ProgramsFor(w.ctx, storage.Latest(), as(w.owner), w.siteA.ID)
	w.must(err)
	if len(ps) != 1 || ps[0].ID != w.rewards.ID {
		t.Errorf("a restored website shares with %v, want the program", ps)
	}
}

// A renamed website or program reads back under its new name, to those who
// may read the organisation only.
func TestRenamedComponentsReadBack(t *testing.T) {
	w := newWorld(t)
	_, err := w.svc.RenameWebsite(w.ctx, as(w.admin), w.siteA.ID, "www.toppp.com")
	w.must(err)
	_, err = w.svc.RenameProgram(w.ctx, as(w.loyaltyAdmin), w.rewards.ID, "Toppp Club")
	w.must(err)
	site, err := w.svc.Website(w.ctx, storage.Latest(), as(w.observer), w.siteA.ID)
	w.must(err)
	prog, err := w.svc.Program(w.ctx, storage.Latest(), as(w.member), w.rewards.ID)
	w.must(err)
	if site.Name != "www.toppp.com" || prog.Name != "Toppp Club" || site.CreatedAt != w.siteA.CreatedAt || site.Account != w.engage.ID {
		t.Errorf("read back %+v and %+v", site, prog)
	}
	if _, err := w.svc.Program(w.ctx, storage.Latest(), as(w.outsider), w.rewards.ID); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("an outsider reads a program: %v", err)
	}
	if _, err := w.svc.Website(w.ctx, storage.Latest(), as(w.owner), "web_404"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown website: %v", err)
	}
}

// Queries name known websites and programs.
func TestQueriesRefuseUnknownComponents(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		name  string
		apply func() error
		want  error
	}{
		{"Shares of an unknown website", func() error {
			_, err := w.svc.Shares(w.ctx, storage.Latest(), as(w.owner), "web_404", w.rewards.ID)
			return err
		}, storage.ErrNotFound},
		{"Explain of an unknown program", func() error {
			_, err := w.svc.Explain(w.ctx, storage.Latest(), as(w.owner), w.siteA.ID, "prg_404")
			return err
		}, storage.ErrNotFound},
		{"WebsitesFor a website", func() error {
			_, err := w.svc.WebsitesFor(w.ctx, storage.Latest(), as(w.owner), structure.ProgramID(w.siteA.ID))
			return err
		}, storage.ErrNotFound},
		{"ProgramsFor an empty ID", func() error {
			_, err := w.svc.ProgramsFor(w.ctx, storage.Latest(), as(w.owner), "")
			return err
		}, storage.ErrInvalidArgument},
		{"Shares across organisations, for an Owner of one", func() error {
			_, err := w.svc.Shares(w.ctx, storage.Latest(), as(w.owner), w.siteA.ID, w.otherProgram.ID)
			return err
		}, storage.ErrPermissionDenied},
	} {
		if err := tt.apply(); !errors.Is(err, tt.want) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
		}
	}
	// An operator may ask across organisations: nothing is shared.
	d, err := w.svc.Explain(w.ctx, storage.Latest(), w.operator, w.siteA.ID, w.otherProgram.ID)
	w.must(err)
	if d.Shared || d.Basis != structure.OtherOrganisation {
		t.Errorf("Explain across organisations = %+v", d)
	}
}

// A second instance on the same store sees a change once it reads at the
// change's revision; until then its current index is its own.
func TestAnotherInstanceSeesChangesAtTheirRevision(t *testing.T) {
	w := newWorld(t)
	second := w.newService(structure.Config{})
	_, rev, err := w.svc.CreateLink(w.ctx, as(w.owner), structure.NewLink{Org: w.toppp.ID, Websites: websites(w.siteA.ID), Programs: programs(w.rewards.ID)})
	w.must(err)
	if !w.svc.Current().Shares(w.siteA.ID, w.rewards.ID) || w.svc.Current().Shares(w.siteB.ID, w.rewards.ID) {
		t.Error("the writing instance does not see its own link at once")
	}
	if !second.Current().Shares(w.siteB.ID, w.rewards.ID) {
		t.Error("the second instance changed without reading the store")
	}
	ix, err := second.Index(w.ctx, storage.AtLeast(rev))
	w.must(err)
	if ix.Shares(w.siteB.ID, w.rewards.ID) || !ix.Shares(w.siteA.ID, w.rewards.ID) {
		t.Error("the second instance does not see the link at its revision")
	}
	if second.Current() != ix {
		t.Error("Index did not keep what it read")
	}
}

// The index follows the log, whether it applies the entries one by one or
// compiles afresh past MaxLogBacklog, and answers as Evaluate does.
func TestIndexFollowsTheLog(t *testing.T) {
	for _, backlog := range []int{1, 10_000} {
		w := newWorld(t)
		follower := w.newService(structure.Config{MaxLogBacklog: backlog})
		l := w.newLink(structure.NewLink{Org: w.toppp.ID, Websites: structure.Selection[structure.WebsiteID]{Accounts: []org.AccountID{w.engage.ID}}, Programs: programs(w.rewards.ID)})
		w.newWebsite(w.engage.ID, "late.toppp.com")
		engage2 := w.newAccount(w.toppp.ID, org.Engage, "Toppp Engage 2")
		w.newWebsite(engage2.ID, "second.toppp.com")
		w.newProgram(w.loyalty.ID, "Toppp Gold")
		_, err := w.svc.ArchiveWebsite(w.ctx, as(w.owner), w.siteB.ID, true)
		w.must(err)
		_, err = w.svc.SetDefaultRule(w.ctx, as(w.owner), w.toppp.ID, false)
		w.must(err)
		ix, err := follower.Index(w.ctx, storage.AtLeast(w.head()))
		w.must(err)

		sites, err := w.svc.Websites(w.ctx, storage.Latest(), w.operator, w.toppp.ID, true)
		w.must(err)
		progs, err := w.svc.Programs(w.ctx, storage.Latest(), w.operator, w.toppp.ID, true)
		w.must(err)
		links, err := w.svc.Links(w.ctx, storage.Latest(), w.operator, w.toppp.ID)
		w.must(err)
		if len(sites) != 4 || len(progs) != 2 || len(links) != 1 || links[0].ID != l.ID {
			t.Fatalf("backlog %d: %d websites, %d programs, links %v", backlog, len(sites), len(progs), links)
		}
		shared := 0
		for _, site := range sites {
			for _, p := range progs {
				want := structure.Evaluate(links, false, site, p)
				if got := ix.Explain(site.ID, p.ID); got != want {
					t.Errorf("backlog %d: Explain(%s, %s) = %+v, Evaluate says %+v", backlog, site.Name, p.Name, got, want)
				}
				if want.Shared {
					shared++
				}
			}
		}
		// toppp.com and late.toppp.com, both of the linked account, with the program.
		if shared != 2 {
			t.Errorf("backlog %d: %d pairs shared, want 2", backlog, shared)
		}
	}
}
