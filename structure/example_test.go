package structure_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/structure"
)

// The seed's example: "campaigns published to the website A can share
// participation data with program B" once a custom link says so, and a
// website added later is not included unless the link selected All.
func ExampleService() {
	ctx := context.Background()
	db := memstore.New()
	env := org.Env{IDs: &org.SequentialIDs{}}
	space, _ := orgspace.Open(ctx, db, orgspace.Config{IDs: env.IDs})
	svc, _ := structure.NewService(ctx, storage.Narrow(db, func(tx *memstore.Tx) structure.Store { return tx }), structure.Config{Env: env})

	// An operator sets the organisation up: an Engage and a Loyalty account
	// and an Owner.
	op, _, _ := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "csm@platform.test"})
	operator := org.AsOperator(op.ID)
	toppp, _, _ := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Toppp"})
	engage, _, _ := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Engage, Name: "Toppp Engage"})
	loyalty, _, _ := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Loyalty, Name: "Toppp Loyalty"})
	owner, _, _ := space.Org.CreateUser(ctx, operator, org.NewUser{Email: "owner@toppp.test", Name: "Olivia"})
	_, _ = space.Access.SetOrganisationRole(ctx, operator, toppp.ID, owner.ID, org.Owner)
	olivia := org.AsUser(owner.ID)

	a, _, _ := svc.CreateWebsite(ctx, olivia, structure.NewWebsite{Account: engage.ID, Name: "toppp.com"})
	other, _, _ := svc.CreateWebsite(ctx, olivia, structure.NewWebsite{Account: engage.ID, Name: "other.toppp.com"})
	b, _, _ := svc.CreateProgram(ctx, olivia, structure.NewProgram{Account: loyalty.ID, Name: "Toppp Rewards Program"})

	show := func(when string, sites ...structure.Website) {
		fmt.Println(when)
		for _, w := range sites {
			d, _ := svc.Explain(ctx, storage.Latest(), olivia, w.ID, b.ID)
			fmt.Printf("  %s shares with %s: %v (%s)\n", w.Name, b.Name, d.Shared, d.Basis)
		}
	}
	show("Initially, with the default rule enabled:", a, other)

	link, _, _ := svc.CreateLink(ctx, olivia, structure.NewLink{
		Org:      toppp.ID,
		Name:     "Toppp",
		Websites: structure.Selection[structure.WebsiteID]{Items: []structure.WebsiteID{a.ID}},
		Programs: structure.Selection[structure.ProgramID]{Items: []structure.ProgramID{b.ID}},
	})
	show("With a custom link from toppp.com to the program:", a, other)

	c, _, _ := svc.CreateWebsite(ctx, olivia, structure.NewWebsite{Account: engage.ID, Name: "new.toppp.com"})
	show("A website added later is not in the link:", c)

	_, _, _ = svc.UpdateLink(ctx, olivia, link.ID, structure.LinkChange{
		Name:     "Toppp",
		Websites: structure.Selection[structure.WebsiteID]{All: true},
		Programs: structure.Selection[structure.ProgramID]{Items: []structure.ProgramID{b.ID}},
	})
	show("Unless the link selects All websites:", c)

	// Output:
	// Initially, with the default rule enabled:
	//   toppp.com shares with Toppp Rewards Program: true (no custom link exists and the default rule is enabled)
	//   other.toppp.com shares with Toppp Rewards Program: true (no custom link exists and the default rule is enabled)
	// With a custom link from toppp.com to the program:
	//   toppp.com shares with Toppp Rewards Program: true (a custom link selects both)
	//   other.toppp.com shares with Toppp Rewards Program: false (no custom link selects both)
	// A website added later is not in the link:
	//   new.toppp.com shares with Toppp Rewards Program: false (no custom link selects both)
	// Unless the link selects All websites:
	//   new.toppp.com shares with Toppp Rewards Program: true (a custom link selects both)
}

// An earning rule of a Loyalty program offers only the campaigns of the
// websites that share with it: the host filters its own items through the
// compiled index.
func ExampleService_Index() {
	ctx := context.Background()
	db := memstore.New()
	env := org.Env{IDs: &org.SequentialIDs{}}
	space, _ := orgspace.Open(ctx, db, orgspace.Config{IDs: env.IDs})
	svc, _ := structure.NewService(ctx, storage.Narrow(db, func(tx *memstore.Tx) structure.Store { return tx }), structure.Config{Env: env})
	op, _, _ := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.test"})
	operator := org.AsOperator(op.ID)
	toppp, _, _ := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Toppp"})
	engage, _, _ := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Engage, Name: "Toppp Engage"})

	// Websites exist before the structure does; links do not.
	toppSite, _, _ := svc.CreateWebsite(ctx, operator, structure.NewWebsite{Account: engage.ID, Name: "toppp.com"})
	shop, _, _ := svc.CreateWebsite(ctx, operator, structure.NewWebsite{Account: engage.ID, Name: "shop.toppp.com"})
	_, err := svc.SetDefaultRule(ctx, operator, toppp.ID, false)
	fmt.Println("without a Loyalty account:", errors.Is(err, structure.ErrStructureUnavailable))

	loyalty, _, _ := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Loyalty, Name: "Toppp Loyalty"})
	rewards, _, _ := svc.CreateProgram(ctx, operator, structure.NewProgram{Account: loyalty.ID, Name: "Toppp Rewards"})
	_, rev, _ := svc.CreateLink(ctx, operator, structure.NewLink{
		Org:      toppp.ID,
		Websites: structure.Selection[structure.WebsiteID]{Items: []structure.WebsiteID{toppSite.ID}},
		Programs: structure.Selection[structure.ProgramID]{Accounts: []org.AccountID{loyalty.ID}},
	})

	type campaign struct {
		Name    string
		Website structure.WebsiteID
	}
	campaigns := []campaign{{"Spring quiz", toppSite.ID}, {"Shop survey", shop.ID}, {"Summer contest", toppSite.ID}}
	ix, _ := svc.Index(ctx, storage.AtLeast(rev))
	for _, c := range structure.Filter(ix, rewards.ID, campaigns, func(c campaign) structure.WebsiteID { return c.Website }) {
		fmt.Println("selectable:", c.Name)
	}
	// Output:
	// without a Loyalty account: true
	// selectable: Spring quiz
	// selectable: Summer contest
}
