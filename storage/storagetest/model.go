package storagetest

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// model is a simple model of organisations, access and structure, written
// from the doc comments of packages org, access and structure with plain
// maps, that the state machine checks a Space against. Each operation returns the sentinel the
// documented rules predict (nil for success) and, on success, a function
// that applies the change; the state machine applies it only when the
// implementation succeeded too.
type model struct {
	now time.Time
	ttl time.Duration

	operator    org.OperatorID
	orgs        map[org.OrganisationID]*modelOrg
	accounts    map[org.AccountID]*modelAccount
	users       map[org.UserID]*org.User
	byEmail     map[string]org.UserID
	memberships map[modelMembershipKey]modelMembership
	grants      map[modelGrantKey]modelGrant
	roles       map[access.RoleID]*access.Role // custom roles
	favourites  map[org.UserID]org.AccountID   // as stored
	invitations map[access.InvitationID]*modelInvitation
	tokens      map[string]access.InvitationID // every token ever mailed
	structure   modelStructure
	billing     modelBilling
}

type modelOrg struct {
	ID   org.OrganisationID
	Name string
}

type modelAccount struct {
	ID      org.AccountID
	Org     org.OrganisationID
	Product org.Product
	Name    string
	Login   org.LoginPolicy
}

type modelMembershipKey struct {
	Org  org.OrganisationID
	User org.UserID
}

type modelMembership struct {
	Role  org.Role
	Since time.Time
}

type modelGrantKey struct {
	User    org.UserID
	Account org.AccountID
}

type modelGrant struct {
	Org       org.OrganisationID
	Role      access.RoleID
	ExpiresAt time.Time
	GrantedBy string
	GrantedAt time.Time
}

type modelInvitation struct {
	access.Invitation
	// Token is the token of the latest mail; only it is accepted.
	Token string
	// Inviter made the invitation (Invitation.InvitedBy).
	Inviter org.Actor
}

func newModel(now time.Time, ttl time.Duration) *model {
	return &model{
		now:         now,
		ttl:         ttl,
		orgs:        map[org.OrganisationID]*modelOrg{},
		accounts:    map[org.AccountID]*modelAccount{},
		users:       map[org.UserID]*org.User{},
		byEmail:     map[string]org.UserID{},
		memberships: map[modelMembershipKey]modelMembership{},
		grants:      map[modelGrantKey]modelGrant{},
		roles:       map[access.RoleID]*access.Role{},
		favourites:  map[org.UserID]org.AccountID{},
		invitations: map[access.InvitationID]*modelInvitation{},
		tokens:      map[string]access.InvitationID{},
		structure:   newModelStructure(),
		billing:     newModelBilling(),
	}
}

// Sentinels, as the model predicts them.
var (
	errInvalid  = storage.ErrInvalidArgument
	errNotFound = storage.ErrNotFound
	errDenied   = storage.ErrPermissionDenied
	errExists   = storage.ErrAlreadyExists
	errPrecond  = storage.ErrFailedPrecondition
)

// --- What users hold ---------------------------------------------------

// effective is the rule of access.Effective as its doc states it: an Owner
// holds every permission; a Member holds MemberPermissions, plus
// MemberEventPermissions on Events accounts; an active grant adds its
// role's permissions.
func modelEffective(orgRole org.Role, product org.Product, granted access.Permissions, active bool) access.Permissions {
	if orgRole == org.Owner {
		return access.AllPermissions
	}
	var p access.Permissions
	if orgRole == org.Member {
		p = access.MemberPermissions
		if product == org.Events {
			p |= access.MemberEventPermissions
		}
	}
	if active {
		p |= granted
	}
	return p
}

// orgRole is u's organisation role in o.
func (m *model) orgRole(o org.OrganisationID, u org.UserID) org.Role {
	return m.memberships[modelMembershipKey{o, u}].Role
}

