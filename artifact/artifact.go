// Package artifact stores seccomp profiles in an OCI registry and fetches
// them back, in the layouts the security-profiles-operator (SPO) reads.
//
// By default Push writes SPO's runtime format (KEP-6061, what container
// runtimes pull too): a manifest whose config and artifactType are
// application/vnd.cncf.seccomp-profile.config.v1+json, a config blob of
// "{}", and exactly one layer of media type application/json titled
// profile.json holding the OCI runtime-spec linux.seccomp object. That
// object cannot say "only on this arch" or "only with this capability",
// so a profile is resolved for one host before it is pushed; profiles for
// several platforms go into an image index, one manifest per platform,
// from which a pull picks its own platform's (as SPO's pull and container
// runtimes do).
//
// Push and Pull also do SPO's own layout (spoc push), which operator
// releases from before KEP-6061 read too: one manifest of artifactType
// application/vnd.unknown.config.v1+json, the OCI empty config, and
// SeccompProfile resources in YAML as layers of media type
// application/vnd.oci.image.layer.v1.tar, profile.yaml or one per platform
// (profile-linux-arm64.yaml, with the layer's platform set).
//
// What a pull takes from the registry is checked before anything is
// written: every blob's digest and size (oras-go), the media types, a size
// bound on each manifest and the profile, and that the profile parses.
// Nothing is signed or verified against a signature: SPO signs with
// sigstore by default, so an SPO pull of a workbench artifact needs its
// signature verification turned off.
package artifact

