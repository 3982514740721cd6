package access_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// websiteWorld adds to the seeds' world two websites of the Engage account,
// a website of another Engage account, a Marketer limited to the first
// website, and a Marketer limited to it until an hour from now.
type websiteWorld struct {
	*world
	web1, web2, otherWeb org.WebsiteID
	other                org.Account
	limited, expiring    org.UserID
}

func newWebsiteWorld(t *testing.T) *websiteWorld {
	t.Helper()
	w := &websiteWorld{world: newWorld(t, orgspace.Config{})}
	w.other = w.newAccount(w.toppp.ID, org.Engage, "Toppp Engage 2", org.LoginPolicy{})
	w.web1 = w.newWebsite(w.engage.ID, "shop.toppp.test")
	w.web2 = w.newWebsite(w.engage.ID, "blog.toppp.test")
	w.otherWeb = w.newWebsite(w.other.ID, "other.toppp.test")
	w.limited = w.grantNew("limited@toppp.test", w.engage.ID, access.Observer)
	w.must(w.grantWebsites(as(w.owner), w.limited, w.engage.ID, access.Marketer, time.Time{}, w.web1))
	w.expiring = w.grantNew("expiring@toppp.test", w.engage.ID, access.Observer)
	w.must(w.grantWebsites(as(w.owner), w.expiring, w.engage.ID, access.Marketer, w.clock.Now().Add(time.Hour), w.web1))
	return w
}

func (w *websiteWorld) newWebsite(a org.AccountID, name string) org.WebsiteID {
	w.t.Helper()
	site, _, err := w.space.Structure.CreateWebsite(w.ctx, as(w.owner), structure.NewWebsite{Account: a, Name: name})
	w.must(err)
	return site.ID
}

func (w *websiteWorld) grantWebsites(actor org.Actor, u org.UserID, a org.AccountID, r access.RoleID, until time.Time, sites ...org.WebsiteID) error {
	_, err := w.space.Access.Grant(w.ctx, actor, access.GrantRequest{User: u, Account: a, Role: r, ExpiresAt: until, Websites: sites})
	return err
}

func (w *websiteWorld) storedGrant(u org.UserID, a org.AccountID) access.Grant {
	w.t.Helper()
	var g access.Grant
	w.must(w.space.Store().View(w.ctx, storage.Latest(), func(st orgspace.Store) error {
		var err error
		g, err = st.Grant(u, a)
		return err
	}))
	return g
}

func TestLimitedGrantHoldsOnlyOnItsWebsites(t *testing.T) {
	w := newWebsiteWorld(t)
	w.clock.Advance(2 * time.Hour) // the expiring grant has ended
	tests := []struct {
		name    string
		user    org.UserID
		website org.WebsiteID
		p       access.Permission
		allowed bool
	}{
		{"an Owner acts on every website", w.owner, w.web2, access.PublishContent, true},
		{"a Member holds nothing on an Engage website", w.member, w.web1, access.ViewAccount, false},
		{"an unlimited Marketer publishes on every website", w.marketer, w.web2, access.PublishContent, true},
		{"an unlimited Observer only reads", w.observer, w.web1, access.EditContent, false},
		{"a limited Marketer publishes on a listed website", w.limited, w.web1, access.PublishContent, true},
		{"a limited Marketer does not publish on an unlisted website", w.limited, w.web2, access.PublishContent, false},
		{"a limited Marketer does not even read an unlisted website", w.limited, w.web2, access.ViewAccount, false},
		{"an expired limited grant holds on no website", w.expiring, w.web1, access.PublishContent, false},
		{"an expired limited grant holds nothing on unlisted websites", w.expiring, w.web2, access.ViewAccount, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.space.Access.CheckWebsite(tt.user, w.engage.ID, tt.website, tt.p); got != tt.allowed {
				t.Errorf("CheckWebsite(%s, %s) = %v, want %v", tt.website, tt.p, got, tt.allowed)
			}
			if d := w.space.Access.ExplainWebsite(tt.user, w.engage.ID, tt.website, tt.p); d.Allowed != tt.allowed {
				t.Errorf("ExplainWebsite = %+v, want allowed=%v", d, tt.allowed)
			}
		})
	}
}

