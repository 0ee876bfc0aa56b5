package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specsrt "github.com/opencontainers/runtime-spec/specs-go"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
)

// The manifest kinds a registry may answer with; Docker's have the
// layouts of OCI's.
const (
	mediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// Kind is what a pulled profile is.
type Kind string

const (
	// KindRuntimeJSON is the runtime-spec linux.seccomp object (a valid
	// Docker profile file too).
	KindRuntimeJSON Kind = "runtime-spec JSON"
	// KindSeccompProfile is SPO's SeccompProfile resource (YAML).
	KindSeccompProfile Kind = "SeccompProfile YAML"
)

// Pulled is a checked profile from the registry.
type Pulled struct {
	// Content is the layer as stored, byte for byte.
	Content []byte
	Kind    Kind
	// Manifest is the digest of the manifest the layer came from; Root
	// what the reference resolved to (an index, or the manifest itself).
	Manifest, Root digest.Digest
	// Platform is the index entry's or the layer's platform, nil when the
	// artifact has one profile for every platform.
	Platform *ocispec.Platform
}

// Pull fetches the profile for platform want from ref and checks it. An
// index yields the manifest for want (or its only manifest when that has
// no platform); in SPO's layout the layer for want, else the
// platform-independent one.
func Pull(ctx context.Context, ref Ref, want *ocispec.Platform, o Options) (*Pulled, error) {
	repo, err := repository(ref, o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := o.context(ctx)
	defer cancel()
	root, err := repo.Resolve(ctx, ref.Reference())
	if err != nil {
		return nil, remoteError(ref, err)
	}
	out := &Pulled{Root: root.Digest}
	desc := root
	if desc.MediaType == ocispec.MediaTypeImageIndex || desc.MediaType == mediaTypeDockerList {
		raw, err := fetch(ctx, repo, ref, desc, MaxManifestBytes, "index")
		if err != nil {
			return nil, err
		}
		var idx ocispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return nil, fmt.Errorf("%s: the index is not valid JSON: %v", ref, err)
		}
		if idx.MediaType != "" && idx.MediaType != desc.MediaType {
			return nil, fmt.Errorf("%s: the index says it is %q, the registry served it as %q: refused", ref, idx.MediaType, desc.MediaType)
		}
		if desc, err = pickManifest(ref, &idx, want); err != nil {
			return nil, err
		}
		out.Platform = desc.Platform
	}
	if desc.MediaType != ocispec.MediaTypeImageManifest && desc.MediaType != mediaTypeDockerManifest {
		return nil, fmt.Errorf("%s: media type %q is not an OCI manifest or index: this is not a seccomp profile artifact", ref, desc.MediaType)
	}
	raw, err := fetch(ctx, repo, ref, desc, MaxManifestBytes, "manifest")
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: the manifest is not valid JSON: %v", ref, err)
	}
	if m.MediaType != "" && m.MediaType != desc.MediaType {
		return nil, fmt.Errorf("%s: the manifest says it is %q, the registry served it as %q: refused", ref, m.MediaType, desc.MediaType)
	}
	out.Manifest = desc.Digest
	layer, kind, err := pickLayer(ref, &m, want)
	if err != nil {
		return nil, err
	}
	if layer.Platform != nil {
		out.Platform = layer.Platform
	}
	if out.Content, err = fetch(ctx, repo, ref, *layer, MaxProfileBytes, "profile layer"); err != nil {
		return nil, err
	}
	name := ref.String()
	if t := layer.Annotations[ocispec.AnnotationTitle]; t != "" {
		name += "#" + t
	}
	if out.Kind, err = checkContent(name, kind, out.Content); err != nil {
		return nil, err
	}
	return out, nil
}

// fetch reads a blob or manifest of at most limit bytes; oras-go checks
// its size and digest against d while reading.
func fetch(ctx context.Context, repo *remote.Repository, ref Ref, d ocispec.Descriptor, limit int64, what string) ([]byte, error) {
	if d.Size > limit || d.Size < 0 {
		return nil, fmt.Errorf("%s: the %s is %d bytes, more than the %d a profile artifact may have: refused", ref, what, d.Size, limit)
	}
	b, err := content.FetchAll(ctx, repo, d)
	if err != nil {
		if errors.Is(err, content.ErrMismatchedDigest) || errors.Is(err, content.ErrTrailingData) {
			return nil, fmt.Errorf("%s: the %s does not match its digest %s: refused", ref, what, d.Digest)
		}
		return nil, remoteError(ref, err)
	}
	return b, nil
}

// pickManifest chooses the index entry for want, or the only entry when
// it has no platform (it serves every platform).
func pickManifest(ref Ref, idx *ocispec.Index, want *ocispec.Platform) (ocispec.Descriptor, error) {
	if len(idx.Manifests) > MaxEntries {
		return ocispec.Descriptor{}, fmt.Errorf("%s: the index lists %d manifests, more than %d: refused", ref, len(idx.Manifests), MaxEntries)
	}
	var have []string
	for _, d := range idx.Manifests {
		if d.Platform != nil && want != nil && samePlatform(d.Platform, want) {
			return d, nil
		}
		have = append(have, PlatformString(d.Platform))
	}
	if len(idx.Manifests) == 1 && idx.Manifests[0].Platform == nil {
		return idx.Manifests[0], nil
	}
	return ocispec.Descriptor{}, fmt.Errorf("%s: no profile for %s (the index has %s): pull with --platform for one of those", ref, PlatformString(want), strings.Join(have, ", "))
}

