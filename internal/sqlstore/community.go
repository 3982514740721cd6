package sqlstore

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

var _ community.Store = (*Tx)(nil)

// The community's tables are in migration 0006. Community writes run in
// logged transactions, which hold the head row, so no lookup here takes a
// row lock.
//
// Lists (an event's fields, a field's options, a person's last values of a
// field) are JSON arrays and a participation's answers a JSON object, NULL
// when empty. Answers keep only the fields that have values: a field
// without any holds nothing, for the readers as for FieldInUse, which
// looks the field up in participation_fields (a row per field a
// participation's answers hold) and last_answers.

const communityEventCols = `id, org_id, name, starts_at, ends_at, time_zone, lat, lon, fields, archived, participants,
	created_at, created_by, updated_at`

func scanCommunityEvent(r Rows) (community.Event, error) {
	var e community.Event
	err := r.Scan(&e.ID, &e.Org, &e.Name, timeCol{&e.Start}, timeCol{&e.End}, &e.TimeZone, &e.Location.Lat, &e.Location.Lon,
		listCol[community.FieldID]{&e.Fields}, &e.Archived, &e.Participants, timeCol{&e.CreatedAt}, &e.CreatedBy, timeCol{&e.UpdatedAt})
	return e, err
}

func communityEventName(id community.EventID) string { return "community event " + string(id) }

// InsertEvent implements community.Store.
func (tx *Tx) InsertEvent(e community.Event) error {
	a := args{}
	a.add(e.ID, e.Org, e.Name)
	a.time("event start", e.Start)
	a.time("event end", e.End)
	a.add(e.TimeZone, e.Location.Lat, e.Location.Lon, listArg(e.Fields), e.Archived, int64(e.Participants))
	a.time("event created at", e.CreatedAt)
	a.add(e.CreatedBy)
	a.time("event updated at", e.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert "+communityEventName(e.ID),
		`INSERT INTO community_events (`+communityEventCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted(communityEventName(e.ID), n, err)
}

// UpdateEvent implements community.Store: the organisation and who created
// the event when stay.
func (tx *Tx) UpdateEvent(e community.Event) error {
	a := args{}
	a.add(e.ID, e.Name)
	a.time("event start", e.Start)
	a.time("event end", e.End)
	a.add(e.TimeZone, e.Location.Lat, e.Location.Lon, listArg(e.Fields), e.Archived, int64(e.Participants))
	a.time("event updated at", e.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("update "+communityEventName(e.ID),
		`UPDATE community_events SET name = $2, starts_at = $3, ends_at = $4, time_zone = $5, lat = $6, lon = $7, fields = $8,
			archived = $9, participants = $10, updated_at = $11 WHERE id = $1`, a.vals...)
	return tx.found(communityEventName(e.ID), n, err)
}

// CommunityEvent implements community.Store.
func (tx *Tx) CommunityEvent(id community.EventID) (e community.Event, err error) {
	err = tx.one(communityEventName(id), func(r Rows) (err error) { e, err = scanCommunityEvent(r); return err },
		`SELECT `+communityEventCols+` FROM community_events WHERE id = $1`, id)
	return e, err
}

// EventsOfOrg implements community.Store.
func (tx *Tx) EventsOfOrg(o org.OrganisationID, fn func(community.Event) error) error {
	return each(tx, "community events of organisation "+string(o), scanCommunityEvent, fn,
		`SELECT `+communityEventCols+` FROM community_events WHERE org_id = $1 ORDER BY id`, o)
}

// EventsIn implements community.Store: an ID given twice is one event.
func (tx *Tx) EventsIn(ids []community.EventID, fn func(community.Event) error) error {
	return tx.queryIn("community events", "community events in", inChunks(ids), nil,
		func(in string) string {
			return `SELECT ` + communityEventCols + ` FROM community_events WHERE id IN (` + in + `) ORDER BY id`
		},
		func(r Rows) error {
			e, err := scanCommunityEvent(r)
			if err != nil {
				return tx.fail("community events", err)
			}
			return fn(e)
		})
}

// maxIn is the most IDs the IN list of one query takes.
const maxIn = 512

// inChunks returns ids sorted and each once, as the parameters of the IN
// lists of queries: chunks of at most maxIn IDs, each a power of two long,
// the last one padded by repeating its last ID, so that a connection
// prepares a handful of forms of a statement however many IDs it gets.
func inChunks[T ~string](ids []T) [][]any {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	slices.Sort(s)
	s = slices.Compact(s)
	var out [][]any
	for len(s) > 0 {
		n := min(len(s), maxIn)
		size := 1
		for size < n {
			size *= 2
		}
		c := make([]any, size)
		for i := range c {
			c[i] = s[min(i, n-1)]
		}
		out = append(out, c)
		s = s[n:]
	}
	return out
}

// queryIn runs the query that build makes of an IN list for each chunk of
// inChunks, its parameters after args, and calls scan for every row. name
// names the statement: build must make the same one for the same length.
func (tx *Tx) queryIn(what, name string, chunks [][]any, args []any, build func(in string) string, scan func(Rows) error) error {
	if err := tx.usable(false); err != nil {
		return err
	}
	for _, c := range chunks {
		query := rowStatement(name, len(c), func(n int) string { return build(paramList(len(args)+1, n)) })
		if err := tx.query(what, scan, query, append(slices.Clip(args), c...)...); err != nil {
			return err
		}
	}
	return nil
}

// paramList returns n parameters from $first on: "$first, …".
func paramList(first, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "$%d", first+i)
	}
	return sb.String()
}

