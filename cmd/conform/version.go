package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// runVersion prints one line: module version, source revision, Go version
// and platform.
func runVersion(ctx context.Context, e *env, args []string) error {
	fs := &flagSet{cmd: "version"}
	rest, err := fs.parse(args)
	if err != nil {
		return helpOr(e, "version", err)
	}
	if len(rest) > 0 {
		return usageErrorf("version takes no arguments, got %q: conform version", rest)
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	fmt.Fprintln(e.stdout, versionLine(info, platform()))
	return nil
}

// versionLine describes the build: "conform (devel) revision 0123456789ab
// (modified) go1.26.0 linux/amd64". info may be nil when the binary carries
// no build information.
func versionLine(info *debug.BuildInfo, platform string) string {
	if info == nil {
		return "conform (unknown version) " + runtime.Version() + " " + platform
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "conform " + v
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		line += " revision " + rev + modified
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	return fmt.Sprintf("%s %s %s", line, goVersion, platform)
}

// platform is the GOOS/GOARCH pair the binary runs on.
func platform() string { return runtime.GOOS + "/" + runtime.GOARCH }
