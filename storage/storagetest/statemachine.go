package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// The state machine runs rapid's default number of checks (-rapid.checks,
// 100) of about -rapid.steps (30) random operations each, on a fresh
// backend per check, and compares the Space with the model after every one.

// smInvitationTTL is the invitations' lifetime in the state machine: short
// enough for the clock steps to expire them.
const smInvitationTTL = 72 * time.Hour

// Unknown IDs and tokens the state machine also draws.
const (
	smUnknownUser    org.UserID          = "usr_0"
	smUnknownAccount org.AccountID       = "acc_0"
	smUnknownOrg     org.OrganisationID  = "org_0"
	smUnknownRole    access.RoleID       = "role_0"
	smUnknownInv     access.InvitationID = "inv_0"
)

var (
	smUnknownToken   = strings.Repeat("Q", 43)
	smMalformedToken = "not-a-token"
	smOrgNames       = []string{"Acme", "Globex", "Zenith"}
	smAccountNames   = []string{"Main", "Shop", "Events"}
	smRoleNames      = []string{"Analyst", "analyst", "Support", " Guest ", "Observer", "ADMINISTRATOR", "", "Publisher"}
	smRenames        = []string{"Acme", "Beta", "globex", "Zenith", " "}
	smProducts       = []org.Product{org.Engage, org.Loyalty, org.Events}
	smPolicies       = []org.LoginPolicy{
		{},
		{TwoFactor: true},
		{Method: org.SSO, Provider: "okta"},
		{Method: org.SSO, Provider: "okta", TwoFactor: true},
		{Method: org.SSO, Provider: "azure"},
	}
	smDurations = []time.Duration{time.Minute, time.Hour, 25 * time.Hour, 3 * 24 * time.Hour, 8 * 24 * time.Hour}
	// smEmails are emails of people who are not users yet, and malformed
	// ones (normalised form "").
	smEmails = []smEmail{
		{"new1@example.test", "new1@example.test"},
		{" New2@Example.TEST ", "new2@example.test"},
		{"new3@example.test", "new3@example.test"},
		{"new4@example.test", "new4@example.test"},
		{"NEW5@example.test", "new5@example.test"},
		{"broken@", ""},
		{"two words@example.test", ""},
	}
)

// smEmail is an email as given and its normalised form ("" when invalid).
type smEmail struct{ raw, norm string }

// svcMachine drives a Space with random operations and checks it against
// the model after each.
type svcMachine struct {
	ctx     context.Context
	backend svcBackend
	clock   *accesstest.Clock
	mail    *accesstest.Mailbox
	cfg     orgspace.Config
	space   *orgspace.Space
	m       *model
	strict  bool
	rev     storage.Revision
	opActor org.Actor
	// accessRev is the revision of the last write through Org or Access:
	// the access index follows those at once, and structure writes when it
	// next syncs (a read at least as fresh as sm.rev).
	accessRev storage.Revision
	// structureWritten says that a step since the last check called a
	// write of the Structure service, the only way into the stored
	// structure: checkStore reads it then, sparing the other steps those
	// queries.
	structureWritten bool

	// What the draws pick from, in creation order (so runs replay).
	orgIDs     []org.OrganisationID
	accountIDs []org.AccountID
	userIDs    []org.UserID
	roleIDs    []access.RoleID // custom roles ever defined
	invIDs     []access.InvitationID
	tokens     []string // every token ever mailed
	websiteIDs []structure.WebsiteID
	programIDs []structure.ProgramID
	linkIDs    []structure.LinkID
}

// smRaceEvery divides the cases the state machines run under the race
// detector, which makes each of them about ten times slower. The race
// detector finds data races in the concurrency tests (TestInstances, the
// store's concurrency tests), which run in full; the state machines are
// sequential and run every case without it, in the same CI run.
const smRaceEvery = 4

// smRunCase draws whether a state machine runs this rapid case: one in
// every (times smRaceEvery under the race detector), the others passing at
// once. The maximum runs, so that rapid's bias to the minimum of a range
// does not change the share; a failing case replays and shrinks as usual.
func smRunCase(rt *rapid.T, every int) bool {
	if raceDetector {
		every *= smRaceEvery
	}
	if every <= 1 {
		return true
	}
	return rapid.IntRange(1, every).Draw(rt, "run this case") == every
}

// svcTestStateMachine runs the machine on a fresh backend per case,
// released when the case ends.
func svcTestStateMachine(t *testing.T, newBackend func(t *testing.T) (svcBackend, func())) {
	rapid.Check(t, func(rt *rapid.T) {
		if !smRunCase(rt, 1) {
			return
		}
		backend, release := newBackend(t)
		defer release()
		sm := newSvcMachine(rt, backend)
		rt.Repeat(sm.actions())
		sm.reopen(rt)
	})
}

