package storagetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// modelBilling is the model of package billing, written from the doc
// comments of billing.Service with plain maps: per organisation what its
// Balances show, coupons with their status and the licences their event
// may still take, licence uses per event and person with where they came
// from, purchases by key and SMS by ID. Like the rest of the model, each
// operation returns the sentinel the rules predict and, when the
// operation changes something, a function that applies the change; a nil
// function means that the operation changes nothing at all.
type modelBilling struct {
	events    map[billing.EventID]billing.Event
	balances  map[org.OrganisationID]*billing.Balances
	coupons   map[billing.CouponID]*modelCoupon
	purchases map[modelPurchaseKey]*billing.Purchase
	sms       map[modelSMSKey]billing.SMS
	licences  map[modelLicenceKey]billing.LicenceUse
	// redeemed lists, per event, the coupons it redeemed by redemption
	// time and then ID, as billing.Store.CouponsOfEvent orders them.
	redeemed map[billing.EventID][]billing.CouponID
	// refs holds the receipt of each purchase the payment provider
	// charged, whether or not its answer arrived.
	refs map[billing.PurchaseID]string
	// charges and sent count what the fake payment provider charged and
	// the fake SMS sender sent: they number receipts and references.
	charges, sent int
}

type modelCoupon struct {
	billing.Coupon
	// Code is the code shown when it was issued.
	Code string
	// Left is what the redeeming event may still take from it.
	Left int64
}

type modelPurchaseKey struct {
	Org org.OrganisationID
	Key string
}

type modelSMSKey struct {
	Org org.OrganisationID
	ID  string
}

type modelLicenceKey struct {
	Event  billing.EventID
	Person billing.PersonID
}

func newModelBilling() modelBilling {
	return modelBilling{
		events:    map[billing.EventID]billing.Event{},
		balances:  map[org.OrganisationID]*billing.Balances{},
		coupons:   map[billing.CouponID]*modelCoupon{},
		purchases: map[modelPurchaseKey]*billing.Purchase{},
		sms:       map[modelSMSKey]billing.SMS{},
		licences:  map[modelLicenceKey]billing.LicenceUse{},
		redeemed:  map[billing.EventID][]billing.CouponID{},
		refs:      map[billing.PurchaseID]string{},
	}
}

// svcBillPrices are the unit prices of every Space that sells units in
// these tests.
var svcBillPrices = billing.PriceList{
	billing.Licences:   {Currency: "EUR", Minor: 250},
	billing.SMSCredits: {Currency: "EUR", Minor: 8},
}

// Sentinels of billing, as the model predicts them. errTimeout is what a
// purchase whose charge timed out fails with: no sentinel of storage, the
// provider's own error.
var (
	errFunds         = storage.ErrInsufficientFunds
	errConflict      = storage.ErrConflict
	errTimeout       = context.DeadlineExceeded
	errCouponUsed    = billing.ErrCouponRedeemed
	errCouponRevoked = billing.ErrCouponRevoked
	errCouponExpired = billing.ErrCouponExpired
)

// --- Who may act -----------------------------------------------------------

// billRight is who may act on an organisation's billing, as
// billing.Service documents it.
type billRight uint8

const (
	billOwners    billRight = iota + 1 // Owners, operators and System
	billMembers                        // and Members
	billOperators                      // operators and System only
)

// billMay: the organisation must exist (checked before the actor), the
// actor must resolve, and a user must hold the role r needs in o.
func (m *model) billMay(actor org.Actor, o org.OrganisationID, r billRight) error {
	if m.orgs[o] == nil {
		return errNotFound
	}
	return m.billMayIn(actor, o, r)
}

// billMayIn is billMay for an organisation known to exist.
func (m *model) billMayIn(actor org.Actor, o org.OrganisationID, r billRight) error {
	if err := m.resolve(actor); err != nil {
		return err
	}
	if actor.Kind != org.ActorUser {
		return nil
	}
	switch role := m.orgRole(o, org.UserID(actor.ID)); {
	case r == billOperators:
	case role == org.Owner, r == billMembers && role == org.Member:
		return nil
	}
	return errDenied
}

// billEvent finds event id for an action that needs r in its
// organisation: a malformed ID is invalid, an unknown one not found.
func (m *model) billEvent(actor org.Actor, id billing.EventID, r billRight) (billing.Event, error) {
	if !modelID(string(id)) {
		return billing.Event{}, errInvalid
	}
	e, ok := m.billing.events[id]
	if !ok {
		return billing.Event{}, errNotFound
	}
	return e, m.billMayIn(actor, e.Org, r)
}

