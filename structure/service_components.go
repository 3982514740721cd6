package structure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// NewWebsite describes a website to create on an Engage account.
type NewWebsite struct {
	Account org.AccountID
	// Name is unique among the account's websites, ignoring case.
	Name string
}

// NewProgram describes a program to create on a Loyalty account.
type NewProgram struct {
	Account org.AccountID
	// Name is unique among the account's programs, ignoring case.
	Name string
}

// CreateWebsite adds a website to an Engage account. Its Administrators,
// the organisation's Owners and operators may; the organisation need not
// have its structure yet. A custom link includes the new website only if
// it selects All websites or all of the account's.
func (s *Service) CreateWebsite(ctx context.Context, actor org.Actor, in NewWebsite) (Website, storage.Revision, error) {
	c, rev, err := createPart(s, ctx, actor, websites, in.Account, in.Name)
	return websites.from(c), rev, err
}

// CreateProgram adds a program to a Loyalty account, as CreateWebsite adds
// a website.
func (s *Service) CreateProgram(ctx context.Context, actor org.Actor, in NewProgram) (Program, storage.Revision, error) {
	c, rev, err := createPart(s, ctx, actor, programs, in.Account, in.Name)
	return programs.from(c), rev, err
}

// RenameWebsite renames a website: the same actors as CreateWebsite may.
func (s *Service) RenameWebsite(ctx context.Context, actor org.Actor, id WebsiteID, name string) (storage.Revision, error) {
	return renamePart(s, ctx, actor, websites, string(id), name)
}

// RenameProgram renames a program: the same actors as CreateProgram may.
func (s *Service) RenameProgram(ctx context.Context, actor org.Actor, id ProgramID, name string) (storage.Revision, error) {
	return renamePart(s, ctx, actor, programs, string(id), name)
}

// ArchiveWebsite archives a website (archived true) or restores it (false):
// the same actors as CreateWebsite may. An archived website shares nothing
// and is listed only on request; links that list it keep it, so restoring
// it restores what it shared.
func (s *Service) ArchiveWebsite(ctx context.Context, actor org.Actor, id WebsiteID, archived bool) (storage.Revision, error) {
	return archivePart(s, ctx, actor, websites, string(id), archived)
}

// ArchiveProgram archives or restores a program, as ArchiveWebsite does a
// website.
func (s *Service) ArchiveProgram(ctx context.Context, actor org.Actor, id ProgramID, archived bool) (storage.Revision, error) {
	return archivePart(s, ctx, actor, programs, string(id), archived)
}

// Website returns a website to those who may read its organisation's
// structure (see Service); the organisation need not have its structure.
func (s *Service) Website(ctx context.Context, c storage.Consistency, actor org.Actor, id WebsiteID) (Website, error) {
	p, err := getPart(s, ctx, c, actor, websites, string(id))
	return websites.from(p), err
}

// Program returns a program, as Website returns a website.
func (s *Service) Program(ctx context.Context, c storage.Consistency, actor org.Actor, id ProgramID) (Program, error) {
	p, err := getPart(s, ctx, c, actor, programs, string(id))
	return programs.from(p), err
}

// Websites lists organisation o's websites by ID, the archived ones too
// when withArchived is set, to those who may read its structure; the
// organisation need not have its structure. The listing is bounded by the
// organisation's size.
func (s *Service) Websites(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, withArchived bool) ([]Website, error) {
	return listParts(s, ctx, c, actor, websites, o, withArchived)
}

// Programs lists organisation o's programs, as Websites lists websites.
func (s *Service) Programs(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, withArchived bool) ([]Program, error) {
	return listParts(s, ctx, c, actor, programs, o, withArchived)
}

// part is what websites and programs have in common, so that one piece of
// code creates, renames, archives and lists both.
type part struct {
	ID        string
	Org       org.OrganisationID
	Account   org.AccountID
	Name      string
	Archived  bool
	CreatedAt time.Time
}

// finder looks components of one kind up, by any ID.
type finder interface {
	noun() string
	product() org.Product
	find(st Store, id string) (part, error)
}

