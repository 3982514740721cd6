package access_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/structure"
)

// websiteSet is synthetic.Default() with 4 websites on every Engage account
// and every 10th grant on an Engage account limited to 2 of them: a set of
// its own, so that the limits do not change the other benchmarks' answers.
var websiteSet struct {
	once sync.Once
	svc  *access.Service
	// mix is realistic checks, each on a website of its account;
	// limited only checks of limited grants, half on a listed website.
	mix, limited []websiteQuery
	err          error
}

type websiteQuery struct {
	user    org.UserID
	account org.AccountID
	website org.WebsiteID
	p       access.Permission
}

func loadWebsiteSet(b *testing.B) {
	b.Helper()
	websiteSet.once.Do(func() { websiteSet.err = buildWebsiteSet() })
	if websiteSet.err != nil {
		b.Fatal(websiteSet.err)
	}
}

func buildWebsiteSet() error {
	ds, err := synthetic.Generate(synthetic.Default())
	if err != nil {
		return err
	}
	ctx := context.Background()
	db := memstore.New()
	tx := storage.Narrow(db, func(t *memstore.Tx) access.Store { return t })
	if err := ds.Load(ctx, tx); err != nil {
		return err
	}
	site := func(a org.AccountID, i int) org.WebsiteID { return org.WebsiteID(fmt.Sprintf("web_%s_%d", a, i)) }
	rng := rand.New(rand.NewPCG(1, 2))
	var limited []access.Grant
	_, err = db.Update(ctx, func(t *memstore.Tx) error {
		for _, a := range ds.Accounts {
			if a.Product != org.Engage {
				continue
			}
			for i := range 4 {
				if err := t.InsertWebsite(structure.Website{ID: site(a.ID, i), Org: a.Org, Account: a.ID, Name: fmt.Sprint(i), CreatedAt: ds.Epoch}); err != nil {
					return err
				}
			}
		}
		engage := 0
		for _, g := range ds.Grants {
			if a, err := t.Account(g.Account); err != nil || a.Product != org.Engage {
				continue
			}
			if engage++; engage%10 != 0 {
				continue
			}
			g.Websites = []org.WebsiteID{site(g.Account, 0), site(g.Account, 2)}
			if err := t.PutGrant(g); err != nil {
				return err
			}
			limited = append(limited, g)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if websiteSet.svc, err = access.NewService(ctx, tx, access.Config{}); err != nil {
		return err
	}
	qs, err := ds.Queries(benchQueries, 1, synthetic.Realistic())
	if err != nil {
		return err
	}
	for _, q := range qs {
		websiteSet.mix = append(websiteSet.mix, websiteQuery{q.User, q.Account, site(q.Account, rng.IntN(4)), q.Permission})
	}
	for range benchQueries {
		g := limited[rng.IntN(len(limited))]
		websiteSet.limited = append(websiteSet.limited, websiteQuery{g.User, g.Account, site(g.Account, rng.IntN(4)), access.EditContent})
	}
	return nil
}

// BenchmarkCheckWebsite asks pre-drawn website checks in turn on the
// website set: "mix" is the realistic mix of BenchmarkCheck, each on a
// random website of the account, "limited" only checks of website-limited
// grants, half of them on a website the grant lists.
func BenchmarkCheckWebsite(b *testing.B) {
	for _, m := range []string{"mix", "limited"} {
		b.Run(m, func(b *testing.B) {
			loadWebsiteSet(b)
			qs := websiteSet.mix
			if m == "limited" {
				qs = websiteSet.limited
			}
			ix, mask := websiteSet.svc.Current(), len(qs)-1
			b.ReportAllocs()
			allowed, i := 0, 0
			for b.Loop() {
				q := &qs[i&mask]
				if ix.CheckWebsite(q.user, q.account, q.website, q.p) {
					allowed++
				}
				i++
			}
			sink.Add(int64(allowed))
		})
	}
}