// modelKey: idempotency keys and message IDs are 1 to MaxKeyLength bytes.
func modelKey(k string) bool { return k != "" && len(k) <= billing.MaxKeyLength }

// balance returns o's balances in the model, made on first use.
func (mb *modelBilling) balance(o org.OrganisationID) *billing.Balances {
	b := mb.balances[o]
	if b == nil {
		b = &billing.Balances{Org: o}
		mb.balances[o] = b
	}
	return b
}

// --- Events ------------------------------------------------------------------

func (m *model) billRegisterEvent(actor org.Actor, e billing.Event) (func(), error) {
	if !modelID(string(e.ID)) || !modelID(string(e.Org)) || e.Start.IsZero() {
		return nil, errInvalid
	}
	if err := m.billMay(actor, e.Org, billMembers); err != nil {
		return nil, err
	}
	if old, ok := m.billing.events[e.ID]; ok && old.Org != e.Org {
		return nil, errInvalid
	}
	return func() { m.billing.events[e.ID] = e }, nil
}

// --- Purchases ---------------------------------------------------------------

// billBuyCharges tells whether Buy of r by actor reaches the payment
// provider, and whether with a key the provider never charged (a new
// purchase): the cases where the machine may inject a fault.
func (m *model) billBuyCharges(actor org.Actor, r billing.PurchaseRequest) (charges, fresh bool) {
	if m.billBuyRefusal(actor, r) != nil {
		return false, false
	}
	p := m.billing.purchases[modelPurchaseKey{r.Org, r.Key}]
	if p == nil {
		return true, true
	}
	return p.Status == billing.PurchasePending, false
}

// billBuyRefusal is why Buy refuses r before anything is recorded.
func (m *model) billBuyRefusal(actor org.Actor, r billing.PurchaseRequest) error {
	if !modelID(string(r.Org)) || !r.Asset.Valid() || r.Quantity <= 0 || r.Quantity > billing.MaxAmount || !modelKey(r.Key) {
		return errInvalid
	}
	if err := m.billMay(actor, r.Org, billOwners); err != nil {
		return err
	}
	if p := m.billing.purchases[modelPurchaseKey{r.Org, r.Key}]; p != nil && (p.Asset != r.Asset || p.Quantity != r.Quantity) {
		return errConflict
	}
	return nil
}

// billBuy predicts Buy of r when the provider shows fault (0 for none)
// on the charge, if Buy reaches it. apply takes the purchase Buy returned.
func (m *model) billBuy(actor org.Actor, r billing.PurchaseRequest, fault billing.Fault) (func(billing.Purchase), error) {
	if err := m.billBuyRefusal(actor, r); err != nil {
		return nil, err
	}
	mb := &m.billing
	k := modelPurchaseKey{r.Org, r.Key}
	old := mb.purchases[k]
	if old != nil {
		switch {
		case old.Status == billing.PurchaseCompleted:
			return nil, nil
		case old.Status == billing.PurchaseDeclined:
			return nil, billing.ErrPaymentDeclined
		case fault == billing.Timeout:
			// The provider charged it already; the answer is lost again.
			return nil, errTimeout
		}
		return func(billing.Purchase) { mb.complete(old, m.now) }, nil
	}
	unit := svcBillPrices[r.Asset]
	p := &billing.Purchase{
		Org: r.Org, Key: r.Key, Asset: r.Asset, Quantity: r.Quantity,
		Price:  billing.Money{Currency: unit.Currency, Minor: unit.Minor * r.Quantity},
		Status: billing.PurchasePending, CreatedAt: m.now, CreatedBy: actor.String(),
	}
	record := func(got billing.Purchase) {
		p.ID = got.ID
		mb.purchases[k] = p
	}
	switch fault {
	case billing.Decline:
		return func(got billing.Purchase) {
			record(got)
			p.Status, p.SettledAt = billing.PurchaseDeclined, m.now
		}, billing.ErrPaymentDeclined
	case billing.Timeout:
		return func(got billing.Purchase) {
			record(got)
			mb.charge(p.ID)
		}, errTimeout
	}
	return func(got billing.Purchase) {
		record(got)
		mb.charge(p.ID)
		mb.complete(p, m.now)
	}, nil
}

// charge records the provider's first charge of purchase id.
func (mb *modelBilling) charge(id billing.PurchaseID) {
	mb.charges++
	mb.refs[id] = fmt.Sprintf("fake_%d", mb.charges)
}

