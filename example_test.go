package orgspace_test

import (
	"context"
	"fmt"
	"log"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage/memstore"
)

// Open a Space on the in-memory backend, set up an organisation with one
// account and one user, grant the user a role and check a permission.
func ExampleOpen() {
	ctx := context.Background()
	space, err := orgspace.Open(ctx, memstore.New(), orgspace.Config{IDs: &org.SequentialIDs{}})
	if err != nil {
		log.Fatal(err)
	}

	// The host registers an operator, who sets the organisation up.
	op, _, err := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.example"})
	if err != nil {
		log.Fatal(err)
	}
	operator := org.AsOperator(op.ID)
	acme, _, err := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Acme"})
	if err != nil {
		log.Fatal(err)
	}
	engage, _, err := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: acme.ID, Product: org.Engage, Name: "Acme Engage"})
	if err != nil {
		log.Fatal(err)
	}
	anna, _, err := space.Org.CreateUser(ctx, operator, org.NewUser{Email: "Anna@Acme.example", Name: "Anna"})
	if err != nil {
		log.Fatal(err)
	}

	// Anna becomes an Editor of the Engage account.
	rev, err := space.Access.Grant(ctx, operator, access.GrantRequest{User: anna.ID, Account: engage.ID, Role: access.Editor})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("granted at revision", rev)
	fmt.Println("edit content:   ", space.Access.Check(anna.ID, engage.ID, access.EditContent))
	fmt.Println("publish content:", space.Access.Check(anna.ID, engage.ID, access.PublishContent))
	// Output:
	// granted at revision 5
	// edit content:    true
	// publish content: false
}
