package backendbench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// usersPerWriter is how many users each writer grants access to and
// revokes in turn; writers never share a user, so they never write the same
// grant.
const usersPerWriter = 16

// Writes measures grant and revoke through Space.Access on the fresh, empty
// backend that open returns: an Owner of one organisation grants Observer
// on its one account to a user, then revokes it, and so on over a pool of
// users. writers goroutines share the b.N writes; each op is one Grant or
// one Revoke, so a writer holds at most one grant at a time and the state
// stays the same size however long the benchmark runs. Each write commits
// one transaction and patches the Space's access index. The metric writes/s
// is b.N over the wall time.
func Writes[T orgspace.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T], writers int) {
	ctx := context.Background()
	db := open(b)
	w, err := seed(ctx, db, writers*usersPerWriter)
	if err != nil {
		b.Fatal(err)
	}
	space, err := orgspace.Open(ctx, db, orgspace.Config{})
	if err != nil {
		b.Fatal(err)
	}
	actor := org.AsUser(w.owner)
	var next atomic.Int64
	var wg sync.WaitGroup
	// held[i] is the user whose grant writer i holds when it stops, if any.
	held := make([]org.UserID, writers)
	grant := func(user org.UserID) error {
		_, err := space.Access.Grant(ctx, actor, access.GrantRequest{User: user, Account: w.account, Role: access.Observer})
		return err
	}
	revoke := func(user org.UserID) error {
		_, err := space.Access.Revoke(ctx, actor, user, w.account)
		return err
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range writers {
		users := w.users[i*usersPerWriter : (i+1)*usersPerWriter]
		wg.Go(func() {
			// Op j grants users[j/2%len(users)] on even j and revokes that
			// grant on odd j.
			for j := 0; next.Add(1) <= int64(b.N); j++ {
				user := users[j/2%len(users)]
				op, h := grant, user
				if j%2 == 1 {
					op, h = revoke, ""
				}
				if err := op(user); err != nil {
					b.Error(err)
					return
				}
				held[i] = h
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	elapsed := b.Elapsed()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
	for _, u := range held {
		if u != "" {
			if err := revoke(u); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, u := range w.users {
		if space.Access.Check(u, w.account, access.ViewAccount) {
			b.Fatalf("user %s still views the account after the last revoke: the index does not follow the writes", u)
		}
	}
}

// world is what Writes writes in: an organisation's Owner, its account and
// users who hold nothing.
type world struct {
	owner   org.UserID
	account org.AccountID
	users   []org.UserID
}

// seed writes the world of Writes through the store in one transaction, so
// that setting up hundreds of users costs one commit.
func seed[T orgspace.Store](ctx context.Context, db storage.Transactor[T], users int) (world, error) {
	now := time.Now().UTC()
	o := org.Organisation{ID: "org_bench", Name: "Bench Org", CreatedAt: now}
	a := org.Account{ID: "acc_bench", Org: o.ID, Product: org.Engage, Name: "Bench Engage", CreatedAt: now}
	w := world{owner: "usr_bench_owner", account: a.ID}
	for i := range users {
		w.users = append(w.users, org.UserID(fmt.Sprintf("usr_bench_%04d", i)))
	}
	_, err := db.Update(ctx, func(st T) error {
		if err := st.InsertOrganisation(o); err != nil {
			return err
		}
		if err := st.InsertAccount(a); err != nil {
			return err
		}
		if err := st.InsertUser(org.User{ID: w.owner, Email: "owner@bench.example", Name: "Owner", CreatedAt: now}); err != nil {
			return err
		}
		if err := st.PutMembership(org.Membership{Org: o.ID, User: w.owner, Role: org.Owner, Since: now}); err != nil {
			return err
		}
		for i, id := range w.users {
			u := org.User{ID: id, Email: fmt.Sprintf("user%04d@bench.example", i), Name: "User", CreatedAt: now}
			if err := st.InsertUser(u); err != nil {
				return err
			}
		}
		return st.Append(storage.Entry{Time: now, Actor: "system", Action: "bench.seed", Detail: fmt.Sprintf("%d users", users)})
	})
	if err != nil {
		return world{}, fmt.Errorf("backendbench: seed: %w", err)
	}
	return w, nil
}
