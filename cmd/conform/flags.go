package main

import (
	"errors"
	"strconv"
	"strings"
)

// flagSet parses a command's flags. Unlike the flag package it lets flags
// and other arguments mix in any order, and its errors say how to fix the
// call. A flag is written "-name" or "--name", with its value as the next
// argument or after "="; "--" ends the flags; "-" is an argument (standard
// input).
type flagSet struct {
	cmd   string
	flags []flagDef
}

// flagDef is one flag. A flag with an empty value placeholder is boolean:
// it takes no argument, and set receives "true" or "false".
type flagDef struct {
	name  string
	value string // placeholder in messages, as "N|all"; "" for a boolean
	set   func(string) error
}

// helpRequest is the error parse returns for -h, -help or --help.
type helpRequest struct{}

func (helpRequest) Error() string { return "help requested" }

// value adds a flag that takes a value.
func (fs *flagSet) value(name, placeholder string, set func(string) error) {
	fs.flags = append(fs.flags, flagDef{name: name, value: placeholder, set: set})
}

// boolean adds a flag that sets *p.
func (fs *flagSet) boolean(name string, p *bool) {
	fs.flags = append(fs.flags, flagDef{name: name, set: func(s string) error {
		*p = s == "true"
		return nil
	}})
}

func (fs *flagSet) lookup(name string) (flagDef, bool) {
	for _, f := range fs.flags {
		if f.name == name {
			return f, true
		}
	}
	return flagDef{}, false
}

// known lists the flags for messages: "--type, --lenient and --finish".
func (fs *flagSet) known() string {
	names := make([]string, len(fs.flags))
	for i, f := range fs.flags {
		names[i] = "--" + f.name
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// parse sets the flags in args and returns the other arguments in order.
// Its errors are *ExitError with ExitUsage, or helpRequest.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(rest, args[i+1:]...), nil
		}
		if arg == "-" || !strings.HasPrefix(arg, "-") {
			rest = append(rest, arg)
			continue
		}
		spec := strings.TrimPrefix(arg[1:], "-")
		name, val, hasVal := strings.Cut(spec, "=")
		if name == "h" || name == "help" {
			return nil, helpRequest{}
		}
		f, ok := fs.lookup(name)
		if !ok {
			if len(fs.flags) == 0 {
				return nil, usageErrorf("unknown flag %s: conform %s takes no flags", arg, fs.cmd)
			}
			return nil, usageErrorf("unknown flag %s: conform %s takes %s (run \"conform help %s\" for details)", arg, fs.cmd, fs.known(), fs.cmd)
		}
		if f.value == "" {
			b := true
			if hasVal {
				var err error
				if b, err = strconv.ParseBool(val); err != nil {
					return nil, usageErrorf("--%s takes no value, got %q: write --%s alone to turn it on", name, val, name)
				}
			}
			if err := f.set(strconv.FormatBool(b)); err != nil {
				return nil, usageErrorf("--%s: %v", name, err)
			}
			continue
		}
		if !hasVal {
			if i+1 == len(args) {
				return nil, usageErrorf("--%s needs a value: --%s %s", name, name, f.value)
			}
			i++
			val = args[i]
		}
		if err := f.set(val); err != nil {
			return nil, usageErrorf("--%s %q: %v", name, val, err)
		}
	}
	return rest, nil
}

// helpOr prints the command's documentation when err is a help request
// (and returns nil), and returns err otherwise.
func helpOr(e *env, cmd string, err error) error {
	if errors.As(err, new(helpRequest)) {
		return printCommandHelp(e, cmd)
	}
	return err
}