// role returns a built-in or existing custom role's permissions and
// organisation ("" for built-ins).
func (m *model) role(id access.RoleID) (access.Permissions, org.OrganisationID, bool) {
	if r, ok := access.BuiltinRole(id); ok {
		return r.Permissions, "", true
	}
	if r := m.roles[id]; r != nil {
		return r.Permissions, r.Org, true
	}
	return 0, "", false
}

// active reports whether g holds now: a grant with an expiry ends at it.
func (m *model) active(g modelGrant) bool {
	return g.ExpiresAt.IsZero() || m.now.Before(g.ExpiresAt)
}

// perms is what u holds in account a now.
func (m *model) perms(u org.UserID, a org.AccountID) access.Permissions {
	acc := m.accounts[a]
	if acc == nil {
		return 0
	}
	var granted access.Permissions
	g, ok := m.grants[modelGrantKey{u, a}]
	if ok {
		granted, _, _ = m.role(g.Role)
	}
	return modelEffective(m.orgRole(acc.Org, u), acc.Product, granted, ok && m.active(g))
}

func (m *model) canOpen(u org.UserID, a org.AccountID) bool {
	return m.perms(u, a).Has(access.ViewAccount)
}

// orgsOf is the set of organisations u belongs to: by an organisation
// role or by a grant (active or not) on one of its accounts.
func (m *model) orgsOf(u org.UserID) map[org.OrganisationID]bool {
	out := map[org.OrganisationID]bool{}
	for k := range m.memberships {
		if k.User == u {
			out[k.Org] = true
		}
	}
	for k, g := range m.grants {
		if k.User == u {
			out[g.Org] = true
		}
	}
	return out
}

func (m *model) owners(o org.OrganisationID) int {
	n := 0
	for k, ms := range m.memberships {
		if k.Org == o && ms.Role == org.Owner {
			n++
		}
	}
	return n
}

// modelRow is one row of a user's account drop-down.
type modelRow struct {
	Account   org.AccountID
	Org       org.OrganisationID
	OrgName   string
	Name      string
	Favourite bool
}

// rows lists the accounts u can open in drop-down order (organisation
// name, organisation ID, account name, account ID) with the favourite
// marked: the stored favourite while u can open it, otherwise the first row.
func (m *model) rows(u org.UserID) []modelRow {
	var out []modelRow
	for id, a := range m.accounts {
		if m.canOpen(u, id) {
			out = append(out, modelRow{Account: id, Org: a.Org, OrgName: m.orgs[a.Org].Name, Name: a.Name})
		}
	}
	slices.SortFunc(out, func(x, y modelRow) int {
		return cmp.Or(cmp.Compare(x.OrgName, y.OrgName), cmp.Compare(x.Org, y.Org), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Account, y.Account))
	})
	if fav := m.favourite(u, out); fav != "" {
		for i := range out {
			out[i].Favourite = out[i].Account == fav
		}
	}
	return out
}

func (m *model) favourite(u org.UserID, rows []modelRow) org.AccountID {
	if len(rows) == 0 {
		return ""
	}
	for _, r := range rows {
		if r.Account == m.favourites[u] {
			return r.Account
		}
	}
	return rows[0].Account
}

// dropFavourite clears u's stored favourite when u can no longer open it.
func (m *model) dropFavourite(u org.UserID) {
	if fav, ok := m.favourites[u]; ok && !m.canOpen(u, fav) {
		delete(m.favourites, u)
	}
}

// --- Who may act -------------------------------------------------------

// resolve: System acts; an operator or user acts only if it exists; the
// zero Actor never does.
func (m *model) resolve(a org.Actor) error {
	switch a.Kind {
	case org.ActorSystem:
		return nil
	case org.ActorOperator:
		if org.OperatorID(a.ID) == m.operator {
			return nil
		}
	case org.ActorUser:
		if m.users[org.UserID(a.ID)] != nil {
			return nil
		}
	}
	return errDenied
}