// People: name_key is community.NameKey of the name, which DirectMembers
// orders and searches by; community_members keeps a copy per organisation.

const personCols = `id, name, email, birth_date, home_lat, home_lon, created_at, updated_at`

// personColsOf is personCols of the table named p.
const personColsOf = `p.id, p.name, p.email, p.birth_date, p.home_lat, p.home_lon, p.created_at, p.updated_at`

func personDest(p *community.Person) []any {
	return []any{&p.ID, &p.Name, &p.Email, timeCol{&p.BirthDate}, &p.Home.Lat, &p.Home.Lon, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}}
}

func scanPerson(r Rows) (community.Person, error) {
	var p community.Person
	err := r.Scan(personDest(&p)...)
	return p, err
}

// PutPerson implements community.Store. The person is written only when
// no other has the email, so a taken one changes nothing and is no
// database error; the member rows of a person whose name changed follow.
func (tx *Tx) PutPerson(p community.Person) error {
	key := community.NameKey(p.Name)
	a := args{}
	a.add(p.ID, p.Name, key, p.Email)
	a.time("person birth date", p.BirthDate)
	a.add(p.Home.Lat, p.Home.Lon)
	a.time("person created at", p.CreatedAt)
	a.time("person updated at", p.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	what := "person " + string(p.ID)
	n, err := tx.exec("put "+what,
		`INSERT INTO people (id, name, name_key, email, birth_date, home_lat, home_lon, created_at, updated_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM people WHERE email = $4 AND id <> $1)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, email = excluded.email,
			birth_date = excluded.birth_date, home_lat = excluded.home_lat, home_lon = excluded.home_lon,
			updated_at = excluded.updated_at`, a.vals...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %s: the email %s is another person's: %w", tx.d.Name, what, p.Email, storage.ErrAlreadyExists)
	}
	_, err = tx.exec("put "+what, `UPDATE community_members SET name_key = $2 WHERE person_id = $1 AND name_key <> $2`, p.ID, key)
	return err
}

// Person implements community.Store.
func (tx *Tx) Person(id community.PersonID) (p community.Person, err error) {
	err = tx.one("person "+string(id), func(r Rows) (err error) { p, err = scanPerson(r); return err },
		`SELECT `+personCols+` FROM people WHERE id = $1`, id)
	return p, err
}

// PersonByEmail implements community.Store. The email is compared
// exactly.
func (tx *Tx) PersonByEmail(email string) (p community.Person, err error) {
	err = tx.one("person with email "+email, func(r Rows) (err error) { p, err = scanPerson(r); return err },
		`SELECT `+personCols+` FROM people WHERE email = $1`, email)
	return p, err
}

const participationCols = `event_id, person_id, status, answers, worked, applied_at, updated_at, updated_by`

func scanParticipation(r Rows) (community.Participation, error) {
	var p community.Participation
	err := r.Scan(&p.Event, &p.Person, (*uint8)(&p.Status), answersCol{&p.Answers}, (*int64)(&p.Worked),
		timeCol{&p.AppliedAt}, timeCol{&p.UpdatedAt}, &p.UpdatedBy)
	return p, err
}

func participationName(e community.EventID, p community.PersonID) string {
	return "participation of person " + string(p) + " in event " + string(e)
}

// answersArg stores answers as a JSON object of the fields that have
// values; NULL when none has.
func answersArg(a community.Answers) any {
	kept := a
	for _, vs := range a {
		if len(vs) == 0 {
			kept = maps.Clone(a)
			maps.DeleteFunc(kept, func(_ community.FieldID, vs []string) bool { return len(vs) == 0 })
			break
		}
	}
	if len(kept) == 0 {
		return nil
	}
	b, _ := json.Marshal(kept) // strings always encode
	return string(b)
}

// answerFields returns the fields a holds values of, sorted.
func answerFields(a community.Answers) []community.FieldID {
	var fs []community.FieldID
	for f, vs := range a {
		if len(vs) > 0 {
			fs = append(fs, f)
		}
	}
	slices.Sort(fs)
	return fs
}

// answersCol scans a column of answersArg into *a: NULL is nil.
type answersCol struct{ a *community.Answers }

// Scan implements sql.Scanner.
func (c answersCol) Scan(src any) error {
	var a community.Answers
	if err := scanJSON(src, &a); err != nil {
		return err
	}
	for f, vs := range a {
		if len(vs) == 0 {
			delete(a, f)
		}
	}
	if len(a) == 0 {
		a = nil
	}
	*c.a = a
	return nil
}

// InsertParticipation implements community.Store.
func (tx *Tx) InsertParticipation(p community.Participation) error {
	a := args{}
	a.add(p.Event, p.Person, int64(p.Status), answersArg(p.Answers), int64(p.Worked))
	a.time("participation applied at", p.AppliedAt)
	a.time("participation updated at", p.UpdatedAt)
	a.add(p.UpdatedBy)
	if a.err != nil {
		return a.err
	}
	what := participationName(p.Event, p.Person)
	n, err := tx.exec("insert "+what,
		`INSERT INTO participations (`+participationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, a.vals...)
	if err := tx.inserted(what, n, err); err != nil {
		return err
	}
	return tx.insertParticipationFields(p)
}

// UpdateParticipation implements community.Store: when it applied stays.
func (tx *Tx) UpdateParticipation(p community.Participation) error {
	a := args{}
	a.add(p.Event, p.Person, int64(p.Status), answersArg(p.Answers), int64(p.Worked))
	a.time("participation updated at", p.UpdatedAt)
	a.add(p.UpdatedBy)
	if a.err != nil {
		return a.err
	}
	what := participationName(p.Event, p.Person)
	n, err := tx.exec("update "+what,
		`UPDATE participations SET status = $3, answers = $4, worked = $5, updated_at = $6, updated_by = $7
		WHERE event_id = $1 AND person_id = $2`, a.vals...)
	if err := tx.found(what, n, err); err != nil {
		return err
	}
	if _, err := tx.exec("update "+what, `DELETE FROM participation_fields WHERE event_id = $1 AND person_id = $2`,
		p.Event, p.Person); err != nil {
		return err
	}
	return tx.insertParticipationFields(p)
}

// insertParticipationFields writes the rows of participation_fields for
// the fields p's answers hold values of.
func (tx *Tx) insertParticipationFields(p community.Participation) error {
	fields := answerFields(p.Answers)
	rows := make([][]any, len(fields))
	for i, f := range fields {
		rows[i] = []any{p.Event, p.Person, f}
	}
	return tx.insertRows("write the answered fields of "+participationName(p.Event, p.Person),
		`participation_fields (event_id, person_id, field_id)`, rows)
}

// Participation implements community.Store.
func (tx *Tx) Participation(e community.EventID, p community.PersonID) (x community.Participation, err error) {
	err = tx.one(participationName(e, p), func(r Rows) (err error) { x, err = scanParticipation(r); return err },
		`SELECT `+participationCols+` FROM participations WHERE event_id = $1 AND person_id = $2`, e, p)
	return x, err
}

// ParticipationsOfEvent implements community.Store.
func (tx *Tx) ParticipationsOfEvent(e community.EventID, after community.PersonID, limit int) ([]community.Participation, error) {
	what := "participations of event " + string(e)
	if err := tx.checkLimit(what, limit); err != nil {
		return nil, err
	}
	return list(tx, what, scanParticipation,
		`SELECT `+participationCols+` FROM participations WHERE event_id = $1 AND person_id > $2 ORDER BY person_id LIMIT $3`,
		e, after, limit)
}

// ParticipationsOfPerson implements community.Store.
func (tx *Tx) ParticipationsOfPerson(p community.PersonID) ([]community.Participation, error) {
	return list(tx, "participations of person "+string(p), scanParticipation,
		`SELECT `+participationCols+` FROM participations WHERE person_id = $1 ORDER BY event_id`, p)
}

// FieldInUse implements community.Store.
func (tx *Tx) FieldInUse(f community.FieldID) (used bool, err error) {
	err = tx.one("uses of field "+string(f), func(r Rows) error { return r.Scan(&used) },
		`SELECT EXISTS (SELECT 1 FROM participation_fields WHERE field_id = $1)
			OR EXISTS (SELECT 1 FROM last_answers WHERE field_id = $1)`, f)
	return used, err
}

// Rosters are one row per event, community.Roster's binary encoding.

// PutRoster implements community.Store.
func (tx *Tx) PutRoster(e community.EventID, r community.Roster) error {
	what := "put the roster of event " + string(e)
	if len(r) == 0 {
		_, err := tx.exec(what, `DELETE FROM rosters WHERE event_id = $1`, e)
		return err
	}
	data, err := r.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%s: %s: %w", tx.d.Name, what, err)
	}
	_, err = tx.exec(what, `INSERT INTO rosters (event_id, data) VALUES ($1, $2)
		ON CONFLICT (event_id) DO UPDATE SET data = excluded.data`, e, data)
	return err
}

