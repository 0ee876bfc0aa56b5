package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

func formatNames() []string {
	var s []string
	for _, f := range export.Formats() {
		s = append(s, string(f))
	}
	return s
}

func newExportCmd() *cobra.Command {
	var formatS, out, name, api string
	var archS []string
	var wrap bool
	var host hostFlags
	cmd := &cobra.Command{
		Use:   "export PROFILE --format FORMAT [--arch A]... [-o FILE]",
		Short: "Write a profile for Docker, OCI, Kubernetes, systemd, bubblewrap, Firecracker or minijail",
		Long: `Writes PROFILE (preset:NAME or a file in any format the workbench reads) in
the form a consumer reads:

  docker          the profile JSON as it is (Docker, Podman, containerd)
  oci             the runtime-spec linux.seccomp object for a config.json,
                  resolved for this host (--wrap nests it in {"linux":{"seccomp":...}})
  k8s             a security-profiles-operator SeccompProfile resource (YAML,
                  apiVersion v1; --api v1beta1 for operators before 1.0)
  k8s-localhost   the JSON file a kubelet Localhost profile points at
  systemd         a unit drop-in: SystemCallArchitectures=, SystemCallFilter=,
                  SystemCallErrorNumber=, SystemCallLog=, and for argument rules
                  RestrictAddressFamilies=, RestrictNamespaces=, LockPersonality=,
                  MemoryDenyWriteExecute=
  bpf             the compiled filter as raw struct sock_filter (bwrap --seccomp FD)
  pfc             libseccomp's pseudo filter code of the compiled filter
  asm             the compiled filter's instructions, annotated
  firecracker     Firecracker seccompiler JSON, one thread (--name, default main)
  minijail        a minijail seccomp policy (minijail0 -S), an allow-list

Every format but docker is resolved for a host (includes, excludes,
archMap): this one, Docker's default capabilities and the running kernel,
or what --platform, --caps and --kernel say; an --arch this machine cannot
run resolves as on that arch's own host. The host is named on stderr and
in the header comment of the formats that have one. --arch replaces the
profile's ABIs. Formats with a compiled filter
are verified first: a filter that does not do what the profile says is
refused. What a format cannot express is listed on stderr (and, for
systemd, in comments at the top of the drop-in). With -o the file is
replaced atomically.`,
		Example: `  seccomp-workbench export preset:docker-default --format systemd -o seccomp.conf
  seccomp-workbench export my.json --format k8s --name my-app
  seccomp-workbench export preset:docker-default --format oci --platform aarch64 --caps all
  seccomp-workbench export my.json --format bpf -o filter.bpf && bwrap --seccomp 3 3<filter.bpf ...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if formatS == "" {
				return usagef("export: --format is required: use one of %s", strings.Join(formatNames(), ", "))
			}
			f, err := export.ParseFormat(formatS)
			if err != nil {
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			o := export.ExportOptions{Source: args[0], Wrap: wrap}
			if o.Arches, err = parseArchFlags(archS); err != nil {
				return err
			}
			if wrap && f != export.FormatOCI {
				return usagef("--wrap only applies to --format oci")
			}
			if cmd.Flags().Changed("api") {
				if f != export.FormatK8s {
					return usagef("--api only applies to --format k8s")
				}
				if !slices.Contains(export.SpoAPIs(), api) {
					return usagef("--api %q: use %s", api, strings.Join(export.SpoAPIs(), " or "))
				}
				o.K8sAPI = api
			}
			if f == export.FormatFirecracker {
				o.Thread = name // the filter's thread name
			} else if name != "" {
				if err := export.ValidK8sName(name); err != nil {
					return usageError{fmt.Errorf("--name: %w", err)}
				}
				o.Name = name
			} else if o.Name = export.K8sName(args[0]); o.Name == "" {
				o.Name = export.DefaultK8sName
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if out == "" && f.Binary() && isTerminal(stdout) {
				return usagef("export: %s output is binary: give -o FILE or redirect stdout", f)
			}
			p, err := openProfile(cmd.ErrOrStderr(), args[0])
			if err != nil {
				return err
			}
			env, err := host.env(o.Arches)
			if err != nil {
				return err
			}
			data, notes, err := export.Export(p, env, f, o)
			if err != nil {
				return fmt.Errorf("export %s: %w", args[0], err)
			}
			for _, n := range notes {
				fmt.Fprintln(stderr, "note:", n)
			}
			if out == "" || out == "-" {
				_, err := stdout.Write(data)
				return err
			}
			if err := profile.WriteFileAtomic(out, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "wrote %s to %s (%d bytes)\n", f.Title(), out, len(data))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&formatS, "format", "f", "", "output format ("+strings.Join(formatNames(), ",")+")")
	fl.StringArrayVar(&archS, "arch", nil, "filter these ABIs instead of the profile's (repeat or comma-separate; "+archList()+")")
	fl.StringVarP(&out, "output", "o", "", "write to FILE (atomically) instead of stdout")
	fl.StringVar(&name, "name", "", "metadata.name of the k8s resource (default: from the profile's file name); firecracker: the thread (default main)")
	fl.BoolVar(&wrap, "wrap", false, `oci: nest the object in {"linux":{"seccomp":...}}`)
	fl.StringVar(&api, "api", export.SpoAPIDefault, "k8s: the SeccompProfile API version (v1, served since security-profiles-operator 1.0; v1beta1 for older operators)")
	host.register(fl)
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(formatNames()))
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	_ = cmd.RegisterFlagCompletionFunc("api", completeWords(export.SpoAPIs()))
	_ = cmd.RegisterFlagCompletionFunc("arch", completeWords(archNames()))
	return cmd
}
