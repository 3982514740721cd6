package org_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

func ExampleNormaliseEmail() {
	for _, in := range []string{"  Anna@Example.COM ", "Anna <anna@example.com>", "anna@localhost"} {
		email, err := org.NormaliseEmail(in)
		if err != nil {
			fmt.Printf("%q: invalid argument: %v\n", in, errors.Is(err, storage.ErrInvalidArgument))
			continue
		}
		fmt.Printf("%q: %s\n", in, email)
	}
	// Output:
	// "  Anna@Example.COM ": anna@example.com
	// "Anna <anna@example.com>": invalid argument: true
	// "anna@localhost": invalid argument: true
}

// A session meets an account's login policy when it used the account's SSO
// provider (if the account asks for SSO) and a second factor (if required).
func ExampleLoginPolicy_Satisfies() {
	password := org.LoginPolicy{}
	okta2FA := org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}
	oktaOnly := org.LoginPolicy{Method: org.SSO, Provider: "okta"}

	fmt.Println(okta2FA, "meets", password, okta2FA.Satisfies(password))
	fmt.Println(password, "meets", okta2FA, password.Satisfies(okta2FA))
	fmt.Println(oktaOnly, "meets", okta2FA, oktaOnly.Satisfies(okta2FA))
	// Output:
	// sso(okta)+2fa meets password true
	// password meets sso(okta)+2fa false
	// sso(okta) meets sso(okta)+2fa false
}

// fixedClock always tells the same time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// A Service over the in-memory backend: only an operator may create an
// organisation; a user may not.
func ExampleService_CreateOrganisation() {
	ctx := context.Background()
	svc := org.NewService(storage.Narrow(memstore.New(), func(tx *memstore.Tx) org.Store { return tx }), org.Config{
		Env: org.Env{Clock: fixedClock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}, IDs: &org.SequentialIDs{}},
	})
	op, _, err := svc.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Customer Success", Email: "cs@platform.example"})
	if err != nil {
		log.Fatal(err)
	}
	o, rev, err := svc.CreateOrganisation(ctx, org.AsOperator(op.ID), org.NewOrganisation{
		Name:     "  Toppp Media ",
		Settings: org.Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q %s %s, created %s at revision %d\n", o.ID, o.Name, o.Settings.TimeZone, o.Settings.Locale,
		o.CreatedAt.Format(time.DateOnly), rev)

	_, _, err = svc.CreateOrganisation(ctx, org.AsUser("usr_9"), org.NewOrganisation{Name: "Rogue"})
	fmt.Println("a user tries:", errors.Is(err, storage.ErrPermissionDenied))
	// Output:
	// org_2 "Toppp Media" Europe/Brussels fr-BE, created 2026-03-02 at revision 2
	// a user tries: true
}
