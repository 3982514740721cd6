// Package community keeps the events organisations organise and the people
// who take part in them, and turns them into each organisation's
// community: direct members, listed with their personal data, and
// indirect members, who are only ever counted.
//
// [Service] is the API (its documentation says who may do what and how
// indirect members are kept anonymous).
//
// # Events
//
// An organisation organises events ([Service.CreateEvent],
// [Service.EditEvent], [Service.ArchiveEvent]): a name, a start and an
// end, a time zone, a location, and the shared fields its application
// form asks. It supports another organisation's event by giving it a
// licence coupon (package billing); once the event redeems it, the event
// is in the supporter's list too ([Service.Events], with filters by role,
// archive state, period and text, sorted by start, name or number of
// participants, a page at a time).
//
// # Participants
//
// A person (name, email, birth date, home) applies to an event
// ([Service.Apply]); the organisation accepts ([Service.Accept]), which
// takes one licence for them on that event in the same transaction,
// declines ([Service.Decline]), or the person withdraws
// ([Service.Withdraw]), which before the event gives the licence back. The
// time each worked is recorded ([Service.RecordHours]).
//
// # Members
//
// An organisation's direct members are the people accepted onto events it
// organises; [Service.Members] lists them with their personal data. Its
// indirect members are the people accepted onto events it supports: no
// API lists them or returns their data; they appear only in counts held
// to k.
//
// # Stats
//
// [Service.Stats] reads one consistent snapshot and publishes, for a range
// of months in the organisation's time zone (the last 12 by default),
// workload per month, members by age bracket, participations by
// home-to-event distance bracket and community size per month, each with
// a direct and an indirect column. The indirect column is held to k
// (Config.K, default [DefaultK]):
//
//  1. an indirect cell counting fewer than k people is suppressed, a cell
//     counting nobody included (a published zero is never "zero, or a
//     few");
//  2. a table's indirect total is suppressed when the column counts fewer
//     than k people;
//  3. when the total is published and exactly one cell is suppressed, or
//     the suppressed cells sum to zero, the published cell with the
//     smallest positive value is suppressed too, until at least two are
//     and their sum is positive, or else the total is.
//
// So wherever an indirect total is published, either no cell is
// suppressed or each suppressed cell could be anything from 0 to the
// total minus the published cells. The direct column, the organisation's
// own people, is never suppressed. The stats read
// one roster per event (the accepted people, with what the stats need
// and nothing else), kept by the service as participants change, so they
// cost one row per event, not one per participation.
//
// # Shared fields
//
// Each organisation keeps a library of custom participant fields
// ([Service.DefineField]: text, number, date, single or multiple choice,
// yes/no; options; required; public or organisation-only) that its events
// ask. Answers are validated against the field ([CheckValues]) and kept in
// canonical form; a person's latest answers pre-fill their next
// application ([Service.Prefill]). Organisation-only fields are filled and
// seen by the organisation's users only, never by an event's managers nor
// on the public form ([Service.Form]). A field's type cannot change, nor
// an option be removed, while values of it exist: values are never
// migrated behind the organisation's back.
package community
