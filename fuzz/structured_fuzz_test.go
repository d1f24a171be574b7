package fuzz

import "testing"

func FuzzStructuredRequest(f *testing.F) {
	AddSeeds(f)
	known, err := KnownDifferences()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := CheckStructured(data, known); err != nil {
			t.Fatal(err)
		}
	})
}