// mayManageUsers: operators always; users holding ManageAccountUsers on
// the account; a user who is not an Owner only for roles within their own
// permissions.
func (m *model) mayManageUsers(actor org.Actor, a *modelAccount, stakes ...access.Permissions) error {
	if err := m.resolve(actor); err != nil {
		return err
	}
	if actor.Kind != org.ActorUser {
		return nil
	}
	u := org.UserID(actor.ID)
	held := m.perms(u, a.ID)
	if !held.Has(access.ManageAccountUsers) {
		return errDenied
	}
	if m.orgRole(a.Org, u) == org.Owner {
		return nil
	}
	for _, s := range stakes {
		if !held.Contains(s) {
			return errDenied
		}
	}
	return nil
}

// mayOwn: operators and the Owners of o.
func (m *model) mayOwn(actor org.Actor, o org.OrganisationID) error {
	if err := m.resolve(actor); err != nil {
		return err
	}
	if actor.Kind == org.ActorUser && m.orgRole(o, org.UserID(actor.ID)) != org.Owner {
		return errDenied
	}
	return nil
}

// mayAttach: a user who belongs to another organisation and not yet to o
// is attached to o only by an operator (or by accepting an invitation).
func (m *model) mayAttach(actor org.Actor, u org.UserID, o org.OrganisationID) error {
	if actor.Kind != org.ActorUser {
		return nil
	}
	orgs := m.orgsOf(u)
	if len(orgs) == 0 || orgs[o] {
		return nil
	}
	return errDenied
}

// --- Input rules ---------------------------------------------------------

// modelName trims a display name; ok is false when it is empty, too long
// or holds a control character.
func modelName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > org.MaxNameLength || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return s, false
	}
	return s, true
}

// modelRoleInput checks a custom role: a valid name and account
// permissions that include ViewAccount.
func modelRoleInput(in access.NewRole) (string, error) {
	name, ok := modelName(in.Name)
	if !ok || in.Permissions == 0 || in.Permissions&^access.AccountPermissions != 0 || !in.Permissions.Has(access.ViewAccount) {
		return name, errInvalid
	}
	return name, nil
}

// roleNameTaken: a built-in role's name or ID, or another custom role of
// the organisation, compared case-insensitively.
func (m *model) roleNameTaken(o org.OrganisationID, self access.RoleID, name string) bool {
	for _, r := range access.BuiltinRoles() {
		if strings.EqualFold(r.Name, name) || strings.EqualFold(string(r.ID), name) {
			return true
		}
	}
	for id, r := range m.roles {
		if r.Org == o && id != self && strings.EqualFold(r.Name, name) {
			return true
		}
	}
	return false
}

// modelSatisfies: a session authenticated as p meets q when it used q's SSO
// provider (if q asks for SSO) and a second factor (if q requires one).
func modelSatisfies(p, q org.LoginPolicy) bool {
	if q.Method == org.SSO && (p.Method != org.SSO || p.Provider != q.Provider) {
		return false
	}
	return p.TwoFactor || !q.TwoFactor
}

// --- Operations ------------------------------------------------------------

func (m *model) grant(actor org.Actor, r access.GrantRequest) (func(), error) {
	if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(m.now) {
		return nil, errInvalid
	}
	a := m.accounts[r.Account]
	if a == nil {
		return nil, errNotFound
	}
	// Whether users, roles and grants exist is told only to those who
	// manage the account's users.
	if err := m.mayManageUsers(actor, a); err != nil {
		return nil, err
	}
	if m.users[r.User] == nil {
		return nil, errNotFound
	}
	perms, roleOrg, ok := m.role(r.Role)
	if !ok {
		return nil, errNotFound
	}
	if roleOrg != "" && roleOrg != a.Org {
		return nil, errInvalid
	}
	stakes := []access.Permissions{perms}
	if old, ok := m.grants[modelGrantKey{r.User, r.Account}]; ok {
		p, _, _ := m.role(old.Role)
		stakes = append(stakes, p)
	}
	if err := m.mayManageUsers(actor, a, stakes...); err != nil {
		return nil, err
	}
	if err := m.mayAttach(actor, r.User, a.Org); err != nil {
		return nil, err
	}
	return func() {
		m.grants[modelGrantKey{r.User, r.Account}] = modelGrant{Org: a.Org, Role: r.Role, ExpiresAt: r.ExpiresAt, GrantedBy: actor.String(), GrantedAt: m.now}
	}, nil
}