// complete credits purchase p, which the provider charged, and marks it
// completed at now.
func (mb *modelBilling) complete(p *billing.Purchase, now time.Time) {
	p.Status, p.ProviderRef, p.SettledAt = billing.PurchaseCompleted, mb.refs[p.ID], now
	b := mb.balance(p.Org).Of(p.Asset)
	b.Purchased += p.Quantity
	b.Available += p.Quantity
}

// billDue lists the purchases RecoverPurchases(olderThan) settles: those
// pending since before now-olderThan, by creation time and ID.
func (m *model) billDue(olderThan time.Duration) []*billing.Purchase {
	var due []*billing.Purchase
	for _, p := range m.billing.purchases {
		if p.Status == billing.PurchasePending && p.CreatedAt.Before(m.now.Add(-olderThan)) {
			due = append(due, p)
		}
	}
	slices.SortFunc(due, func(a, b *billing.Purchase) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(string(a.ID), string(b.ID)))
	})
	return due
}

// billRecover predicts RecoverPurchases(olderThan) by actor when the
// provider times out on the purchases in timeouts: how many it settles.
func (m *model) billRecover(actor org.Actor, olderThan time.Duration, timeouts map[billing.PurchaseID]bool) (func(), int, error) {
	if err := m.billMayIn(actor, "", billOperators); err != nil {
		return nil, 0, err
	}
	var settle []*billing.Purchase
	var err error
	for _, p := range m.billDue(olderThan) {
		if timeouts[p.ID] {
			err = errTimeout
			continue
		}
		settle = append(settle, p)
	}
	if len(settle) == 0 {
		return nil, 0, err
	}
	return func() {
		for _, p := range settle {
			m.billing.complete(p, m.now)
		}
	}, len(settle), err
}

// --- Coupons -------------------------------------------------------------------

// billDueCoupons are the active coupons past their expiry: of o, or of
// every organisation when o is empty.
func (m *model) billDueCoupons(o org.OrganisationID) []*modelCoupon {
	var out []*modelCoupon
	for _, c := range m.billing.coupons {
		if (o == "" || c.Org == o) && m.billPastExpiry(c) {
			out = append(out, c)
		}
	}
	return out
}

// billPastExpiry: active, with an expiry that is not after now.
func (m *model) billPastExpiry(c *modelCoupon) bool {
	return c.Status == billing.CouponActive && !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(m.now)
}

// billClose closes active coupon c with status: its licences go back to
// its issuer's pool.
func (m *model) billClose(c *modelCoupon, status billing.CouponStatus, actor org.Actor) {
	b := m.billing.balance(c.Org).Of(billing.Licences)
	b.Reserved -= c.Licences
	b.Available += c.Licences
	c.Status, c.ClosedAt, c.ClosedBy = status, m.now, actor.String()
}

func (m *model) billIssueCoupon(actor org.Actor, r billing.CouponRequest) (func(billing.IssuedCoupon), error) {
	switch {
	case !modelID(string(r.Org)), r.Licences <= 0 || r.Licences > billing.MaxAmount,
		!r.ExpiresAt.IsZero() && !r.ExpiresAt.After(m.now):
		return nil, errInvalid
	}
	if err := m.billMay(actor, r.Org, billOwners); err != nil {
		return nil, err
	}
	due := m.billDueCoupons(r.Org)
	available := m.billing.balance(r.Org).Licences.Available
	for _, c := range due {
		available += c.Licences
	}
	if available < r.Licences {
		return nil, errFunds
	}
	return func(got billing.IssuedCoupon) {
		for _, c := range due {
			m.billClose(c, billing.CouponExpired, actor)
		}
		b := m.billing.balance(r.Org).Of(billing.Licences)
		b.Available -= r.Licences
		b.Reserved += r.Licences
		c := &modelCoupon{Code: got.Code, Coupon: billing.Coupon{
			ID: got.ID, Org: r.Org, Licences: r.Licences, Status: billing.CouponActive,
			CreatedAt: m.now, CreatedBy: actor.String(),
		}}
		if !r.ExpiresAt.IsZero() {
			c.ExpiresAt = r.ExpiresAt.UTC()
		}
		m.billing.coupons[got.ID] = c
	}, nil
}

// modelCouponCode is a code as ParseCouponCode's doc reads it: case,
// spaces and dashes do not matter, 0 and 1 read as O and I, and the 26
// characters left are of the base32 alphabet. ok is false otherwise.
func modelCouponCode(s string) (plain string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == '0':
			r = 'O'
		case r == '1':
			r = 'I'
		}
		if !('A' <= r && r <= 'Z' || '2' <= r && r <= '7') {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), b.Len() == 26
}