// kind is how websites or programs are stored.
type kind[T any] struct {
	name   string // "website"
	prefix string
	prod   org.Product
	to     func(T) part
	from   func(part) T
	get    func(Store, string) (T, error)
	insert func(Store, T) error
	put    func(Store, T) error
	ofOrg  func(Store, org.OrganisationID) ([]T, error)
}

func (k kind[T]) noun() string         { return k.name }
func (k kind[T]) product() org.Product { return k.prod }

func (k kind[T]) find(st Store, id string) (part, error) {
	v, err := k.get(st, id)
	if err != nil {
		return part{}, err
	}
	return k.to(v), nil
}

var websites = kind[Website]{
	name: "website", prefix: websitePrefix, prod: org.Engage,
	to: func(w Website) part {
		return part{ID: string(w.ID), Org: w.Org, Account: w.Account, Name: w.Name, Archived: w.Archived, CreatedAt: w.CreatedAt}
	},
	from: func(p part) Website {
		return Website{ID: WebsiteID(p.ID), Org: p.Org, Account: p.Account, Name: p.Name, Archived: p.Archived, CreatedAt: p.CreatedAt}
	},
	get:    func(st Store, id string) (Website, error) { return st.Website(WebsiteID(id)) },
	insert: func(st Store, w Website) error { return st.InsertWebsite(w) },
	put:    func(st Store, w Website) error { return st.UpdateWebsite(w) },
	ofOrg:  func(st Store, o org.OrganisationID) ([]Website, error) { return st.WebsitesOfOrg(o) },
}

var programs = kind[Program]{
	name: "program", prefix: programPrefix, prod: org.Loyalty,
	to: func(p Program) part {
		return part{ID: string(p.ID), Org: p.Org, Account: p.Account, Name: p.Name, Archived: p.Archived, CreatedAt: p.CreatedAt}
	},
	from: func(p part) Program {
		return Program{ID: ProgramID(p.ID), Org: p.Org, Account: p.Account, Name: p.Name, Archived: p.Archived, CreatedAt: p.CreatedAt}
	},
	get:    func(st Store, id string) (Program, error) { return st.Program(ProgramID(id)) },
	insert: func(st Store, p Program) error { return st.InsertProgram(p) },
	put:    func(st Store, p Program) error { return st.UpdateProgram(p) },
	ofOrg:  func(st Store, o org.OrganisationID) ([]Program, error) { return st.ProgramsOfOrg(o) },
}

func createPart[T any](s *Service, ctx context.Context, actor org.Actor, k kind[T], account org.AccountID, name string) (part, storage.Revision, error) {
	name, err := org.CheckName(k.name+" name", name)
	if err != nil {
		return part{}, 0, err
	}
	if err := org.CheckID(k.name+" account", string(account)); err != nil {
		return part{}, 0, err
	}
	now := s.env.Now()
	p := part{ID: s.env.NewID(k.prefix), Account: account, Name: name, CreatedAt: now}
	rev, err := s.update(ctx, func(st Store) error {
		a, err := st.Account(account)
		if err != nil {
			return fmt.Errorf("structure: create %s: account %q: %w", k.name, account, err)
		}
		if err := authorizeComponent(st, actor, a, k.name, now); err != nil {
			return err
		}
		if a.Product != k.prod {
			return invalid(k.name+" account", "%q is an account of product %s: %ss belong to %s accounts", account, a.Product, k.name, k.prod)
		}
		p.Org = a.Org
		if err := uniqueName(st, k, p); err != nil {
			return err
		}
		if err := k.insert(st, k.from(p)); err != nil {
			return fmt.Errorf("structure: create %s: %w", k.name, err)
		}
		return s.log(st, actor, "structure."+k.name+".create", p.ID, org.Subject{Org: a.Org, Account: a.ID}, fmt.Sprintf("%s %q", k.name, name))
	})
	if err != nil {
		return part{}, 0, err
	}
	return p, rev, nil
}