func (m *model) revoke(actor org.Actor, u org.UserID, account org.AccountID) (func(), error) {
	a := m.accounts[account]
	if a == nil {
		return nil, errNotFound
	}
	// Whether a grant exists is told only to those who manage the
	// account's users.
	if err := m.mayManageUsers(actor, a); err != nil {
		return nil, err
	}
	g, ok := m.grants[modelGrantKey{u, account}]
	if !ok {
		return nil, errNotFound
	}
	perms, _, _ := m.role(g.Role)
	if err := m.mayManageUsers(actor, a, perms); err != nil {
		return nil, err
	}
	return func() {
		delete(m.grants, modelGrantKey{u, account})
		m.dropFavourite(u)
	}, nil
}

func (m *model) setOrgRole(actor org.Actor, o org.OrganisationID, u org.UserID, role org.Role) (func(), error) {
	if m.orgs[o] == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, o); err != nil {
		return nil, err
	}
	if m.users[u] == nil {
		return nil, errNotFound
	}
	if err := m.mayAttach(actor, u, o); err != nil {
		return nil, err
	}
	cur := m.orgRole(o, u)
	if cur == org.Owner && role != org.Owner && m.owners(o) <= 1 {
		return nil, errPrecond // the last Owner stays
	}
	key := modelMembershipKey{o, u}
	if role == org.NoRole {
		if cur == org.NoRole {
			return func() {}, nil // nothing to remove: a no-op write
		}
		return func() {
			delete(m.memberships, key)
			m.dropFavourite(u)
		}, nil
	}
	return func() {
		m.memberships[key] = modelMembership{Role: role, Since: m.now}
		m.dropFavourite(u) // a demoted Owner may lose accounts
	}, nil
}

func (m *model) defineRole(actor org.Actor, o org.OrganisationID, in access.NewRole) (func(access.Role), error) {
	name, err := modelRoleInput(in)
	if err != nil {
		return nil, err
	}
	if m.orgs[o] == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, o); err != nil {
		return nil, err
	}
	if m.roleNameTaken(o, "", name) {
		return nil, errExists
	}
	return func(r access.Role) {
		m.roles[r.ID] = &access.Role{ID: r.ID, Org: o, Name: name, Permissions: in.Permissions, CreatedAt: m.now}
	}, nil
}

func (m *model) updateRole(actor org.Actor, id access.RoleID, in access.NewRole) (func(), error) {
	name, err := modelRoleInput(in)
	if err != nil {
		return nil, err
	}
	if _, builtin := access.BuiltinRole(id); builtin {
		return nil, errInvalid
	}
	r := m.roles[id]
	if r == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, r.Org); err != nil {
		return nil, err
	}
	if m.roleNameTaken(r.Org, id, name) {
		return nil, errExists
	}
	return func() { r.Name, r.Permissions = name, in.Permissions }, nil
}

func (m *model) deleteRole(actor org.Actor, id access.RoleID) (func(), error) {
	if _, builtin := access.BuiltinRole(id); builtin {
		return nil, errInvalid
	}
	r := m.roles[id]
	if r == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, r.Org); err != nil {
		return nil, err
	}
	for _, g := range m.grants {
		if g.Role == id {
			return nil, errPrecond // in use, also by an expired grant
		}
	}
	for _, inv := range m.invitations {
		if inv.Role == id && m.status(inv) == access.Pending {
			return nil, errPrecond // offered by a pending invitation
		}
	}
	return func() { delete(m.roles, id) }, nil
}

