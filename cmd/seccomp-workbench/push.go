//go:build !lean

package main

import (
	"fmt"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/artifact"
	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// parseRef is a reference argument; a bad one is a usage error.
func parseRef(cmdName, s string) (artifact.Ref, error) {
	r, err := artifact.ParseRef(s)
	if err != nil {
		return r, usagef("%s: %v", cmdName, err)
	}
	return r, nil
}

func newPushCmd() *cobra.Command {
	var platforms []string
	var layoutS, name string
	var host hostFlags
	var o artifact.Options
	cmd := &cobra.Command{
		Use:   pushUse,
		Short: pushShort,
		Long: `Pushes PROFILE (a file or preset:NAME) to an OCI registry as a seccomp
profile artifact (KEP-6061, the layout the security-profiles-operator and
container runtimes pull): a manifest of artifactType
application/vnd.cncf.seccomp-profile.config.v1+json whose one layer,
profile.json (application/json), is the runtime-spec linux.seccomp object.

That object has no includes/excludes, so the profile is resolved for a host
first, as 'export --format oci' does: this one, or each --platform (with
--caps and --kernel). With one or more --platform the tag names an image
index with one manifest per platform, and a pull picks its own.

--layout spo writes what 'spoc push' writes instead, which every operator
release reads (also those from before KEP-6061): one manifest of
artifactType application/vnd.unknown.config.v1+json whose layers are
SeccompProfile resources (as 'export --format k8s' writes them, named by
--name), profile.yaml or one per --platform (profile-linux-arm64.yaml,
the layer bound to its platform).

Registries on loopback (localhost, 127.0.0.0/8, ::1) are spoken to over
plain HTTP; any other over HTTPS unless --insecure. Credentials come from
the Docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json,
with its credential helpers). The artifact is not signed.`,
		Example: `  seccomp-workbench push preset:docker-default oci://127.0.0.1:5000/profiles/docker-default:v1
  seccomp-workbench push my.json oci://127.0.0.1:5000/profiles/app:v2 --platform x86_64 --platform aarch64`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseRef("push", args[1])
			if err != nil {
				return err
			}
			if ref.Digest != "" {
				return usagef("push: %s names a digest: push to a tag (the digest is printed)", ref)
			}
			layout := artifact.Layout(layoutS)
			if !slices.Contains(artifact.Layouts(), layout) {
				return usagef("push: --layout %q: use runtime or spo", layoutS)
			}
			format := export.FormatOCI
			eo := export.ExportOptions{Source: args[0]}
			if layout == artifact.LayoutSPO {
				format = export.FormatK8s
				if eo.Name = name; name == "" {
					if eo.Name = export.K8sName(args[0]); eo.Name == "" {
						eo.Name = export.DefaultK8sName
					}
				} else if err := export.ValidK8sName(name); err != nil {
					return usageError{fmt.Errorf("--name: %w", err)}
				}
			} else if name != "" {
				return usagef("push: --name only applies to --layout spo (the runtime format has no name)")
			}
			var arches []catalog.Arch
			for _, v := range platforms {
				for _, s := range strings.Split(v, ",") {
					a, err := catalog.ParseArch(s)
					if err == nil {
						_, err = artifact.Platform(a)
					}
					if err != nil {
						return usageError{fmt.Errorf("--platform: %w", err)}
					}
					if slices.Contains(arches, a) {
						return usagef("--platform %s is given twice: an index has one manifest per platform", a)
					}
					arches = append(arches, a)
				}
			}
			p, err := openProfile(cmd.ErrOrStderr(), args[0])
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			var layers []artifact.Layer
			resolve := func(platform *ocispec.Platform) error {
				env, err := host.env(nil)
				if err != nil {
					return err
				}
				data, notes, err := export.Export(p, env, format, eo)
				if err != nil {
					return fmt.Errorf("push %s: %w", args[0], err)
				}
				for _, n := range notes {
					fmt.Fprintln(stderr, "note:", n)
				}
				if n := len(p.Effective(env).Rules); layout == artifact.LayoutRuntime && n > artifact.RuntimeSyscallEntries {
					fmt.Fprintf(stderr, "warning: %d syscall entries: container runtimes accept %d in a profile artifact by default\n", n, artifact.RuntimeSyscallEntries)
				}
				layers = append(layers, artifact.Layer{Platform: platform, Content: data})
				return nil
			}
			if len(arches) == 0 {
				if err := resolve(nil); err != nil {
					return err
				}
			}
			for _, a := range arches {
				host.platform = string(a)
				pl, _ := artifact.Platform(a)
				if err := resolve(pl); err != nil {
					return err
				}
			}
			got, err := artifact.Push(cmd.Context(), ref, layout, layers, o)
			if err != nil {
				return err
			}
			what := "manifest"
			switch {
			case got.MediaType == ocispec.MediaTypeImageIndex:
				what = fmt.Sprintf("index of %d platforms", len(layers))
			case layout == artifact.LayoutSPO && len(arches) > 0:
				what = fmt.Sprintf("SPO manifest of %d platforms", len(layers))
			case layout == artifact.LayoutSPO:
				what = "SPO manifest"
			}
			fmt.Fprintf(stderr, "pushed %s to %s (%s %s)\n", args[0], ref, what, got.Digest)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&platforms, "platform", nil, "resolve for a host of this arch and push an index of one manifest per platform (repeat or comma-separate; "+archList()+")")
	fl.StringVar(&host.caps, "caps", "docker", "resolve for these capabilities: docker (Docker's default set), all, none or a list such as CAP_SYS_ADMIN,CAP_NET_ADMIN")
	fl.StringVar(&host.kernel, "kernel", "", "resolve for this kernel version X.Y (default: the running kernel)")
	fl.StringVar(&layoutS, "layout", string(artifact.LayoutRuntime), "runtime (KEP-6061 runtime-spec JSON) or spo (spoc push's SeccompProfile YAML)")
	fl.StringVar(&name, "name", "", "spo: metadata.name of the SeccompProfile (default: from the profile's file name)")
	fl.BoolVar(&o.Insecure, "insecure", false, "plain HTTP to a registry that is not on loopback")
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	_ = cmd.RegisterFlagCompletionFunc("layout", completeWords([]string{string(artifact.LayoutRuntime), string(artifact.LayoutSPO)}))
	return cmd
}

func newPullCmd() *cobra.Command {
	var out, platform string
	var o artifact.Options
	cmd := &cobra.Command{
		Use:   pullUse,
		Short: pullShort,
		Long: `Pulls a seccomp profile artifact and writes its profile to OUT, byte for
byte as stored. Read are the layouts of the security-profiles-operator:
the runtime format 'push' writes (profile.json, runtime-spec JSON, which
the workbench opens like any profile) and the operator's own 'spoc push'
layout (SeccompProfile YAML, profile.yaml or one per platform). From an
image index, or a manifest with a layer per platform, the one for this
host is taken, or for --platform.

Nothing is written unless every check passes: the digests and sizes of
what the registry sent, the media types, at most 1 MiB of profile and
1 MiB per manifest, and that the content parses as a profile. OUT is
replaced atomically ('-' for stdout). Loopback registries are spoken to
over plain HTTP, others over HTTPS unless --insecure; credentials come from
the Docker config.`,
		Example: `  seccomp-workbench pull oci://127.0.0.1:5000/profiles/docker-default:v1 -o docker-default.json
  seccomp-workbench pull oci://127.0.0.1:5000/profiles/app:v2 --platform aarch64 -o app-arm64.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseRef("pull", args[0])
			if err != nil {
				return err
			}
			if out == "" {
				return usagef("pull: -o OUT is required ('-' for stdout)")
			}
			a := profile.NativeArch()
			if platform != "" {
				if a, err = catalog.ParseArch(platform); err != nil {
					return usageError{fmt.Errorf("--platform: %w", err)}
				}
			}
			want, err := artifact.Platform(a)
			if err != nil {
				return usageError{fmt.Errorf("--platform: %w", err)}
			}
			got, err := artifact.Pull(cmd.Context(), ref, want, o)
			if err != nil {
				return err
			}
			if out == "-" {
				_, err := cmd.OutOrStdout().Write(got.Content)
				return err
			}
			if err := profile.WriteFileAtomic(out, got.Content, 0o644); err != nil {
				return err
			}
			from := ""
			if got.Platform != nil {
				from = " for " + artifact.PlatformString(got.Platform)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s%s from %s (manifest %s) to %s (%d bytes)\n", got.Kind, from, ref, got.Manifest, out, len(got.Content))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&out, "output", "o", "", "write the profile to OUT (atomically; '-' for stdout)")
	fl.StringVar(&platform, "platform", "", "take the profile for a host of this arch (default: this one; "+archList()+")")
	fl.BoolVar(&o.Insecure, "insecure", false, "plain HTTP to a registry that is not on loopback")
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	return cmd
}
