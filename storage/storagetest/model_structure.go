package storagetest

import (
	"maps"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/structure"
)

// modelStructure is the model of package structure, written from the doc
// comments of structure.Service and its validation: websites, programs,
// custom links and the default rules an organisation set.
type modelStructure struct {
	websites map[structure.WebsiteID]structure.Website
	programs map[structure.ProgramID]structure.Program
	links    map[structure.LinkID]structure.Link
	// rules holds the organisations that set their default rule; the others
	// have it enabled.
	rules map[org.OrganisationID]bool
}

func newModelStructure() modelStructure {
	return modelStructure{
		websites: map[structure.WebsiteID]structure.Website{},
		programs: map[structure.ProgramID]structure.Program{},
		links:    map[structure.LinkID]structure.Link{},
		rules:    map[org.OrganisationID]bool{},
	}
}

// --- What the structure is ---------------------------------------------------

// available: the organisation has an Engage and a Loyalty account.
func (m *model) available(o org.OrganisationID) bool {
	engage, loyalty := false, false
	for _, a := range m.accounts {
		if a.Org == o {
			engage = engage || a.Product == org.Engage
			loyalty = loyalty || a.Product == org.Loyalty
		}
	}
	return engage && loyalty
}

// defaultRule is o's default rule: enabled unless it was switched off.
func (m *model) defaultRule(o org.OrganisationID) bool {
	enabled, set := m.structure.rules[o]
	return enabled || !set
}

// linkList is every custom link, by ID.
func (m *model) linkList() []structure.Link {
	out := make([]structure.Link, 0, len(m.structure.links))
	for _, id := range slices.Sorted(maps.Keys(m.structure.links)) {
		out = append(out, m.structure.links[id])
	}
	return out
}

// decide is the rule itself, structure.Evaluate, over the model's links
// and default rules; an unknown ID is the zero component.
func (m *model) decide(w structure.WebsiteID, p structure.ProgramID) structure.Decision {
	web, prog := m.structure.websites[w], m.structure.programs[p]
	return structure.Evaluate(m.linkList(), m.defaultRule(web.Org), web, prog)
}

// websitesFor is, by brute force, the websites that share with p, by ID.
func (m *model) websitesFor(p structure.ProgramID) []structure.Website {
	var out []structure.Website
	for _, id := range slices.Sorted(maps.Keys(m.structure.websites)) {
		if m.decide(id, p).Shared {
			out = append(out, m.structure.websites[id])
		}
	}
	return out
}

// programsFor is, by brute force, the programs w shares with, by ID.
func (m *model) programsFor(w structure.WebsiteID) []structure.Program {
	var out []structure.Program
	for _, id := range slices.Sorted(maps.Keys(m.structure.programs)) {
		if m.decide(w, id).Shared {
			out = append(out, m.structure.programs[id])
		}
	}
	return out
}

// --- Who may act -------------------------------------------------------------

// mayManageComponents: operators, System and users holding
// ManageAccountSettings on the account (its Administrators, the
// organisation's Owners).
func (m *model) mayManageComponents(actor org.Actor, a *modelAccount) error {
	if err := m.resolve(actor); err != nil {
		return err
	}
	if actor.Kind == org.ActorUser && !m.perms(org.UserID(actor.ID), a.ID).Has(access.ManageAccountSettings) {
		return errDenied
	}
	return nil
}

// mayChangeStructure: operators, System and the organisation's Owners (the
// only role holding ManageStructure).
func (m *model) mayChangeStructure(actor org.Actor, o org.OrganisationID) error {
	return m.mayOwn(actor, o)
}

// mayReadStructure: operators, System, the organisation's Owners and
// Members, and users with an active grant there whose role lets them open
// the account.
func (m *model) mayReadStructure(actor org.Actor, o org.OrganisationID) error {
	if err := m.resolve(actor); err != nil {
		return err
	}
	if actor.Kind != org.ActorUser {
		return nil
	}
	u := org.UserID(actor.ID)
	if m.orgRole(o, u) != org.NoRole {
		return nil
	}
	for k, g := range m.grants {
		if perms, _, _ := m.role(g.Role); k.User == u && g.Org == o && m.active(g) && perms.Has(access.ViewAccount) {
			return nil
		}
	}
	return errDenied
}

