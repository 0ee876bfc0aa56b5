package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specsrt "github.com/opencontainers/runtime-spec/specs-go"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Options say how to reach the registry.
type Options struct {
	// Insecure uses plain HTTP for a registry that is not on loopback
	// (loopback registries always get plain HTTP).
	Insecure bool
	// NoDockerConfig skips the credentials of the Docker config
	// ($DOCKER_CONFIG/config.json or ~/.docker/config.json).
	NoDockerConfig bool
	// Timeout bounds the whole operation (default one minute).
	Timeout time.Duration
}

func (o Options) context(ctx context.Context) (context.Context, context.CancelFunc) {
	t := o.Timeout
	if t <= 0 {
		t = time.Minute
	}
	return context.WithTimeout(ctx, t)
}

// repository opens ref's repository: plain HTTP on loopback or with
// Insecure, credentials from the Docker config, no retries (a registry
// that does not answer is reported at once).
func repository(ref Ref, o Options) (*remote.Repository, error) {
	repo, err := remote.NewRepository(ref.Registry + "/" + ref.Repository)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ref, err)
	}
	repo.PlainHTTP = o.Insecure || ref.Loopback()
	repo.MaxMetadataBytes = MaxManifestBytes
	client := &auth.Client{
		Client: &http.Client{Transport: http.DefaultTransport},
		Cache:  auth.NewCache(),
	}
	client.SetUserAgent("seccomp-workbench")
	if !o.NoDockerConfig {
		store, err := credentials.NewStoreFromDocker(credentials.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading the Docker config for registry credentials: %v: fix it or set DOCKER_CONFIG to a directory without one", err)
		}
		client.Credential = credentials.Credential(store)
	}
	repo.Client = client
	return repo, nil
}

// Layout is how a push stores its profiles.
type Layout string

const (
	// LayoutRuntime is KEP-6061's: runtime-spec JSON, one manifest per
	// platform (an index for several), what container runtimes and SPO
	// pull.
	LayoutRuntime Layout = "runtime"
	// LayoutSPO is spoc push's: SeccompProfile YAML, one manifest with a
	// layer per platform, what every SPO release reads (also those from
	// before KEP-6061).
	LayoutSPO Layout = "spo"
)

// Layouts lists the layouts, the default first.
func Layouts() []Layout { return []Layout{LayoutRuntime, LayoutSPO} }

// Layer is one profile to push: runtime-spec JSON (LayoutRuntime) or a
// SeccompProfile resource (LayoutSPO), and the platform it was resolved
// for (nil: one profile for every platform).
type Layer struct {
	Platform *ocispec.Platform
	Content  []byte
}

// Pushed says what a push wrote.
type Pushed struct {
	// Digest and MediaType of what the tag now points at (a manifest, or
	// an index for several platforms).
	Digest    digest.Digest
	MediaType string
	Size      int64
}

// Push uploads the profiles in layout and tags the result. Every profile
// is first checked as its consumer will check it (checkPushable), and
// nothing is uploaded when one fails.
func Push(ctx context.Context, ref Ref, layout Layout, layers []Layer, o Options) (Pushed, error) {
	if ref.Tag == "" {
		return Pushed{}, fmt.Errorf("push %s: a push needs a tag to name what it writes (a digest names content that exists)", ref)
	}
	if len(layers) == 0 {
		return Pushed{}, errors.New("push: no profile")
	}
	seen := map[string]bool{}
	for _, l := range layers {
		if len(layers) > 1 && l.Platform == nil {
			return Pushed{}, errors.New("push: profiles for several platforms need a platform each")
		}
		key := PlatformString(l.Platform)
		if seen[key] {
			return Pushed{}, fmt.Errorf("push: two profiles for %s", key)
		}
		seen[key] = true
		name := "profile for " + key
		var err error
		switch layout {
		case LayoutRuntime:
			err = checkPushable(name, l.Content)
		case LayoutSPO:
			err = checkSize(name, l.Content)
			if err == nil {
				err = checkSeccompProfileYAML(name, l.Content)
			}
		default:
			err = fmt.Errorf("push: unknown layout %q", layout)
		}
		if err != nil {
			return Pushed{}, err
		}
	}
	repo, err := repository(ref, o)
	if err != nil {
		return Pushed{}, err
	}
	ctx, cancel := o.context(ctx)
	defer cancel()
	var root ocispec.Descriptor
	switch {
	case layout == LayoutSPO:
		root, err = pushSPOManifest(ctx, repo, layers)
	case len(layers) == 1 && layers[0].Platform == nil:
		root, err = pushManifest(ctx, repo, layers[0].Content)
	default:
		root, err = pushIndex(ctx, repo, layers)
	}
	if err != nil {
		return Pushed{}, remoteError(ref, err)
	}
	if err := repo.Tag(ctx, root, ref.Tag); err != nil {
		return Pushed{}, remoteError(ref, err)
	}
	return Pushed{Digest: root.Digest, MediaType: root.MediaType, Size: root.Size}, nil
}