// addUser: email is the normalised form of in.Email, "" when it is not a
// valid address.
func (m *model) addUser(actor org.Actor, in org.NewUser, email string, r access.GrantRequest) (func(org.User), error) {
	if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(m.now) {
		return nil, errInvalid
	}
	a := m.accounts[r.Account]
	if a == nil {
		return nil, errNotFound
	}
	perms, roleOrg, ok := m.role(r.Role)
	if !ok {
		return nil, errNotFound
	}
	// Authorised before anything else is looked at.
	if err := m.mayManageUsers(actor, a, perms); err != nil {
		return nil, err
	}
	name, ok := modelName(in.Name)
	if !ok || email == "" {
		return nil, errInvalid
	}
	if _, taken := m.byEmail[email]; taken {
		return nil, errExists
	}
	if roleOrg != "" && roleOrg != a.Org {
		return nil, errInvalid
	}
	return func(u org.User) {
		m.addModelUser(org.User{ID: u.ID, Email: email, Name: name, CreatedAt: m.now})
		m.grants[modelGrantKey{u.ID, a.ID}] = modelGrant{Org: a.Org, Role: r.Role, ExpiresAt: r.ExpiresAt, GrantedBy: actor.String(), GrantedAt: m.now}
	}, nil
}

func (m *model) addModelUser(u org.User) {
	m.users[u.ID] = &u
	m.byEmail[u.Email] = u.ID
}

// invite: email is the normalised form of r.Email, "" when invalid.
func (m *model) invite(actor org.Actor, r access.InviteRequest, email string) (func(access.Invitation, string), error) {
	if email == "" || (r.Account == "") != (r.Role == "") || (r.Account == "" && r.OrgRole == org.NoRole) {
		return nil, errInvalid
	}
	o := r.Org
	if r.Account != "" {
		a := m.accounts[r.Account]
		if a == nil {
			return nil, errNotFound
		}
		if r.Org != "" && r.Org != a.Org {
			return nil, errInvalid
		}
		o = a.Org
		_, roleOrg, ok := m.role(r.Role)
		if !ok {
			return nil, errNotFound
		}
		if roleOrg != "" && roleOrg != a.Org {
			return nil, errInvalid
		}
		if err := m.mayOffer(actor, a, r.Role, email); err != nil {
			return nil, err
		}
	}
	if o == "" {
		return nil, errInvalid
	}
	if m.orgs[o] == nil {
		return nil, errNotFound
	}
	if r.OrgRole != org.NoRole {
		if err := m.mayOwn(actor, o); err != nil {
			return nil, err
		}
	}
	return func(inv access.Invitation, token string) {
		m.invitations[inv.ID] = &modelInvitation{Token: token, Inviter: actor, Invitation: access.Invitation{
			ID: inv.ID, Org: o, Email: email, Account: r.Account, Role: r.Role, OrgRole: r.OrgRole,
			InvitedBy: actor.String(), CreatedAt: m.now, ExpiresAt: m.now.Add(m.ttl), Status: access.Pending, Sent: 1,
		}}
		m.tokens[token] = inv.ID
	}, nil
}

// status is an invitation's status now: a pending one past its expiry is Expired.
func (m *model) status(inv *modelInvitation) access.InvitationStatus {
	if inv.Status == access.Pending && !m.now.Before(inv.ExpiresAt) {
		return access.Expired
	}
	return inv.Status
}

// pending finds the pending invitation of a token: a malformed token is
// invalid; an unknown or replaced one is not found; an answered, revoked
// or expired invitation fails the precondition.
func (m *model) pending(token string) (*modelInvitation, error) {
	if !modelWellFormedToken(token) {
		return nil, errInvalid
	}
	id, ok := m.tokens[token]
	inv := m.invitations[id]
	if !ok || inv == nil || inv.Token != token {
		return nil, errNotFound
	}
	if m.status(inv) != access.Pending {
		return nil, errPrecond
	}
	return inv, nil
}

