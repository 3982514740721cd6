package memstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// DB is an in-memory database. Its zero value is not usable; call [New].
// A DB is safe for concurrent use.
type DB struct {
	mu sync.RWMutex
	st state
	// spare is the undo log of the last write transaction, emptied, for
	// the next one to reuse; written under the write lock.
	spare []undoRecord
}

// maxSpare is the largest undo log kept for reuse, in records.
const maxSpare = 1024

var _ storage.Transactor[*Tx] = (*DB)(nil)

// New returns an empty database at revision 0.
func New() *DB {
	return &DB{st: state{
		orgs:           map[org.OrganisationID]org.Organisation{},
		orgIDs:         new(sortedSet[org.OrganisationID]),
		accounts:       map[org.AccountID]org.Account{},
		accountsOfOrg:  index[org.OrganisationID, org.AccountID]{},
		users:          map[org.UserID]org.User{},
		userByEmail:    map[string]org.UserID{},
		operators:      map[org.OperatorID]org.Operator{},
		memberships:    map[membershipKey]org.Membership{},
		orgsOfUser:     index[org.UserID, org.OrganisationID]{},
		members:        map[memberCountKey]int{},
		grants:         newRowTable[grantKey, access.Grant](),
		grantsOfUser:   index[org.UserID, org.AccountID]{},
		grantsWithRole: map[access.RoleID]int{},
		roles:          map[access.RoleID]access.Role{},
		rolesOfOrg:     index[org.OrganisationID, access.RoleID]{},
		invitations:    map[access.InvitationID]access.Invitation{},
		invsOfOrg:      index[org.OrganisationID, access.InvitationID]{},
		invByToken:     map[string]access.InvitationID{},
		favourites:     map[org.UserID]org.AccountID{},
		websites:       map[structure.WebsiteID]structure.Website{},
		websitesOfOrg:  index[org.OrganisationID, structure.WebsiteID]{},
		programs:       map[structure.ProgramID]structure.Program{},
		programsOfOrg:  index[org.OrganisationID, structure.ProgramID]{},
		links:          map[structure.LinkID]structure.Link{},
		linksOfOrg:     index[org.OrganisationID, structure.LinkID]{},
		defaultRules:   map[org.OrganisationID]bool{},
		logOfOrg:       map[string][]int{},

		ledgerIndex:      map[billing.LedgerAccount]int32{},
		ledgerOfOrg:      map[org.OrganisationID]*orgLedger{},
		transfers:        map[string]int32{},
		events:           map[billing.EventID]billing.Event{},
		purchases:        map[billing.PurchaseID]billing.Purchase{},
		purchaseByKey:    map[purchaseKey]billing.PurchaseID{},
		purchasesOfOrg:   timeIndex[org.OrganisationID, billing.PurchaseID]{},
		pendingPurchases: new(timeSet[billing.PurchaseID]),
		coupons:          map[billing.CouponID]billing.Coupon{},
		couponByCode:     map[string]billing.CouponID{},
		couponsOfOrg:     timeIndex[org.OrganisationID, billing.CouponID]{},
		couponsOfEvent:   timeIndex[billing.EventID, billing.CouponID]{},
		expiringCoupons:  new(timeSet[billing.CouponID]),
		licenceUses:      map[licenceKey]billing.LicenceUse{},
		usesOfEvent:      index[billing.EventID, billing.PersonID]{},
		sms:              map[smsKey]billing.SMS{},
	}}
}

// Update runs fn in a read-write transaction, holding the write lock. If fn
// returns an error, panics or exits its goroutine, every change it made is
// undone and no revision is used; the error is returned as fn returned it
// and a panic goes on after the rollback. Otherwise the changes commit as
// revision Head()+1, which Update returns.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) (storage.Revision, error) {
	return db.update(ctx, "update", false, fn)
}

// UpdateUnlogged runs fn in a read-write transaction that takes no part in
// the change log, holding the write lock as Update does and rolling back
// as Update does. It commits without advancing the revision; Append inside
// it fails with an error wrapping storage.ErrFailedPrecondition, and then
// so does UpdateUnlogged, with that error, even if fn returns nil.
func (db *DB) UpdateUnlogged(ctx context.Context, fn func(*Tx) error) error {
	_, err := db.update(ctx, "update unlogged", true, fn)
	return err
}

// update runs fn in a read-write transaction, logged or not.
func (db *DB) update(ctx context.Context, what string, unlogged bool, fn func(*Tx) error) (storage.Revision, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: %s: %w", what, err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	tx := &Tx{st: &db.st, writable: true, unlogged: unlogged, undo: db.spare}
	db.spare = nil
	committed := false
	defer func() {
		// Runs on an error, a panic and runtime.Goexit alike; a panic
		// carries on once the state is restored.
		if !committed {
			tx.rollback()
		}
		if u := tx.undo; cap(u) <= maxSpare {
			clear(u)
			db.spare = u[:0]
		}
		tx.end()
	}()
	if err := fn(tx); err != nil {
		return 0, err
	}
	if tx.refused != nil {
		return 0, tx.refused
	}
	rev := tx.commit()
	committed = true
	return rev, nil
}

// View runs fn in a read-only transaction, holding the read lock. The state
// it sees is the latest committed one; c asking for a revision ahead of it
// fails with an error wrapping storage.ErrInvalidArgument. Writes through
// the Tx fail.
func (db *DB) View(ctx context.Context, c storage.Consistency, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: view: %w", err)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if !c.Satisfied(db.st.head) {
		return fmt.Errorf("memstore: view %v: revision %d is ahead of the store (head %d): %w",
			c, c.MinRevision(), db.st.head, storage.ErrInvalidArgument)
	}
	tx := &Tx{st: &db.st}
	defer tx.end()
	return fn(tx)
}