// pickLayer finds the profile layer and says which kind its content must
// be: a runtime-format manifest has exactly one application/json layer;
// SPO's own layout has one per platform or a platform-independent one.
func pickLayer(ref Ref, m *ocispec.Manifest, want *ocispec.Platform) (*ocispec.Descriptor, Kind, error) {
	if len(m.Layers) > MaxEntries {
		return nil, "", fmt.Errorf("%s: the manifest has %d layers, more than %d: refused", ref, len(m.Layers), MaxEntries)
	}
	switch {
	case m.Config.MediaType == MediaTypeSeccompProfile || m.ArtifactType == MediaTypeSeccompProfile:
		if len(m.Layers) != 1 {
			return nil, "", fmt.Errorf("%s: a seccomp profile artifact has exactly one layer, this one has %d: refused", ref, len(m.Layers))
		}
		l := &m.Layers[0]
		if l.MediaType != MediaTypeProfileJSON {
			return nil, "", fmt.Errorf("%s: the profile layer's media type is %q, not %q: refused", ref, l.MediaType, MediaTypeProfileJSON)
		}
		return l, KindRuntimeJSON, nil
	case m.ArtifactType == MediaTypeUnknownConfig || m.Config.MediaType == MediaTypeUnknownConfig:
		l, err := spoLayer(ref, m, want)
		if err != nil {
			return nil, "", err
		}
		if l.MediaType != MediaTypeLayerTar && l.MediaType != MediaTypeProfileJSON {
			return nil, "", fmt.Errorf("%s: the profile layer's media type is %q, not %q: refused", ref, l.MediaType, MediaTypeLayerTar)
		}
		return l, KindSeccompProfile, nil
	}
	at := m.ArtifactType
	if at == "" {
		at = m.Config.MediaType
	}
	return nil, "", fmt.Errorf("%s: artifact type %q is not a seccomp profile (want %q): refused", ref, at, MediaTypeSeccompProfile)
}

// spoLayer is SPO's choice in its own layout: the layer bound to want (by
// its platform, or by its per-platform title), then profile.yaml or
// profile.json, then the only layer unless that is bound to another
// platform.
func spoLayer(ref Ref, m *ocispec.Manifest, want *ocispec.Platform) (*ocispec.Descriptor, error) {
	title := func(l *ocispec.Descriptor) string { return l.Annotations[ocispec.AnnotationTitle] }
	if want != nil {
		for i := range m.Layers {
			l := &m.Layers[i]
			if l.Platform != nil && samePlatform(l.Platform, want) || l.Platform == nil && title(l) == yamlName(want) {
				return l, nil
			}
		}
	}
	for _, name := range []string{LayerYAML, LayerJSON} {
		for i := range m.Layers {
			if l := &m.Layers[i]; l.Platform == nil && title(l) == name {
				return l, nil
			}
		}
	}
	if len(m.Layers) != 1 {
		return nil, fmt.Errorf("%s: no profile layer for %s among %d layers: pull with --platform for another", ref, PlatformString(want), len(m.Layers))
	}
	l := &m.Layers[0]
	if l.Platform != nil && (want == nil || !samePlatform(l.Platform, want)) ||
		l.Platform == nil && strings.HasPrefix(title(l), "profile-") && strings.HasSuffix(title(l), ".yaml") {
		return nil, fmt.Errorf("%s: the only profile (%s) is for another platform than %s: pull with --platform for it", ref, title(l), PlatformString(want))
	}
	return l, nil
}

// checkContent proves the layer is a profile of the kind the layout says
// (a runtime-spec object may also sit in SPO's layout).
func checkContent(name string, kind Kind, b []byte) (Kind, error) {
	if kind == KindRuntimeJSON {
		return kind, CheckRuntimeJSON(name, b)
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '{' && !bytes.Contains(b, []byte(`"kind"`)) {
		return KindRuntimeJSON, CheckRuntimeJSON(name, b)
	}
	return KindSeccompProfile, checkSeccompProfileYAML(name, b)
}

// CheckRuntimeJSON checks b as a consumer of a runtime-format artifact
// does: one runtime-spec linux.seccomp object, no field the runtime-spec
// does not have, no trailing data, a defaultAction (SPO decodes it so,
// strictly), and then that the workbench reads it as a valid profile.
func CheckRuntimeJSON(name string, b []byte) error {
	_, err := decodeRuntimeJSON(name, b)
	return err
}

func decodeRuntimeJSON(name string, b []byte) (*specsrt.LinuxSeccomp, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s specsrt.LinuxSeccomp
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: not a runtime-spec seccomp profile: %v: refused", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the runtime-spec seccomp profile: refused", name)
	}
	if s.DefaultAction == "" {
		return nil, fmt.Errorf("%s: the runtime-spec seccomp profile has no defaultAction: refused", name)
	}
	if _, err := profile.Parse(name, b); err != nil {
		return nil, err
	}
	return &s, nil
}

// checkSeccompProfileYAML checks a SeccompProfile resource as the
// workbench imports one (profile/source): the kind and API group, every
// field of its spec, and that it reads as a valid profile. A
// baseProfileName is carried, not resolved: the importer's warning says so.
func checkSeccompProfileYAML(name string, b []byte) error {
	f, err := source.Detect(name, b)
	if err != nil {
		return fmt.Errorf("%v: refused", err)
	}
	if f != source.FormatSPO {
		return fmt.Errorf("%s: a %s, not a security-profiles-operator SeccompProfile: refused", name, f.Title())
	}
	if _, err := source.Parse(name, "", b); err != nil {
		return err
	}
	return nil
}