// billCouponByCode finds the coupon whose code reads as code.
func (m *model) billCouponByCode(plain string) *modelCoupon {
	for _, c := range m.billing.coupons {
		if p, _ := modelCouponCode(c.Code); p == plain {
			return c
		}
	}
	return nil
}

func (m *model) billRedeemCoupon(actor org.Actor, event billing.EventID, code string) (func(), error) {
	plain, ok := modelCouponCode(code)
	if !ok {
		return nil, errInvalid
	}
	e, err := m.billEvent(actor, event, billMembers)
	if err != nil {
		return nil, err
	}
	c := m.billCouponByCode(plain)
	switch {
	case c == nil:
		return nil, errNotFound
	case c.Status == billing.CouponRedeemed && c.Event == event:
		return nil, nil
	case c.Status == billing.CouponRedeemed:
		return nil, errCouponUsed
	case c.Status == billing.CouponRevoked:
		return nil, errCouponRevoked
	case c.Status == billing.CouponExpired || m.billPastExpiry(c):
		return nil, errCouponExpired
	case c.Org == e.Org:
		return nil, errInvalid
	}
	return func() {
		b := m.billing.balance(c.Org).Of(billing.Licences)
		b.Reserved -= c.Licences
		b.Given += c.Licences
		c.Status, c.Event, c.ClosedAt, c.ClosedBy, c.Left = billing.CouponRedeemed, event, m.now, actor.String(), c.Licences
		// The clock is the model's: a coupon redeemed now comes after every
		// earlier one and, at the same instant, in ID order.
		m.billing.redeemed[event] = append(m.billing.redeemed[event], c.ID)
		slices.SortStableFunc(m.billing.redeemed[event], func(a, b billing.CouponID) int {
			ca, cb := m.billing.coupons[a], m.billing.coupons[b]
			return cmp.Or(ca.ClosedAt.Compare(cb.ClosedAt), strings.Compare(string(a), string(b)))
		})
	}, nil
}

func (m *model) billRevokeCoupon(actor org.Actor, id billing.CouponID) (func(), error) {
	if !modelID(string(id)) {
		return nil, errInvalid
	}
	c := m.billing.coupons[id]
	if c == nil {
		return nil, errNotFound
	}
	if err := m.billMayIn(actor, c.Org, billOwners); err != nil {
		return nil, err
	}
	switch c.Status {
	case billing.CouponRedeemed:
		return nil, errCouponUsed
	case billing.CouponRevoked, billing.CouponExpired:
		return nil, nil
	}
	return func() { m.billClose(c, billing.CouponRevoked, actor) }, nil
}

// billExpireCoupons predicts ExpireCoupons by actor and how many it
// expires.
func (m *model) billExpireCoupons(actor org.Actor) (func(), int, error) {
	if err := m.billMayIn(actor, "", billOperators); err != nil {
		return nil, 0, err
	}
	due := m.billDueCoupons("")
	if len(due) == 0 {
		return nil, 0, nil
	}
	return func() {
		for _, c := range due {
			m.billClose(c, billing.CouponExpired, actor)
		}
	}, len(due), nil
}

// billCouponsListed is what Coupons lists for o: its coupons oldest first,
// one past its expiry as expired.
func (m *model) billCouponsListed(o org.OrganisationID) []billing.Coupon {
	var out []billing.Coupon
	for _, c := range m.billing.coupons {
		if c.Org == o {
			listed := c.Coupon
			if m.billPastExpiry(c) {
				listed.Status = billing.CouponExpired
			}
			out = append(out, listed)
		}
	}
	slices.SortFunc(out, func(a, b billing.Coupon) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(string(a.ID), string(b.ID)))
	})
	return out
}

