package community

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Limits of shared fields and their values.
const (
	// MaxOptions is the most options a choice field may have.
	MaxOptions = 100
	// MaxTextLength is the most characters a text value may have.
	MaxTextLength = 2000
)

// FieldInput is what an organisation says about a shared field.
type FieldInput struct {
	Label      string
	Type       FieldType
	Options    []string
	Required   bool
	Visibility Visibility
}

// CheckField validates a field definition and returns it normalised: a
// label (as org.CheckName), a known type and visibility, and options
// exactly for the choice types: at least one, at most MaxOptions,
// distinct, each a valid name.
func CheckField(in FieldInput) (FieldInput, error) {
	label, err := org.CheckName("field label", in.Label)
	if err != nil {
		return in, err
	}
	in.Label = label
	if !in.Type.Valid() {
		return in, invalid("field type", "%d is unknown", in.Type)
	}
	if !in.Visibility.Valid() {
		return in, invalid("field visibility", "%d is unknown", in.Visibility)
	}
	choice := in.Type == FieldChoice || in.Type == FieldChoices
	switch {
	case !choice && len(in.Options) > 0:
		return in, invalid("field options", "are only for choice fields, not %s", in.Type)
	case choice && len(in.Options) == 0:
		return in, invalid("field options", "are empty; a %s field needs at least one", in.Type)
	case len(in.Options) > MaxOptions:
		return in, invalid("field options", "are more than %d", MaxOptions)
	}
	opts := make([]string, 0, len(in.Options))
	for _, o := range in.Options {
		o, err := org.CheckName("field option", o)
		if err != nil {
			return in, err
		}
		if slices.Contains(opts, o) {
			return in, invalid("field options", "list %q twice", o)
		}
		opts = append(opts, o)
	}
	in.Options = nil
	if len(opts) > 0 {
		in.Options = opts
	}
	return in, nil
}

// CheckValues validates values of field f as a form sends them and
// returns them in canonical form: text trimmed; numbers as strconv's
// shortest form; dates as YYYY-MM-DD; "yes" or "no"; choices as the
// option's own spelling (matched ignoring case), multiple choices in the
// field's option order. Every type takes exactly one value but
// FieldChoices, which takes any number of distinct options. An empty
// result means "no answer".
func CheckValues(f Field, values []string) ([]string, error) {
	field := "answer to " + strconv.Quote(f.Label)
	if f.Type != FieldChoices && len(values) > 1 {
		return nil, invalid(field, "has %d values; a %s field takes one", len(values), f.Type)
	}
	var out []string
	for _, v := range values {
		if !utf8.ValidString(v) {
			return nil, invalid(field, "is not valid UTF-8")
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		c, err := canonicalValue(f, v)
		if err != nil {
			return nil, invalid(field, "%s", err)
		}
		if slices.Contains(out, c) {
			return nil, invalid(field, "chooses %q twice", c)
		}
		out = append(out, c)
	}
	if f.Type == FieldChoices {
		slices.SortFunc(out, func(a, b string) int { return slices.Index(f.Options, a) - slices.Index(f.Options, b) })
	}
	return out, nil
}

func canonicalValue(f Field, v string) (string, error) {
	switch f.Type {
	case FieldText:
		if utf8.RuneCountInString(v) > MaxTextLength {
			return "", fmt.Errorf("is longer than %d characters", MaxTextLength)
		}
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
			return "", fmt.Errorf("contains a control character")
		}
		return v, nil
	case FieldNumber:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return "", fmt.Errorf("%q is not a number", v)
		}
		return strconv.FormatFloat(n, 'g', -1, 64), nil
	case FieldDate:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return "", fmt.Errorf("%q is not a date (YYYY-MM-DD)", v)
		}
		return d.Format(time.DateOnly), nil
	case FieldYesNo:
		switch strings.ToLower(v) {
		case "yes", "true":
			return "yes", nil
		case "no", "false":
			return "no", nil
		}
		return "", fmt.Errorf("%q is not yes or no", v)
	case FieldChoice, FieldChoices:
		for _, o := range f.Options {
			if strings.EqualFold(o, v) {
				return o, nil
			}
		}
		return "", fmt.Errorf("%q is not one of the options", v)
	}
	return "", fmt.Errorf("field type %s is unknown", f.Type)
}

// checkAnswers validates answers to event e's fields that a writer with
// reach r may fill: the public fields, and the organisation-only ones
// when r is orgReach. A field the event does not ask, or that the writer
// may not fill, is refused; a required field among those the writer
// fills must have a value. It returns the canonical answers, nil when
// empty.
func checkAnswers(st Store, e Event, r reach, a Answers) (Answers, error) {
	fields, err := fieldsOf(st, e, r)
	if err != nil {
		return nil, err
	}
	for id := range a {
		if !slices.ContainsFunc(fields, func(f Field) bool { return f.ID == id }) {
			return nil, invalid("answers", "field %q is not asked by event %s", id, e.ID)
		}
	}
	var out Answers
	for _, f := range fields {
		v, err := CheckValues(f, a[f.ID])
		if err != nil {
			return nil, err
		}
		if len(v) == 0 {
			if f.Required {
				return nil, invalid("answer to "+strconv.Quote(f.Label), "is required")
			}
			continue
		}
		if out == nil {
			out = Answers{}
		}
		out[f.ID] = v
	}
	return out, nil
}

