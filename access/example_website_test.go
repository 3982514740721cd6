package access_test

import (
	"context"
	"fmt"
	"log"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/structure"
)

// A grant on an Engage account limited to chosen websites: its role holds
// on those websites, and on the account itself it only opens the account.
func ExampleService_CheckWebsite() {
	ctx := context.Background()
	e := newExampleOrg(orgspace.Config{})
	shop, _, err := e.space.Structure.CreateWebsite(ctx, e.owner, structure.NewWebsite{Account: e.engage.ID, Name: "shop"})
	if err != nil {
		log.Fatal(err)
	}
	blog, _, err := e.space.Structure.CreateWebsite(ctx, e.owner, structure.NewWebsite{Account: e.engage.ID, Name: "blog"})
	if err != nil {
		log.Fatal(err)
	}
	mark := e.addUser("mark@toppp.example", e.engage.ID, access.Observer)
	_, err = e.space.Access.Grant(ctx, e.owner, access.GrantRequest{User: mark, Account: e.engage.ID, Role: access.Marketer,
		Websites: []org.WebsiteID{shop.ID}})
	if err != nil {
		log.Fatal(err)
	}
	a := e.space.Access
	fmt.Println("publish on the shop:", a.CheckWebsite(mark, e.engage.ID, shop.ID, access.PublishContent))
	fmt.Println("publish on the blog:", a.CheckWebsite(mark, e.engage.ID, blog.ID, access.PublishContent))
	fmt.Println("open the account:", a.Check(mark, e.engage.ID, access.ViewAccount))
	fmt.Println(a.ExplainWebsite(mark, e.engage.ID, blog.ID, access.PublishContent))
	// Output:
	// publish on the shop: true
	// publish on the blog: false
	// open the account: true
	// denied: grant of role marketer on account acc_3 limited to websites web_6 does not cover web_7
}