// changeStructure: the organisation exists (else not found), the actor may
// change its structure, and it has one (else ErrStructureUnavailable).
func (m *model) changeStructure(actor org.Actor, o org.OrganisationID) error {
	if m.orgs[o] == nil {
		return errNotFound
	}
	if err := m.mayChangeStructure(actor, o); err != nil {
		return err
	}
	if !m.available(o) {
		return structure.ErrStructureUnavailable
	}
	return nil
}

// readStructure: as changeStructure, for a reader.
func (m *model) readStructure(actor org.Actor, o org.OrganisationID) error {
	if m.orgs[o] == nil {
		return errNotFound
	}
	if err := m.mayReadStructure(actor, o); err != nil {
		return err
	}
	if !m.available(o) {
		return structure.ErrStructureUnavailable
	}
	return nil
}

// --- Input rules ---------------------------------------------------------------

// modelID: IDs are non-empty printable ASCII, at most 128 bytes.
func modelID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// modelSelection checks the form of one side: it selects something, All
// stands alone, every ID is well formed; it returns the side as a set
// (sorted, each ID once, nil for none).
func modelSelection[ID ~string](s structure.Selection[ID]) (structure.Selection[ID], error) {
	if !s.All && len(s.Accounts) == 0 && len(s.Items) == 0 {
		return s, errInvalid
	}
	if s.All && (len(s.Accounts) > 0 || len(s.Items) > 0) {
		return s, errInvalid
	}
	for _, a := range s.Accounts {
		if !modelID(string(a)) {
			return s, errInvalid
		}
	}
	for _, id := range s.Items {
		if !modelID(string(id)) {
			return s, errInvalid
		}
	}
	return structure.Selection[ID]{All: s.All, Accounts: modelSet(s.Accounts), Items: modelSet(s.Items)}, nil
}