func (m *model) accept(token, name string) (func(org.User), error) {
	inv, err := m.pending(token)
	if err != nil {
		return nil, err
	}
	// The inviter must still be allowed to make the offer (a deleted
	// custom role is not found).
	if err := m.mayMake(inv.Inviter, inv); err != nil {
		return nil, err
	}
	uid, exists := m.byEmail[inv.Email]
	trimmed, ok := modelName(name)
	if !exists && !ok {
		return nil, errInvalid
	}
	return func(u org.User) {
		if !exists {
			uid = u.ID
			m.addModelUser(org.User{ID: u.ID, Email: inv.Email, Name: trimmed, CreatedAt: m.now})
		}
		if inv.Account != "" {
			m.grants[modelGrantKey{uid, inv.Account}] = modelGrant{Org: inv.Org, Role: inv.Role, GrantedBy: inv.InvitedBy, GrantedAt: m.now}
		}
		if inv.OrgRole > m.orgRole(inv.Org, uid) {
			m.memberships[modelMembershipKey{inv.Org, uid}] = modelMembership{Role: inv.OrgRole, Since: m.now}
			// As any organisation role change does, this drops a
			// favourite the user can no longer open (a grant expired).
			m.dropFavourite(uid)
		}
		inv.Status, inv.AnsweredAt, inv.User = access.Accepted, m.now, uid
	}, nil
}

// acceptingUser is the user an accepted invitation of token lands on, ""
// for a new one.
func (m *model) acceptingUser(token string) org.UserID {
	if inv := m.invitations[m.tokens[token]]; inv != nil {
		return m.byEmail[inv.Email]
	}
	return ""
}

func (m *model) decline(token string) (func(), error) {
	inv, err := m.pending(token)
	if err != nil {
		return nil, err
	}
	return func() { inv.Status, inv.AnsweredAt = access.Declined, m.now }, nil
}

// mayOffer: a role on an account is offered by whoever may grant it, and
// since accepting replaces the invitee's role there, change the role the
// invitee (a user with the invited email) holds there now.
func (m *model) mayOffer(actor org.Actor, a *modelAccount, role access.RoleID, email string) error {
	perms, _, ok := m.role(role)
	if !ok {
		return errNotFound
	}
	stakes := []access.Permissions{perms}
	if uid, ok := m.byEmail[email]; ok {
		if g, ok := m.grants[modelGrantKey{uid, a.ID}]; ok {
			held, _, _ := m.role(g.Role)
			stakes = append(stakes, held)
		}
	}
	return m.mayManageUsers(actor, a, stakes...)
}

// mayMake: who may make inv as it stands now: for its role on an account,
// whoever may offer it; for its organisation role, Owners and operators.
func (m *model) mayMake(actor org.Actor, inv *modelInvitation) error {
	if inv.Account != "" {
		if err := m.mayOffer(actor, m.accounts[inv.Account], inv.Role, inv.Email); err != nil {
			return err
		}
	}
	if inv.OrgRole != org.NoRole {
		return m.mayOwn(actor, inv.Org)
	}
	return nil
}