// scanRoster scans a row of event_id and data.
func scanRoster(r Rows) (e community.EventID, ro community.Roster, err error) {
	var data []byte
	if err := r.Scan(&e, &data); err != nil {
		return "", nil, err
	}
	err = ro.UnmarshalBinary(data)
	return e, ro, err
}

// Roster implements community.Store.
func (tx *Tx) Roster(e community.EventID) (ro community.Roster, err error) {
	what := "roster of event " + string(e)
	err = tx.query(what, func(r Rows) (err error) {
		_, ro, err = scanRoster(r)
		if err != nil {
			return tx.fail(what, err)
		}
		return nil
	}, `SELECT event_id, data FROM rosters WHERE event_id = $1`, e)
	return ro, err
}

// Rosters implements community.Store: an ID given twice is one event.
func (tx *Tx) Rosters(ids []community.EventID, fn func(community.EventID, community.Roster) error) error {
	const what = "rosters"
	return tx.queryIn(what, "rosters in", inChunks(ids), nil,
		func(in string) string {
			return `SELECT event_id, data FROM rosters WHERE event_id IN (` + in + `) ORDER BY event_id`
		},
		func(r Rows) error {
			e, ro, err := scanRoster(r)
			if err != nil {
				return tx.fail(what, err)
			}
			return fn(e, ro)
		})
}

