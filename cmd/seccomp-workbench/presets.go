package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// presetInfo is one element of `presets --json` (see the command's help).
type presetInfo struct {
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	DefaultAction    string   `json:"default_action"`
	DefaultErrno     uint     `json:"default_errno,omitempty"`
	DefaultErrnoName string   `json:"default_errno_name,omitempty"`
	Arches           []string `json:"arches"`
	Rules            int      `json:"rules"`
	HostArch         string   `json:"host_arch"`
	Allowed          int      `json:"syscalls_allowed"`
	Denied           int      `json:"syscalls_denied"`
	Conditional      int      `json:"syscalls_conditional"`
}

func newPresetsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "presets",
		Short: "List the built-in profiles (use one as preset:NAME)",
		Long: `Lists the profiles built into seccomp-workbench. Any of them can be given
wherever a PROFILE is expected, as preset:NAME; open one in the workbench and
save it to a file to start your own.

The table shows the default action, the number of rules and the first
sentence of each description. --json prints an array of objects with:
  name                  the preset's name (use it as preset:NAME)
  description           what it is for, in full
  default_action        allow, errno, kill_process, kill_thread, trap, trace, log or notify
  default_errno         the default errno number (errno defaults only)
  default_errno_name    its name, e.g. EPERM (errno defaults only)
  arches                the ABIs the profile filters on an x86_64 or aarch64 host
                        (catalog names: x86_64, x86, x32, aarch64, arm ...); empty
                        when the profile names none and only the host's ABI is filtered
  rules                 the number of entries in "syscalls"
  host_arch             the ABI the three counts below are for (this machine's)
  syscalls_allowed      syscalls of host_arch always allowed (or logged)
  syscalls_denied       syscalls of host_arch always refused (errno, kill, trap ...)
  syscalls_conditional  syscalls of host_arch whose outcome depends on their arguments`,
		Example: `  seccomp-workbench presets
  seccomp-workbench presets --json | jq -r '.[].name'
  seccomp-workbench check preset:strict-baseline`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			infos, err := presetInfos()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDEFAULT\tRULES\tDESCRIPTION")
			for _, in := range infos {
				def := in.DefaultAction
				if in.DefaultErrnoName != "" {
					def = fmt.Sprintf("errno(%s)", in.DefaultErrnoName)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", in.Name, def, in.Rules, firstSentence(in.Description))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array (fields in --help)")
	return cmd
}

func presetInfos() ([]presetInfo, error) {
	env := profile.HostEnv()
	var out []presetInfo
	for _, pr := range profile.Presets() {
		p, err := profile.Open(profile.PresetPrefix + pr.Name)
		if err != nil {
			return nil, fmt.Errorf("built-in preset %s is broken: %v: report this", pr.Name, err)
		}
		in := presetInfo{
			Name:          pr.Name,
			Description:   pr.Description,
			DefaultAction: p.DefaultAction.Short(),
			Arches:        presetArches(p),
			Rules:         len(p.Syscalls),
			HostArch:      string(env.Host),
		}
		if p.DefaultAction == profile.ActErrno {
			in.DefaultErrno = p.DefaultErrno()
			in.DefaultErrnoName = profile.ErrnoName(in.DefaultErrno)
		}
		in.Allowed, in.Denied, in.Conditional = countOutcomes(p.Effective(env))
		out = append(out, in)
	}
	return out, nil
}

// presetArches lists the ABIs a profile filters on the hosts presets are
// written for: "architectures", or the archMap entries of x86_64 and
// aarch64 with their companions.
func presetArches(p *profile.Profile) []string {
	names := append([]string(nil), p.Architectures...)
	for _, m := range p.ArchMap {
		if m.Arch == catalog.X86_64.Docker() || m.Arch == catalog.AArch64.Docker() {
			names = append(append(names, m.Arch), m.SubArches...)
		}
	}
	out := []string{}
	seen := map[string]bool{}
	for _, n := range names {
		s := strings.ToLower(strings.TrimPrefix(n, "SCMP_ARCH_"))
		if a, ok := catalog.ArchFromDocker(n); ok {
			s = string(a)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// countOutcomes sorts the host ABI's syscalls by the profile's Treatment
// of them: conditional when a rule with argument conditions comes first,
// else allowed or denied by their single outcome (a rule, the default, or
// the ENOSYS answer for calls newer than the profile).
func countOutcomes(e *profile.Effective) (allowed, denied, conditional int) {
	for _, t := range e.Treatments(e.Env.Host) {
		switch {
		case !t.Exists:
		case t.Conditional:
			conditional++
		case t.Decision.Action.LetsThrough():
			allowed++
		default:
			denied++
		}
	}
	return allowed, denied, conditional
}

// firstSentence shortens a description for the table: up to the first
// full stop or colon that ends a clause.
func firstSentence(s string) string {
	end := len(s)
	for _, sep := range []string{". ", ": "} {
		if i := strings.Index(s, sep); i >= 0 && i < end {
			end = i
		}
	}
	return strings.TrimSuffix(strings.TrimSpace(s[:end]), ".")
}