func newSvcMachine(rt *rapid.T, backend svcBackend) *svcMachine {
	sm := &svcMachine{
		ctx:     context.Background(),
		backend: backend,
		clock:   accesstest.NewClock(svcT0),
		mail:    accesstest.NewMailbox(),
		m:       newModel(svcT0, smInvitationTTL),
		strict:  rapid.Bool().Draw(rt, "strict switch"),
	}
	sm.cfg = orgspace.Config{
		Clock: sm.clock, IDs: &org.SequentialIDs{}, Notifier: sm.mail,
		Rand: newSvcRand(2), InvitationTTL: smInvitationTTL, StrictSwitch: sm.strict,
	}
	var err error
	if sm.space, err = backend(sm.ctx, sm.cfg); err != nil {
		rt.Fatalf("orgspace.Open: %v", err)
	}
	must := func(rev storage.Revision, err error) {
		rt.Helper()
		if err != nil {
			rt.Fatalf("set-up: %v", err)
		}
		sm.rev, sm.accessRev = rev, rev
	}
	op, rev, err := sm.space.Org.CreateOperator(sm.ctx, org.System(), org.NewOperator{Name: "Operator", Email: "op@platform.test"})
	must(rev, err)
	sm.m.operator, sm.opActor = op.ID, org.AsOperator(op.ID)
	for i := range rapid.IntRange(2, 3).Draw(rt, "organisations") {
		name := rapid.SampledFrom(smOrgNames).Draw(rt, fmt.Sprintf("organisation %d name", i))
		o, rev, err := sm.space.Org.CreateOrganisation(sm.ctx, sm.opActor, org.NewOrganisation{Name: name})
		must(rev, err)
		sm.m.orgs[o.ID] = &modelOrg{ID: o.ID, Name: name}
		sm.orgIDs = append(sm.orgIDs, o.ID)
		for j := range rapid.IntRange(1, 3).Draw(rt, fmt.Sprintf("organisation %d accounts", i)) {
			label := fmt.Sprintf("organisation %d account %d", i, j)
			in := org.NewAccount{
				Org:     o.ID,
				Product: rapid.SampledFrom(smProducts).Draw(rt, label+" product"),
				Name:    rapid.SampledFrom(smAccountNames).Draw(rt, label+" name"),
				Login:   rapid.SampledFrom(smPolicies).Draw(rt, label+" login"),
			}
			a, rev, err := sm.space.Org.CreateAccount(sm.ctx, sm.opActor, in)
			must(rev, err)
			sm.m.accounts[a.ID] = &modelAccount{ID: a.ID, Org: o.ID, Product: in.Product, Name: in.Name, Login: in.Login}
			sm.accountIDs = append(sm.accountIDs, a.ID)
		}
	}
	n := rapid.IntRange(4, 6).Draw(rt, "users")
	for i := range n {
		email := fmt.Sprintf("user%d@example.test", i+1)
		u, rev, err := sm.space.Org.CreateUser(sm.ctx, sm.opActor, org.NewUser{Email: email, Name: fmt.Sprintf("User %d", i+1)})
		must(rev, err)
		sm.m.addModelUser(org.User{ID: u.ID, Email: email, Name: fmt.Sprintf("User %d", i+1), CreatedAt: sm.m.now})
		sm.userIDs = append(sm.userIDs, u.ID)
	}
	for i, o := range sm.orgIDs {
		u := sm.userIDs[rapid.IntRange(0, n-1).Draw(rt, fmt.Sprintf("organisation %d first owner", i))]
		rev, err := sm.space.Access.SetOrganisationRole(sm.ctx, sm.opActor, o, u, org.Owner)
		must(rev, err)
		sm.m.memberships[modelMembershipKey{o, u}] = modelMembership{Role: org.Owner, Since: sm.m.now}
	}
	sm.structureSetUp(rt)
	sm.structureWritten = true
	return sm
}

// --- Draws ---------------------------------------------------------------

// smPick draws from preferred three times in four (when it has any),
// otherwise from all.
func smPick[T any](rt *rapid.T, label string, preferred, all []T) T {
	if len(preferred) > 0 && rapid.IntRange(0, 3).Draw(rt, label+" preferred") > 0 {
		return rapid.SampledFrom(preferred).Draw(rt, label)
	}
	return rapid.SampledFrom(all).Draw(rt, label)
}

