package accesstest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The checkers read the Space's current index (space.Access.Current(), what
// Check answers from) and its store (space.Store().View). They expect a
// quiet Space: no writes while they run. Expiries are judged on w.Now(),
// so w.Clock must be the Space's clock unless that is the system clock.

// CheckAll runs every invariant that needs no before/after pair:
// NoAccessWithoutGrantPath, OrganisationsIsolated, AlwaysAnOwner and
// ListingsAgreeWithCheck. (The fifth, CheckEscalation, compares Snapshots
// around an Op; Step runs all five.) It returns their violations joined,
// or nil.
func CheckAll(ctx context.Context, space *orgspace.Space, w *World) error {
	return errors.Join(
		NoAccessWithoutGrantPath(ctx, space, w),
		OrganisationsIsolated(ctx, space, w),
		AlwaysAnOwner(ctx, space, w),
		ListingsAgreeWithCheck(ctx, space, w),
	)
}

// NoAccessWithoutGrantPath checks that every access Check allows rests on a
// path the store confirms. For every user, account and permission,
// Explain must agree with Check; and when Check allows, Explain must name
// either a grant (ViaGrant) that the store holds on that account, unexpired,
// of a role (built in, or a custom role of the account's organisation) that
// holds the permission, or an organisation role (ViaOrganisationRole) that
// the store holds: Owner, or Member for MemberPermissions and, on an Events
// account, MemberEventPermissions.
func NoAccessWithoutGrantPath(ctx context.Context, space *orgspace.Space, w *World) error {
	vs := violations{name: "NoAccessWithoutGrantPath"}
	now := w.Now() // before any Check: a grant Check finds active was active now
	ix := space.Access.Current()
	err := space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		pop, err := populationOf(st, w)
		if err != nil {
			return err
		}
		for _, a := range pop.accounts {
			for _, u := range pop.users {
				var f *pairFacts
				for _, p := range allPermissions {
					allowed := ix.Check(u, a.ID, p)
					d := ix.Explain(u, a.ID, p)
					v := Violation{User: w.Name(string(u)), Account: w.Name(string(a.ID)), Permissions: access.PermissionsOf(p)}
					if d.Allowed != allowed {
						v.Detail = fmt.Sprintf("Check says %v but Explain says %v (%q)", allowed, d.Allowed, d.Reason)
						vs.add(v)
						continue
					}
					if d.User != u || d.Permission != p {
						v.Detail = fmt.Sprintf("Explain answers about user %s and %s instead (%q)", w.Name(string(d.User)), d.Permission, d.Reason)
						vs.add(v)
						continue
					}
					if !allowed {
						continue
					}
					if f == nil {
						facts, err := factsOf(st, u, a)
						if err != nil {
							return err
						}
						f = &facts
					}
					if problem := confirmPath(w, a, *f, d, now); problem != "" {
						v.Detail = fmt.Sprintf("Check allows, Explain says %q, but %s", d.Reason, problem)
						vs.add(v)
					}
				}
			}
		}
		return nil
	})
	return vs.err(err)
}