// Direct members are rows of community_members, with the person's name
// key, so that DirectMembers reads a page of them in name order from
// community_members_by_name.

func memberName(o org.OrganisationID, p community.PersonID) string {
	return "member " + string(p) + " of organisation " + string(o)
}

// AdjustMember implements community.Store. A row is created from the
// person's, who must exist (storage.ErrNotFound otherwise); a delta of
// zero changes nothing.
func (tx *Tx) AdjustMember(o org.OrganisationID, p community.PersonID, delta int) error {
	what := memberName(o, p)
	if err := tx.usable(true); err != nil || delta == 0 {
		return err
	}
	if delta > 0 {
		n, err := tx.exec("adjust "+what,
			`INSERT INTO community_members (org_id, person_id, name_key, events) SELECT $1, id, name_key, $3 FROM people WHERE id = $2
			ON CONFLICT (org_id, person_id) DO UPDATE SET events = community_members.events + excluded.events`, o, p, int64(delta))
		return tx.found("person "+string(p), n, err)
	}
	// Down to zero deletes the row, above zero updates it, and below
	// zero finds none to change.
	n, err := tx.exec("adjust "+what,
		`DELETE FROM community_members WHERE org_id = $1 AND person_id = $2 AND events = $3`, o, p, -int64(delta))
	if err != nil || n > 0 {
		return err
	}
	n, err = tx.exec("adjust "+what,
		`UPDATE community_members SET events = events - $3 WHERE org_id = $1 AND person_id = $2 AND events > $3`, o, p, -int64(delta))
	if err == nil && n == 0 {
		err = fmt.Errorf("%s: adjust %s by %d: the number of events would be negative: %w", tx.d.Name, what, delta, storage.ErrFailedPrecondition)
	}
	return err
}