// actor draws the operator, a user (often one who manages users
// somewhere), or rarely the host, an unknown user or nobody.
func (sm *svcMachine) actor(rt *rapid.T) org.Actor {
	switch k := rapid.IntRange(0, 19).Draw(rt, "actor kind"); {
	case k < 3:
		return sm.opActor
	case k == 3:
		return rapid.SampledFrom([]org.Actor{org.System(), org.AsUser(smUnknownUser), {}}).Draw(rt, "odd actor")
	}
	var managers []org.UserID
	for _, u := range sm.userIDs {
		for _, a := range sm.accountIDs {
			if sm.m.perms(u, a).Has(access.ManageAccountUsers) {
				managers = append(managers, u)
				break
			}
		}
	}
	return org.AsUser(smPick(rt, "actor user", managers, sm.userIDs))
}

// user, account, org and role draw known IDs mostly, an unknown one now
// and then.
func (sm *svcMachine) user(rt *rapid.T) org.UserID {
	return smPick(rt, "user", sm.userIDs, append(slices.Clone(sm.userIDs), smUnknownUser))
}

func (sm *svcMachine) account(rt *rapid.T) org.AccountID {
	return smPick(rt, "account", sm.accountIDs, append(slices.Clone(sm.accountIDs), smUnknownAccount))
}

func (sm *svcMachine) org(rt *rapid.T) org.OrganisationID {
	return smPick(rt, "organisation", sm.orgIDs, append(slices.Clone(sm.orgIDs), smUnknownOrg))
}

func (sm *svcMachine) role(rt *rapid.T) access.RoleID {
	ids := []access.RoleID{access.Administrator, access.Marketer, access.Editor, access.Observer}
	for _, id := range sm.roleIDs {
		if sm.m.roles[id] != nil {
			ids = append(ids, id)
		}
	}
	return smPick(rt, "role", ids, append(append(slices.Clone(ids), sm.roleIDs...), smUnknownRole))
}

// needInvitations skips an action on invitations until there are some.
func (sm *svcMachine) needInvitations(rt *rapid.T) {
	if len(sm.invIDs) == 0 {
		rt.Skip("no invitation yet")
	}
}

func (sm *svcMachine) customRole(rt *rapid.T) access.RoleID {
	var live []access.RoleID
	for _, id := range sm.roleIDs {
		if sm.m.roles[id] != nil {
			live = append(live, id)
		}
	}
	return smPick(rt, "custom role", live, append(slices.Clone(sm.roleIDs), smUnknownRole, access.Editor))
}

func (sm *svcMachine) expiry(rt *rapid.T) time.Time {
	switch rapid.IntRange(0, 11).Draw(rt, "expiry") {
	case 0:
		return sm.m.now.Add(-time.Hour) // past: invalid
	case 1:
		return sm.m.now // not in the future: invalid
	case 2:
		return sm.m.now.Add(time.Hour)
	case 3:
		return sm.m.now.Add(26 * time.Hour)
	}
	return time.Time{}
}

// permissions draws account permissions, nearly always with ViewAccount.
func (sm *svcMachine) permissions(rt *rapid.T) access.Permissions {
	var p access.Permissions
	for _, perm := range access.AccountPermissions.List() {
		if rapid.Bool().Draw(rt, "has "+perm.String()) {
			p |= access.PermissionsOf(perm)
		}
	}
	if rapid.IntRange(0, 9).Draw(rt, "without account.view") > 0 {
		p |= access.PermissionsOf(access.ViewAccount)
	}
	return p
}

// email draws an email of a user (as given, or in another case and with
// spaces), of a newcomer, or a malformed one.
func (sm *svcMachine) email(rt *rapid.T) smEmail {
	if rapid.Bool().Draw(rt, "email of a user") {
		u := sm.m.users[rapid.SampledFrom(sm.userIDs).Draw(rt, "email user")]
		raw := u.Email
		if rapid.Bool().Draw(rt, "email variant") {
			raw = "  " + strings.ToUpper(raw)
		}
		return smEmail{raw, u.Email}
	}
	return rapid.SampledFrom(smEmails).Draw(rt, "email")
}

// token draws the token of a pending invitation, or any token ever
// mailed, an unknown or a malformed one.
func (sm *svcMachine) token(rt *rapid.T) string {
	var pending []string
	for _, id := range sm.invIDs {
		if inv := sm.m.invitations[id]; inv.Status == access.Pending {
			pending = append(pending, inv.Token)
		}
	}
	return smPick(rt, "token", pending, append(slices.Clone(sm.tokens), smUnknownToken, smMalformedToken))
}

func (sm *svcMachine) invitation(rt *rapid.T) access.InvitationID {
	return smPick(rt, "invitation", sm.invIDs, []access.InvitationID{smUnknownInv})
}

// --- Outcomes ----------------------------------------------------------------