// On the account itself a limited grant gives only ViewAccount: its holder
// opens the account and acts on their websites.
func TestLimitedGrantOnlyOpensTheAccount(t *testing.T) {
	w := newWebsiteWorld(t)
	if !w.space.Access.Check(w.limited, w.engage.ID, access.ViewAccount) {
		t.Error("a limited Marketer cannot open the account")
	}
	if w.space.Access.Check(w.limited, w.engage.ID, access.PublishContent) {
		t.Error("a limited Marketer publishes on the account as a whole")
	}
	d := w.space.Access.Explain(w.limited, w.engage.ID, access.PublishContent)
	if d.Allowed || !d.Limited || !strings.Contains(d.Reason, "holds only account.view on the account itself") {
		t.Errorf("Explain = %+v", d)
	}
	if !slices.ContainsFunc(w.space.Access.Current().AccountsOf(w.limited), func(a access.AccountAccess) bool { return a.Account.ID == w.engage.ID }) {
		t.Error("the account drop-down of a limited Marketer lacks the account")
	}
}

func TestExplainWebsiteNamesTheLimit(t *testing.T) {
	w := newWebsiteWorld(t)
	w.must(w.grantWebsites(as(w.owner), w.limited, w.engage.ID, access.Marketer, time.Time{}, w.web2, w.web1, w.web2))
	d := w.space.Access.ExplainWebsite(w.limited, w.engage.ID, "web_404", access.EditContent)
	want := "denied: grant of role marketer on account " + string(w.engage.ID) + " limited to websites " +
		string(min(w.web1, w.web2)) + ", " + string(max(w.web1, w.web2)) + " does not cover web_404"
	if d.Reason != want || !d.Limited || d.Website != "web_404" {
		t.Errorf("ExplainWebsite = %+v\nwant reason %q", d, want)
	}
	d = w.space.Access.ExplainWebsite(w.limited, w.engage.ID, w.web2, access.EditContent)
	if !d.Allowed || !strings.Contains(d.Reason, "limited to websites") {
		t.Errorf("ExplainWebsite on a listed website = %+v", d)
	}
	if d := w.space.Access.ExplainWebsite(w.limited, w.engage.ID, "", access.ViewAccount); d.Allowed {
		t.Errorf("ExplainWebsite on an empty website = %+v", d)
	}
}

func TestGrantStoresTheLimitSortedAndRegrantingLiftsIt(t *testing.T) {
	w := newWebsiteWorld(t)
	w.must(w.grantWebsites(as(w.owner), w.limited, w.engage.ID, access.Marketer, time.Time{}, w.web2, w.web1, w.web2))
	want := []org.WebsiteID{min(w.web1, w.web2), max(w.web1, w.web2)}
	if g := w.storedGrant(w.limited, w.engage.ID); !slices.Equal(g.Websites, want) {
		t.Errorf("stored websites = %v, want %v", g.Websites, want)
	}
	w.must(w.grant(as(w.owner), w.limited, w.engage.ID, access.Marketer))
	if g := w.storedGrant(w.limited, w.engage.ID); g.Websites != nil {
		t.Errorf("a grant without websites keeps the limit %v", g.Websites)
	}
	if !w.space.Access.Check(w.limited, w.engage.ID, access.PublishContent) || !w.space.Access.CheckWebsite(w.limited, w.engage.ID, w.web2, access.PublishContent) {
		t.Error("the lifted limit still holds in the index")
	}
}

