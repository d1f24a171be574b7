package fuzz

import (
	"testing"
	"testing/synctest"
)

func FuzzAgent(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// In a bubble the Agent's timeouts and the plan's delays run on a
		// fake clock, and a hang, or a goroutine left behind, fails the
		// test.
		synctest.Test(t, func(t *testing.T) {
			if err := CheckAgent(data); err != nil {
				t.Fatal(err)
			}
		})
	})
}