// confirmPath says what is wrong with the path d names for account a,
// given the store's facts f about the user there; "" when the store
// confirms it.
func confirmPath(w *World, a org.Account, f pairFacts, d access.Decision, now time.Time) string {
	p := d.Permission
	switch {
	case d.Account != a.ID:
		return fmt.Sprintf("the decision is about account %s", w.Name(string(d.Account)))
	case d.Org != a.Org:
		return fmt.Sprintf("it names organisation %s while the account belongs to %s", w.Name(string(d.Org)), w.Name(string(a.Org)))
	}
	switch d.Via {
	case access.ViaGrant:
		g := f.grant
		switch {
		case g == nil:
			return "the store holds no grant of the user on the account"
		case string(g.Role) != d.Role:
			return fmt.Sprintf("the stored grant is of role %s, not %s", w.Name(string(g.Role)), w.Name(d.Role))
		case g.Org != a.Org:
			return fmt.Sprintf("the stored grant records organisation %s, the account's is %s", w.Name(string(g.Org)), w.Name(string(a.Org)))
		case !g.ActiveAt(now):
			return fmt.Sprintf("the stored grant expired at %s (now %s)", formatTime(g.ExpiresAt), formatTime(now))
		case !d.ExpiresAt.Equal(g.ExpiresAt):
			return fmt.Sprintf("the stored grant ends %s, Explain says %s", formatTime(g.ExpiresAt), formatTime(d.ExpiresAt))
		case f.roleErr != nil:
			return fmt.Sprintf("the grant's role %s cannot be read: %v", w.Name(string(g.Role)), f.roleErr)
		case f.role.Org != "" && f.role.Org != a.Org:
			return fmt.Sprintf("the grant's role %s belongs to organisation %s, the account to %s", w.Name(string(g.Role)), w.Name(string(f.role.Org)), w.Name(string(a.Org)))
		case !f.role.Permissions.Has(p):
			return fmt.Sprintf("the stored role %s holds only %v", w.Name(string(g.Role)), f.role.Permissions)
		}
		return ""
	case access.ViaOrganisationRole:
		switch {
		case f.orgRole.String() != d.Role:
			return fmt.Sprintf("the store says the user's role in %s is %s, not %s", w.Name(string(a.Org)), f.orgRole, d.Role)
		case f.orgRole == org.Owner:
			return ""
		case f.orgRole == org.Member:
			if access.MemberPermissions.Has(p) || (a.Product == org.Events && access.MemberEventPermissions.Has(p)) {
				return ""
			}
			return fmt.Sprintf("a Member holds %s on no %s account", p, a.Product)
		}
		return fmt.Sprintf("the user holds no organisation role in %s", w.Name(string(a.Org)))
	}
	return fmt.Sprintf("it names no grant and no organisation role (via %s)", d.Via)
}

// OrganisationsIsolated checks that a user's permissions on an account come
// only from that account's own grant and the user's role in the account's
// organisation: for every user and account, what Check allows must equal
// access.Effective of the store's membership in the account's organisation
// and the store's grant on the account, counting the grant's role only when
// it is built in or belongs to that organisation. A permission Check allows
// beyond that leaked from elsewhere (another account, another
// organisation's role); one it denies within it means the index and the
// store disagree.
func OrganisationsIsolated(ctx context.Context, space *orgspace.Space, w *World) error {
	vs := violations{name: "OrganisationsIsolated"}
	before := w.Now()
	ix := space.Access.Current()
	err := space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		pop, err := populationOf(st, w)
		if err != nil {
			return err
		}
		for _, a := range pop.accounts {
			for _, u := range pop.users {
				f, err := factsOf(st, u, a)
				if err != nil {
					return err
				}
				got := heldPermissions(ix, u, a.ID)
				after := w.Now()
				v := Violation{User: w.Name(string(u)), Account: w.Name(string(a.ID)), Org: w.Name(string(a.Org))}
				var granted access.Permissions
				active, foreign := false, ""
				if g := f.grant; g != nil {
					if g.Org != a.Org {
						v.Detail = fmt.Sprintf("the stored grant on the account records organisation %s", w.Name(string(g.Org)))
						vs.add(v)
					}
					active = g.ActiveAt(before)
					if active != g.ActiveAt(after) {
						continue // it expired while we looked
					}
					switch {
					case f.roleErr != nil:
					case f.role.Org != "" && f.role.Org != a.Org:
						foreign = fmt.Sprintf(" (the grant's role %s belongs to organisation %s)", w.Name(string(g.Role)), w.Name(string(f.role.Org)))
					default:
						granted = access.GrantedOnAccount(f.role.Permissions, g.Limited())
					}
				}
				want := access.Effective(f.orgRole, a.Product, granted, active)
				if extra := got &^ want; extra != 0 {
					v.Permissions = extra
					v.Detail = fmt.Sprintf("Check allows them, but the user's role in the organisation (%s) and grant on the account give only %v%s", f.orgRole, want, foreign)
					vs.add(v)
				}
				if missing := want &^ got; missing != 0 {
					v.Permissions = missing
					v.Detail = fmt.Sprintf("the user's role in the organisation (%s) and grant on the account give them, but Check denies them: the index and the store disagree", f.orgRole)
					vs.add(v)
				}
			}
		}
		return nil
	})
	return vs.err(err)
}

