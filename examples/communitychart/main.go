package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "communitychart:", err)
		os.Exit(1)
	}
}

// run reads the flags in args, tells the story, and writes the chart of
// its stats to the file -o names; it reports the file on stdout and flag
// errors and usage on stderr.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("communitychart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "community.svg", "the SVG `file` to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see -help)", fs.Args())
	}
	name, st, err := buildCommunity(context.Background())
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, chart(name, st), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: the community of %s, %s to %s, indirect cells held to k = %d\n", *out, name, st.From, st.To, st.K)
	return nil
}

// clock is a fixed clock that moves only when told to.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// The story's dates: it starts before the season, and reads the stats of
// the season's months once it is over.
var (
	storyStart = time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
	seasonOver = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	firstMonth = community.Month{Year: 2026, Month: time.January}
	lastMonth  = community.Month{Year: 2026, Month: time.June}
)

// volunteer is someone who applies to events: a name and a birth year.
type volunteer struct {
	Name string
	Born int
}

// The story's people: the first ten volunteer at Harbour Friends'
// cleanups, the other eleven at the Marathon Club's events.
var (
	cleanupVolunteers = []volunteer{
		{"Ana Sousa", 1998}, {"Bruno Costa", 1985}, {"Carla Mendes", 1972}, {"Diogo Alves", 2001}, {"Eva Lopes", 1990},
		{"Filipe Rocha", 1964}, {"Gina Pires", 2009}, {"Hugo Dias", 1979}, {"Inês Faria", 1995}, {"João Reis", 1957},
	}
	runners = []volunteer{
		{"Kai Silva", 1994}, {"Lara Nunes", 1992}, {"Mia Gomes", 1996}, {"Nuno Lima", 1991}, {"Olga Cruz", 1997},
		{"Paulo Sá", 1993}, {"Rita Melo", 1984}, {"Sara Vaz", 1987}, {"Tomás Leal", 1982}, {"Ugo Brito", 1975},
		{"Vasco Neves", 1973},
	}
)

// harbour is where Harbour Friends' cleanups take place (Lisbon's
// waterfront).
var harbour = community.Location{Lat: 38.7071, Lon: -9.1355}

// buildCommunity tells the story on a fresh in-memory Space and returns
// the name of Harbour Friends and its community stats over the season.
func buildCommunity(ctx context.Context) (string, community.Stats, error) {
	c := &clock{now: storyStart}
	s, err := orgspace.Open(ctx, memstore.New(), orgspace.Config{
		Clock: c, IDs: &org.SequentialIDs{},
		Prices:   billing.PriceList{billing.Licences: {Currency: "EUR", Minor: 250}},
		Payments: &billing.FakeProvider{},
	})
	if err != nil {
		return "", community.Stats{}, err
	}
	b := builder{ctx: ctx, s: s}

	// The platform's operator sets up both organisations and their owners.
	op := b.operator("Casey Success", "casey@platform.example")
	friends, friendsOwner := b.organisation(op, "Harbour Friends", "hana@harbour.example", "Hana Harbour")
	club, clubOwner := b.organisation(op, "Marathon Club", "max@marathon.example", "Max Marathon")

	// Harbour Friends buys licences and offers the Marathon Club two
	// coupons; each of its events redeems one and becomes supported.
	b.buy(friendsOwner, friends.ID, 50)
	marathon := b.event(clubOwner, club.ID, "Spring Marathon", time.Date(2026, 4, 19, 8, 0, 0, 0, time.UTC), community.Location{Lat: 38.6916, Lon: -9.2160})
	funRun := b.event(clubOwner, club.ID, "Summer Fun Run", time.Date(2026, 6, 14, 9, 0, 0, 0, time.UTC), community.Location{Lat: 38.7436, Lon: -9.1602})
	b.support(friendsOwner, friends.ID, clubOwner, marathon, 9)
	b.support(friendsOwner, friends.ID, clubOwner, funRun, 3)

	// A cleanup every month, each with four to six of the ten.
	for m := range 6 {
		start := time.Date(2026, time.January+time.Month(m), 10, 9, 0, 0, 0, time.UTC)
		e := b.event(friendsOwner, friends.ID, "Harbour Cleanup "+start.Format("January"), start, harbour)
		for j := range 4 + m%3 {
			b.volunteer(friendsOwner, e, cleanupVolunteers[(2*m+j)%len(cleanupVolunteers)])
		}
	}
	// Nine volunteer at the marathon, and three, one of them again, at the
	// fun run.
	for _, v := range runners[:9] {
		b.volunteer(clubOwner, marathon, v)
	}
	for _, v := range runners[8:] {
		b.volunteer(clubOwner, funRun, v)
	}
	if b.err != nil {
		return "", community.Stats{}, b.err
	}

	c.now = seasonOver
	st, err := s.Community.Stats(ctx, storage.Latest(), friendsOwner, community.StatsQuery{Org: friends.ID, From: firstMonth, To: lastMonth})
	return friends.Name, st, err
}

