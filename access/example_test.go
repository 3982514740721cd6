package access_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// exampleOrg is the set-up the examples share: organisation "Toppp" with an
// Engage account (password login) and a Loyalty account (okta SSO and 2FA),
// its Owner, and the operator who created them.
type exampleOrg struct {
	space           *orgspace.Space
	operator, owner org.Actor
	toppp           org.Organisation
	engage, loyalty org.Account
}

// exampleClock always tells the same time.
type exampleClock struct{ t time.Time }

func (c exampleClock) Now() time.Time { return c.t }

func newExampleOrg(cfg orgspace.Config) exampleOrg {
	ctx := context.Background()
	cfg.IDs = &org.SequentialIDs{}
	cfg.Clock = exampleClock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	space, err := orgspace.Open(ctx, memstore.New(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	e := exampleOrg{space: space}
	op, _, err := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "cs@platform.example"})
	if err != nil {
		log.Fatal(err)
	}
	e.operator = org.AsOperator(op.ID)
	if e.toppp, _, err = space.Org.CreateOrganisation(ctx, e.operator, org.NewOrganisation{Name: "Toppp"}); err != nil {
		log.Fatal(err)
	}
	if e.engage, _, err = space.Org.CreateAccount(ctx, e.operator, org.NewAccount{Org: e.toppp.ID, Product: org.Engage, Name: "Toppp Engage"}); err != nil {
		log.Fatal(err)
	}
	if e.loyalty, _, err = space.Org.CreateAccount(ctx, e.operator, org.NewAccount{Org: e.toppp.ID, Product: org.Loyalty, Name: "Toppp Rewards",
		Login: org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}}); err != nil {
		log.Fatal(err)
	}
	owner, _, err := space.Org.CreateUser(ctx, e.operator, org.NewUser{Email: "owner@toppp.example", Name: "Olivia"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := space.Access.SetOrganisationRole(ctx, e.operator, e.toppp.ID, owner.ID, org.Owner); err != nil {
		log.Fatal(err)
	}
	e.owner = org.AsUser(owner.ID)
	return e
}

// addUser has the Owner create a user with a role on an account.
func (e exampleOrg) addUser(email string, account org.AccountID, role access.RoleID) org.UserID {
	u, _, err := e.space.Access.AddUser(context.Background(), e.owner, org.NewUser{Email: email, Name: email},
		access.GrantRequest{Account: account, Role: role})
	if err != nil {
		log.Fatal(err)
	}
	return u.ID
}

// Check answers from the compiled index: no I/O, no allocation.
func ExampleIndex_Check() {
	e := newExampleOrg(orgspace.Config{})
	mark := e.addUser("mark@toppp.example", e.engage.ID, access.Marketer)

	ix := e.space.Access.Current()
	fmt.Println("publish in Engage: ", ix.Check(mark, e.engage.ID, access.PublishContent))
	fmt.Println("manage its users:  ", ix.Check(mark, e.engage.ID, access.ManageAccountUsers))
	fmt.Println("view Loyalty:      ", ix.Check(mark, e.loyalty.ID, access.ViewAccount))
	// Output:
	// publish in Engage:  true
	// manage its users:   false
	// view Loyalty:       false
}

// AccountIDsOf lists the accounts a user can open, without the rows of the
// drop-down: what a service needs to limit a query to them.
func ExampleIndex_AccountIDsOf() {
	e := newExampleOrg(orgspace.Config{})
	mark := e.addUser("mark@toppp.example", e.engage.ID, access.Marketer)

	ix := e.space.Access.Current()
	for _, user := range []org.UserID{e.owner.User(), mark} {
		var names []string
		for _, id := range ix.AccountIDsOf(user) {
			a, _ := ix.Account(id)
			names = append(names, a.Name)
		}
		fmt.Printf("%s: %q\n", user, names)
	}
	// Output:
	// usr_5: ["Toppp Engage" "Toppp Rewards"]
	// usr_6: ["Toppp Engage"]
}

// Explain says which grant or organisation role allowed, or why it denied.
func ExampleService_Explain() {
	e := newExampleOrg(orgspace.Config{})
	mark := e.addUser("mark@toppp.example", e.engage.ID, access.Marketer)

	fmt.Println(e.space.Access.Explain(mark, e.engage.ID, access.PublishContent))
	fmt.Println(e.space.Access.Explain(mark, e.engage.ID, access.ManageAccountUsers))
	fmt.Println(e.space.Access.Explain(e.owner.User(), e.loyalty.ID, access.ManageAccountUsers))
	// Output:
	// allowed: grant of role marketer on account acc_3
	// denied: role marketer on account acc_3 does not hold account.users.manage
	// allowed: owner of organisation org_2, which holds account.users.manage in loyalty account acc_4
}

// An invitation's token travels only in the mail (the Notifier); the
// invitee presents it to accept and becomes a user with the offered role.
func ExampleService_Invite() {
	ctx := context.Background()
	var token string
	e := newExampleOrg(orgspace.Config{
		Notifier: access.NotifierFunc(func(_ context.Context, m access.InvitationMail) error {
			fmt.Printf("mail to %s: join %s, valid until %s\n", m.Invitation.Email, m.OrgName, m.ExpiresAt.Format(time.DateOnly))
			token = m.Token // a real Notifier puts it in a link
			return nil
		}),
	})
	inv, _, err := e.space.Access.Invite(ctx, e.owner, access.InviteRequest{Email: "Sam@Toppp.example", Account: e.engage.ID, Role: access.Editor})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.ID, inv.Status)

	sam, _, err := e.space.Access.Accept(ctx, token, "Sam")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sam.Name, "may edit:", e.space.Access.Check(sam.ID, e.engage.ID, access.EditContent))

	_, _, err = e.space.Access.Accept(ctx, token, "Sam")
	fmt.Println("accept again:", errors.Is(err, storage.ErrFailedPrecondition))
	// Output:
	// mail to sam@toppp.example: join Toppp, valid until 2026-03-09
	// inv_6 pending
	// Sam may edit: true
	// accept again: true
}