// mayAnswer: whoever may make an invitation may revoke or resend it. (A
// role a pending invitation offers cannot be deleted, so the role of a
// pending invitation always exists.)
func (m *model) mayAnswer(actor org.Actor, id access.InvitationID) (*modelInvitation, error) {
	inv := m.invitations[id]
	if inv == nil {
		return nil, errNotFound
	}
	if err := m.mayMake(actor, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

func (m *model) revokeInvitation(actor org.Actor, id access.InvitationID) (func(), error) {
	inv, err := m.mayAnswer(actor, id)
	if err != nil {
		return nil, err
	}
	if m.status(inv) != access.Pending {
		return nil, errPrecond
	}
	return func() { inv.Status, inv.AnsweredAt = access.Revoked, m.now }, nil
}

func (m *model) resend(actor org.Actor, id access.InvitationID) (func(string), error) {
	inv, err := m.mayAnswer(actor, id)
	if err != nil {
		return nil, err
	}
	if s := m.status(inv); s != access.Pending && s != access.Expired {
		return nil, errPrecond
	}
	return func(token string) {
		inv.Status, inv.ExpiresAt, inv.Sent, inv.Token = access.Pending, m.now.Add(m.ttl), inv.Sent+1, token
		m.tokens[token] = id
	}, nil
}

func (m *model) setFavourite(actor org.Actor, account org.AccountID) (func(), error) {
	if err := m.resolve(actor); err != nil {
		return nil, err
	}
	if actor.Kind != org.ActorUser {
		return nil, errDenied
	}
	u := org.UserID(actor.ID)
	if m.accounts[account] == nil {
		return nil, errNotFound
	}
	if !m.canOpen(u, account) {
		return nil, errDenied
	}
	return func() { m.favourites[u] = account }, nil
}

func (m *model) renameOrganisation(actor org.Actor, o org.OrganisationID, name string) (func(), error) {
	name, ok := modelName(name)
	if !ok {
		return nil, errInvalid
	}
	if m.orgs[o] == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, o); err != nil {
		return nil, err
	}
	return func() { m.orgs[o].Name = name }, nil
}

// login lands u in their favourite account, whose policy the session must
// meet (else step-up, a permission error); a user who can open nothing is
// refused.
func (m *model) login(u org.UserID, authenticated org.LoginPolicy) (org.AccountID, error) {
	fav := m.favourite(u, m.rows(u))
	if fav == "" {
		return "", errDenied
	}
	if !modelSatisfies(authenticated, m.accounts[fav].Login) {
		return "", access.ErrStepUpRequired
	}
	return fav, nil
}

// switchTo: only into an account u can open; with strict switching, only
// when the session meets its policy.
func (m *model) switchTo(u org.UserID, authenticated org.LoginPolicy, account org.AccountID, strict bool) error {
	a := m.accounts[account]
	if a == nil || !m.canOpen(u, account) {
		return errDenied
	}
	if strict && !modelSatisfies(authenticated, a.Login) {
		return access.ErrStepUpRequired
	}
	return nil
}

// modelWellFormedToken: 43 base64url characters, as Invite makes them
// (canonical: the only encoding of 32 bytes).
func modelWellFormedToken(tok string) bool {
	if len(tok) != 43 {
		return false
	}
	for _, c := range tok {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// Canonical: the last character's 2 padding bits are zero.
	return strings.ContainsRune("AEIMQUYcgkosw048", rune(tok[42]))
}

// createAccount: only an operator (or the host) creates accounts.
func (m *model) createAccount(actor org.Actor, in org.NewAccount) (func(org.Account), error) {
	name, ok := modelName(in.Name)
	if !ok {
		return nil, errInvalid
	}
	if err := m.resolve(actor); err != nil {
		return nil, err
	}
	if actor.Kind == org.ActorUser {
		return nil, errDenied
	}
	if m.orgs[in.Org] == nil {
		return nil, errNotFound
	}
	return func(a org.Account) {
		m.accounts[a.ID] = &modelAccount{ID: a.ID, Org: in.Org, Product: in.Product, Name: name, Login: in.Login}
	}, nil
}

// setLoginPolicy: operators and the organisation's Owners.
func (m *model) setLoginPolicy(actor org.Actor, id org.AccountID, p org.LoginPolicy) (func(), error) {
	a := m.accounts[id]
	if a == nil {
		return nil, errNotFound
	}
	if err := m.mayOwn(actor, a.Org); err != nil {
		return nil, err
	}
	return func() { a.Login = p }, nil
}