// outcome compares the Space's error with the model's prediction and
// reports whether both succeeded.
func (sm *svcMachine) outcome(rt *rapid.T, what string, want, got error) bool {
	rt.Helper()
	switch {
	case want == nil && got != nil:
		rt.Fatalf("%s: the model predicts success, the Space failed: %v", what, got)
	case want != nil && got == nil:
		rt.Fatalf("%s: the model predicts %s, the Space succeeded", what, svcSentinel(want))
	case want != nil && !errors.Is(got, want):
		rt.Fatalf("%s: the Space failed with %v (%s), the model predicts %v", what, got, svcSentinel(got), want)
	case errors.Is(got, access.ErrStepUpRequired) && !errors.Is(want, access.ErrStepUpRequired):
		rt.Fatalf("%s: the Space asks for step-up (%v), the model predicts %v", what, got, want)
	}
	return want == nil
}

// wrote records the revision of a successful write through Org or Access.
func (sm *svcMachine) wrote(rt *rapid.T, what string, rev storage.Revision) {
	rt.Helper()
	sm.wroteStructure(rt, what, rev)
	sm.accessRev = rev
}

// wroteStructure records the revision of a successful structure write.
func (sm *svcMachine) wroteStructure(rt *rapid.T, what string, rev storage.Revision) {
	rt.Helper()
	if rev <= sm.rev {
		rt.Fatalf("%s: revision %d is not after the previous write's %d", what, rev, sm.rev)
	}
	sm.rev = rev
}

// mailed returns the token of the latest mail of invitation id.
func (sm *svcMachine) mailed(rt *rapid.T, id access.InvitationID) string {
	rt.Helper()
	tok, ok := sm.mail.Token(id)
	if !ok {
		rt.Fatalf("no mail for invitation %s", id)
	}
	sm.tokens = append(sm.tokens, tok)
	return tok
}

func (sm *svcMachine) actions() map[string]func(*rapid.T) {
	actions := sm.accessActions()
	maps.Copy(actions, sm.structureActions())
	return actions
}

