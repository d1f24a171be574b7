package server

import (
	"bytes"
	"strings"
	"testing"
)

// TestStringBlock: strings carved from blocks keep their bytes whatever
// comes after them — later strings in the same block, a new block, a head
// larger than a block, and changes to the source slice.
func TestStringBlock(t *testing.T) {
	tests := []struct {
		name, reason string
		sizes        []int
	}{
		{"small heads", "many strings share one block", []int{48, 48, 300, 1, 48}},
		{"block boundary", "a head that does not fit starts a new block; the old one's strings stay", []int{4000, 200, 4096, 10}},
		{"larger than a block", "a head larger than the block size gets a block of its own size", []int{100, 3 * stringBlockSize, 100}},
		{"empty", "an empty head is the empty string and takes no room", []int{0, 5, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb stringBlock
			src := make([]byte, 0, 4*stringBlockSize)
			var got, want []string
			for i, n := range tt.sizes {
				src = src[:n]
				for j := range src {
					src[j] = byte('a' + (i+j)%26)
				}
				want = append(want, string(src))
				got = append(got, sb.string(src))
				// The caller reuses its buffer at once (c.arena).
				for j := range src {
					src[j] = '#'
				}
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s: string %d (%d bytes) changed: starts %q, want %q", tt.reason, i, len(want[i]), prefix(got[i]), prefix(want[i]))
				}
			}
		})
	}
}

func prefix(s string) string { return s[:min(len(s), 16)] }

// TestStringBlockAllocations: a request head costs no allocation of its
// own while its block has room.
func TestStringBlockAllocations(t *testing.T) {
	var sb stringBlock
	head := bytes.Repeat([]byte("x"), 64)
	sb.string(head) // the first block
	allocs := testing.AllocsPerRun(stringBlockSize/64-2, func() {
		if s := sb.string(head); !strings.HasPrefix(s, "xx") {
			t.Fatal("bad string")
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per 64-byte head, want 0", allocs)
	}
}
