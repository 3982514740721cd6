package structure

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The queries below answer from the compiled index, at least as fresh as c,
// for an actor who may read the structure of the organisations concerned.
// A host that has authorised its user already can ask the Index itself
// (Service.Index, Service.Current) with no I/O.

// Shares reports whether website w shares its data with program p.
func (s *Service) Shares(ctx context.Context, c storage.Consistency, actor org.Actor, w WebsiteID, p ProgramID) (bool, error) {
	ix, err := s.readIndex(ctx, c, actor, w, p)
	if err != nil {
		return false, err
	}
	return ix.Shares(w, p), nil
}

// Explain reports whether website w shares its data with program p, and
// which custom link or rule decided.
func (s *Service) Explain(ctx context.Context, c storage.Consistency, actor org.Actor, w WebsiteID, p ProgramID) (Decision, error) {
	ix, err := s.readIndex(ctx, c, actor, w, p)
	if err != nil {
		return Decision{}, err
	}
	return ix.Explain(w, p), nil
}

// WebsitesFor returns the websites that share their data with program p,
// by ID: what, say, an earning rule of p may use.
func (s *Service) WebsitesFor(ctx context.Context, c storage.Consistency, actor org.Actor, p ProgramID) ([]Website, error) {
	ix, err := s.readIndex(ctx, c, actor, "", p)
	if err != nil {
		return nil, err
	}
	return ix.WebsitesFor(p), nil
}

// ProgramsFor returns the programs website w shares its data with, by ID.
func (s *Service) ProgramsFor(ctx context.Context, c storage.Consistency, actor org.Actor, w WebsiteID) ([]Program, error) {
	ix, err := s.readIndex(ctx, c, actor, w, "")
	if err != nil {
		return nil, err
	}
	return ix.ProgramsFor(w), nil
}

// readIndex returns the index for a query about website w and program p
// (either may be "", not both): both must be known, the actor must be
// allowed to read their organisations' structure, and those must have one.
func (s *Service) readIndex(ctx context.Context, c storage.Consistency, actor org.Actor, w WebsiteID, p ProgramID) (*Index, error) {
	if w != "" || p == "" {
		if err := org.CheckID("website", string(w)); err != nil {
			return nil, err
		}
	}
	if p != "" {
		if err := org.CheckID("program", string(p)); err != nil {
			return nil, err
		}
	}
	ix, err := s.Index(ctx, c)
	if err != nil {
		return nil, err
	}
	var orgs []org.OrganisationID
	if w != "" {
		web, ok := ix.Website(w)
		if !ok {
			return nil, fmt.Errorf("structure: website %q: %w", w, storage.ErrNotFound)
		}
		orgs = append(orgs, web.Org)
	}
	if p != "" {
		prog, ok := ix.Program(p)
		if !ok {
			return nil, fmt.Errorf("structure: program %q: %w", p, storage.ErrNotFound)
		}
		if len(orgs) == 0 || orgs[0] != prog.Org {
			orgs = append(orgs, prog.Org)
		}
	}
	err = s.tx.View(ctx, c, func(st Store) error {
		for _, o := range orgs {
			if err := authorizeRead(st, actor, o, s.env.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if !ix.Available(o) {
			return nil, fmt.Errorf("structure: organisation %s: %w", o, ErrStructureUnavailable)
		}
	}
	return ix, nil
}
