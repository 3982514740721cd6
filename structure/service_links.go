package structure

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// NewLink describes a custom link of organisation Org. Each side selects
// All, or every component of the listed accounts (Engage accounts on the
// website side, Loyalty accounts on the program side) and the listed
// components, all of the organisation. A side must select something, and
// All stands alone. A selection is a set: accounts and items are stored
// sorted, and an ID given twice is kept once.
type NewLink struct {
	Org org.OrganisationID
	// Name is optional: what Explain shows besides the ID.
	Name     string
	Websites Selection[WebsiteID]
	Programs Selection[ProgramID]
}

// LinkChange is a link's new name and selections, which replace the old
// ones whole, under the rules of NewLink.
type LinkChange struct {
	Name     string
	Websites Selection[WebsiteID]
	Programs Selection[ProgramID]
}

// checkLink validates the form of a link's content.
func checkLink(in LinkChange) (LinkChange, error) {
	var err error
	if in.Name, err = checkLinkName(in.Name); err != nil {
		return in, err
	}
	if in.Websites, err = checkSelection("link Websites", websites.name, in.Websites); err != nil {
		return in, err
	}
	if in.Programs, err = checkSelection("link Programs", programs.name, in.Programs); err != nil {
		return in, err
	}
	return in, nil
}

// checkLinkRefs checks, inside the transaction, what a link's content
// names in organisation o.
func checkLinkRefs(st Store, o org.OrganisationID, in LinkChange) error {
	if err := checkRefs(st, o, "link Websites", websites, programs, in.Websites); err != nil {
		return err
	}
	return checkRefs(st, o, "link Programs", programs, websites, in.Programs)
}

func linkDetail(l Link) string {
	return fmt.Sprintf("link %q: websites %s; programs %s", l.Name, describe(l.Websites), describe(l.Programs))
}

// CreateLink adds a custom link to an organisation: its Owners and
// operators may, once it has its structure. From then on its default rule
// has no effect until its last custom link is deleted.
func (s *Service) CreateLink(ctx context.Context, actor org.Actor, in NewLink) (Link, storage.Revision, error) {
	if err := org.CheckID("link Org", string(in.Org)); err != nil {
		return Link{}, 0, err
	}
	ch, err := checkLink(LinkChange{Name: in.Name, Websites: in.Websites, Programs: in.Programs})
	if err != nil {
		return Link{}, 0, err
	}
	now := s.env.Now()
	l := Link{ID: LinkID(s.env.NewID(linkPrefix)), Org: in.Org, Name: ch.Name, Websites: ch.Websites, Programs: ch.Programs, CreatedAt: now, UpdatedAt: now}
	rev, err := s.update(ctx, func(st Store) error {
		if _, err := st.Organisation(in.Org); err != nil {
			return fmt.Errorf("structure: create link: organisation %q: %w", in.Org, err)
		}
		if err := s.structureWrite(st, actor, in.Org, "create link"); err != nil {
			return err
		}
		if err := checkLinkRefs(st, in.Org, ch); err != nil {
			return err
		}
		if err := st.InsertLink(l); err != nil {
			return fmt.Errorf("structure: create link: %w", err)
		}
		return s.log(st, actor, "structure.link.create", string(l.ID), org.Subject{Org: l.Org}, linkDetail(l))
	})
	if err != nil {
		return Link{}, 0, err
	}
	return l, rev, nil
}

// UpdateLink replaces a custom link's name and selections: the same actors
// as CreateLink may. It returns the link as stored.
func (s *Service) UpdateLink(ctx context.Context, actor org.Actor, id LinkID, in LinkChange) (Link, storage.Revision, error) {
	if err := org.CheckID("link", string(id)); err != nil {
		return Link{}, 0, err
	}
	ch, err := checkLink(in)
	if err != nil {
		return Link{}, 0, err
	}
	var l Link
	rev, err := s.update(ctx, func(st Store) error {
		var err error
		if l, err = st.Link(id); err != nil {
			return fmt.Errorf("structure: update link %q: %w", id, err)
		}
		if err := s.structureWrite(st, actor, l.Org, "update link"); err != nil {
			return err
		}
		if err := checkLinkRefs(st, l.Org, ch); err != nil {
			return err
		}
		l.Name, l.Websites, l.Programs, l.UpdatedAt = ch.Name, ch.Websites, ch.Programs, s.env.Now()
		if err := st.UpdateLink(l); err != nil {
			return fmt.Errorf("structure: update link %q: %w", id, err)
		}
		return s.log(st, actor, "structure.link.update", string(l.ID), org.Subject{Org: l.Org}, linkDetail(l))
	})
	if err != nil {
		return Link{}, 0, err
	}
	return l, rev, nil
}

