package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// survived reports what an earlier run left in the database, up to revision
// head. It reads through the services, as the host (org.System()) would
// after a restart; the access index it reads was compiled from the
// database when the Space opened.
func (d *demo) survived(head storage.Revision) {
	ctx, s, latest, host := d.ctx, d.space, storage.Latest(), org.System()
	fmt.Fprintf(d.w, "\nThis database already holds data, up to revision r%d. The story cannot run twice on it\n"+
		"(its users' emails are taken), so here is what survived, read back as of %s.\n",
		head, d.clock.now.Format(time.RFC3339))

	d.title("Organisations and their accounts.")
	orgs := all(func(r storage.PageRequest) (storage.Page[org.Organisation], error) {
		return s.Org.Organisations(ctx, latest, host, r)
	})
	accounts := map[org.OrganisationID][]org.Account{}
	for _, o := range orgs {
		accounts[o.ID] = all(func(r storage.PageRequest) (storage.Page[org.Account], error) {
			return s.Org.Accounts(ctx, latest, host, o.ID, r)
		})
		d.say("%s %q, created %s", o.ID, o.Name, o.CreatedAt.Format(time.RFC3339))
		for _, a := range accounts[o.ID] {
			d.say("  - %-6s %-14s %-8s login %s", a.ID, a.Name, a.Product, a.Login)
		}
	}

	d.title("Users and their roles: in each organisation, then in each of its accounts.")
	var users []org.User // each once, in the order first listed
	seen := map[org.UserID]bool{}
	for _, o := range orgs {
		d.say("%s", o.Name)
		for _, m := range all(func(r storage.PageRequest) (storage.Page[access.Member[access.OrgUser]], error) {
			return s.Access.UsersOfOrganisation(ctx, latest, host, o.ID, r)
		}) {
			if !seen[m.User.ID] {
				seen[m.User.ID] = true
				users = append(users, m.User)
			}
			if m.Access.Role != org.NoRole {
				d.say("  %-14s %-13s %s", "(organisation)", m.Access.Role, person(m.User))
			}
		}
		for _, a := range accounts[o.ID] {
			for _, m := range all(func(r storage.PageRequest) (storage.Page[access.Member[access.AccountUser]], error) {
				return s.Access.UsersOfAccount(ctx, latest, host, a.ID, r)
			}) {
				d.say("  %-14s %-13s %s%s", a.Name, m.Access.Role, person(m.User), until(m.Access))
			}
		}
	}

	d.title("Where each user's login lands: the favourite account (starred, or by the fallback rule).")
	for _, u := range users {
		p, fav, err := s.Access.LoginPolicy(ctx, latest, u.ID)
		if errors.Is(err, storage.ErrPermissionDenied) {
			d.say("%-14s no account to open", u.Name)
			continue
		}
		check(err)
		d.say("%-14s %-14s login %s", u.Name, d.accountName(fav), p)
	}

	d.title("Invitations, with their status now.")
	for _, o := range orgs {
		for _, inv := range all(func(r storage.PageRequest) (storage.Page[access.Invitation], error) {
			return s.Access.Invitations(ctx, latest, host, o.ID, r)
		}) {
			d.say("%-6s %-20s %s: %s", inv.ID, inv.Email, d.offer(inv, o), inv.Status)
		}
	}

	d.title("The structure of each organisation: websites, programs, the default rule and custom links.")
	for _, o := range orgs {
		d.structureOf(o)
	}

	d.title("Billing: each organisation's licences, SMS credits and coupons.")
	for _, o := range orgs {
		d.billingOf(o)
	}

	d.title("Community: each organisation's events, shared fields and direct members, counted.")
	for _, o := range orgs {
		d.communityOf(o)
	}

	d.title("The audit log of each organisation: how long it is, and its latest entries.")
	for _, o := range orgs {
		entries := d.auditLog(host, o.ID)
		latest := tail(entries, 3)
		d.say("%s: %d entries, the latest %d:", o.Name, len(entries), len(latest))
		d.entries("  ", latest)
	}

	fmt.Fprintf(d.w, "\nRun again with -reset to delete it all and tell the story from the start.\n")
}

// structureOf prints organisation o's websites and programs (archived ones
// too) and, if it has its structure, its default rule and custom links, as
// the host reads them.
func (d *demo) structureOf(o org.Organisation) {
	ctx, s, latest, host := d.ctx, d.space.Structure, storage.Latest(), org.System()
	d.say("%s", o.Name)
	for _, w := range value(s.Websites(ctx, latest, host, o.ID, true)) {
		d.say("  website %-6s %-22s on %s%s", w.ID, w.Name, d.accountName(w.Account), archived(w.Archived))
	}
	for _, p := range value(s.Programs(ctx, latest, host, o.ID, true)) {
		d.say("  program %-6s %-22s on %s%s", p.ID, p.Name, d.accountName(p.Account), archived(p.Archived))
	}
	links, err := s.Links(ctx, latest, host, o.ID)
	if errors.Is(err, structure.ErrStructureUnavailable) {
		d.say("  no structure: it needs an Engage and a Loyalty account")
		return
	}
	check(err)
	rule := "enabled"
	if !value(s.DefaultRule(ctx, latest, host, o.ID)) {
		rule = "disabled"
	}
	if len(links) > 0 {
		rule += ", without effect while custom links exist"
	}
	d.say("  default rule %s", rule)
	for _, l := range links {
		d.say("  %s", d.link(l))
	}
}

func archived(a bool) string {
	if a {
		return " (archived)"
	}
	return ""
}

// person names a user.
func person(u org.User) string { return fmt.Sprintf("%s <%s>", u.Name, u.Email) }

// until says when a time-bound grant ends, or ended.
func until(g access.AccountUser) string {
	switch {
	case g.Expired:
		return ", expired " + g.ExpiresAt.Format(time.RFC3339)
	case !g.ExpiresAt.IsZero():
		return ", until " + g.ExpiresAt.Format(time.RFC3339)
	}
	return ""
}

// offer says what an invitation offers: a role on an account, an
// organisation role, or both.
func (d *demo) offer(inv access.Invitation, o org.Organisation) string {
	var parts []string
	if inv.Account != "" {
		parts = append(parts, fmt.Sprintf("%s on %s", inv.Role, d.accountName(inv.Account)))
	}
	if inv.OrgRole != org.NoRole {
		parts = append(parts, fmt.Sprintf("%s of %s", inv.OrgRole, o.Name))
	}
	return strings.Join(parts, " and ")
}
