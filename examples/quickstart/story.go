package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// walk tells the whole story, on an empty database.
func (d *demo) walk() {
	ctx, s, latest := d.ctx, d.space, storage.Latest()

	d.title("The host registers an operator (customer success).")
	op := must(s.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Casey Success", Email: "casey@platform.example"}))
	operator := org.AsOperator(op.ID)
	d.say("operator %s: %s", op.ID, op.Name)

	d.title("The operator creates organisation \"Toppp Media\" with an Engage and a Loyalty account.")
	toppp := must(s.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Toppp Media"}))
	engage := must(s.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Engage, Name: "Toppp Engage"}))
	loyalty := must(s.Org.CreateAccount(ctx, operator, org.NewAccount{Org: toppp.ID, Product: org.Loyalty, Name: "Toppp Rewards",
		Login: org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}}))
	d.say("organisation %s %q: accounts %s and %s", toppp.ID, toppp.Name, engage.ID, loyalty.ID)

	d.title("The operator creates the first owner and makes them Owner.")
	olivia := must(s.Org.CreateUser(ctx, operator, org.NewUser{Email: "Olivia@Toppp.example", Name: "Olivia Owner"}))
	done(s.Access.SetOrganisationRole(ctx, operator, toppp.ID, olivia.ID, org.Owner))
	owner := org.AsUser(olivia.ID)
	d.say("%s (%s, email normalised to %s) is Owner of %s", olivia.Name, olivia.ID, olivia.Email, toppp.Name)

	d.title("The owner renames the organisation and lists all its accounts.")
	done(s.Org.RenameOrganisation(ctx, owner, toppp.ID, "Toppp Media Group"))
	for _, a := range value(s.Org.Accounts(ctx, latest, owner, toppp.ID, storage.PageRequest{})).Items {
		d.say("- %-14s %-8s login %s", a.Name, a.Product, a.Login)
	}

	d.title("The owner creates a Marketer on the Engage account and invites staff by email.")
	mark := must(s.Access.AddUser(ctx, owner, org.NewUser{Email: "mark@toppp.example", Name: "Mark Marketer"},
		access.GrantRequest{Account: engage.ID, Role: access.Marketer}))
	d.say("%s (%s) is Marketer on %s", mark.Name, mark.ID, engage.Name)
	must(s.Access.Invite(ctx, owner, access.InviteRequest{Email: "sam@toppp.example", Account: engage.ID, Role: access.Editor}))
	sam := d.accept("sam@toppp.example", "Sam Staff")

	d.title("Creating a user whose email exists fails.")
	_, _, err := s.Access.AddUser(ctx, owner, org.NewUser{Email: " MARK@toppp.example", Name: "Mark Again"},
		access.GrantRequest{Account: engage.ID, Role: access.Editor})
	d.refused(err, org.ErrUserExists)

	d.title("An agency user: Administrator of Toppp Rewards, then wanted by a second organisation.")
	ada := must(s.Access.AddUser(ctx, owner, org.NewUser{Email: "ada@agency.example", Name: "Ada Agency"},
		access.GrantRequest{Account: loyalty.ID, Role: access.Administrator}))
	client := must(s.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Client Co"}))
	clientEngage := must(s.Org.CreateAccount(ctx, operator,
		org.NewAccount{Org: client.ID, Product: org.Engage, Name: "Client Engage"}))
	carl := must(s.Org.CreateUser(ctx, operator, org.NewUser{Email: "carl@client.example", Name: "Carl Client"}))
	done(s.Access.SetOrganisationRole(ctx, operator, client.ID, carl.ID, org.Owner))
	d.say("%s is Owner of %q; he tries to attach %s directly:", carl.Name, client.Name, ada.Name)
	_, err = s.Access.Grant(ctx, org.AsUser(carl.ID), access.GrantRequest{User: ada.ID, Account: clientEngage.ID, Role: access.Marketer})
	d.refused(err, storage.ErrPermissionDenied)
	d.say("so he invites her instead:")
	must(s.Access.Invite(ctx, org.AsUser(carl.ID),
		access.InviteRequest{Email: "ada@agency.example", Account: clientEngage.ID, Role: access.Marketer}))
	d.accept("ada@agency.example", "")

	d.title("Ada's account drop-down, grouped by organisation (★ = favourite).")
	d.menu(ada.ID)
	d.loginPolicy(ada.ID, "by the fallback rule, the first account in drop-down order")

	d.title("Ada stars Toppp Rewards as her favourite.")
	done(s.Access.SetFavourite(ctx, org.AsUser(ada.ID), loyalty.ID))
	d.menu(ada.ID)
	d.loginPolicy(ada.ID, "her star")

	d.title("Ada logs in: she lands in her favourite account.")
	d.say("with a password only:")
	_, err = s.Access.Login(ctx, latest, ada.ID, org.LoginPolicy{})
	d.refused(err, access.ErrStepUpRequired)
	sess := value(s.Access.Login(ctx, latest, ada.ID, org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}))
	d.say("with okta SSO and a second factor: in %s", d.accountName(sess.Account))

	d.title("Ada switches accounts.")
	sess = value(s.Access.Switch(ctx, latest, sess, clientEngage.ID))
	d.say("switched to %s", d.accountName(sess.Account))
	d.say("switch to %s, where she has no role:", engage.Name)
	_, err = s.Access.Switch(ctx, latest, sess, engage.ID)
	d.refused(err, storage.ErrPermissionDenied)

	d.title("An external auditor gets Observer access on Toppp Engage for one day.")
	eve := must(s.Access.AddUser(ctx, owner, org.NewUser{Email: "eve@audit.example", Name: "Eve Auditor"},
		access.GrantRequest{Account: engage.ID, Role: access.Observer, ExpiresAt: d.clock.now.Add(24 * time.Hour)}))
	d.say("now:            may view %s? %v", engage.Name, s.Access.Check(eve.ID, engage.ID, access.ViewAccount))
	d.clock.now = d.clock.now.Add(25 * time.Hour)
	d.say("25 hours later: may view %s? %v", engage.Name, s.Access.Check(eve.ID, engage.ID, access.ViewAccount))
	d.say("why: %s", s.Access.Explain(eve.ID, engage.ID, access.ViewAccount))

	d.title("Escalations are refused.")
	d.say("Ada (Administrator) tries to make Sam an Owner:")
	_, err = s.Access.SetOrganisationRole(ctx, org.AsUser(ada.ID), toppp.ID, sam.ID, org.Owner)
	d.refused(err, storage.ErrPermissionDenied)
	d.say("Mark (Marketer) tries to make Sam an Administrator:")
	_, err = s.Access.Grant(ctx, org.AsUser(mark.ID), access.GrantRequest{User: sam.ID, Account: engage.ID, Role: access.Administrator})
	d.refused(err, storage.ErrPermissionDenied)
	d.say("why: %s", s.Access.Explain(mark.ID, engage.ID, access.ManageAccountUsers))

	d.title("The owner reads the tail of the audit log.")
	d.entries("", tail(d.auditLog(owner, toppp.ID), 8))

	d.structureStory(toppp.ID, engage, loyalty, owner, mark.ID, client.ID, org.AsUser(carl.ID))
	gala, run := d.billingStory(toppp.ID, owner, client.ID, org.AsUser(carl.ID))
	d.communityStory(toppp.ID, owner, client.ID, org.AsUser(carl.ID), gala, run)
}

