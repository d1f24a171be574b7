package differential

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// get and post are two plain messages for building outcomes.
var (
	get = Message{Method: "GET", Target: "/", Version: "1.1", Host: "a",
		Header: []Field{{"Accept", "*/*"}}, Framing: Framing{Kind: FramingNone}, KeepAlive: true}
	post = Message{Method: "POST", Target: "/p", Version: "1.1", Host: "a",
		Framing: Framing{Kind: FramingLength, Length: 5}, Body: "hello", KeepAlive: true}
)

func outcome(end EndKind, consumed int64, msgs ...Message) Outcome {
	return Outcome{Messages: msgs, End: End{Kind: end}, Consumed: consumed}
}

func rejected(code string, msgs ...Message) Outcome {
	return Outcome{Messages: msgs, End: End{Kind: EndRejected, Code: code}, Consumed: -1}
}

// with returns m changed by f.
func with(m Message, f func(*Message)) Message {
	m.Header = append([]Field(nil), m.Header...)
	f(&m)
	return m
}

func TestCompare(t *testing.T) {
	type diff struct {
		Path, Ours, Theirs string
		Danger             Danger
	}
	tests := []struct {
		name, reason string
		ours, theirs Outcome
		class        Class
		danger       Danger
		differences  []diff
	}{
		{
			name: "agree", reason: "identical outcomes agree",
			ours: outcome(EndClean, 40, get, post), theirs: outcome(EndClean, 40, get, post),
			class: ClassAgree,
		},
		{
			name: "agree-while-waiting", reason: "both waiting for the rest of a message is agreement, compared where the message begins",
			ours: outcome(EndIncomplete, 20, get), theirs: outcome(EndIncomplete, 20, get),
			class: ClassAgree,
		},
		{
			name: "field-order-and-case", reason: "fields are compared by canonical name, sorted, because net/http's map has no order",
			ours: outcome(EndClean, 9, with(get, func(m *Message) {
				m.Header = []Field{{"x-b", "1"}, {"Accept", "*/*"}, {"X-A", "2"}, {"x-b", "3"}}
			})),
			theirs: outcome(EndClean, 9, with(get, func(m *Message) {
				m.Header = []Field{{"Accept", "*/*"}, {"X-A", "2"}, {"X-B", "1"}, {"X-B", "3"}}
			})),
			class: ClassAgree,
		},
		{
			name: "value-order-within-a-name", reason: "the order of one name's values is kept, and differs here",
			ours:   outcome(EndClean, 9, with(get, func(m *Message) { m.Header = []Field{{"X", "1"}, {"X", "2"}} })),
			theirs: outcome(EndClean, 9, with(get, func(m *Message) { m.Header = []Field{{"X", "2"}, {"X", "1"}} })),
			class:  ClassDiffer, danger: DangerLow,
			differences: []diff{
				{`Messages[0].Header["X"].Value`, `"1"`, `"2"`, DangerLow},
				{`Messages[0].Header["X"].Value`, `"2"`, `"1"`, DangerLow},
			},
		},
		{
			name: "closed-is-clean", reason: "bytes discarded after a closing message are not compared, nor where they begin",
			ours: outcome(EndClean, 60, get), theirs: outcome(EndClosed, 58, get),
			class: ClassAgree,
		},
		{
			name: "framing-unknown", reason: "an oracle that cannot report framing (Node) is not compared on it",
			ours:   outcome(EndClean, 40, post),
			theirs: outcome(EndClean, 40, with(post, func(m *Message) { m.Framing = Framing{} })),
			class:  ClassAgree,
		},
		{
			name: "both-reject", reason: "a rejection and EOF inside a message are both refusals",
			ours: rejected("HPE_INVALID_METHOD"), theirs: outcome(EndTruncated, 0),
			class: ClassBothReject,
		},
		{
			name: "only-ours-rejects", reason: "ours refuses what the other reads",
			ours: rejected("HPE_INVALID_METHOD"), theirs: outcome(EndClean, 20, get),
			class: ClassOnlyOursRejects,
		},
		{
			name: "only-theirs-rejects", reason: "the other refuses what ours reads",
			ours: outcome(EndClean, 20, get), theirs: rejected("malformed"),
			class: ClassOnlyTheirsRejects,
		},
		{
			name: "rejection-compares-common-messages", reason: "messages both completed before a rejection are still compared",
			ours:   rejected("HPE_INVALID_METHOD", get),
			theirs: outcome(EndClean, 60, with(get, func(m *Message) { m.Target = "/x" }), post),
			class:  ClassOnlyOursRejects, danger: DangerHigh,
			differences: []diff{{"Messages[0].Target", `"/"`, `"/x"`, DangerHigh}},
		},
		{
			name: "extra-message", reason: "a different number of messages is smuggling: severe",
			ours: outcome(EndClean, 60, get, post), theirs: outcome(EndClean, 60, get),
			class: ClassDiffer, danger: DangerSevere,
			differences: []diff{{"Messages[1]", post.summary(), "(none)", DangerSevere}},
		},
		{
			name: "body-boundary", reason: "a different body is a different boundary: severe",
			ours:   outcome(EndClean, 40, post),
			theirs: outcome(EndClean, 40, with(post, func(m *Message) { m.Body = "hel" })),
			class:  ClassDiffer, danger: DangerSevere,
			differences: []diff{{"Messages[0].Body", `"hello"`, `"hel"`, DangerSevere}},
		},
		{
			name: "end-differs", reason: "one side done while the other waits for body bytes: severe",
			ours: outcome(EndClean, 40, get), theirs: outcome(EndIncomplete, 20),
			class: ClassDiffer, danger: DangerSevere,
			differences: []diff{
				{"Messages[0]", get.summary(), "(none)", DangerSevere},
				{"End", "clean", "incomplete", DangerSevere},
				{"Consumed", "40", "20", DangerSevere},
			},
		},
		{
			name: "tunnel-start", reason: "a different start of the tunnel after an upgrade: severe",
			ours: outcome(EndUpgrade, 30, get), theirs: outcome(EndUpgrade, 35, get),
			class: ClassDiffer, danger: DangerSevere,
			differences: []diff{{"Consumed", "30", "35", DangerSevere}},
		},
		{
			name: "unknown-consumed", reason: "an oracle that does not know where the unfinished message begins (-1) is not compared on it",
			ours: outcome(EndIncomplete, 30, get), theirs: outcome(EndIncomplete, -1, get),
			class: ClassAgree,
		},
		{
			name: "method", reason: "a different method is high",
			ours:   outcome(EndClean, 20, get),
			theirs: outcome(EndClean, 20, with(get, func(m *Message) { m.Method = "HEAD" })),
			class:  ClassDiffer, danger: DangerHigh,
			differences: []diff{{"Messages[0].Method", `"GET"`, `"HEAD"`, DangerHigh}},
		},
		{
			name: "keep-alive", reason: "whether the connection carries another message is high",
			ours:   outcome(EndClean, 20, get),
			theirs: outcome(EndClean, 20, with(get, func(m *Message) { m.KeepAlive = false })),
			class:  ClassDiffer, danger: DangerHigh,
			differences: []diff{{"Messages[0].KeepAlive", "true", "false", DangerHigh}},
		},
		{
			name: "header-value", reason: "a field value with odd bytes differs: low, rendered with escapes",
			ours:   outcome(EndClean, 20, get),
			theirs: outcome(EndClean, 20, with(get, func(m *Message) { m.Header[0].Value = "*/*\x01" })),
			class:  ClassDiffer, danger: DangerLow,
			differences: []diff{{`Messages[0].Header["Accept"].Value`, `"*/*"`, `"*/*\x01"`, DangerLow}},
		},
		{
			name: "trailer", reason: "a trailer only one side reads: low",
			ours:   outcome(EndClean, 20, with(post, func(m *Message) { m.Trailer = []Field{{"T", "v"}} })),
			theirs: outcome(EndClean, 20, post),
			class:  ClassDiffer, danger: DangerLow,
			differences: []diff{{`Messages[0].Trailer["T"]`, `"T: v"`, "(none)", DangerLow}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(tt.ours, tt.theirs)
			var diffs []diff
			for _, d := range got.Differences {
				diffs = append(diffs, diff{d.Path, d.Ours, d.Theirs, d.Danger})
			}
			want := struct {
				Class       Class
				Danger      Danger
				Differences []diff
			}{tt.class, tt.danger, tt.differences}
			gotView := struct {
				Class       Class
				Danger      Danger
				Differences []diff
			}{got.Class, got.Danger, diffs}
			if d := cmp.Diff(want, gotView); d != "" {
				t.Errorf("Compare: %s (-want +got):\n%s", tt.reason, d)
			}
		})
	}
}

func TestDangerString(t *testing.T) {
	got := []string{DangerNone.String(), DangerLow.String(), DangerHigh.String(), DangerSevere.String()}
	if d := cmp.Diff([]string{"none", "low", "high", "severe"}, got); d != "" {
		t.Errorf("Danger names, as reports print them (-want +got):\n%s", d)
	}
}