// uniqueName refuses a name another component of p's account has,
// ignoring case (archived ones too: restore one rather than make another).
func uniqueName[T any](st Store, k kind[T], p part) error {
	all, err := k.ofOrg(st, p.Org)
	if err != nil {
		return err
	}
	for _, v := range all {
		if o := k.to(v); o.Account == p.Account && o.ID != p.ID && strings.EqualFold(o.Name, p.Name) {
			return fmt.Errorf("structure: account %s has a %s named %q already (%s): %w", p.Account, k.name, o.Name, o.ID, storage.ErrAlreadyExists)
		}
	}
	return nil
}

// changePart looks a component and its account up, authorises the actor,
// applies change and stores the result, in one transaction.
func changePart[T any](s *Service, ctx context.Context, actor org.Actor, k kind[T], id string, verb string, change func(st Store, p *part) (action, detail string, err error)) (storage.Revision, error) {
	if err := org.CheckID(k.name, id); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		p, err := k.find(st, id)
		if err != nil {
			return fmt.Errorf("structure: %s %s %q: %w", verb, k.name, id, err)
		}
		a, err := st.Account(p.Account)
		if err != nil {
			return fmt.Errorf("structure: %s %s %q: account %q: %w", verb, k.name, id, p.Account, err)
		}
		if err := authorizeComponent(st, actor, a, k.name, s.env.Now()); err != nil {
			return err
		}
		action, detail, err := change(st, &p)
		if err != nil {
			return err
		}
		if err := k.put(st, k.from(p)); err != nil {
			return fmt.Errorf("structure: %s %s %q: %w", verb, k.name, id, err)
		}
		return s.log(st, actor, "structure."+k.name+"."+action, p.ID, org.Subject{Org: p.Org, Account: p.Account}, detail)
	})
}

func renamePart[T any](s *Service, ctx context.Context, actor org.Actor, k kind[T], id, name string) (storage.Revision, error) {
	name, err := org.CheckName(k.name+" name", name)
	if err != nil {
		return 0, err
	}
	return changePart(s, ctx, actor, k, id, "rename", func(st Store, p *part) (string, string, error) {
		old := p.Name
		p.Name = name
		if err := uniqueName(st, k, *p); err != nil {
			return "", "", err
		}
		return "rename", fmt.Sprintf("renamed %q to %q", old, name), nil
	})
}

func archivePart[T any](s *Service, ctx context.Context, actor org.Actor, k kind[T], id string, archived bool) (storage.Revision, error) {
	return changePart(s, ctx, actor, k, id, "archive", func(_ Store, p *part) (string, string, error) {
		p.Archived = archived
		if archived {
			return "archive", fmt.Sprintf("%s %q archived", k.name, p.Name), nil
		}
		return "unarchive", fmt.Sprintf("%s %q restored", k.name, p.Name), nil
	})
}

func getPart[T any](s *Service, ctx context.Context, c storage.Consistency, actor org.Actor, k kind[T], id string) (part, error) {
	if err := org.CheckID(k.name, id); err != nil {
		return part{}, err
	}
	var p part
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if p, err = k.find(st, id); err != nil {
			return fmt.Errorf("structure: %s %q: %w", k.name, id, err)
		}
		return authorizeRead(st, actor, p.Org, s.env.Now())
	})
	if err != nil {
		return part{}, err
	}
	return p, nil
}

func listParts[T any](s *Service, ctx context.Context, c storage.Consistency, actor org.Actor, k kind[T], o org.OrganisationID, withArchived bool) ([]T, error) {
	if err := org.CheckID("organisation", string(o)); err != nil {
		return nil, err
	}
	var out []T
	err := s.tx.View(ctx, c, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("structure: %ss of organisation %q: %w", k.name, o, err)
		}
		if err := authorizeRead(st, actor, o, s.env.Now()); err != nil {
			return err
		}
		all, err := k.ofOrg(st, o)
		if err != nil {
			return err
		}
		for _, v := range all {
			if withArchived || !k.to(v).Archived {
				out = append(out, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