// builder runs the story's writes and keeps the first error: after one,
// every later write is skipped.
type builder struct {
	ctx context.Context
	s   *orgspace.Space
	err error
}

func (b *builder) ok(err error) bool {
	if b.err == nil && err != nil {
		b.err = err
	}
	return b.err == nil
}

func (b *builder) operator(name, email string) org.Actor {
	if b.err != nil {
		return org.Actor{}
	}
	op, _, err := b.s.Org.CreateOperator(b.ctx, org.System(), org.NewOperator{Name: name, Email: email})
	b.ok(err)
	return org.AsOperator(op.ID)
}

// organisation creates an organisation and its first Owner.
func (b *builder) organisation(op org.Actor, name, email, owner string) (org.Organisation, org.Actor) {
	if b.err != nil {
		return org.Organisation{}, org.Actor{}
	}
	o, _, err := b.s.Org.CreateOrganisation(b.ctx, op, org.NewOrganisation{Name: name})
	if !b.ok(err) {
		return o, org.Actor{}
	}
	u, _, err := b.s.Org.CreateUser(b.ctx, op, org.NewUser{Email: email, Name: owner})
	if !b.ok(err) {
		return o, org.Actor{}
	}
	_, err = b.s.Access.SetOrganisationRole(b.ctx, op, o.ID, u.ID, org.Owner)
	b.ok(err)
	return o, org.AsUser(u.ID)
}

func (b *builder) buy(actor org.Actor, o org.OrganisationID, licences int64) {
	if b.err != nil {
		return
	}
	_, err := b.s.Billing.Buy(b.ctx, actor, billing.PurchaseRequest{Org: o, Asset: billing.Licences, Quantity: licences, Key: "licences"})
	b.ok(err)
}

// event creates a three-hour event.
func (b *builder) event(actor org.Actor, o org.OrganisationID, name string, start time.Time, at community.Location) community.EventID {
	if b.err != nil {
		return ""
	}
	e, _, err := b.s.Community.CreateEvent(b.ctx, actor, o, community.EventInput{Name: name, Start: start, End: start.Add(3 * time.Hour), Location: at})
	b.ok(err)
	return e.ID
}

// support has organisation o issue a coupon of n licences and the
// organiser of event e redeem it.
func (b *builder) support(actor org.Actor, o org.OrganisationID, organiser org.Actor, e community.EventID, n int64) {
	if b.err != nil {
		return
	}
	c, err := b.s.Billing.IssueCoupon(b.ctx, actor, billing.CouponRequest{Org: o, Licences: n})
	if !b.ok(err) {
		return
	}
	_, err = b.s.Billing.RedeemCoupon(b.ctx, organiser, e, c.Code)
	b.ok(err)
}

// volunteer has v apply to event e on the host's page (as System), and
// the event's organisation accept them, which takes a licence. A person
// is known by email, so v is the same person on every event.
func (b *builder) volunteer(organiser org.Actor, e community.EventID, v volunteer) {
	if b.err != nil {
		return
	}
	// The story's first names are distinct and start with distinct
	// letters: the email is the first name, and the letter spreads the
	// birthdays and homes.
	first := strings.Fields(v.Name)[0]
	i := int(first[0] - 'A')
	p, _, err := b.s.Community.Apply(b.ctx, org.System(), community.Application{
		Event: e, Name: v.Name, Email: strings.ToLower(asciiFold.Replace(first)) + "@volunteer.example",
		BirthDate: time.Date(v.Born, time.Month(1+i%12), 1+i, 0, 0, 0, 0, time.UTC),
		Home:      community.Location{Lat: harbour.Lat + 0.01*float64(i%5), Lon: harbour.Lon + 0.012*float64(i%7)},
	})
	if !b.ok(err) {
		return
	}
	_, _, err = b.s.Community.Accept(b.ctx, organiser, e, p.Person)
	b.ok(err)
}

// asciiFold spells the story's first names in ASCII, for their emails.
var asciiFold = strings.NewReplacer("ê", "e", "ã", "a", "á", "a")

// The chart's geometry and colours.
const (
	chartWidth  = 760
	panelHeight = 260 // one panel: its title, plot and row labels
	plotTop     = 46  // from the panel's top to the plot's: room for the labels above the bars
	plotHeight  = 170
	plotLeft    = 56
	plotRight   = chartWidth - 24
	headerSize  = 70 // the chart's title and legend

	directColour   = "#2b6cb0"
	indirectColour = "#dd6b20"
	inkColour      = "#1a202c"
	gridColour     = "#e2e8f0"
)

// panel is one table of the stats drawn as grouped bars.
type panel struct {
	title string
	table community.Table
	// label shortens a row label for the axis.
	label func(string) string
}