// campaign is one of the host's own items: an Engage campaign, published
// on a website. The library knows websites, not campaigns.
type campaign struct {
	Name    string
	Website structure.WebsiteID
}

func websiteOf(c campaign) structure.WebsiteID { return c.Website }

// structureStory tells the seed's "Structure your organisation": which websites
// of the Engage account share their campaigns' data with the program of
// the Loyalty account, by the default rule and then by a custom link.
func (d *demo) structureStory(toppp org.OrganisationID, engage, loyalty org.Account, owner org.Actor, mark org.UserID, client org.OrganisationID, carl org.Actor) {
	ctx, s := d.ctx, d.space.Structure
	allWebsites := structure.Selection[structure.WebsiteID]{All: true}

	d.title("The owner gives %s two websites and %s a program.", engage.Name, loyalty.Name)
	site := must(s.CreateWebsite(ctx, owner, structure.NewWebsite{Account: engage.ID, Name: "Toppp"}))
	kids := must(s.CreateWebsite(ctx, owner, structure.NewWebsite{Account: engage.ID, Name: "Toppp Kids"}))
	program := must(s.CreateProgram(ctx, owner, structure.NewProgram{Account: loyalty.ID, Name: "Toppp Rewards Program"}))
	d.say("websites %s %q and %s %q on %s", site.ID, site.Name, kids.ID, kids.Name, engage.Name)
	d.say("program  %s %q on %s", program.ID, program.Name, loyalty.Name)
	campaigns := []campaign{{"Spring quiz", site.ID}, {"Colouring contest", kids.ID}, {"Summer photo contest", site.ID}}
	d.say("the host's campaigns: %s", d.campaigns(campaigns))

	d.title("With the default rule enabled, everything is shared: the program's earning rule may use every campaign.")
	d.sharing(owner, program, site, kids)
	d.earningRule(program, campaigns)

	d.title("The owner links website %q to %q: from now on only linked data is shared.", site.Name, program.Name)
	link := must(s.CreateLink(ctx, owner, structure.NewLink{Org: toppp, Name: "Toppp",
		Websites: structure.Selection[structure.WebsiteID]{Items: []structure.WebsiteID{site.ID}},
		Programs: structure.Selection[structure.ProgramID]{Items: []structure.ProgramID{program.ID}},
	}))
	d.say("%s", d.link(link))
	d.sharing(owner, program, site, kids)
	d.earningRule(program, campaigns)

	d.title("Mark (Marketer) tries to create a link of his own.")
	_, _, err := s.CreateLink(ctx, org.AsUser(mark), structure.NewLink{Org: toppp,
		Websites: allWebsites, Programs: structure.Selection[structure.ProgramID]{All: true}})
	d.refused(err, storage.ErrPermissionDenied)
	d.say("why: %s", d.space.Access.Explain(mark, engage.ID, access.ManageStructure))

	d.title("A website added later, \"Toppp Games\", is not included: the link lists its websites one by one.")
	games := must(s.CreateWebsite(ctx, owner, structure.NewWebsite{Account: engage.ID, Name: "Toppp Games"}))
	campaigns = append(campaigns, campaign{"Games leaderboard", games.ID})
	d.say("website %s %q on %s, where the host publishes %s", games.ID, games.Name, engage.Name, campaigns[len(campaigns)-1].Name)
	d.sharing(owner, program, games)
	d.earningRule(program, campaigns)

	d.title("The owner changes the link to All websites: websites added later are included.")
	link = must(s.UpdateLink(ctx, owner, link.ID, structure.LinkChange{Name: link.Name, Websites: allWebsites, Programs: link.Programs}))
	d.say("%s", d.link(link))
	d.sharing(owner, program, site, kids, games)
	d.earningRule(program, campaigns)

	d.title("Client Co has an Engage account but no Loyalty account, so it has no structure.")
	d.say("Carl opens the structure of Client Co:")
	_, err = s.Links(ctx, storage.Latest(), carl, client)
	d.refused(err, structure.ErrStructureUnavailable)
}