// AlwaysAnOwner checks that every organisation that has had an Owner (as
// recorded in w: by Setup.Apply, by ops that made an Owner, and by earlier
// runs of this checker) still has at least one, counting the store's
// memberships (CountMembers). It records in w every organisation it finds
// with an Owner.
func AlwaysAnOwner(ctx context.Context, space *orgspace.Space, w *World) error {
	vs := violations{name: "AlwaysAnOwner"}
	err := space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		for after := org.OrganisationID(""); ; {
			page, err := st.ListOrganisations(after, 100)
			if err != nil {
				return err
			}
			for _, o := range page {
				n, err := st.CountMembers(o.ID, org.Owner)
				if err != nil {
					return err
				}
				switch {
				case n > 0:
					w.MarkOwned(o.ID)
				case w.HadOwner(o.ID):
					vs.add(Violation{Org: w.Name(string(o.ID)), Detail: "the organisation had an Owner and now has none"})
				}
			}
			if len(page) < 100 {
				return nil
			}
			after = page[len(page)-1].ID
		}
	})
	return vs.err(err)
}

// ListingsAgreeWithCheck checks that what the index lists of a user's
// accounts is what Check says they can open. For every user, AccountsOf
// must list each account once, exactly the accounts where Check allows
// ViewAccount, in drop-down order (organisation name and ID, then account
// name and ID), with one favourite, the one Favourite returns;
// AccountIDsOf must list the same IDs in the same order.
func ListingsAgreeWithCheck(ctx context.Context, space *orgspace.Space, w *World) error {
	vs := violations{name: "ListingsAgreeWithCheck"}
	ix := space.Access.Current()
	err := space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		pop, err := populationOf(st, w)
		if err != nil {
			return err
		}
		orgNames := map[org.OrganisationID]string{}
		for _, a := range pop.accounts {
			if _, ok := orgNames[a.Org]; !ok {
				o, err := st.Organisation(a.Org)
				if err != nil {
					return err
				}
				orgNames[a.Org] = o.Name
			}
		}
		for _, u := range pop.users {
			rows, ids := ix.AccountsOf(u), ix.AccountIDsOf(u)
			userName := w.Name(string(u))
			report := func(a org.Account, format string, args ...any) {
				vs.add(Violation{User: userName, Account: w.Name(string(a.ID)), Org: w.Name(string(a.Org)), Detail: fmt.Sprintf(format, args...)})
			}
			listed := map[org.AccountID]bool{}
			favourites := 0
			for i, r := range rows {
				if listed[r.Account.ID] {
					report(r.Account, "AccountsOf lists the account twice")
				}
				listed[r.Account.ID] = true
				if name := orgNames[r.Account.Org]; name != r.OrgName {
					report(r.Account, "AccountsOf names the organisation %q, the store %q", r.OrgName, name)
				}
				if !ix.Check(u, r.Account.ID, access.ViewAccount) {
					report(r.Account, "AccountsOf lists the account, but Check denies ViewAccount in it")
				}
				if i > 0 && menuOrder(rows[i-1], r) >= 0 {
					report(r.Account, "AccountsOf lists the account after %s, out of drop-down order", w.Name(string(rows[i-1].Account.ID)))
				}
				if r.Favourite {
					favourites++
					if fav := ix.Favourite(u); fav != r.Account.ID {
						report(r.Account, "AccountsOf marks the account favourite, but Favourite says %s", w.Name(string(fav)))
					}
				}
				if i >= len(ids) || ids[i] != r.Account.ID {
					report(r.Account, "AccountsOf lists the account at %d, AccountIDsOf does not (it lists %d accounts)", i, len(ids))
				}
			}
			if len(rows) > 0 && favourites != 1 {
				vs.add(Violation{User: userName, Detail: fmt.Sprintf("AccountsOf marks %d favourites among %d accounts, want 1", favourites, len(rows))})
			}
			if len(ids) != len(rows) {
				vs.add(Violation{User: userName, Detail: fmt.Sprintf("AccountIDsOf lists %d accounts, AccountsOf %d", len(ids), len(rows))})
			}
			for _, a := range pop.accounts {
				if !listed[a.ID] && ix.Check(u, a.ID, access.ViewAccount) {
					report(a, "Check allows ViewAccount, but AccountsOf does not list the account")
				}
			}
		}
		return nil
	})
	return vs.err(err)
}

// menuOrder compares two rows in drop-down order.
func menuOrder(a, b access.AccountAccess) int {
	return cmp.Or(cmp.Compare(a.OrgName, b.OrgName), cmp.Compare(a.Account.Org, b.Account.Org),
		cmp.Compare(a.Account.Name, b.Account.Name), cmp.Compare(a.Account.ID, b.Account.ID))
}