// DirectMembers implements community.Store. Without an event it is a
// keyset query on community_members_by_name, joined to the people: a page
// reads its members and no more (fewer when a text skips some). With an
// event it starts from the event's participations, which are fewer than
// the organisation's members, and sorts them: a CROSS JOIN keeps SQLite
// from walking every member in name order instead, and is a plain join to
// PostgreSQL's planner.
func (tx *Tx) DirectMembers(q community.MemberQuery) ([]community.Member, error) {
	what := "direct members of organisation " + string(q.Org)
	if err := tx.checkLimit(what, q.Limit); err != nil {
		return nil, err
	}
	args := []any{q.Org, q.AfterName, q.AfterPerson, q.Limit}
	var query strings.Builder
	query.WriteString(`SELECT ` + personColsOf + `, m.events FROM `)
	var where string
	if q.Event != "" {
		args = append(args, q.Event)
		query.WriteString(`participations pa CROSS JOIN community_members m`)
		where = fmt.Sprintf(`pa.event_id = $%d AND pa.status = %d AND m.person_id = pa.person_id AND `, len(args), int64(community.Accepted))
	} else {
		query.WriteString(`community_members m`)
	}
	query.WriteString(` JOIN people p ON p.id = m.person_id WHERE ` + where + `m.org_id = $1 AND (m.name_key, m.person_id) > ($2, $3)`)
	if q.Text != "" {
		args = append(args, containsPattern(community.NameKey(q.Text)))
		fmt.Fprintf(&query, ` AND (m.name_key LIKE $%d ESCAPE '\' OR p.email LIKE $%[1]d ESCAPE '\')`, len(args))
	}
	query.WriteString(` ORDER BY m.name_key, m.person_id LIMIT $4`)
	return list(tx, what, func(r Rows) (community.Member, error) {
		var m community.Member
		err := r.Scan(append(personDest(&m.Person), &m.Events)...)
		return m, err
	}, query.String(), args...)
}

// containsPattern is the LIKE pattern (escaped by a backslash) of the
// strings that contain s. s is in lower case, as what it is matched
// against is, so SQLite's LIKE, which ignores the case of ASCII letters,
// and PostgreSQL's, which does not, agree.
func containsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// Shared fields: a label is unique within the organisation
// (community_fields' UNIQUE (org_id, label)); the writes check it in the
// statement, so a taken label is no database error.

const fieldCols = `id, org_id, label, type, options, required, visibility, created_at, updated_at`

func scanField(r Rows) (community.Field, error) {
	var f community.Field
	err := r.Scan(&f.ID, &f.Org, &f.Label, (*uint8)(&f.Type), listCol[string]{&f.Options}, &f.Required,
		(*uint8)(&f.Visibility), timeCol{&f.CreatedAt}, timeCol{&f.UpdatedAt})
	return f, err
}

func fieldName(id community.FieldID) string { return "field " + string(id) }

