package access

import (
	"fmt"
	"time"

	"github.com/orgspace/orgspace/org"
)

// Via says what a decision rests on.
type Via uint8

// What a decision rests on.
const (
	// ViaNothing: no grant and no organisation role applies (denied).
	ViaNothing Via = iota
	// ViaGrant: the user's grant on the account.
	ViaGrant
	// ViaOrganisationRole: the user's Owner or Member role in the organisation.
	ViaOrganisationRole
)

// String names v.
func (v Via) String() string {
	switch v {
	case ViaGrant:
		return "grant"
	case ViaOrganisationRole:
		return "organisation role"
	}
	return "nothing"
}

// Decision is a Check with its reasons: the grant path that allowed, or why
// it denied.
type Decision struct {
	Allowed    bool
	User       org.UserID
	Account    org.AccountID
	Org        org.OrganisationID
	Permission Permission
	// Website is the website asked about (ExplainWebsite); "" for the
	// account itself.
	Website org.WebsiteID
	// Limited: the deciding grant is limited to websites, which Reason
	// names (a flag, not the list, so that Decisions stay comparable).
	Limited bool
	// Via is what allowed (or, when denied, what the user holds, if anything).
	Via Via
	// Role is the account role of the grant, or the organisation role's name.
	Role string
	// ExpiresAt is when the deciding grant ends (zero: never).
	ExpiresAt time.Time
	// Reason says it in a sentence.
	Reason string
}

// String returns the reason.
func (d Decision) String() string { return d.Reason }

// Explain decides like Check and says why: which grant or organisation role
// allowed, or which was missing, expired, insufficient or limited to
// websites.
func (ix *Index) Explain(user org.UserID, account org.AccountID, p Permission) Decision {
	return ix.explain(user, account, "", p)
}

// ExplainWebsite decides like CheckWebsite and says why, naming a grant's
// website limit when it decides.
func (ix *Index) ExplainWebsite(user org.UserID, account org.AccountID, website org.WebsiteID, p Permission) Decision {
	if website == "" {
		return Decision{User: user, Account: account, Permission: p, Reason: "denied: the website is empty"}
	}
	return ix.explain(user, account, website, p)
}

// explain is Explain on the account itself (website "") or on one of its
// websites.
func (ix *Index) explain(user org.UserID, account org.AccountID, website org.WebsiteID, p Permission) Decision {
	d := Decision{User: user, Account: account, Website: website, Permission: p}
	deny := func(format string, args ...any) Decision {
		d.Reason = "denied: " + fmt.Sprintf(format, args...)
		return d
	}
	if p >= numPermissions {
		return deny("%v is not a permission", p)
	}
	a := ix.accounts[account]
	if a == nil {
		return deny("account %q does not exist", account)
	}
	d.Org = a.Org
	u := ix.user(user)
	if u == nil {
		return deny("user %q holds no grant and no organisation role", user)
	}
	orgRole := u.roleIn(a.Org)
	if orgPerms := Effective(orgRole, a.Product, 0, false); orgPerms.Has(p) {
		d.Allowed, d.Via, d.Role = true, ViaOrganisationRole, orgRole.String()
		d.Reason = fmt.Sprintf("allowed: %s of organisation %s, which holds %s in %s account %s", orgRole, a.Org, p, a.Product, account)
		return d
	}
	g := u.grant(account)
	if g == nil {
		if orgRole != org.NoRole {
			d.Via, d.Role = ViaOrganisationRole, orgRole.String()
			return deny("%s of organisation %s does not hold %s in %s account %s, and the user has no grant on it", orgRole, a.Org, p, a.Product, account)
		}
		return deny("user %s has no grant on account %s and no role in organisation %s", user, account, a.Org)
	}
	cell, _ := ix.grant(user, account)
	websites := cell.websites
	d.Via, d.Role, d.Limited = ViaGrant, string(g.role), websites != nil
	if g.expires != 0 {
		d.ExpiresAt = time.Unix(0, g.expires).UTC()
	}
	name := fmt.Sprintf("grant of role %s on account %s", g.role, account)
	if websites != nil {
		name += " limited to websites " + joinIDs(websites)
	}
	if g.expires != 0 && ix.now().UnixNano() >= g.expires {
		return deny("%s expired at %s", name, d.ExpiresAt.Format(time.RFC3339))
	}
	perms := ix.rolePermissions(g.role)
	switch {
	case website == "" && !GrantedOnAccount(perms, websites != nil).Has(p):
		if perms.Has(p) {
			return deny("%s holds only %s on the account itself", name, ViewAccount)
		}
		return deny("role %s on account %s does not hold %s", g.role, account, p)
	case website != "" && !covers(websites, website):
		return deny("%s does not cover %s", name, website)
	case !perms.Has(p):
		return deny("role %s on account %s does not hold %s", g.role, account, p)
	}
	d.Allowed = true
	d.Reason = "allowed: " + name
	if g.expires != 0 {
		d.Reason += " until " + d.ExpiresAt.Format(time.RFC3339)
	}
	return d
}
