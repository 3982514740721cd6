package memstore

import (
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// state is everything a DB holds: the objects by key, and the indexes and
// counters that keep listings and counts cheap. Tx methods keep them
// consistent and record every change in the undo log.
type state struct {
	orgs          map[org.OrganisationID]org.Organisation
	orgIDs        *sortedSet[org.OrganisationID]
	accounts      map[org.AccountID]org.Account
	accountsOfOrg index[org.OrganisationID, org.AccountID]
	users         map[org.UserID]org.User
	userByEmail   map[string]org.UserID
	operators     map[org.OperatorID]org.Operator

	memberships map[membershipKey]org.Membership
	orgsOfUser  index[org.UserID, org.OrganisationID]
	members     map[memberCountKey]int

	grants         *rowTable[grantKey, access.Grant]
	grantsOfUser   index[org.UserID, org.AccountID]
	grantsWithRole map[access.RoleID]int

	roles      map[access.RoleID]access.Role
	rolesOfOrg index[org.OrganisationID, access.RoleID]

	invitations map[access.InvitationID]access.Invitation
	invsOfOrg   index[org.OrganisationID, access.InvitationID]
	// invByToken maps string(TokenHash) to the invitation's ID.
	invByToken map[string]access.InvitationID

	favourites map[org.UserID]org.AccountID

	websites      map[structure.WebsiteID]structure.Website
	websitesOfOrg index[org.OrganisationID, structure.WebsiteID]
	programs      map[structure.ProgramID]structure.Program
	programsOfOrg index[org.OrganisationID, structure.ProgramID]
	// links hold selections whose slices no caller has: copied going in
	// and out.
	links        map[structure.LinkID]structure.Link
	linksOfOrg   index[org.OrganisationID, structure.LinkID]
	defaultRules map[org.OrganisationID]bool

	// head is the latest committed revision; log holds the committed
	// entries in commit order, and logOfOrg the positions in log of each
	// organisation's entries.
	head     storage.Revision
	log      []storage.Entry
	logOfOrg map[string][]int

	// The ledger (billing.go): every ledger account written is interned
	// in ledger, at the index ledgerIndex gives, with its balance;
	// ledgerOfOrg indexes each organisation's accounts and journal
	// entries. The journal holds every transfer, naming accounts by
	// index; transfers maps an ID to its position there.
	ledgerIndex map[billing.LedgerAccount]int32
	ledger      []ledgerAccount
	ledgerOfOrg map[org.OrganisationID]*orgLedger
	journal     journal
	transfers   map[string]int32

	events map[billing.EventID]billing.Event

	purchases     map[billing.PurchaseID]billing.Purchase
	purchaseByKey map[purchaseKey]billing.PurchaseID
	// purchasesOfOrg orders each organisation's purchases by creation;
	// pendingPurchases those of every organisation that are pending.
	purchasesOfOrg   timeIndex[org.OrganisationID, billing.PurchaseID]
	pendingPurchases *timeSet[billing.PurchaseID]

	// coupons hold code hashes no caller has: copied going in and out.
	coupons map[billing.CouponID]billing.Coupon
	// couponByCode maps string(CodeHash) to the coupon's ID.
	couponByCode map[string]billing.CouponID
	// couponsOfOrg orders each issuer's coupons by creation,
	// couponsOfEvent each event's by redemption, and expiringCoupons the
	// active coupons that have an expiry by it.
	couponsOfOrg    timeIndex[org.OrganisationID, billing.CouponID]
	couponsOfEvent  timeIndex[billing.EventID, billing.CouponID]
	expiringCoupons *timeSet[billing.CouponID]

	licenceUses map[licenceKey]billing.LicenceUse
	usesOfEvent index[billing.EventID, billing.PersonID]

	sms map[smsKey]billing.SMS

	// The community (community.go). New leaves these maps nil: the first
	// community write makes them (initCommunity), and reads of nil maps
	// find nothing. Stored values hold slices no caller has.
	communityEvents map[community.EventID]community.Event
	eventsOfOrg     index[org.OrganisationID, community.EventID]
	persons         map[community.PersonID]community.Person
	personByEmail   map[string]community.PersonID
	participations  map[participationKey]community.Participation
	partsOfEvent    index[community.EventID, community.PersonID]
	partsOfPerson   index[community.PersonID, community.EventID]
	rosters         map[community.EventID]community.Roster
	// memberEvents counts, per organisation and person, the organisation's
	// events the person was accepted onto; memberOrder orders each
	// organisation's members (count > 0) for DirectMembers, and
	// orgsOfMember lets a rename find the orders to move the person in.
	memberEvents map[memberEventsKey]int
	memberOrder  memberIndex
	orgsOfMember index[community.PersonID, org.OrganisationID]
	fields       map[community.FieldID]community.Field
	fieldsOfOrg  index[org.OrganisationID, community.FieldID]
	fieldByLabel map[fieldLabelKey]community.FieldID
	// fieldUses counts the participations and last answers holding a value
	// of each field, for FieldInUse.
	fieldUses   map[community.FieldID]int
	lastAnswers map[lastAnswerKey][]string
	managers    index[community.EventID, org.UserID]
}

type membershipKey struct {
	org  org.OrganisationID
	user org.UserID
}

type memberCountKey struct {
	org  org.OrganisationID
	role org.Role
}

type grantKey struct {
	user    org.UserID
	account org.AccountID
}

type purchaseKey struct {
	org org.OrganisationID
	key string
}

type licenceKey struct {
	event  billing.EventID
	person billing.PersonID
}

type smsKey struct {
	org org.OrganisationID
	id  string
}

type participationKey struct {
	event  community.EventID
	person community.PersonID
}

type memberEventsKey struct {
	org    org.OrganisationID
	person community.PersonID
}

type fieldLabelKey struct {
	org   org.OrganisationID
	label string
}

type lastAnswerKey struct {
	person community.PersonID
	field  community.FieldID
}