// InsertField implements community.Store.
func (tx *Tx) InsertField(f community.Field) error {
	a := args{}
	a.add(f.ID, f.Org, f.Label, int64(f.Type), listArg(f.Options), f.Required, int64(f.Visibility))
	a.time("field created at", f.CreatedAt)
	a.time("field updated at", f.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	n, err := tx.exec("insert "+fieldName(f.ID),
		`INSERT INTO community_fields (`+fieldCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`, a.vals...)
	return tx.inserted(fieldName(f.ID)+" or the label "+f.Label+" of organisation "+string(f.Org), n, err)
}

// UpdateField implements community.Store: the organisation and creation
// time stay.
func (tx *Tx) UpdateField(f community.Field) error {
	a := args{}
	a.add(f.ID, f.Label, int64(f.Type), listArg(f.Options), f.Required, int64(f.Visibility))
	a.time("field updated at", f.UpdatedAt)
	if a.err != nil {
		return a.err
	}
	what := fieldName(f.ID)
	n, err := tx.exec("update "+what,
		`UPDATE community_fields SET label = $2, type = $3, options = $4, required = $5, visibility = $6, updated_at = $7
		WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM community_fields o
			WHERE o.org_id = community_fields.org_id AND o.label = $2 AND o.id <> $1)`, a.vals...)
	if err != nil || n > 0 {
		return err
	}
	// Either there is no such field or another has the label.
	var exists bool
	if err := tx.one(what, func(r Rows) error { return r.Scan(&exists) },
		`SELECT EXISTS (SELECT 1 FROM community_fields WHERE id = $1)`, f.ID); err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("%s: %s: the label %s is another field's: %w", tx.d.Name, what, f.Label, storage.ErrAlreadyExists)
	}
	return tx.found(what, 0, nil)
}

// Field implements community.Store.
func (tx *Tx) Field(id community.FieldID) (f community.Field, err error) {
	err = tx.one(fieldName(id), func(r Rows) (err error) { f, err = scanField(r); return err },
		`SELECT `+fieldCols+` FROM community_fields WHERE id = $1`, id)
	return f, err
}

// FieldsOfOrg implements community.Store.
func (tx *Tx) FieldsOfOrg(o org.OrganisationID) ([]community.Field, error) {
	return list(tx, "fields of organisation "+string(o), scanField,
		`SELECT `+fieldCols+` FROM community_fields WHERE org_id = $1 ORDER BY id`, o)
}

// PutLastAnswers implements community.Store: a field given without values
// drops the person's last values of it.
func (tx *Tx) PutLastAnswers(p community.PersonID, a community.Answers) error {
	if err := tx.usable(true); err != nil {
		return err
	}
	what := "put the last answers of person " + string(p)
	var put [][]any
	var drop []community.FieldID
	for _, f := range slices.Sorted(maps.Keys(a)) {
		if vs := a[f]; len(vs) > 0 {
			put = append(put, []any{p, f, listArg(vs)})
		} else {
			drop = append(drop, f)
		}
	}
	for len(put) > 0 {
		batch := put[:min(len(put), rowsPerInsert)]
		put = put[len(batch):]
		query := rowStatement("put last answers", len(batch), func(n int) string {
			return `INSERT INTO last_answers (person_id, field_id, vals) VALUES ` + valueRows(n, 3, "") + `
				ON CONFLICT (person_id, field_id) DO UPDATE SET vals = excluded.vals`
		})
		var vals []any
		for _, row := range batch {
			vals = append(vals, row...)
		}
		if _, err := tx.exec(what, query, vals...); err != nil {
			return err
		}
	}
	for _, c := range inChunks(drop) {
		query := rowStatement("drop last answers", len(c), func(n int) string {
			return `DELETE FROM last_answers WHERE person_id = $1 AND field_id IN (` + paramList(2, n) + `)`
		})
		if _, err := tx.exec(what, query, append([]any{p}, c...)...); err != nil {
			return err
		}
	}
	return nil
}

// LastAnswers implements community.Store.
func (tx *Tx) LastAnswers(p community.PersonID, fields []community.FieldID) (community.Answers, error) {
	what := "last answers of person " + string(p)
	var out community.Answers
	err := tx.queryIn(what, "last answers", inChunks(fields), []any{p},
		func(in string) string {
			return `SELECT field_id, vals FROM last_answers WHERE person_id = $1 AND field_id IN (` + in + `)`
		},
		func(r Rows) error {
			var f community.FieldID
			var vs []string
			if err := r.Scan(&f, listCol[string]{&vs}); err != nil {
				return tx.fail(what, err)
			}
			if out == nil {
				out = community.Answers{}
			}
			out[f] = vs
			return nil
		})
	return out, err
}

func managerName(e community.EventID, u org.UserID) string {
	return "manager " + string(u) + " of event " + string(e)
}

// PutEventManager implements community.Store.
func (tx *Tx) PutEventManager(e community.EventID, u org.UserID) error {
	_, err := tx.exec("put "+managerName(e, u),
		`INSERT INTO event_managers (event_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, e, u)
	return err
}

// DeleteEventManager implements community.Store.
func (tx *Tx) DeleteEventManager(e community.EventID, u org.UserID) error {
	n, err := tx.exec("delete "+managerName(e, u), `DELETE FROM event_managers WHERE event_id = $1 AND user_id = $2`, e, u)
	return tx.found(managerName(e, u), n, err)
}

// IsEventManager implements community.Store.
func (tx *Tx) IsEventManager(e community.EventID, u org.UserID) (is bool, err error) {
	err = tx.query("is "+managerName(e, u), func(Rows) error { is = true; return nil },
		`SELECT 1 FROM event_managers WHERE event_id = $1 AND user_id = $2`, e, u)
	return is, err
}

// ManagersOfEvent implements community.Store.
func (tx *Tx) ManagersOfEvent(e community.EventID) ([]org.UserID, error) {
	return list(tx, "managers of event "+string(e), func(r Rows) (u org.UserID, err error) { return u, r.Scan(&u) },
		`SELECT user_id FROM event_managers WHERE event_id = $1 ORDER BY user_id`, e)
}