// chart renders the stats of organisation name as an SVG document: the
// community size per month and the members by age bracket, direct and
// indirect bars side by side, withheld cells hatched up to k.
func chart(name string, st community.Stats) []byte {
	panels := []panel{
		{title: "Community size per month (members)", table: st.Size, label: monthLabel},
		{title: "Members by age (" + totals(st.Ages, st.K) + ")", table: st.Ages, label: func(r string) string { return r }},
	}
	height := headerSize + len(panels)*panelHeight
	var w bytes.Buffer
	fmt.Fprintf(&w, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12" fill="%s">
`, chartWidth, height, chartWidth, height, inkColour)
	title := fmt.Sprintf("The community of %s, %s to %s", name, st.From, st.To)
	fmt.Fprintf(&w, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&w, `<defs><pattern id="withheld" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="1.5"/></pattern></defs>
`, indirectColour)
	fmt.Fprintf(&w, `<rect width="%d" height="%d" fill="white"/>
`, chartWidth, height)
	fmt.Fprintf(&w, `<text x="%d" y="28" font-size="18" font-weight="bold">%s</text>
`, plotLeft, esc(title))

	// The legend.
	x := plotLeft
	for _, l := range []struct{ fill, stroke, dash, text string }{
		{directColour, directColour, "none", "direct members: on its own events"},
		{indirectColour, indirectColour, "none", "indirect members: on events it supports"},
		{"url(#withheld)", indirectColour, "3 2", fmt.Sprintf("withheld: <%d people", st.K)},
	} {
		fmt.Fprintf(&w, `<rect x="%d" y="44" width="14" height="14" fill="%s" stroke="%s" stroke-dasharray="%s"/><text x="%d" y="56">%s</text>
`, x, l.fill, l.stroke, l.dash, x+20, esc(l.text))
		x += 20 + 6*len([]rune(l.text)) + 28
	}

	for i, p := range panels {
		drawPanel(&w, headerSize+i*panelHeight, p, st.K)
	}
	w.WriteString("</svg>\n")
	return w.Bytes()
}

// drawPanel draws p with its top at y. The value axis runs from 0 to a
// round number above the largest published value and k, so a withheld
// bar, drawn up to k, always fits.
func drawPanel(w *bytes.Buffer, y int, p panel, k int) {
	t := p.table
	top := y + plotTop
	bottom := top + plotHeight
	fmt.Fprintf(w, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>
`, plotLeft, y+20, esc(p.title))

	high := int64(k)
	for i := range t.Rows {
		high = max(high, t.Direct[i].Value, t.Indirect[i].Value)
	}
	step, top64 := axis(high)
	scale := func(v int64) float64 { return float64(v) / float64(top64) * plotHeight }
	for v := int64(0); v <= top64; v += step {
		gy := float64(bottom) - scale(v)
		fmt.Fprintf(w, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/><text x="%d" y="%.1f" text-anchor="end">%d</text>
`, plotLeft, gy, plotRight, gy, gridColour, plotLeft-6, gy+4, v)
	}

	group := float64(plotRight-plotLeft) / float64(len(t.Rows))
	bar := min(28, group*0.3)
	for i, row := range t.Rows {
		gx := float64(plotLeft) + group*float64(i)
		centre := gx + group/2
		for j, c := range []community.Cell{t.Direct[i], t.Indirect[i]} {
			bx := centre - bar + float64(j)*bar
			fill, stroke, dash, who := directColour, directColour, "none", "direct"
			if j == 1 {
				fill, stroke, who = indirectColour, indirectColour, "indirect"
			}
			label, h := fmt.Sprint(c.Value), scale(c.Value)
			if c.Suppressed {
				fill, dash, label, h = "url(#withheld)", "3 2", fmt.Sprintf("<%d", k), scale(int64(k))
			}
			fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s" stroke-dasharray="%s"><title>%s</title></rect>
`, bx, float64(bottom)-h, bar, h, fill, stroke, dash, esc(fmt.Sprintf("%s, %s members: %s", row, who, label)))
			fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11">%s</text>
`, bx+bar/2, float64(bottom)-h-4, esc(label))
		}
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>
`, centre, bottom+18, esc(p.label(row)))
	}
	fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>
`, plotLeft, bottom, plotRight, bottom, inkColour)
}

// axis returns a round step (1, 2 or 5 times a power of ten) and the
// multiple of it at or above high, with at most five steps.
func axis(high int64) (step, top int64) {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			step = m * p
			if top = (high + step - 1) / step * step; top/step <= 5 {
				return step, max(top, step)
			}
		}
	}
}

// monthLabel renders "2026-01" as "Jan 2026".
func monthLabel(row string) string {
	t, err := time.Parse("2006-01", row)
	if err != nil {
		return row
	}
	return t.Format("Jan 2006")
}

// totals describes a table's totals: "10 direct, 11 indirect", with a
// withheld total as "<k".
func totals(t community.Table, k int) string {
	show := func(c community.Cell) string {
		if c.Suppressed {
			return fmt.Sprintf("<%d", k)
		}
		return fmt.Sprint(c.Value)
	}
	return show(t.DirectTotal) + " direct, " + show(t.IndirectTotal) + " indirect"
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