// pushIndex pushes a runtime-format manifest per platform and the index
// that lists them.
func pushIndex(ctx context.Context, repo *remote.Repository, layers []Layer) (ocispec.Descriptor, error) {
	idx := ocispec.Index{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageIndex,
		ArtifactType: MediaTypeSeccompProfile,
		Annotations:  map[string]string{ocispec.AnnotationCreated: CreatedDefault},
	}
	for _, l := range layers {
		d, err := pushManifest(ctx, repo, l.Content)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		d.Platform = l.Platform
		idx.Manifests = append(idx.Manifests, d)
	}
	raw, err := json.Marshal(idx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	d := content.NewDescriptorFromBytes(ocispec.MediaTypeImageIndex, raw)
	d.ArtifactType = MediaTypeSeccompProfile
	return d, pushManifestBytes(ctx, repo, d, raw)
}

// pushSPOManifest pushes spoc push's layout: the OCI empty config, the
// unknown-config artifactType, a layer per profile named profile.yaml or,
// bound to a platform, profile-OS-ARCH[-VARIANT].yaml, in name order (so
// the same profiles always make the same digest).
func pushSPOManifest(ctx context.Context, repo *remote.Repository, layers []Layer) (ocispec.Descriptor, error) {
	cfg := ocispec.DescriptorEmptyJSON
	if err := pushBlob(ctx, repo, cfg, cfg.Data); err != nil {
		return ocispec.Descriptor{}, err
	}
	var descs []ocispec.Descriptor
	for _, l := range layers {
		name := LayerYAML
		if l.Platform != nil {
			name = yamlName(l.Platform)
		}
		d := content.NewDescriptorFromBytes(MediaTypeLayerTar, l.Content)
		d.Annotations = map[string]string{ocispec.AnnotationTitle: name}
		d.Platform = l.Platform
		if err := pushBlob(ctx, repo, d, l.Content); err != nil {
			return ocispec.Descriptor{}, err
		}
		descs = append(descs, d)
	}
	slices.SortFunc(descs, func(a, b ocispec.Descriptor) int {
		return strings.Compare(a.Annotations[ocispec.AnnotationTitle], b.Annotations[ocispec.AnnotationTitle])
	})
	return pushManifestOf(ctx, repo, ocispec.Manifest{
		ArtifactType: MediaTypeUnknownConfig,
		Config:       cfg,
		Layers:       descs,
	})
}

// checkPushable refuses what a consumer of the artifact would refuse: a
// profile over the size a pull accepts, one that is not a strict
// runtime-spec object, and what container runtimes reject in a KEP-6061
// artifact: SCMP_ACT_NOTIFY (the runtime would need a seccomp agent the
// artifact cannot name) and listener settings.
func checkPushable(name string, b []byte) error {
	if err := checkSize(name, b); err != nil {
		return err
	}
	s, err := decodeRuntimeJSON(name, b)
	if err != nil {
		return err
	}
	notify := s.DefaultAction == specsrt.ActNotify
	for _, r := range s.Syscalls {
		notify = notify || r.Action == specsrt.ActNotify
	}
	switch {
	case notify:
		return fmt.Errorf("%s: uses SCMP_ACT_NOTIFY, which container runtimes refuse in a profile artifact: use another action", name)
	case s.ListenerPath != "" || s.ListenerMetadata != "":
		return fmt.Errorf("%s: has listenerPath/listenerMetadata, which container runtimes refuse in a profile artifact: remove them", name)
	}
	return nil
}

func checkSize(name string, b []byte) error {
	if len(b) > MaxProfileBytes {
		return fmt.Errorf("%s: %d bytes, more than the %d container runtimes (and pull) accept: make it smaller", name, len(b), MaxProfileBytes)
	}
	return nil
}

// pushManifest uploads the config, the layer and a runtime-format
// manifest for one profile, and returns the manifest's descriptor.
func pushManifest(ctx context.Context, repo *remote.Repository, profileJSON []byte) (ocispec.Descriptor, error) {
	config := []byte("{}")
	cfg := content.NewDescriptorFromBytes(MediaTypeSeccompProfile, config)
	layer := content.NewDescriptorFromBytes(MediaTypeProfileJSON, profileJSON)
	layer.Annotations = map[string]string{ocispec.AnnotationTitle: LayerJSON}
	if err := pushBlob(ctx, repo, cfg, config); err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := pushBlob(ctx, repo, layer, profileJSON); err != nil {
		return ocispec.Descriptor{}, err
	}
	return pushManifestOf(ctx, repo, ocispec.Manifest{
		ArtifactType: MediaTypeSeccompProfile,
		Config:       cfg,
		Layers:       []ocispec.Descriptor{layer},
	})
}

// pushManifestOf completes m (schema version, media type, the fixed
// created annotation) and uploads it.
func pushManifestOf(ctx context.Context, repo *remote.Repository, m ocispec.Manifest) (ocispec.Descriptor, error) {
	m.Versioned = specs.Versioned{SchemaVersion: 2}
	m.MediaType = ocispec.MediaTypeImageManifest
	m.Annotations = map[string]string{ocispec.AnnotationCreated: CreatedDefault}
	raw, err := json.Marshal(m)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	d := content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, raw)
	d.ArtifactType = m.ArtifactType
	return d, pushManifestBytes(ctx, repo, d, raw)
}