// modelSet is ids sorted, each once; nil for none.
func modelSet[ID ~string](ids []ID) []ID {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// modelLinkForm checks a link's form: an optional name (blank is none) and
// both sides; it returns the content as stored.
func modelLinkForm(in structure.LinkChange) (structure.LinkChange, error) {
	if strings.TrimSpace(in.Name) == "" {
		in.Name = ""
	} else {
		name, ok := modelName(in.Name)
		if !ok {
			return in, errInvalid
		}
		in.Name = name
	}
	var err error
	if in.Websites, err = modelSelection(in.Websites); err != nil {
		return in, err
	}
	if in.Programs, err = modelSelection(in.Programs); err != nil {
		return in, err
	}
	return in, nil
}

// linkRefs checks what a link names in organisation o: accounts of o of
// the side's product, components of o of the side's kind. An ID naming
// nothing of its kind in o is not found, also when it names something in
// another organisation; an account of the other product, or a component
// of the other kind, of o is invalid.
func (m *model) linkRefs(o org.OrganisationID, in structure.LinkChange) error {
	side := func(accounts []org.AccountID, items []string, product org.Product, mine, other func(string) (org.OrganisationID, bool)) error {
		for _, id := range accounts {
			a := m.accounts[id]
			if a == nil || a.Org != o {
				return errNotFound
			}
			if a.Product != product {
				return errInvalid
			}
		}
		for _, id := range items {
			if c, ok := mine(id); ok && c == o {
				continue
			}
			if c, ok := other(id); ok && c == o {
				return errInvalid
			}
			return errNotFound
		}
		return nil
	}
	website := func(id string) (org.OrganisationID, bool) {
		w, ok := m.structure.websites[structure.WebsiteID(id)]
		return w.Org, ok
	}
	program := func(id string) (org.OrganisationID, bool) {
		p, ok := m.structure.programs[structure.ProgramID(id)]
		return p.Org, ok
	}
	if err := side(in.Websites.Accounts, strs(in.Websites.Items), org.Engage, website, program); err != nil {
		return err
	}
	return side(in.Programs.Accounts, strs(in.Programs.Items), org.Loyalty, program, website)
}

func strs[ID ~string](ids []ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// componentNameTaken: another component of the account has the name,
// ignoring case (archived ones too).
func (m *model) componentNameTaken(website bool, account org.AccountID, self, name string) bool {
	if website {
		for id, w := range m.structure.websites {
			if w.Account == account && string(id) != self && strings.EqualFold(w.Name, name) {
				return true
			}
		}
		return false
	}
	for id, p := range m.structure.programs {
		if p.Account == account && string(id) != self && strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

// --- Operations ------------------------------------------------------------------

// createComponent: a website on an Engage account (website set) or a
// program on a Loyalty account, with a valid name unique in the account;
// the organisation need not have its structure.
func (m *model) createComponent(actor org.Actor, website bool, account org.AccountID, name string) (org.OrganisationID, string, error) {
	name, ok := modelName(name)
	if !ok || !modelID(string(account)) {
		return "", name, errInvalid
	}
	a := m.accounts[account]
	if a == nil {
		return "", name, errNotFound
	}
	if err := m.mayManageComponents(actor, a); err != nil {
		return "", name, err
	}
	if want := map[bool]org.Product{true: org.Engage, false: org.Loyalty}[website]; a.Product != want {
		return "", name, errInvalid
	}
	if m.componentNameTaken(website, account, "", name) {
		return "", name, errExists
	}
	return a.Org, name, nil
}

func (m *model) createWebsite(actor org.Actor, in structure.NewWebsite) (func(structure.Website), structure.Website, error) {
	o, name, err := m.createComponent(actor, true, in.Account, in.Name)
	if err != nil {
		return nil, structure.Website{}, err
	}
	want := structure.Website{Org: o, Account: in.Account, Name: name, CreatedAt: m.now}
	return func(w structure.Website) { m.structure.websites[w.ID] = w }, want, nil
}

func (m *model) createProgram(actor org.Actor, in structure.NewProgram) (func(structure.Program), structure.Program, error) {
	o, name, err := m.createComponent(actor, false, in.Account, in.Name)
	if err != nil {
		return nil, structure.Program{}, err
	}
	want := structure.Program{Org: o, Account: in.Account, Name: name, CreatedAt: m.now}
	return func(p structure.Program) { m.structure.programs[p.ID] = p }, want, nil
}

// changeComponent: the component exists, and the actor may manage the
// components of its account.
func (m *model) changeComponent(actor org.Actor, website bool, id string) (org.AccountID, error) {
	if !modelID(id) {
		return "", errInvalid
	}
	var account org.AccountID
	if website {
		w, ok := m.structure.websites[structure.WebsiteID(id)]
		if !ok {
			return "", errNotFound
		}
		account = w.Account
	} else {
		p, ok := m.structure.programs[structure.ProgramID(id)]
		if !ok {
			return "", errNotFound
		}
		account = p.Account
	}
	return account, m.mayManageComponents(actor, m.accounts[account])
}

// archive archives or restores a website or a program, whatever it was.
func (m *model) archive(actor org.Actor, website bool, id string, archived bool) (func(), error) {
	if _, err := m.changeComponent(actor, website, id); err != nil {
		return nil, err
	}
	return func() {
		if website {
			w := m.structure.websites[structure.WebsiteID(id)]
			w.Archived = archived
			m.structure.websites[w.ID] = w
			return
		}
		p := m.structure.programs[structure.ProgramID(id)]
		p.Archived = archived
		m.structure.programs[p.ID] = p
	}, nil
}

// rename renames a website or a program: a valid name, unique in its
// account ignoring case (its own name in another case is fine).
func (m *model) rename(actor org.Actor, website bool, id, name string) (func(), error) {
	name, ok := modelName(name)
	if !ok {
		return nil, errInvalid
	}
	account, err := m.changeComponent(actor, website, id)
	if err != nil {
		return nil, err
	}
	if m.componentNameTaken(website, account, id, name) {
		return nil, errExists
	}
	return func() {
		if website {
			w := m.structure.websites[structure.WebsiteID(id)]
			w.Name = name
			m.structure.websites[w.ID] = w
			return
		}
		p := m.structure.programs[structure.ProgramID(id)]
		p.Name = name
		m.structure.programs[p.ID] = p
	}, nil
}

// createLink: the form first, then the organisation, the actor, the
// structure's availability, and what the link names.
func (m *model) createLink(actor org.Actor, in structure.NewLink) (func(structure.LinkID), structure.Link, error) {
	if !modelID(string(in.Org)) {
		return nil, structure.Link{}, errInvalid
	}
	ch, err := modelLinkForm(structure.LinkChange{Name: in.Name, Websites: in.Websites, Programs: in.Programs})
	if err != nil {
		return nil, structure.Link{}, err
	}
	if err := m.changeStructure(actor, in.Org); err != nil {
		return nil, structure.Link{}, err
	}
	if err := m.linkRefs(in.Org, ch); err != nil {
		return nil, structure.Link{}, err
	}
	l := structure.Link{Org: in.Org, Name: ch.Name, Websites: ch.Websites, Programs: ch.Programs, CreatedAt: m.now, UpdatedAt: m.now}
	return func(id structure.LinkID) {
		l.ID = id
		m.structure.links[id] = l
	}, l, nil
}

// updateLink replaces a link's name and selections under createLink's rules.
func (m *model) updateLink(actor org.Actor, id structure.LinkID, in structure.LinkChange) (func(), structure.Link, error) {
	if !modelID(string(id)) {
		return nil, structure.Link{}, errInvalid
	}
	ch, err := modelLinkForm(in)
	if err != nil {
		return nil, structure.Link{}, err
	}
	l, ok := m.structure.links[id]
	if !ok {
		return nil, structure.Link{}, errNotFound
	}
	if err := m.changeStructure(actor, l.Org); err != nil {
		return nil, structure.Link{}, err
	}
	if err := m.linkRefs(l.Org, ch); err != nil {
		return nil, structure.Link{}, err
	}
	l.Name, l.Websites, l.Programs, l.UpdatedAt = ch.Name, ch.Websites, ch.Programs, m.now
	return func() { m.structure.links[id] = l }, l, nil
}

func (m *model) deleteLink(actor org.Actor, id structure.LinkID) (func(), error) {
	if !modelID(string(id)) {
		return nil, errInvalid
	}
	l, ok := m.structure.links[id]
	if !ok {
		return nil, errNotFound
	}
	if err := m.changeStructure(actor, l.Org); err != nil {
		return nil, err
	}
	return func() { delete(m.structure.links, id) }, nil
}

func (m *model) setDefaultRule(actor org.Actor, o org.OrganisationID, enabled bool) (func(), error) {
	if !modelID(string(o)) {
		return nil, errInvalid
	}
	if err := m.changeStructure(actor, o); err != nil {
		return nil, err
	}
	return func() { m.structure.rules[o] = enabled }, nil
}

// query predicts a query about website w and program p (either may be
// "", not both): both known, the actor may read their organisations'
// structure, and each has one.
func (m *model) query(actor org.Actor, w structure.WebsiteID, p structure.ProgramID) error {
	var orgs []org.OrganisationID
	if w != "" {
		web, ok := m.structure.websites[w]
		if !ok {
			return errNotFound
		}
		orgs = append(orgs, web.Org)
	}
	if p != "" {
		prog, ok := m.structure.programs[p]
		if !ok {
			return errNotFound
		}
		orgs = append(orgs, prog.Org)
	}
	for _, o := range orgs {
		if err := m.mayReadStructure(actor, o); err != nil {
			return err
		}
	}
	for _, o := range orgs {
		if !m.available(o) {
			return structure.ErrStructureUnavailable
		}
	}
	return nil
}
