package fuzz

import "github.com/conformhttp/conform/impl/parser"

// OptionsLen is the length of the options prefix of a parser fuzz input.
const OptionsLen = 4

// Options are the parser settings a fuzz input chooses in its first
// OptionsLen bytes, so that the fuzzer explores every lenient mode, the
// head size limit and the headers-complete decisions along with the bytes
// of the message:
//
//	byte 0   lenient modes, bits 0-7
//	byte 1   lenient modes, bits 8-11 (low nibble); parser type (bits 4-5:
//	         0 both, 1 request, 2 response, 3 request) where the target
//	         lets the input choose it
//	byte 2   MaxHeaderSize: 0 the parser's default, 255 no limit, any
//	         other value that many bytes
//	byte 3   decisions for the first four response heads: bit i (low
//	         nibble) answers head i with SkipBody, bit 4+i with
//	         SkipBodyUpgrade (which wins); later heads get Proceed
//
// An input shorter than OptionsLen is read as if padded with zeros: strict,
// default limit, no decisions.
type Options struct {
	Lenient       parser.Lenient
	Type          parser.Type
	MaxHeaderSize int
	Decide        [4]parser.HeadersDecision
}

// DecodeOptions splits a fuzz input into its options and the message
// bytes that follow them.
func DecodeOptions(in []byte) (Options, []byte) {
	var h [OptionsLen]byte
	n := copy(h[:], in)
	var o Options
	o.Lenient = (parser.Lenient(h[0]) | parser.Lenient(h[1]&0x0f)<<8) & parser.LenientAll
	switch (h[1] >> 4) & 3 {
	case 0:
		o.Type = parser.Both
	case 2:
		o.Type = parser.Response
	default:
		o.Type = parser.Request
	}
	switch h[2] {
	case 0:
		o.MaxHeaderSize = 0
	case 255:
		o.MaxHeaderSize = -1
	default:
		o.MaxHeaderSize = int(h[2])
	}
	for i := range o.Decide {
		switch {
		case h[3]&(0x10<<i) != 0:
			o.Decide[i] = parser.SkipBodyUpgrade
		case h[3]&(1<<i) != 0:
			o.Decide[i] = parser.SkipBody
		}
	}
	return o, in[n:]
}

// Encode returns the options prefix that DecodeOptions reads back as o.
// A MaxHeaderSize that the prefix cannot express (larger than 254) is
// written as the parser's default; decisions beyond what Decide holds are
// Proceed.
func (o Options) Encode() []byte {
	h := make([]byte, OptionsLen)
	h[0] = byte(o.Lenient)
	h[1] = byte(o.Lenient>>8) & 0x0f
	switch o.Type {
	case parser.Request:
		h[1] |= 1 << 4
	case parser.Response:
		h[1] |= 2 << 4
	}
	switch {
	case o.MaxHeaderSize < 0:
		h[2] = 255
	case o.MaxHeaderSize > 0 && o.MaxHeaderSize < 255:
		h[2] = byte(o.MaxHeaderSize)
	}
	for i, d := range o.Decide {
		switch d {
		case parser.SkipBodyUpgrade:
			h[3] |= 0x10 << i
		case parser.SkipBody:
			h[3] |= 1 << i
		}
	}
	return h
}

// Config returns the parser configuration for o, read as typ (parser.Both
// when the type is o's own choice: use o.Type).
func (o Options) Config(typ parser.Type) parser.Config {
	return parser.Config{Type: typ, Lenient: o.Lenient, MaxHeaderSize: o.MaxHeaderSize}
}

// decision returns the answer to the head of the i-th message (counted
// from zero) of the given type: requests always get Proceed, as a server
// reading them would give.
func (o Options) decision(typ parser.Type, i int) parser.HeadersDecision {
	if typ != parser.Response || i < 0 || i >= len(o.Decide) {
		return parser.Proceed
	}
	return o.Decide[i]
}