// DeleteLink removes a custom link: the same actors as CreateLink may.
// Deleting an organisation's last custom link brings its default rule back
// into effect.
func (s *Service) DeleteLink(ctx context.Context, actor org.Actor, id LinkID) (storage.Revision, error) {
	if err := org.CheckID("link", string(id)); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		l, err := st.Link(id)
		if err != nil {
			return fmt.Errorf("structure: delete link %q: %w", id, err)
		}
		if err := s.structureWrite(st, actor, l.Org, "delete link"); err != nil {
			return err
		}
		if err := st.DeleteLink(id); err != nil {
			return fmt.Errorf("structure: delete link %q: %w", id, err)
		}
		return s.log(st, actor, "structure.link.delete", string(l.ID), org.Subject{Org: l.Org}, linkDetail(l))
	})
}

// SetDefaultRule enables or disables an organisation's default rule, which
// decides while it has no custom link: everything is shared when it is
// enabled (as it is initially), nothing when it is disabled. Its Owners and
// operators may, once it has its structure.
func (s *Service) SetDefaultRule(ctx context.Context, actor org.Actor, o org.OrganisationID, enabled bool) (storage.Revision, error) {
	if err := org.CheckID("organisation", string(o)); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("structure: set default rule: organisation %q: %w", o, err)
		}
		if err := s.structureWrite(st, actor, o, "set default rule"); err != nil {
			return err
		}
		old, err := st.DefaultRule(o)
		if err != nil {
			return err
		}
		if err := st.SetDefaultRule(o, enabled); err != nil {
			return fmt.Errorf("structure: set default rule: %w", err)
		}
		return s.log(st, actor, "structure.default_rule.set", string(o), org.Subject{Org: o},
			fmt.Sprintf("default rule %s → %s", onOff(old), onOff(enabled)))
	})
}

func onOff(enabled bool) string {
	if enabled {
		return "enabled"
	}
	return "disabled"
}

// structureWrite authorises a change of organisation o's structure and
// requires that it have one.
func (s *Service) structureWrite(st Store, actor org.Actor, o org.OrganisationID, what string) error {
	if err := authorizeStructure(st, actor, o, s.env.Now()); err != nil {
		return err
	}
	if err := requireAvailable(st, o); err != nil {
		return fmt.Errorf("structure: %s: %w", what, err)
	}
	return nil
}

// structureRead authorises a read of organisation o's structure and
// requires that it have one.
func (s *Service) structureRead(st Store, actor org.Actor, o org.OrganisationID) error {
	if _, err := st.Organisation(o); err != nil {
		return fmt.Errorf("structure: organisation %q: %w", o, err)
	}
	if err := authorizeRead(st, actor, o, s.env.Now()); err != nil {
		return err
	}
	if err := requireAvailable(st, o); err != nil {
		return fmt.Errorf("structure: %w", err)
	}
	return nil
}

// Links lists organisation o's custom links by ID to those who may read
// its structure. The listing is bounded by the organisation's size.
func (s *Service) Links(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID) ([]Link, error) {
	if err := org.CheckID("organisation", string(o)); err != nil {
		return nil, err
	}
	var out []Link
	err := s.tx.View(ctx, c, func(st Store) error {
		if err := s.structureRead(st, actor, o); err != nil {
			return err
		}
		var err error
		out, err = st.LinksOfOrg(o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Link returns one custom link to those who may read its organisation's
// structure.
func (s *Service) Link(ctx context.Context, c storage.Consistency, actor org.Actor, id LinkID) (Link, error) {
	if err := org.CheckID("link", string(id)); err != nil {
		return Link{}, err
	}
	var l Link
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if l, err = st.Link(id); err != nil {
			return fmt.Errorf("structure: link %q: %w", id, err)
		}
		return s.structureRead(st, actor, l.Org)
	})
	if err != nil {
		return Link{}, err
	}
	return l, nil
}

// DefaultRule reports whether organisation o's default rule is enabled, to
// those who may read its structure.
func (s *Service) DefaultRule(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID) (bool, error) {
	if err := org.CheckID("organisation", string(o)); err != nil {
		return false, err
	}
	var enabled bool
	err := s.tx.View(ctx, c, func(st Store) error {
		if err := s.structureRead(st, actor, o); err != nil {
			return err
		}
		var err error
		enabled, err = st.DefaultRule(o)
		return err
	})
	return enabled, err
}