// billSupporters are the organisations whose coupons event e redeemed,
// once each, by redemption time and then coupon ID.
func (m *model) billSupporters(actor org.Actor, e billing.EventID) ([]org.OrganisationID, error) {
	if _, err := m.billEvent(actor, e, billMembers); err != nil {
		return nil, err
	}
	var out []org.OrganisationID
	for _, id := range m.billing.redeemed[e] {
		if o := m.billing.coupons[id].Org; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// --- Licences ----------------------------------------------------------------

func (m *model) billTakeLicence(actor org.Actor, event billing.EventID, person billing.PersonID) (func(), error) {
	e, err := m.billEvent(actor, event, billMembers)
	if err != nil {
		return nil, err
	}
	if !modelID(string(person)) {
		return nil, errInvalid
	}
	k := modelLicenceKey{event, person}
	if u, ok := m.billing.licences[k]; ok && !u.Returned {
		return nil, nil
	}
	use := billing.LicenceUse{Event: event, Person: person, TakenAt: m.now, UpdatedAt: m.now}
	used := m.billing.balance(e.Org).Of(billing.Licences)
	for _, id := range m.billing.redeemed[event] {
		if c := m.billing.coupons[id]; c.Left > 0 {
			return func() {
				c.Left--
				used.Used++
				use.Coupon = c.ID
				m.billing.licences[k] = use
			}, nil
		}
	}
	// From the pool, once the organiser's expired coupons gave theirs back.
	due := m.billDueCoupons(e.Org)
	available := used.Available
	for _, c := range due {
		available += c.Licences
	}
	if available < 1 {
		return nil, errFunds
	}
	return func() {
		for _, c := range due {
			m.billClose(c, billing.CouponExpired, actor)
		}
		used.Available--
		used.Used++
		m.billing.licences[k] = use
	}, nil
}

func (m *model) billReturnLicence(actor org.Actor, event billing.EventID, person billing.PersonID) (func(), error) {
	e, err := m.billEvent(actor, event, billMembers)
	if err != nil {
		return nil, err
	}
	if !modelID(string(person)) {
		return nil, errInvalid
	}
	k := modelLicenceKey{event, person}
	u, ok := m.billing.licences[k]
	switch {
	case !ok:
		return nil, errNotFound
	case u.Returned:
		return nil, nil
	case !m.now.Before(e.Start):
		return nil, errPrecond
	}
	return func() {
		m.billing.balance(e.Org).Licences.Used--
		if u.Coupon != "" {
			// Back to the coupon, for the event to take again. The issuer's
			// Given stays: it is "the licences of the organisation's
			// coupons that other organisations' events redeemed", which a
			// return does not change.
			m.billing.coupons[u.Coupon].Left++
		} else {
			m.billing.balance(e.Org).Licences.Available++
		}
		u.Returned, u.UpdatedAt = true, m.now
		m.billing.licences[k] = u
	}, nil
}

// --- SMS -----------------------------------------------------------------------

// modelSMSCredits is what a message costs, one credit per SMSSegment
// characters, or ok false when the request is malformed.
func modelSMSCredits(r billing.SMSRequest) (int64, bool) {
	if !modelID(string(r.Event)) || !modelKey(r.ID) || !modelPhone(r.To) || !utf8.ValidString(r.Body) {
		return 0, false
	}
	n := int64(utf8.RuneCountInString(r.Body))
	if n == 0 || n > billing.SMSSegment*billing.MaxSMSSegments {
		return 0, false
	}
	return (n + billing.SMSSegment - 1) / billing.SMSSegment, true
}

// modelPhone: "+" and 8 to 15 digits, the first not 0.
func modelPhone(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}

// billSendSMS predicts SendSMS of r by actor with a sender that rejects
// the numbers in rejected.
func (m *model) billSendSMS(actor org.Actor, r billing.SMSRequest, rejected []string) (func(), error) {
	credits, ok := modelSMSCredits(r)
	if !ok {
		return nil, errInvalid
	}
	e, err := m.billEvent(actor, r.Event, billMembers)
	if err != nil {
		return nil, err
	}
	k := modelSMSKey{e.Org, r.ID}
	if old, ok := m.billing.sms[k]; ok {
		if old.Event != r.Event || old.To != r.To || old.Body != r.Body {
			return nil, errConflict
		}
		return nil, nil // sent or failed: answered from the record
	}
	pool := m.billing.balance(e.Org).Of(billing.SMSCredits)
	if pool.Available < credits {
		return nil, errFunds
	}
	msg := billing.SMS{ID: r.ID, Org: e.Org, Event: r.Event, To: r.To, Body: r.Body, Credits: credits,
		CreatedAt: m.now, CreatedBy: actor.String(), SettledAt: m.now}
	apply := func() {
		pool.Available -= credits
		pool.Used += credits
		m.billing.sms[k] = msg
	}
	if slices.Contains(rejected, r.To) {
		msg.Status = billing.SMSFailed
		return apply, billing.ErrSMSRejected
	}
	return func() {
		m.billing.sent++
		msg.Status, msg.ProviderRef = billing.SMSSent, fmt.Sprintf("sms_%d", m.billing.sent)
		apply()
	}, nil
}

// billBalances predicts Balances of o read by actor.
func (m *model) billBalances(actor org.Actor, o org.OrganisationID) (billing.Balances, error) {
	if err := m.billMay(actor, o, billMembers); err != nil {
		return billing.Balances{}, err
	}
	return *m.billing.balance(o), nil
}