// With StrictSwitch, entering an account whose login policy the session has
// not met requires step-up authentication first.
func ExampleService_Switch() {
	ctx := context.Background()
	e := newExampleOrg(orgspace.Config{StrictSwitch: true})
	ada := e.addUser("ada@agency.example", e.engage.ID, access.Administrator)
	if _, err := e.space.Access.Grant(ctx, e.owner, access.GrantRequest{User: ada, Account: e.loyalty.ID, Role: access.Marketer}); err != nil {
		log.Fatal(err)
	}

	// Ada's favourite is Toppp Engage (first in drop-down order): password login.
	sess, err := e.space.Access.Login(ctx, storage.Latest(), ada, org.LoginPolicy{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in to", sess.Account, "with", sess.Authenticated)

	_, err = e.space.Access.Switch(ctx, storage.Latest(), sess, e.loyalty.ID)
	fmt.Println("switch to", e.loyalty.ID, "step-up required:", errors.Is(err, access.ErrStepUpRequired))

	// The host authenticates Ada through okta with a second factor, and retries.
	sess.Authenticated = org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}
	if sess, err = e.space.Access.Switch(ctx, storage.Latest(), sess, e.loyalty.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("now in", sess.Account, "with", sess.Authenticated)
	// Output:
	// logged in to acc_3 with password
	// switch to acc_4 step-up required: true
	// now in acc_4 with sso(okta)+2fa
}

// Menu is the account drop-down: accessible accounts grouped by
// organisation, with the role in each and the favourite starred.
func ExampleService_Menu() {
	ctx := context.Background()
	e := newExampleOrg(orgspace.Config{})
	ada := e.addUser("ada@agency.example", e.loyalty.ID, access.Administrator)

	// An operator gives Ada a role in another organisation's account too.
	client, _, err := e.space.Org.CreateOrganisation(ctx, e.operator, org.NewOrganisation{Name: "Client Co"})
	if err != nil {
		log.Fatal(err)
	}
	clientEngage, _, err := e.space.Org.CreateAccount(ctx, e.operator, org.NewAccount{Org: client.ID, Product: org.Engage, Name: "Client Engage"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := e.space.Access.Grant(ctx, e.operator, access.GrantRequest{User: ada, Account: clientEngage.ID, Role: access.Marketer}); err != nil {
		log.Fatal(err)
	}
	if _, err := e.space.Access.SetFavourite(ctx, org.AsUser(ada), e.loyalty.ID); err != nil {
		log.Fatal(err)
	}

	menu, err := e.space.Access.Menu(ctx, storage.Latest(), ada)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range menu {
		fmt.Println(g.OrgName)
		for _, a := range g.Accounts {
			star := ""
			if a.Favourite {
				star = " ★"
			}
			fmt.Printf("  %s (%s)%s\n", a.Account.Name, a.Role, star)
		}
	}
	// Output:
	// Client Co
	//   Client Engage (marketer)
	// Toppp
	//   Toppp Rewards (administrator) ★
}