// sharing prints whether each website shares its data with program p, and
// which link or rule decided, as actor is told.
func (d *demo) sharing(actor org.Actor, p structure.Program, sites ...structure.Website) {
	for _, w := range sites {
		dec := value(d.space.Structure.Explain(d.ctx, storage.Latest(), actor, w.ID, p.ID))
		verdict := "not shared"
		if dec.Shared {
			verdict = "shared"
		}
		d.say("%-11s → %s: %s (%s)", w.Name, p.Name, verdict, d.decided(p.Org, dec))
	}
}

// earningRule prints the campaigns an earning rule of program p may use:
// the host filters its own campaigns through the compiled structure, which
// already includes this Space's writes.
func (d *demo) earningRule(p structure.Program, campaigns []campaign) {
	offered := structure.Filter(d.space.Structure.Current(), p.ID, campaigns, websiteOf)
	d.say("the earning rule offers: %s", d.campaigns(offered))
}

// campaigns names campaigns with their websites.
func (d *demo) campaigns(cs []campaign) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = fmt.Sprintf("%s (%s)", c.Name, d.websiteName(c.Website))
	}
	return strings.Join(names, ", ")
}

// accept is the invitee following the link of the last mail sent to email.
func (d *demo) accept(email, name string) org.User {
	u := must(d.space.Access.Accept(d.ctx, d.tokens[email], name))
	d.say("%s accepted the invitation (user %s)", u.Name, u.ID)
	return u
}

// menu prints a user's account drop-down.
func (d *demo) menu(user org.UserID) {
	for _, g := range value(d.space.Access.Menu(d.ctx, storage.Latest(), user)) {
		d.say("%s", g.OrgName)
		for _, a := range g.Accounts {
			star := ""
			if a.Favourite {
				star = " ★"
			}
			d.say("  - %-14s %s%s", a.Account.Name, a.Role, star)
		}
	}
}

// loginPolicy prints a user's effective login policy and why it applies.
func (d *demo) loginPolicy(user org.UserID, why string) {
	p, fav, err := d.space.Access.LoginPolicy(d.ctx, storage.Latest(), user)
	check(err)
	d.say("login policy: %s, from favourite %s (%s)", p, d.accountName(fav), why)
}