import (
	"fmt"
	"net"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Media types and names of the layouts (SPO's artifact package; KEP-6061).
const (
	// MediaTypeSeccompProfile is the config media type and the
	// artifactType of a runtime-format artifact.
	MediaTypeSeccompProfile = "application/vnd.cncf.seccomp-profile.config.v1+json"
	// MediaTypeProfileJSON is the media type of a runtime-format layer.
	MediaTypeProfileJSON = "application/json"
	// MediaTypeUnknownConfig is the artifactType (and, before OCI 1.1, the
	// config media type) of SPO's own layout: oras's "unknown" config.
	MediaTypeUnknownConfig = "application/vnd.unknown.config.v1+json"
	// MediaTypeLayerTar is the layer media type of SPO's own layout, which
	// it leaves to oras's file store default.
	MediaTypeLayerTar = "application/vnd.oci.image.layer.v1.tar"

	// LayerJSON is the title of a runtime-format layer; LayerYAML the
	// platform-independent layer of SPO's layout.
	LayerJSON = "profile.json"
	LayerYAML = "profile.yaml"

	// CreatedDefault is the org.opencontainers.image.created a push
	// writes (as SPO does): a fixed time, so the same profile always has
	// the same digest.
	CreatedDefault = "1970-01-01T00:00:00Z"

	// MaxProfileBytes bounds a profile layer: what container runtimes
	// accept by default for a KEP-6061 profile, and SPO's limit for base
	// profiles. A pull refuses a bigger layer before fetching it.
	MaxProfileBytes = 1 << 20
	// MaxManifestBytes bounds a manifest or an index.
	MaxManifestBytes = 1 << 20
	// MaxEntries bounds the layers of a manifest and the manifests of an
	// index that a pull looks at (SPO's limit).
	MaxEntries = 128
	// RuntimeSyscallEntries is how many syscall entries container runtimes
	// accept by default in a KEP-6061 profile; a push warns above it.
	RuntimeSyscallEntries = 128
)

// Ref is oci://REGISTRY/REPO:TAG (or @DIGEST).
type Ref struct {
	Registry, Repository string
	// Tag or Digest: exactly one is set.
	Tag, Digest string
}

// Scheme prefixes every reference the CLI takes.
const Scheme = "oci://"

// ParseRef reads oci://REGISTRY/REPO:TAG or oci://REGISTRY/REPO@sha256:HEX.
// A reference without a tag or digest is refused rather than defaulting
// to "latest": a profile that changes under a moving tag is not what a
// pinned deployment expects.
func ParseRef(s string) (Ref, error) {
	const usage = "use oci://REGISTRY/REPO:TAG, e.g. oci://127.0.0.1:5000/profiles/app:v1"
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return Ref{}, fmt.Errorf("%q is not an OCI reference: %s", s, usage)
	}
	if !strings.Contains(rest, "/") {
		return Ref{}, fmt.Errorf("%q has no repository: %s", s, usage)
	}
	r, err := registry.ParseReference(rest)
	if err != nil {
		return Ref{}, fmt.Errorf("%q: %v: %s", s, err, usage)
	}
	if r.Reference == "" {
		return Ref{}, fmt.Errorf("%q has no tag: %s", s, usage)
	}
	out := Ref{Registry: r.Registry, Repository: r.Repository}
	if strings.Contains(r.Reference, ":") {
		out.Digest = r.Reference
	} else {
		out.Tag = r.Reference
	}
	return out, nil
}

// Reference is the tag or the digest.
func (r Ref) Reference() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

func (r Ref) String() string {
	sep := ":"
	if r.Digest != "" {
		sep = "@"
	}
	return Scheme + r.Registry + "/" + r.Repository + sep + r.Reference()
}

// Loopback reports whether the registry is on this machine (localhost,
// 127.0.0.0/8, ::1), where plain HTTP is used without --insecure.
func (r Ref) Loopback() bool {
	host := r.Registry
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ociArch maps an ABI to the OCI platform's architecture and variant; the
// ABIs without a platform of their own (x32, n32, the 32-bit halves of
// s390x and ppc64, parisc) have none.
var ociArch = map[catalog.Arch][2]string{
	catalog.X86_64:   {"amd64", ""},
	catalog.X86:      {"386", ""},
	catalog.AArch64:  {"arm64", ""},
	catalog.ARM:      {"arm", "v7"},
	catalog.RISCV64:  {"riscv64", ""},
	catalog.S390X:    {"s390x", ""},
	catalog.PPC64LE:  {"ppc64le", ""},
	catalog.PPC64:    {"ppc64", ""},
	catalog.MIPS:     {"mips", ""},
	catalog.MIPSEL:   {"mipsle", ""},
	catalog.MIPS64:   {"mips64", ""},
	catalog.MIPSEL64: {"mips64le", ""},
}

// Platform is the OCI platform (linux/ARCH[/VARIANT]) of a host of a.
func Platform(a catalog.Arch) (*ocispec.Platform, error) {
	p, ok := ociArch[a]
	if !ok {
		return nil, fmt.Errorf("%s has no OCI platform of its own: name the host's arch (e.g. x86_64 for x32)", a)
	}
	return &ocispec.Platform{OS: "linux", Architecture: p[0], Variant: p[1]}, nil
}

// PlatformString is os/arch[/variant].
func PlatformString(p *ocispec.Platform) string {
	if p == nil {
		return "any platform"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// samePlatform compares with the variants normalized as containerd does
// (arm64 = arm64/v8, arm = arm/v7, amd64 = amd64/v1).
func samePlatform(have, want *ocispec.Platform) bool {
	return have.OS == want.OS && have.Architecture == want.Architecture &&
		normVariant(have.Architecture, have.Variant) == normVariant(want.Architecture, want.Variant)
}

func normVariant(arch, v string) string {
	switch {
	case arch == "arm64" && v == "v8", arch == "amd64" && v == "v1":
		return ""
	case arch == "arm" && v == "":
		return "v7"
	}
	return v
}

// yamlName is the title SPO gives a platform's layer in its own layout.
func yamlName(p *ocispec.Platform) string {
	name := "profile"
	for _, part := range []string{p.OS, p.Architecture, p.Variant, p.OSVersion} {
		if part != "" {
			name += "-" + part
		}
	}
	return name + ".yaml"
}
