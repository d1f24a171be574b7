package probe

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRecorder checks the wire log's bookkeeping: the per-direction cap,
// the merging of reads that come together, and the correction of a short
// write.
func TestRecorder(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type ev struct {
		Kind    string
		Data    string
		Omitted int64
	}
	type summary struct {
		Events         []ev
		Sent, Received int64
	}
	tests := []struct {
		name   string
		reason string
		cap    int
		do     func(r *recorder)
		want   summary
	}{
		{"cap per direction", "each direction keeps cap bytes and counts the rest", 4, func(r *recorder) {
			r.data(Send, []byte("abcdef"), at(0))
			r.data(Recv, []byte("123"), at(1))
			r.data(Recv, []byte("456"), at(5))
		}, summary{Events: []ev{{"send", "abcd", 2}, {"recv", "123", 0}, {"recv", "4", 2}}, Sent: 6, Received: 6}},
		{"merge", "reads less than a millisecond apart are one chunk", 100, func(r *recorder) {
			r.data(Recv, []byte("ab"), at(0))
			r.data(Recv, []byte("cd"), at(0).Add(500*time.Microsecond))
			r.data(Recv, []byte("ef"), at(3))
		}, summary{Events: []ev{{"recv", "abcd", 0}, {"recv", "ef", 0}}, Received: 6}},
		{"no merge across a send", "a send between two reads keeps them apart", 100, func(r *recorder) {
			r.data(Recv, []byte("ab"), at(0))
			r.data(Send, []byte("x"), at(0))
			r.data(Recv, []byte("cd"), at(0))
		}, summary{Events: []ev{{"recv", "ab", 0}, {"send", "x", 0}, {"recv", "cd", 0}}, Sent: 1, Received: 4}},
		{"short write", "a write that fell short keeps only what went out", 100, func(r *recorder) {
			r.data(Send, []byte("abcdef"), at(0))
			r.sendShort(6, 2)
		}, summary{Events: []ev{{"send", "ab", 0}}, Sent: 2}},
		{"failed write", "a write that sent nothing leaves no event", 100, func(r *recorder) {
			r.data(Send, []byte("abc"), at(0))
			r.sendShort(3, 0)
		}, summary{Sent: 0}},
		{"short write past the cap", "bytes not kept are uncounted first", 2, func(r *recorder) {
			r.data(Send, []byte("abcdef"), at(0))
			r.sendShort(6, 3)
		}, summary{Events: []ev{{"send", "ab", 1}}, Sent: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder(t0, tt.cap)
			tt.do(r)
			log := r.finish(ClosedByProbe)
			got := summary{Sent: log.Sent, Received: log.Received}
			for _, e := range log.Events {
				got.Events = append(got.Events, ev{e.Kind.String(), string(e.Data), e.Omitted})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}
