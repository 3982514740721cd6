package billing

import (
	"context"
	"strconv"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// AssetBalance is where an organisation's units of one asset are.
type AssetBalance struct {
	// Purchased is every unit bought (or granted by an operator) into the
	// pool.
	Purchased int64
	// Available is what the pool may still spend: issue coupons, give
	// licences to the organisation's events, pay for SMS.
	Available int64
	// Reserved is what active coupons hold back from the pool.
	Reserved int64
	// Used is what the organisation's events hold: licences of people on
	// them, whether from the pool or from coupons they redeemed (net of
	// licences returned), or SMS credits consumed.
	Used int64
	// Given is the licences of the organisation's coupons that other
	// organisations' events redeemed.
	Given int64
}

// Balances is an organisation's position in both assets.
type Balances struct {
	Org        org.OrganisationID
	Licences   AssetBalance
	SMSCredits AssetBalance
}

// Of returns the balance of asset a.
func (b *Balances) Of(a Asset) *AssetBalance {
	if a == SMSCredits {
		return &b.SMSCredits
	}
	return &b.Licences
}

// Balances returns organisation o's balances, read from its ledger
// accounts. Owners and Members may.
func (s *Service) Balances(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID) (Balances, error) {
	out := Balances{Org: o}
	err := s.view(ctx, c, func(st Store) error {
		if err := authorize(st, actor, o, memberRight, "read balances"); err != nil {
			return err
		}
		accounts, err := st.BalancesOfOrg(o)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			ab := out.Of(a.Account.Asset)
			switch a.Account.Kind {
			case External:
				ab.Purchased += a.DebitsPosted
			case Pool:
				ab.Available += a.Available()
				ab.Reserved += a.Reserved()
			case Allocation, Consumed:
				ab.Used += a.CreditsPosted - a.DebitsPosted
			case Escrow:
				// Reserved in the pool while pending; Given once redeemed.
			}
		}
		// An escrow's posted credits also count licences returned to it,
		// so what was given is read from the redeemed coupons.
		var after time.Time
		var afterID CouponID
		for {
			page, err := st.CouponsOfOrg(o, after, afterID, storage.MaxPageSize)
			if err != nil {
				return err
			}
			for _, c := range page {
				if c.Status == CouponRedeemed {
					out.Licences.Given += c.Licences
				}
			}
			if len(page) < storage.MaxPageSize {
				return nil
			}
			after, afterID = page[len(page)-1].CreatedAt, page[len(page)-1].ID
		}
	})
	return out, err
}

// JournalFilter selects the journal entries of one organisation: those
// with an account of Org on either side that also has the Asset, Kind and
// Ref set here.
type JournalFilter struct {
	Org   org.OrganisationID
	Asset Asset
	Kind  AccountKind
	Ref   string
}

// Journal lists the transfers that moved organisation o's units, in the
// order they were recorded, a page at a time. Owners may.
//
// On a backend whose unlogged writes commit concurrently (PostgreSQL), a
// transfer may commit after one numbered after it; a page read while it
// was committing may then skip it, and it shows up on a later full read.
func (s *Service) Journal(ctx context.Context, c storage.Consistency, actor org.Actor, f JournalFilter, page storage.PageRequest) (storage.Page[JournalEntry], error) {
	var out storage.Page[JournalEntry]
	limit, err := page.Size()
	if err != nil {
		return out, err
	}
	var after int64
	if page.After != "" {
		key, err := storage.DecodeCursor(page.After, 1)
		if err != nil {
			return out, err
		}
		if after, err = strconv.ParseInt(key[0], 10, 64); err != nil || after < 0 {
			return out, invalid("cursor", "is not a journal cursor")
		}
	}
	if f.Asset != 0 && !f.Asset.Valid() {
		return out, invalid("asset", "%v is not an asset", f.Asset)
	}
	if f.Kind != 0 && !f.Kind.Valid() {
		return out, invalid("kind", "%v is not an account kind", f.Kind)
	}
	err = s.view(ctx, c, func(st Store) error {
		if err := authorize(st, actor, f.Org, ownerRight, "read the journal"); err != nil {
			return err
		}
		items, err := st.Journal(JournalQuery{Org: f.Org, Asset: f.Asset, Kind: f.Kind, Ref: f.Ref, After: after, Limit: limit + 1})
		if err != nil {
			return err
		}
		out = pageOf(items, limit, func(e JournalEntry) storage.Cursor {
			return storage.EncodeCursor(strconv.FormatInt(e.Seq, 10))
		})
		return nil
	})
	return out, err
}

// Purchases lists organisation o's purchases, oldest first, a page at a
// time. Owners may.
func (s *Service) Purchases(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, page storage.PageRequest) (storage.Page[Purchase], error) {
	var out storage.Page[Purchase]
	after, afterID, limit, err := timeCursor(page)
	if err != nil {
		return out, err
	}
	err = s.view(ctx, c, func(st Store) error {
		if err := authorize(st, actor, o, ownerRight, "list purchases"); err != nil {
			return err
		}
		items, err := st.PurchasesOfOrg(o, after, PurchaseID(afterID), limit+1)
		if err != nil {
			return err
		}
		out = pageOf(items, limit, func(p Purchase) storage.Cursor { return encodeTimeCursor(p.CreatedAt, string(p.ID)) })
		return nil
	})
	return out, err
}

// pageOf makes a page of the first limit of items, which hold up to one
// more to tell whether another page follows.
func pageOf[T any](items []T, limit int, cursor func(T) storage.Cursor) storage.Page[T] {
	if len(items) <= limit {
		return storage.Page[T]{Items: items}
	}
	items = items[:limit]
	return storage.Page[T]{Items: items, Next: cursor(items[limit-1])}
}

// encodeTimeCursor makes the cursor of a listing ordered by a time and
// then an ID.
func encodeTimeCursor(t time.Time, id string) storage.Cursor {
	return storage.EncodeCursor(strconv.FormatInt(t.UnixNano(), 10), id)
}

// timeCursor reads a page request of a listing ordered by a time and then
// an ID: the place to start after, and the page size.
func timeCursor(page storage.PageRequest) (time.Time, string, int, error) {
	limit, err := page.Size()
	if err != nil || page.After == "" {
		return time.Time{}, "", limit, err
	}
	key, err := storage.DecodeCursor(page.After, 2)
	if err != nil {
		return time.Time{}, "", 0, err
	}
	ns, err := strconv.ParseInt(key[0], 10, 64)
	if err != nil || key[1] == "" {
		return time.Time{}, "", 0, invalid("cursor", "is not a cursor of this listing")
	}
	return time.Unix(0, ns).UTC(), key[1], limit, nil
}
