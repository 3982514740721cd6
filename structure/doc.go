// Package structure is an organisation's structure: which Engage data
// (campaigns published on websites, their participations, opt-ins and
// variables) each Loyalty program may use.
//
// # Components
//
// An organisation's components are its accounts, the [Website]s of its
// Engage accounts and the [Program]s of its Loyalty accounts. The structure
// exists only while the organisation has at least one Engage and one
// Loyalty account; until then every structure operation fails with
// [ErrStructureUnavailable].
//
// # The rule
//
// The default rule is a switch per organisation, enabled initially. A custom
// [Link] selects websites and programs; each side ([Selection]) is All (the
// whole organisation, components added later included), every component of
// chosen accounts (later ones included), or an explicit list (later ones
// not included). Then, exactly ([Evaluate]):
//
//   - with at least one custom link, website W shares with program P when
//     some link selects both, whatever the default rule says;
//   - with no custom link, everything is shared when the default rule is
//     enabled, and nothing when it is disabled.
//
// Archived websites and programs share nothing; links that list them keep
// them, so unarchiving restores what they shared.
//
// A selection is a set: its lists are stored sorted, without repeats, and
// a side that is All lists nothing. A side that selects nothing is refused.
//
// # Service and Index
//
// [Service] manages the components, links and default rule: its doc says
// who may do what. Its answers (Shares, Explain, WebsitesFor, ProgramsFor)
// come from an [Index], the compiled, immutable form of every
// organisation's structure, which the Service recompiles one organisation
// at a time as the store's log names them, like the access index. A host
// filters its own items (campaigns, opt-ins, variables) for a program with
// [Filter] on the Index.
package structure