// fieldsOf returns the fields of event e a reader with reach r sees, in
// form order: every field for orgReach, the public ones otherwise.
func fieldsOf(st Store, e Event, r reach) ([]Field, error) {
	var out []Field
	for _, id := range e.Fields {
		f, err := st.Field(id)
		if err != nil {
			return nil, fmt.Errorf("community: event %s field %q: %w", e.ID, id, err)
		}
		if f.Visibility == Public || r == orgReach {
			out = append(out, f)
		}
	}
	return out, nil
}

// visibleAnswers keeps the answers to fields a reader with reach r sees.
func visibleAnswers(fields []Field, a Answers) Answers {
	var out Answers
	for _, f := range fields {
		if v, ok := a[f.ID]; ok {
			if out == nil {
				out = Answers{}
			}
			out[f.ID] = v
		}
	}
	return out
}

// DefineField adds a field to organisation o's shared library. Its
// Owners and Members may.
func (s *Service) DefineField(ctx context.Context, actor org.Actor, o org.OrganisationID, in FieldInput) (Field, storage.Revision, error) {
	in, err := CheckField(in)
	if err != nil {
		return Field{}, 0, err
	}
	var f Field
	rev, err := s.update(ctx, func(st Store) error {
		if err := orgReachOf(st, actor, o, "define a shared field"); err != nil {
			return err
		}
		now := s.env.Now()
		f = Field{ID: FieldID(s.env.NewID("fld")), Org: o, Label: in.Label, Type: in.Type, Options: in.Options,
			Required: in.Required, Visibility: in.Visibility, CreatedAt: now, UpdatedAt: now}
		if err := st.InsertField(f); err != nil {
			return fmt.Errorf("community: define field %q: %w", in.Label, err)
		}
		return s.log(st, actor, "field.define", string(f.ID), o, "defined field "+string(f.ID))
	})
	if err != nil {
		return Field{}, 0, err
	}
	return f, rev, nil
}

// EditField replaces field id's definition. While a participation or a
// person's last answers hold a value of the field, its type cannot
// change and no option can be removed (storage.ErrFailedPrecondition):
// values are never migrated or left invalid. The organisation's Owners
// and Members may.
func (s *Service) EditField(ctx context.Context, actor org.Actor, id FieldID, in FieldInput) (Field, storage.Revision, error) {
	in, err := CheckField(in)
	if err != nil {
		return Field{}, 0, err
	}
	var f Field
	rev, err := s.update(ctx, func(st Store) error {
		if err := org.CheckID("field", string(id)); err != nil {
			return err
		}
		f, err = st.Field(id)
		if err != nil {
			return fmt.Errorf("community: edit field %q: %w", id, err)
		}
		if err := orgReachOf(st, actor, f.Org, "edit a shared field"); err != nil {
			return err
		}
		removes := slices.ContainsFunc(f.Options, func(o string) bool { return !slices.Contains(in.Options, o) })
		if in.Type != f.Type || removes {
			used, err := st.FieldInUse(id)
			if err != nil {
				return err
			}
			if used {
				return fmt.Errorf("community: edit field %q: values of it exist, so its type cannot change and no option can be removed: %w", f.Label, storage.ErrFailedPrecondition)
			}
		}
		f.Label, f.Type, f.Options, f.Required, f.Visibility = in.Label, in.Type, in.Options, in.Required, in.Visibility
		f.UpdatedAt = s.env.Now()
		if err := st.UpdateField(f); err != nil {
			return fmt.Errorf("community: edit field %q: %w", id, err)
		}
		return s.log(st, actor, "field.edit", string(id), f.Org, "edited field "+string(id))
	})
	if err != nil {
		return Field{}, 0, err
	}
	return f, rev, nil
}

// Fields lists organisation o's shared field library, ordered by ID. Its
// Owners and Members may.
func (s *Service) Fields(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID) ([]Field, error) {
	var out []Field
	err := s.view(ctx, c, func(st Store) error {
		if err := orgReachOf(st, actor, o, "list shared fields"); err != nil {
			return err
		}
		var err error
		out, err = st.FieldsOfOrg(o)
		return err
	})
	return out, err
}

// Form returns the fields of event id that actor fills and sees, in form
// order: the public ones for System (the host's application page) and
// the event's managers, every one for the organisation's users.
func (s *Service) Form(ctx context.Context, c storage.Consistency, actor org.Actor, id EventID) ([]Field, error) {
	var out []Field
	err := s.view(ctx, c, func(st Store) error {
		e, r, err := eventFor(st, actor, id, eventReach, "read an event's form")
		if err != nil {
			return err
		}
		out, err = fieldsOf(st, e, formReach(actor, r))
		return err
	})
	return out, err
}

// formReach is the reach whose fields actor fills: System acts for the
// applicant, who fills the public fields only.
func formReach(actor org.Actor, r reach) reach {
	if actor.Kind == org.ActorSystem {
		return eventReach
	}
	return r
}