func (sm *svcMachine) accessActions() map[string]func(*rapid.T) {
	ctx, sp, m := sm.ctx, sm.space, sm.m
	return map[string]func(*rapid.T){
		"": sm.check,
		"Grant": func(rt *rapid.T) {
			actor := sm.actor(rt)
			req := access.GrantRequest{User: sm.user(rt), Account: sm.account(rt), Role: sm.role(rt), ExpiresAt: sm.expiry(rt)}
			what := fmt.Sprintf("Grant by %s of %+v", actor, req)
			apply, want := m.grant(actor, req)
			rev, err := sp.Access.Grant(ctx, actor, req)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"Revoke": func(rt *rapid.T) {
			actor := sm.actor(rt)
			var keys []modelGrantKey
			for k := range m.grants {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b modelGrantKey) int {
				return strings.Compare(string(a.User)+" "+string(a.Account), string(b.User)+" "+string(b.Account))
			})
			var k modelGrantKey
			if len(keys) > 0 && rapid.IntRange(0, 3).Draw(rt, "revoke a grant that exists") > 0 {
				k = rapid.SampledFrom(keys).Draw(rt, "grant")
			} else {
				k = modelGrantKey{sm.user(rt), sm.account(rt)}
			}
			what := fmt.Sprintf("Revoke by %s of %s on %s", actor, k.User, k.Account)
			apply, want := m.revoke(actor, k.User, k.Account)
			rev, err := sp.Access.Revoke(ctx, actor, k.User, k.Account)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"SetOrganisationRole": func(rt *rapid.T) {
			actor, o, u := sm.actor(rt), sm.org(rt), sm.user(rt)
			role := rapid.SampledFrom([]org.Role{org.NoRole, org.Member, org.Owner}).Draw(rt, "organisation role")
			what := fmt.Sprintf("SetOrganisationRole by %s: %s in %s → %s", actor, u, o, role)
			apply, want := m.setOrgRole(actor, o, u, role)
			rev, err := sp.Access.SetOrganisationRole(ctx, actor, o, u, role)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"DefineRole": func(rt *rapid.T) {
			actor, o := sm.actor(rt), sm.org(rt)
			in := access.NewRole{Name: rapid.SampledFrom(smRoleNames).Draw(rt, "role name"), Permissions: sm.permissions(rt)}
			what := fmt.Sprintf("DefineRole by %s in %s: %q %v", actor, o, in.Name, in.Permissions)
			apply, want := m.defineRole(actor, o, in)
			r, rev, err := sp.Access.DefineRole(ctx, actor, o, in)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply(r)
				sm.roleIDs = append(sm.roleIDs, r.ID)
			}
		},
		"UpdateRole": func(rt *rapid.T) {
			actor, id := sm.actor(rt), sm.customRole(rt)
			in := access.NewRole{Name: rapid.SampledFrom(smRoleNames).Draw(rt, "role name"), Permissions: sm.permissions(rt)}
			what := fmt.Sprintf("UpdateRole by %s of %s: %q %v", actor, id, in.Name, in.Permissions)
			apply, want := m.updateRole(actor, id, in)
			rev, err := sp.Access.UpdateRole(ctx, actor, id, in)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"DeleteRole": func(rt *rapid.T) {
			actor, id := sm.actor(rt), sm.customRole(rt)
			what := fmt.Sprintf("DeleteRole by %s of %s", actor, id)
			apply, want := m.deleteRole(actor, id)
			rev, err := sp.Access.DeleteRole(ctx, actor, id)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"AddUser": func(rt *rapid.T) {
			actor, email := sm.actor(rt), sm.email(rt)
			in := org.NewUser{Email: email.raw, Name: rapid.SampledFrom([]string{"New Person", "New Person", " Trimmed ", ""}).Draw(rt, "name")}
			req := access.GrantRequest{Account: sm.account(rt), Role: sm.role(rt), ExpiresAt: sm.expiry(rt)}
			what := fmt.Sprintf("AddUser by %s of %+v with %+v", actor, in, req)
			apply, want := m.addUser(actor, in, email.norm, req)
			u, rev, err := sp.Access.AddUser(ctx, actor, in, req)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply(u)
				sm.userIDs = append(sm.userIDs, u.ID)
			}
		},
		"CreateAccount": func(rt *rapid.T) {
			actor := sm.actor(rt)
			in := org.NewAccount{
				Org:     sm.org(rt),
				Product: rapid.SampledFrom(smProducts).Draw(rt, "product"),
				Name:    rapid.SampledFrom(append(slices.Clone(smAccountNames), "")).Draw(rt, "account name"),
				Login:   rapid.SampledFrom(smPolicies).Draw(rt, "login"),
			}
			what := fmt.Sprintf("CreateAccount by %s: %+v", actor, in)
			apply, want := m.createAccount(actor, in)
			a, rev, err := sp.Org.CreateAccount(ctx, actor, in)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply(a)
				sm.accountIDs = append(sm.accountIDs, a.ID)
			}
		},
		"SetLoginPolicy": func(rt *rapid.T) {
			actor, id := sm.actor(rt), sm.account(rt)
			p := rapid.SampledFrom(smPolicies).Draw(rt, "login")
			what := fmt.Sprintf("SetLoginPolicy by %s of %s: %s", actor, id, p)
			apply, want := m.setLoginPolicy(actor, id, p)
			rev, err := sp.Org.SetLoginPolicy(ctx, actor, id, p)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"RenameOrganisation": func(rt *rapid.T) {
			actor, o := sm.actor(rt), sm.org(rt)
			name := rapid.SampledFrom(smRenames).Draw(rt, "new name")
			what := fmt.Sprintf("RenameOrganisation by %s of %s to %q", actor, o, name)
			apply, want := m.renameOrganisation(actor, o, name)
			rev, err := sp.Org.RenameOrganisation(ctx, actor, o, name)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"Invite": func(rt *rapid.T) {
			actor, email := sm.actor(rt), sm.email(rt)
			r := access.InviteRequest{Email: email.raw}
			shape := rapid.IntRange(0, 4).Draw(rt, "invitation shape")
			if shape != 2 {
				r.Account, r.Role = sm.account(rt), sm.role(rt)
			}
			if shape == 1 || shape == 2 {
				r.Org = sm.org(rt)
			}
			if shape >= 2 {
				r.OrgRole = rapid.SampledFrom([]org.Role{org.Member, org.Owner}).Draw(rt, "invited organisation role")
			}
			what := fmt.Sprintf("Invite by %s: %+v", actor, r)
			apply, want := m.invite(actor, r, email.norm)
			inv, rev, err := sp.Access.Invite(ctx, actor, r)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply(inv, sm.mailed(rt, inv.ID))
				sm.invIDs = append(sm.invIDs, inv.ID)
			}
		},
		"Accept": func(rt *rapid.T) {
			sm.needInvitations(rt)
			tok := sm.token(rt)
			name := rapid.SampledFrom([]string{"Invitee", "Invitee", ""}).Draw(rt, "invitee name")
			what := fmt.Sprintf("Accept of token %q as %q", tok, name)
			existing := m.acceptingUser(tok)
			apply, want := m.accept(tok, name)
			u, rev, err := sp.Access.Accept(ctx, tok, name)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				if existing != "" && u.ID != existing {
					rt.Fatalf("%s: accepted as user %s, want the existing user %s", what, u.ID, existing)
				}
				if existing == "" {
					sm.userIDs = append(sm.userIDs, u.ID)
				}
				apply(u)
			}
		},
		"Decline": func(rt *rapid.T) {
			sm.needInvitations(rt)
			tok := sm.token(rt)
			what := fmt.Sprintf("Decline of token %q", tok)
			apply, want := m.decline(tok)
			rev, err := sp.Access.Decline(ctx, tok)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"RevokeInvitation": func(rt *rapid.T) {
			sm.needInvitations(rt)
			actor, id := sm.actor(rt), sm.invitation(rt)
			what := fmt.Sprintf("RevokeInvitation by %s of %s", actor, id)
			apply, want := m.revokeInvitation(actor, id)
			rev, err := sp.Access.RevokeInvitation(ctx, actor, id)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"Resend": func(rt *rapid.T) {
			sm.needInvitations(rt)
			actor, id := sm.actor(rt), sm.invitation(rt)
			what := fmt.Sprintf("Resend by %s of %s", actor, id)
			apply, want := m.resend(actor, id)
			_, rev, err := sp.Access.Resend(ctx, actor, id)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply(sm.mailed(rt, id))
			}
		},
		"SetFavourite": func(rt *rapid.T) {
			actor := sm.actor(rt)
			var open []org.AccountID
			for _, id := range sm.accountIDs {
				if m.canOpen(org.UserID(actor.ID), id) {
					open = append(open, id)
				}
			}
			a := smPick(rt, "favourite", open, append(slices.Clone(sm.accountIDs), smUnknownAccount))
			what := fmt.Sprintf("SetFavourite by %s of %s", actor, a)
			apply, want := m.setFavourite(actor, a)
			rev, err := sp.Access.SetFavourite(ctx, actor, a)
			if sm.outcome(rt, what, want, err) {
				sm.wrote(rt, what, rev)
				apply()
			}
		},
		"AdvanceClock": func(rt *rapid.T) {
			d := rapid.SampledFrom(smDurations).Draw(rt, "advance")
			sm.clock.Advance(d)
			m.now = m.now.Add(d)
		},
		"Login": func(rt *rapid.T) {
			u, auth := sm.user(rt), rapid.SampledFrom(smPolicies).Draw(rt, "authenticated")
			what := fmt.Sprintf("Login of %s authenticated with %s", u, auth)
			fav, want := m.login(u, auth)
			sess, err := sp.Access.Login(ctx, storage.AtLeast(sm.rev), u, auth)
			if sm.outcome(rt, what, want, err) {
				a := m.accounts[fav]
				wantSess := access.Session{User: u, Account: fav, Org: a.Org, Policy: a.Login, Authenticated: auth}
				if diff := gocmp.Diff(wantSess, sess); diff != "" {
					rt.Fatalf("%s: session (-model +Space):\n%s", what, diff)
				}
			}
		},
		"Switch": func(rt *rapid.T) {
			u, auth, a := sm.user(rt), rapid.SampledFrom(smPolicies).Draw(rt, "authenticated"), sm.account(rt)
			what := fmt.Sprintf("Switch of %s (authenticated with %s, strict %v) to %s", u, auth, sm.strict, a)
			want := m.switchTo(u, auth, a, sm.strict)
			sess, err := sp.Access.Switch(ctx, storage.AtLeast(sm.rev), access.Session{User: u, Authenticated: auth}, a)
			if sm.outcome(rt, what, want, err) && (sess.Account != a || sess.Org != m.accounts[a].Org) {
				rt.Fatalf("%s: the session is in %s of %s", what, sess.Account, sess.Org)
			}
		},
	}
}

// --- Invariants ----------------------------------------------------------------

// check compares the Space with the model after every step.
func (sm *svcMachine) check(rt *rapid.T) {
	rt.Helper()
	sm.checkStore(rt)
	ix := sm.space.Access.Current()
	if ix.Revision() < sm.accessRev || ix.Revision() > sm.rev {
		rt.Fatalf("the index is at revision %d, the last write through Org or Access at %d, the last write at %d", ix.Revision(), sm.accessRev, sm.rev)
	}
	sm.checkAnswers(rt, "after the step", sm.space)
	sm.checkStructure(rt, "after the step", sm.space)
}

// checkAnswers compares Check, Explain and Accounts of s with the model
// for every (user, account, permission) triple.
func (sm *svcMachine) checkAnswers(rt *rapid.T, when string, s *orgspace.Space) {
	rt.Helper()
	m := sm.m
	users := append(slices.Clone(sm.userIDs), smUnknownUser)
	accounts := append(slices.Clone(sm.accountIDs), smUnknownAccount)
	perms := svcPermissions()
	for _, u := range users {
		for _, a := range accounts {
			held := m.perms(u, a)
			for _, p := range perms {
				want, got := held.Has(p), s.Access.Check(u, a, p)
				if got != want {
					rt.Fatalf("%s: Check(%s, %s, %s) = %v, the model says %v (%s)", when, u, a, p, got, want, sm.describe(u, a))
				}
				d := s.Access.Explain(u, a, p)
				if d.Allowed != got {
					rt.Fatalf("%s: Explain(%s, %s, %s).Allowed = %v, Check = %v: %s", when, u, a, p, d.Allowed, got, d.Reason)
				}
				if got {
					sm.checkPath(rt, when, d)
				}
			}
		}
		rows, err := s.Access.Accounts(sm.ctx, storage.AtLeast(sm.rev), u)
		if err != nil {
			rt.Fatalf("%s: Accounts(%s): %v", when, u, err)
		}
		var got []modelRow
		for _, r := range rows {
			got = append(got, modelRow{Account: r.Account.ID, Org: r.Account.Org, OrgName: r.OrgName, Name: r.Account.Name, Favourite: r.Favourite})
		}
		if diff := gocmp.Diff(m.rows(u), got, svcCmpOptions...); diff != "" {
			rt.Fatalf("%s: Accounts(%s) (-model +Space):\n%s\n%s", when, u, diff, sm.describe(u, ""))
		}
	}
}

// checkPath checks that an allowed decision rests on a path the model has:
// the organisation role when it holds the permission, else an active grant
// whose role does.
func (sm *svcMachine) checkPath(rt *rapid.T, when string, d access.Decision) {
	rt.Helper()
	m := sm.m
	a := m.accounts[d.Account]
	role := m.orgRole(a.Org, d.User)
	if modelEffective(role, a.Product, 0, false).Has(d.Permission) {
		if d.Via != access.ViaOrganisationRole || d.Role != role.String() {
			rt.Fatalf("%s: Explain(%s, %s, %s) rests on %s %q, the model on the organisation role %s", when, d.User, d.Account, d.Permission, d.Via, d.Role, role)
		}
		return
	}
	g, ok := m.grants[modelGrantKey{d.User, d.Account}]
	perms, _, _ := m.role(g.Role)
	if !ok || !m.active(g) || !perms.Has(d.Permission) || d.Via != access.ViaGrant || d.Role != string(g.Role) {
		rt.Fatalf("%s: Explain(%s, %s, %s) rests on %s %q, which the model does not have (%s)", when, d.User, d.Account, d.Permission, d.Via, d.Role, sm.describe(d.User, d.Account))
	}
}

// describe renders what the model knows of u (and account a) for failures.
func (sm *svcMachine) describe(u org.UserID, a org.AccountID) string {
	m := sm.m
	var b strings.Builder
	fmt.Fprintf(&b, "model at %s: user %s", m.now.Format(time.RFC3339), u)
	for k, ms := range m.memberships {
		if k.User == u {
			fmt.Fprintf(&b, "; %s of %s", ms.Role, k.Org)
		}
	}
	for k, g := range m.grants {
		if k.User == u {
			perms, _, _ := m.role(g.Role)
			fmt.Fprintf(&b, "; grant %s%v on %s (%s)", g.Role, perms, k.Account, g.ExpiresAt.Format(time.RFC3339))
		}
	}
	if acc := m.accounts[a]; acc != nil {
		fmt.Fprintf(&b, "; account %s is a %s account of %s", a, acc.Product, acc.Org)
	}
	fmt.Fprintf(&b, "; favourite %q", m.favourites[u])
	return b.String()
}

// smStored is the state the model predicts, as the store holds it.
type smStored struct {
	Users       map[org.UserID]org.User
	ByEmail     map[string]org.UserID
	Orgs        map[org.OrganisationID]string
	Accounts    map[org.AccountID]modelAccount
	Memberships map[modelMembershipKey]modelMembership
	Grants      map[modelGrantKey]modelGrant
	Roles       map[access.RoleID]access.Role
	Favourites  map[org.UserID]org.AccountID
	Invitations map[access.InvitationID]access.Invitation
	Structure   smStructureStored
}

func (m *model) stored() smStored {
	s := smStored{
		Users: map[org.UserID]org.User{}, ByEmail: map[string]org.UserID{}, Orgs: map[org.OrganisationID]string{},
		Accounts: map[org.AccountID]modelAccount{}, Memberships: m.memberships, Grants: m.grants,
		Roles: map[access.RoleID]access.Role{}, Favourites: m.favourites, Invitations: map[access.InvitationID]access.Invitation{},
		Structure: m.storedStructure(),
	}
	for id, u := range m.users {
		s.Users[id] = *u
	}
	s.ByEmail = m.byEmail
	for id, o := range m.orgs {
		s.Orgs[id] = o.Name
	}
	for id, a := range m.accounts {
		s.Accounts[id] = *a
	}
	for id, r := range m.roles {
		s.Roles[id] = *r
	}
	for id, inv := range m.invitations {
		s.Invitations[id] = inv.Invitation
	}
	return s
}

// checkStore compares the store's state with the model's and checks that
// every organisation keeps an Owner.
func (sm *svcMachine) checkStore(rt *rapid.T) {
	rt.Helper()
	m := sm.m
	var got smStored
	err := sm.space.Store().View(sm.ctx, storage.Latest(), func(st orgspace.Store) error {
		head, err := st.Head()
		if err != nil {
			return err
		}
		if head != sm.rev {
			return fmt.Errorf("head is %d, the last write was %d: a failed write committed, or a write was not reported", head, sm.rev)
		}
		got = smStored{
			Users: map[org.UserID]org.User{}, ByEmail: map[string]org.UserID{}, Orgs: map[org.OrganisationID]string{},
			Accounts: map[org.AccountID]modelAccount{}, Memberships: map[modelMembershipKey]modelMembership{},
			Grants: map[modelGrantKey]modelGrant{}, Roles: map[access.RoleID]access.Role{},
			Favourites: map[org.UserID]org.AccountID{}, Invitations: map[access.InvitationID]access.Invitation{},
		}
		for id, mu := range m.users {
			if u, err := st.User(id); err == nil {
				got.Users[id] = u
			}
			if u, err := st.UserByEmail(mu.Email); err == nil {
				got.ByEmail[mu.Email] = u.ID
			}
		}
		for _, e := range smEmails {
			if u, err := st.UserByEmail(e.norm); e.norm != "" && err == nil {
				got.ByEmail[e.norm] = u.ID
			}
		}
		orgs, err := st.ListOrganisations("", storage.MaxPageSize)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			got.Orgs[o.ID] = o.Name
			n, err := st.CountMembers(o.ID, org.Owner)
			if err != nil {
				return err
			}
			if n < 1 {
				return fmt.Errorf("organisation %s has no Owner left", o.ID)
			}
			invs, err := st.ListInvitations(o.ID, "", storage.MaxPageSize)
			if err != nil {
				return err
			}
			for _, inv := range invs {
				mi := m.invitations[inv.ID]
				if mi == nil || !bytes.Equal(inv.TokenHash, access.HashToken(mi.Token)) {
					return fmt.Errorf("invitation %s: the stored token hash is not the SHA-256 of the latest token mailed", inv.ID)
				}
				inv.TokenHash = nil
				got.Invitations[inv.ID] = inv
			}
		}
		if err := st.AllAccounts(func(a org.Account) error {
			got.Accounts[a.ID] = modelAccount{ID: a.ID, Org: a.Org, Product: a.Product, Name: a.Name, Login: a.Login}
			return nil
		}); err != nil {
			return err
		}
		if err := st.AllMemberships(func(ms org.Membership) error {
			got.Memberships[modelMembershipKey{ms.Org, ms.User}] = modelMembership{Role: ms.Role, Since: ms.Since}
			return nil
		}); err != nil {
			return err
		}
		if err := st.AllGrants(func(g access.Grant) error {
			got.Grants[modelGrantKey{g.User, g.Account}] = modelGrant{Org: g.Org, Role: g.Role, ExpiresAt: g.ExpiresAt, GrantedBy: g.GrantedBy, GrantedAt: g.GrantedAt}
			return nil
		}); err != nil {
			return err
		}
		if err := st.AllRoles(func(r access.Role) error { got.Roles[r.ID] = r; return nil }); err != nil {
			return err
		}
		if err := st.AllFavourites(func(u org.UserID, a org.AccountID) error {
			if a != "" {
				got.Favourites[u] = a
			}
			return nil
		}); err != nil {
			return err
		}
		if sm.structureWritten {
			got.Structure, err = storedStructure(st)
		}
		return err
	})
	if err != nil {
		rt.Fatalf("store: %v", err)
	}
	want := m.stored()
	if !sm.structureWritten {
		want.Structure = smStructureStored{}
	}
	sm.structureWritten = false
	if diff := gocmp.Diff(want, got, svcCmpOptions...); diff != "" {
		rt.Fatalf("the store differs from the model (-model +store):\n%s", diff)
	}
}

// reopen opens a new Space on the backend at the end of a run: its freshly
// compiled index must answer like the model too.
func (sm *svcMachine) reopen(rt *rapid.T) {
	s, err := sm.backend(sm.ctx, sm.cfg)
	if err != nil {
		rt.Fatalf("reopen: %v", err)
	}
	sm.checkAnswers(rt, "in a Space opened at the end", s)
	sm.checkStructure(rt, "in a Space opened at the end", s)
}