func pushManifestBytes(ctx context.Context, repo *remote.Repository, d ocispec.Descriptor, raw []byte) error {
	err := repo.Manifests().Push(ctx, d, bytes.NewReader(raw))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		return nil
	}
	return err
}

func pushBlob(ctx context.Context, repo *remote.Repository, d ocispec.Descriptor, b []byte) error {
	if ok, err := repo.Blobs().Exists(ctx, d); err == nil && ok {
		return nil
	}
	err := repo.Blobs().Push(ctx, d, bytes.NewReader(b))
	if errors.Is(err, errdef.ErrAlreadyExists) {
		return nil
	}
	return err
}

// remoteError turns what the registry client reports into one line that
// says what to do.
func remoteError(ref Ref, err error) error {
	var resp *errcode.ErrorResponse
	var nerr net.Error
	var oerr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: the registry did not answer in time", ref)
	case errors.Is(err, errdef.ErrNotFound):
		return fmt.Errorf("%s: not found in the registry: check the repository and the tag", ref)
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%s: the registry wants a login and the Docker config has none for %s: log in with 'docker login %s'", ref, ref.Registry, ref.Registry)
	case errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden):
		return fmt.Errorf("%s: the registry refused access (HTTP %d): log in with 'docker login %s' (credentials are read from the Docker config)", ref, resp.StatusCode, ref.Registry)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: not found in the registry: check the repository and the tag", ref)
	case errors.As(err, &resp):
		return fmt.Errorf("%s: the registry answered HTTP %d: %v", ref, resp.StatusCode, resp.Errors)
	case errors.As(err, &oerr):
		return fmt.Errorf("%s: cannot reach the registry %s: %v: is it running and listening there?", ref, ref.Registry, oerr.Err)
	case errors.As(err, &nerr):
		return fmt.Errorf("%s: cannot reach the registry %s: %v", ref, ref.Registry, err)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%s: the registry %s speaks plain HTTP, not HTTPS: use --insecure if the network to it is trusted", ref, ref.Registry)
	}
	return fmt.Errorf("%s: %v", ref, err)
}