func TestBadWebsiteLimitIsRejected(t *testing.T) {
	w := newWebsiteWorld(t)
	tests := []struct {
		name    string
		account org.AccountID
		sites   []org.WebsiteID
		want    error
		field   string
	}{
		{"a limit on a Loyalty account", w.loyalty.ID, []org.WebsiteID{w.web1}, storage.ErrInvalidArgument, "websites"},
		{"an unknown website", w.engage.ID, []org.WebsiteID{w.web1, "web_404"}, storage.ErrNotFound, "web_404"},
		{"a website of another account", w.engage.ID, []org.WebsiteID{w.otherWeb}, storage.ErrNotFound, string(w.otherWeb)},
		{"an empty website ID", w.engage.ID, []org.WebsiteID{""}, storage.ErrInvalidArgument, "websites"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := w.head()
			err := w.grantWebsites(as(w.owner), w.marketer, tt.account, access.Marketer, time.Time{}, tt.sites...)
			w.wantErr(err, tt.want, before)
			if err != nil && !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
			if !w.space.Access.CheckWebsite(w.marketer, w.engage.ID, w.web2, access.PublishContent) {
				t.Error("the refused grant changed the Marketer's access")
			}
		})
	}
}

// A website-limited user cannot manage users, even as an Administrator: on
// the account itself they hold only ViewAccount.
func TestLimitedAdministratorManagesNoUsers(t *testing.T) {
	w := newWebsiteWorld(t)
	admin := w.grantNew("webadmin@toppp.test", w.engage.ID, access.Observer)
	w.must(w.grantWebsites(as(w.owner), admin, w.engage.ID, access.Administrator, time.Time{}, w.web1))
	before := w.head()
	w.wantErr(w.grantWebsites(as(admin), w.observer, w.engage.ID, access.Observer, time.Time{}, w.web1), storage.ErrPermissionDenied, before)
	w.wantErr(w.grant(as(admin), w.observer, w.engage.ID, access.Observer), storage.ErrPermissionDenied, before)
	if !w.space.Access.CheckWebsite(admin, w.engage.ID, w.web1, access.ManageAccountSettings) {
		t.Error("a limited Administrator does not administer their website")
	}
}

func TestCheckWebsiteDoesNotAllocate(t *testing.T) {
	w := newWebsiteWorld(t)
	ix := w.space.Access.Current()
	allocs := testing.AllocsPerRun(100, func() {
		ix.CheckWebsite(w.limited, w.engage.ID, w.web1, access.PublishContent)
		ix.CheckWebsite(w.limited, w.engage.ID, w.web2, access.PublishContent)
		ix.CheckWebsite(w.marketer, w.engage.ID, w.web2, access.PublishContent)
		ix.CheckWebsite(w.owner, w.engage.ID, w.web2, access.ManageStructure)
	})
	if allocs != 0 {
		t.Errorf("CheckWebsite allocates %v times per run", allocs)
	}
}

// An index compiled afresh from the store answers as the one that followed
// the log: the limit survives the build path as well as the patch path.
func TestFreshIndexKeepsTheLimit(t *testing.T) {
	w := newWebsiteWorld(t)
	tx := storage.Narrow(w.space.Store(), func(s orgspace.Store) access.Store { return s })
	fresh, err := access.NewService(w.ctx, tx, access.Config{Env: org.Env{Clock: w.clock}})
	w.must(err)
	users := []org.UserID{w.owner, w.member, w.marketer, w.observer, w.limited, w.expiring}
	for _, u := range users {
		for _, site := range []org.WebsiteID{w.web1, w.web2} {
			for _, p := range []access.Permission{access.ViewAccount, access.PublishContent} {
				if got, want := fresh.CheckWebsite(u, w.engage.ID, site, p), w.space.Access.CheckWebsite(u, w.engage.ID, site, p); got != want {
					t.Errorf("fresh CheckWebsite(%s, %s, %s) = %v, patched %v", u, site, p, got, want)
				}
			}
		}
		if got, want := fresh.Check(u, w.engage.ID, access.PublishContent), w.space.Access.Check(u, w.engage.ID, access.PublishContent); got != want {
			t.Errorf("fresh Check(%s) = %v, patched %v", u, got, want)
		}
	}
	if !fresh.CheckWebsite(w.limited, w.engage.ID, w.web1, access.PublishContent) || fresh.CheckWebsite(w.limited, w.engage.ID, w.web2, access.PublishContent) {
		t.Error("the fresh index does not honour the limit")
	}
}
