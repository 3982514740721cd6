package billing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// "SMS credits can be used for all events organized by the organization":
// one credit per 160 characters, idempotent per message ID.
func TestSMSConsumesTheOrganisersCredits(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.SMSCredits, 5, "order-1")
	req := billing.SMSRequest{Event: w.gala, ID: "msg-1", To: "+41791234567", Body: strings.Repeat("x", 161)}
	m, err := w.svc.SendSMS(w.ctx, w.member, req)
	w.must(err)
	if m.Status != billing.SMSSent || m.Credits != 2 || m.ProviderRef == "" || m.Org != w.toppp {
		t.Errorf("sms = %+v, want sent for 2 credits", m)
	}
	again, err := w.svc.SendSMS(w.ctx, w.member, req)
	if err != nil || again != m {
		t.Errorf("sending again = %+v, %v; want the first message", again, err)
	}
	if n := len(w.sms.Sent()); n != 1 {
		t.Errorf("%d messages sent, want 1", n)
	}
	if got := w.balances(w.toppp).SMSCredits; got.Available != 3 || got.Used != 2 {
		t.Errorf("sms credits = %+v, want 3 available and 2 used", got)
	}
	before := w.snapshot()
	other := req
	other.Body = "other"
	if _, err := w.svc.SendSMS(w.ctx, w.member, other); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("a different message under the ID = %v, want ErrConflict", err)
	}
	// Insufficient credit fails and changes nothing.
	long := billing.SMSRequest{Event: w.gala, ID: "msg-2", To: "+41791234567", Body: strings.Repeat("y", 4*160)}
	if _, err := w.svc.SendSMS(w.ctx, w.member, long); !errors.Is(err, storage.ErrInsufficientFunds) {
		t.Errorf("4 credits of 3 = %v, want ErrInsufficientFunds", err)
	}
	if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
		t.Errorf("a refused SMS changed billing (-before +after):\n%s", diff)
	}
	if n := len(w.sms.Sent()); n != 1 {
		t.Errorf("%d messages sent, want 1", n)
	}
	// A rejected message is recorded as failed; its credits stay consumed.
	rej, err := w.svc.SendSMS(w.ctx, w.member, billing.SMSRequest{Event: w.gala, ID: "msg-3", To: "+4400000000", Body: "hi"})
	if !errors.Is(err, billing.ErrSMSRejected) || rej.Status != billing.SMSFailed || rej.Error == "" {
		t.Errorf("rejected sms = %+v, %v", rej, err)
	}
	if got := w.balances(w.toppp).SMSCredits; got.Available != 2 || got.Used != 3 {
		t.Errorf("sms credits = %+v, want 2 available and 3 used", got)
	}
	w.checkLedger()
}

func TestSMSRefusesBadInput(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.SMSCredits, 50, "order-1")
	ok := billing.SMSRequest{Event: w.gala, ID: "m", To: "+41791234567", Body: "hello"}
	with := func(f func(*billing.SMSRequest)) billing.SMSRequest { r := ok; f(&r); return r }
	cases := []struct {
		name  string
		actor org.Actor
		req   billing.SMSRequest
		want  error
		field string
	}{
		{"no ID", w.member, with(func(r *billing.SMSRequest) { r.ID = "" }), storage.ErrInvalidArgument, "message ID"},
		{"no event", w.member, with(func(r *billing.SMSRequest) { r.Event = "" }), storage.ErrInvalidArgument, "event"},
		{"local number", w.member, with(func(r *billing.SMSRequest) { r.To = "0791234567" }), storage.ErrInvalidArgument, "to"},
		{"letters in number", w.member, with(func(r *billing.SMSRequest) { r.To = "+4179123456a" }), storage.ErrInvalidArgument, "to"},
		{"empty body", w.member, with(func(r *billing.SMSRequest) { r.Body = "" }), storage.ErrInvalidArgument, "body"},
		{"long body", w.member, with(func(r *billing.SMSRequest) { r.Body = strings.Repeat("z", 1601) }), storage.ErrInvalidArgument, "body"},
		{"invalid UTF-8", w.member, with(func(r *billing.SMSRequest) { r.Body = "\xff" }), storage.ErrInvalidArgument, "body"},
		{"unknown event", w.operator, with(func(r *billing.SMSRequest) { r.Event = "evt_nope" }), storage.ErrNotFound, "evt_nope"},
		{"another organisation's event", w.helpersMember, ok, storage.ErrPermissionDenied, "Member"},
		{"an outsider", w.outsider, ok, storage.ErrPermissionDenied, "Member"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			_, err := w.svc.SendSMS(w.ctx, tc.actor, tc.req)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("SendSMS = %v, want %v naming %q", err, tc.want, tc.field)
			}
			if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
				t.Errorf("a refused SMS changed billing (-before +after):\n%s", diff)
			}
		})
	}
	if n := len(w.sms.Sent()); n != 0 {
		t.Errorf("%d messages sent, want 0", n)
	}
}
