package accesstest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Pair is a user in an account.
type Pair struct {
	User    org.UserID
	Account org.AccountID
}

// Snapshot is what everyone may do, at one moment: Check for every user,
// account and permission, and every organisation role, so that two of them
// taken around an Op show what the Op changed (CheckEscalation).
type Snapshot struct {
	// Revision is the revision of the index the Checks ran on.
	Revision storage.Revision
	// Held maps each user and account to the permissions Check allowed
	// (pairs holding nothing are left out).
	Held map[Pair]access.Permissions
	// OrgRoles maps each organisation to its Owners and Members, as stored.
	OrgRoles map[org.OrganisationID]map[org.UserID]org.Role
	// AccountOrg maps each account to its organisation.
	AccountOrg map[org.AccountID]org.OrganisationID
	// Names maps IDs to the World's symbolic names, for messages.
	Names map[string]string
}

func (s Snapshot) name(id string) string {
	if n, ok := s.Names[id]; ok {
		return n
	}
	return id
}

// TakeSnapshot records what every user of w (and every other user the
// store holds a grant or membership of) may do on every account, reading
// the Space's current index, and the organisation roles from its store.
func TakeSnapshot(ctx context.Context, space *orgspace.Space, w *World) (Snapshot, error) {
	s := Snapshot{
		Held:       map[Pair]access.Permissions{},
		OrgRoles:   map[org.OrganisationID]map[org.UserID]org.Role{},
		AccountOrg: map[org.AccountID]org.OrganisationID{},
		Names:      maps.Clone(w.names),
	}
	ix := space.Access.Current()
	s.Revision = ix.Revision()
	err := space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
		pop, err := populationOf(st, w)
		if err != nil {
			return err
		}
		for _, a := range pop.accounts {
			s.AccountOrg[a.ID] = a.Org
			for _, u := range pop.users {
				if p := heldPermissions(ix, u, a.ID); p != 0 {
					s.Held[Pair{u, a.ID}] = p
				}
			}
		}
		return st.AllMemberships(func(m org.Membership) error {
			if s.OrgRoles[m.Org] == nil {
				s.OrgRoles[m.Org] = map[org.UserID]org.Role{}
			}
			s.OrgRoles[m.Org][m.User] = m.Role
			return nil
		})
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("accesstest: snapshot: %w", err)
	}
	return s, nil
}

// CheckEscalation is the invariant NoPrivilegeEscalation, checked on the
// Snapshots taken just before and just after op was applied:
//
//   - if op failed, nobody gained any permission (a refused write changes
//     nothing);
//   - if op succeeded and its actor is a user, every permission anybody
//     gained on an account was one the actor held on that account before
//     the op, unless the actor was then an Owner of the account's
//     organisation. An invitation made and accepted counts as its
//     inviter's act, so it too gives only what the inviter held.
//
// Ops of operators and System (the clock) are not limited. CheckEscalation
// returns the violations joined, or an error if op was not applied.
func CheckEscalation(before, after Snapshot, op Op) error {
	vs := violations{name: "NoPrivilegeEscalation"}
	res := op.Result()
	if errors.Is(res, ErrNotApplied) {
		return fmt.Errorf("accesstest: NoPrivilegeEscalation: %s: %w", op, ErrNotApplied)
	}
	name := func(id string) string {
		if n, ok := after.Names[id]; ok {
			return n
		}
		return before.name(id)
	}
	actor := op.Actor()
	pairs := slices.SortedFunc(maps.Keys(after.Held), func(a, b Pair) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.User, b.User))
	})
	for _, k := range pairs {
		gained := after.Held[k] &^ before.Held[k]
		if gained == 0 {
			continue
		}
		o := after.AccountOrg[k.Account]
		v := Violation{User: name(string(k.User)), Account: name(string(k.Account)), Org: name(string(o)), Permissions: gained}
		if res != nil {
			v.Detail = fmt.Sprintf("gained by %q, which failed: %v", op, res)
			vs.add(v)
			continue
		}
		if actor.Kind != org.ActorUser || before.OrgRoles[o][actor.User()] == org.Owner {
			continue
		}
		own := before.Held[Pair{actor.User(), k.Account}]
		if beyond := gained &^ own; beyond != 0 {
			v.Permissions = beyond
			v.Detail = fmt.Sprintf("gained by %q, though its actor %s, not an Owner, held only %v on the account", op, name(actor.ID), own)
			vs.add(v)
		}
	}
	return vs.err(nil)
}

// Step applies op to space and checks every invariant around it: it takes
// a Snapshot before and after, runs CheckEscalation on them and then
// CheckAll. It returns the violations (op's own outcome is op.Result()),
// or an error if a Snapshot could not be taken.
func Step(ctx context.Context, space *orgspace.Space, w *World, op Op) error {
	before, err := TakeSnapshot(ctx, space, w)
	if err != nil {
		return err
	}
	_ = op.Apply(ctx, space) // refusals are expected; the invariants judge
	after, err := TakeSnapshot(ctx, space, w)
	if err != nil {
		return err
	}
	return errors.Join(CheckEscalation(before, after, op), CheckAll(ctx, space, w))
}
