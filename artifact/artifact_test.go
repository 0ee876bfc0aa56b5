package artifact

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// testOpts never reads the Docker config of whoever runs the tests.
var testOpts = Options{NoDockerConfig: true}

// newRegistry serves go-containerregistry's in-memory registry on
// 127.0.0.1 (httptest listens on loopback only) and returns its host:port.
func newRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func mustRef(t *testing.T, s string) Ref {
	t.Helper()
	r, err := ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// resolved is p as push stores it for env: the runtime-spec object.
func resolved(t *testing.T, p *profile.Profile, env profile.Env) []byte {
	t.Helper()
	b, _, err := export.Export(p, env, export.FormatOCI, export.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func envFor(a catalog.Arch) profile.Env {
	env := profile.HostEnv()
	env.Host = a
	return env
}

func sameMeaning(t *testing.T, what string, a, b *profile.Profile, env profile.Env) {
	t.Helper()
	if ch := diff.Diff(a.Effective(env), b.Effective(env)); len(ch) > 0 {
		t.Errorf("%s: %d differences, first: %s", what, len(ch), ch[0])
	}
}

// rawGet fetches a manifest as a client would, to see exactly what the
// registry holds.
func rawGet(t *testing.T, host, repo, ref string) (string, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+host+"/v2/"+repo+"/manifests/"+ref, nil)
	req.Header.Set("Accept", ocispec.MediaTypeImageManifest+", "+ocispec.MediaTypeImageIndex)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET manifest %s: %s %s", ref, resp.Status, b)
	}
	return resp.Header.Get("Content-Type"), b
}

func TestPushPullRoundTrip(t *testing.T) {
	host := newRegistry(t, nil)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	env := profile.HostEnv()
	data := resolved(t, p, env)
	ref := mustRef(t, "oci://"+host+"/profiles/docker-default:v1")
	pushed, err := Push(context.Background(), ref, LayoutRuntime, []Layer{{Content: data}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}

	// What the registry holds is SPO's runtime format, exactly.
	ct, raw := rawGet(t, host, "profiles/docker-default", "v1")
	if ct != ocispec.MediaTypeImageManifest {
		t.Errorf("manifest Content-Type %q", ct)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.MediaType != ocispec.MediaTypeImageManifest || m.ArtifactType != MediaTypeSeccompProfile ||
		m.Config.MediaType != MediaTypeSeccompProfile || m.Config.Size != 2 ||
		m.Annotations[ocispec.AnnotationCreated] != CreatedDefault {
		t.Errorf("manifest: %s", raw)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != "application/json" ||
		m.Layers[0].Annotations[ocispec.AnnotationTitle] != "profile.json" || m.Layers[0].Size != int64(len(data)) {
		t.Errorf("layers: %s", raw)
	}
	if string(pushed.Digest) != "sha256:"+sha(raw) {
		t.Errorf("Push reported %s for a manifest of digest %s", pushed.Digest, sha(raw))
	}

	got, err := Pull(context.Background(), ref, mustPlatform(t, env.Host), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Content, data) || got.Kind != KindRuntimeJSON || got.Manifest != pushed.Digest {
		t.Errorf("pulled %s %s, %d bytes; pushed %d bytes", got.Kind, got.Manifest, len(got.Content), len(data))
	}
	back, err := profile.Parse("pulled", got.Content)
	if err != nil {
		t.Fatal(err)
	}
	sameMeaning(t, "pulled vs preset", p, back, env)

	// The same profile pushed again is the same artifact (fixed created
	// time), and a digest reference pulls it too.
	again, err := Push(context.Background(), mustRef(t, "oci://"+host+"/profiles/docker-default:v1-again"), LayoutRuntime, []Layer{{Content: data}}, testOpts)
	if err != nil || again.Digest != pushed.Digest {
		t.Errorf("second push: %v, digest %s vs %s", err, again.Digest, pushed.Digest)
	}
	byDigest := mustRef(t, "oci://"+host+"/profiles/docker-default@"+string(pushed.Digest))
	if got, err := Pull(context.Background(), byDigest, mustPlatform(t, env.Host), testOpts); err != nil || !bytes.Equal(got.Content, data) {
		t.Errorf("pull by digest: %v", err)
	}
}

func sha(b []byte) string { return content.NewDescriptorFromBytes("", b).Digest.Encoded() }

func mustPlatform(t *testing.T, a catalog.Arch) *ocispec.Platform {
	t.Helper()
	p, err := Platform(a)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// An index holds one resolved profile per platform; a pull takes its own.
func TestPullIndexPicksPlatform(t *testing.T) {
	host := newRegistry(t, nil)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	ref := mustRef(t, "oci://"+host+"/profiles/multi:v1")
	arches := []catalog.Arch{catalog.X86_64, catalog.AArch64}
	var layers []Layer
	for _, a := range arches {
		layers = append(layers, Layer{Platform: mustPlatform(t, a), Content: resolved(t, p, envFor(a))})
	}
	if bytes.Equal(layers[0].Content, layers[1].Content) {
		t.Fatal("docker-default should resolve differently on x86_64 and aarch64")
	}
	pushed, err := Push(context.Background(), ref, LayoutRuntime, layers, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ct, raw := rawGet(t, host, "profiles/multi", "v1")
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil || ct != ocispec.MediaTypeImageIndex || pushed.MediaType != ct {
		t.Fatalf("index: %v %s %s", err, ct, raw)
	}
	if len(idx.Manifests) != 2 || idx.Manifests[0].Platform.Architecture != "amd64" || idx.Manifests[1].Platform.Architecture != "arm64" ||
		idx.Manifests[0].ArtifactType != MediaTypeSeccompProfile {
		t.Errorf("index entries: %s", raw)
	}
	for i, a := range arches {
		got, err := Pull(context.Background(), ref, mustPlatform(t, a), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Content, layers[i].Content) || got.Platform.Architecture != idx.Manifests[i].Platform.Architecture {
			t.Errorf("%s: pulled the profile for %s", a, PlatformString(got.Platform))
		}
		back, err := profile.Parse("pulled", got.Content)
		if err != nil {
			t.Fatal(err)
		}
		sameMeaning(t, string(a), p, back, envFor(a))
	}
	// arm64/v8 is arm64 (containerd's normalization).
	v8 := &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	if got, err := Pull(context.Background(), ref, v8, testOpts); err != nil || !bytes.Equal(got.Content, layers[1].Content) {
		t.Errorf("linux/arm64/v8: %v", err)
	}
	_, err = Pull(context.Background(), ref, mustPlatform(t, catalog.RISCV64), testOpts)
	if err == nil || !strings.Contains(err.Error(), "no profile for linux/riscv64 (the index has linux/amd64, linux/arm64)") {
		t.Errorf("riscv64 from an amd64+arm64 index: %v", err)
	}
}

// craft pushes a manifest with the given config, artifactType and layers
// (each layer's content given) the way another tool might have.
func craft(t *testing.T, host, repoTag string, m ocispec.Manifest, blobs ...[]byte) {
	t.Helper()
	ref := mustRef(t, "oci://"+host+"/"+repoTag)
	repo, err := remote.NewRepository(ref.Registry + "/" + ref.Repository)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	ctx := context.Background()
	for _, b := range blobs {
		d := content.NewDescriptorFromBytes("application/octet-stream", b)
		if err := repo.Blobs().Push(ctx, d, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	m.Versioned = specs.Versioned{SchemaVersion: 2}
	if m.MediaType == "" {
		m.MediaType = ocispec.MediaTypeImageManifest
	}
	raw, _ := json.Marshal(m)
	d := content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, raw)
	if err := repo.Manifests().PushReference(ctx, d, bytes.NewReader(raw), ref.Tag); err != nil {
		t.Fatal(err)
	}
}

func layerOf(mediaType, title string, b []byte) ocispec.Descriptor {
	d := content.NewDescriptorFromBytes(mediaType, b)
	d.Annotations = map[string]string{ocispec.AnnotationTitle: title}
	return d
}

var emptyJSON = []byte("{}")

func runtimeManifest(layers ...ocispec.Descriptor) ocispec.Manifest {
	return ocispec.Manifest{
		ArtifactType: MediaTypeSeccompProfile,
		Config:       content.NewDescriptorFromBytes(MediaTypeSeccompProfile, emptyJSON),
		Layers:       layers,
	}
}

func TestPullRefuses(t *testing.T) {
	host := newRegistry(t, nil)
	small := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`)
	big := append([]byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`), bytes.Repeat([]byte(" "), MaxProfileBytes)...)
	dockerOnly := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"Docker has comments, the runtime-spec does not"}]}`)
	badAction := []byte(`{"defaultAction":"SCMP_ACT_SOMETIMES"}`)
	imageCfg := []byte(`{"architecture":"amd64","os":"linux"}`)
	cases := []struct {
		tag   string
		m     ocispec.Manifest
		blobs [][]byte
		want  string
	}{
		{"image", ocispec.Manifest{Config: content.NewDescriptorFromBytes(ocispec.MediaTypeImageConfig, imageCfg), Layers: []ocispec.Descriptor{layerOf(MediaTypeProfileJSON, "profile.json", small)}},
			[][]byte{imageCfg, small}, `artifact type "application/vnd.oci.image.config.v1+json" is not a seccomp profile`},
		{"layer-type", runtimeManifest(layerOf("application/octet-stream", "profile.json", small)),
			[][]byte{emptyJSON, small}, `media type is "application/octet-stream", not "application/json"`},
		{"two-layers", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", small), layerOf(MediaTypeProfileJSON, "other.json", badAction)),
			[][]byte{emptyJSON, small, badAction}, "exactly one layer, this one has 2"},
		{"too-big", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", big)),
			[][]byte{emptyJSON, big}, "more than the 1048576 a profile artifact may have"},
		{"not-runtime-spec", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", dockerOnly)),
			[][]byte{emptyJSON, dockerOnly}, `not a runtime-spec seccomp profile: json: unknown field "comment"`},
		{"not-a-profile", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", badAction)),
			[][]byte{emptyJSON, badAction}, "SCMP_ACT_SOMETIMES"},
		{"no-default", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", emptyJSON)),
			[][]byte{emptyJSON}, "has no defaultAction"},
		{"says-index", func() ocispec.Manifest {
			m := runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", small))
			m.MediaType = ocispec.MediaTypeImageIndex
			return m
		}(), [][]byte{emptyJSON, small}, `the manifest says it is "application/vnd.oci.image.index.v1+json"`},
	}
	for _, c := range cases {
		craft(t, host, "bad/x:"+c.tag, c.m, c.blobs...)
		_, err := Pull(context.Background(), mustRef(t, "oci://"+host+"/bad/x:"+c.tag), mustPlatform(t, catalog.X86_64), testOpts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.tag, err, c.want)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is more than one line: %q", c.tag, err)
		}
	}
	_, err := Pull(context.Background(), mustRef(t, "oci://"+host+"/bad/x:missing"), nil, testOpts)
	if err == nil || !strings.Contains(err.Error(), "not found in the registry") {
		t.Errorf("missing tag: %v", err)
	}
}

// A registry that serves other bytes than the digest names is caught by
// the digest check, whatever the layout says.
func TestPullRefusesTamperedBlob(t *testing.T) {
	good := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`)
	evil := bytes.Replace(good, []byte("ERRNO"), []byte("ALLOW"), 1)
	d := content.NewDescriptorFromBytes(MediaTypeProfileJSON, good)
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+d.Digest.String()) {
				w.Write(evil) // same length as good: only the digest can tell
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	craft(t, host, "t/x:v1", runtimeManifest(layerOf(MediaTypeProfileJSON, "profile.json", good)), emptyJSON, good)
	_, err := Pull(context.Background(), mustRef(t, "oci://"+host+"/t/x:v1"), nil, testOpts)
	if err == nil || !strings.Contains(err.Error(), "does not match its digest") {
		t.Errorf("tampered layer: %v", err)
	}
}

// SPO's own layout (spoc push): SeccompProfile YAML, one layer per
// platform with the layer's platform set, the unknown-config artifactType.
func TestPullSPOLayout(t *testing.T) {
	host := newRegistry(t, nil)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	var layers []ocispec.Descriptor
	var blobs [][]byte
	for _, a := range []catalog.Arch{catalog.X86_64, catalog.AArch64} {
		y, _, err := export.Export(p, envFor(a), export.FormatK8s, export.ExportOptions{Name: "docker-default"})
		if err != nil {
			t.Fatal(err)
		}
		pl := mustPlatform(t, a)
		l := layerOf(MediaTypeLayerTar, yamlName(pl), y)
		l.Platform = pl
		layers, blobs = append(layers, l), append(blobs, y)
	}
	empty := content.NewDescriptorFromBytes(ocispec.MediaTypeEmptyJSON, emptyJSON)
	craft(t, host, "spo/p:v1", ocispec.Manifest{ArtifactType: MediaTypeUnknownConfig, Config: empty, Layers: layers}, append(blobs, emptyJSON)...)
	got, err := Pull(context.Background(), mustRef(t, "oci://"+host+"/spo/p:v1"), mustPlatform(t, catalog.AArch64), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != KindSeccompProfile || !bytes.Equal(got.Content, blobs[1]) || got.Platform.Architecture != "arm64" {
		t.Errorf("pulled %s for %s", got.Kind, PlatformString(got.Platform))
	}
	_, err = Pull(context.Background(), mustRef(t, "oci://"+host+"/spo/p:v1"), mustPlatform(t, catalog.S390X), testOpts)
	if err == nil || !strings.Contains(err.Error(), "no profile layer for linux/s390x") {
		t.Errorf("s390x: %v", err)
	}
	// A runtime-spec object in SPO's layout is read as one.
	rt := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`)
	craft(t, host, "spo/p:json", ocispec.Manifest{ArtifactType: MediaTypeUnknownConfig, Config: empty, Layers: []ocispec.Descriptor{layerOf(MediaTypeLayerTar, "profile.json", rt)}}, rt, emptyJSON)
	if got, err := Pull(context.Background(), mustRef(t, "oci://"+host+"/spo/p:json"), nil, testOpts); err != nil || got.Kind != KindRuntimeJSON {
		t.Errorf("runtime-spec JSON in SPO's layout: %v", err)
	}
	// A resource of another kind in the same layout is refused.
	other := []byte("apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: AppArmorProfile\nmetadata:\n  name: x\nspec: {}\n")
	craft(t, host, "spo/p:apparmor", ocispec.Manifest{ArtifactType: MediaTypeUnknownConfig, Config: empty, Layers: []ocispec.Descriptor{layerOf(MediaTypeLayerTar, "profile.yaml", other)}}, other, emptyJSON)
	_, err = Pull(context.Background(), mustRef(t, "oci://"+host+"/spo/p:apparmor"), nil, testOpts)
	if err == nil || !strings.Contains(err.Error(), "it has AppArmorProfile") {
		t.Errorf("AppArmorProfile: %v", err)
	}
}

func TestParseRef(t *testing.T) {
	good := map[string]Ref{
		"oci://127.0.0.1:5000/profiles/app:v1":   {Registry: "127.0.0.1:5000", Repository: "profiles/app", Tag: "v1"},
		"oci://localhost/a:latest":               {Registry: "localhost", Repository: "a", Tag: "latest"},
		"oci://127.0.0.1:5000/a@sha256:" + zeros: {Registry: "127.0.0.1:5000", Repository: "a", Digest: "sha256:" + zeros},
	}
	for s, want := range good {
		r, err := ParseRef(s)
		if err != nil || r != want || r.String() != s {
			t.Errorf("%s: %+v %v", s, r, err)
		}
	}
	bad := map[string]string{
		"127.0.0.1:5000/a:v1":               "is not an OCI reference",
		"docker://127.0.0.1:5000/a:v1":      "is not an OCI reference",
		"oci://127.0.0.1:5000/a":            "has no tag",
		"oci://127.0.0.1:5000":              "has no repository",
		"oci://127.0.0.1:5000/A:v1":         "invalid reference",
		"oci://127.0.0.1:5000/a:-v1":        "invalid reference",
		"oci://127.0.0.1:5000/a@sha256:abc": "invalid reference",
	}
	for s, want := range bad {
		if _, err := ParseRef(s); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "oci://REGISTRY/REPO:TAG") {
			t.Errorf("%s: %v, want %q", s, err, want)
		}
	}
	for s, want := range map[string]bool{"127.0.0.1:5000": true, "127.1.2.3": true, "localhost:5000": true, "[::1]:5000": true, "registry.example:5000": false, "127.0.0.1.example:5000": false, "localhost.example:5000": false} {
		if got := (Ref{Registry: s}).Loopback(); got != want {
			t.Errorf("Loopback(%s) = %v", s, got)
		}
	}
}

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = Pull(context.Background(), mustRef(t, "oci://"+addr+"/a:v1"), nil, testOpts)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the registry "+addr) || strings.Contains(err.Error(), "\n") {
		t.Errorf("closed port: %v", err)
	}
}

// Push refuses what a consumer of the artifact would refuse, before it
// uploads anything.
func TestPushRefuses(t *testing.T) {
	host := newRegistry(t, nil)
	for tag, c := range map[string]struct{ json, want string }{
		"notify":   {`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_NOTIFY"}]}`, "uses SCMP_ACT_NOTIFY"},
		"listener": {`{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock"}`, "has listenerPath"},
		"docker":   {`{"defaultAction":"SCMP_ACT_ERRNO","archMap":[]}`, `unknown field "archMap"`},
		"big":      {`{"defaultAction":"SCMP_ACT_ALLOW"}` + strings.Repeat(" ", MaxProfileBytes), "more than the 1048576"},
	} {
		_, err := Push(context.Background(), mustRef(t, "oci://"+host+"/refused/x:"+tag), LayoutRuntime, []Layer{{Content: []byte(c.json)}}, testOpts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", tag, err, c.want)
		}
	}
	resp, err := http.Get("http://" + host + "/v2/refused/x/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a refused push left tags: %s %s", resp.Status, b)
	}
}

func TestRemoteErrorHints(t *testing.T) {
	ref := mustRef(t, "oci://127.0.0.1:5000/a:v1")
	err := remoteError(ref, errors.New(`Head "https://127.0.0.1:5000/v2/a/manifests/v1": http: server gave HTTP response to HTTPS client`))
	if !strings.Contains(err.Error(), "speaks plain HTTP, not HTTPS: use --insecure") {
		t.Errorf("HTTP registry: %v", err)
	}
	err = remoteError(ref, fmt.Errorf("fetch: %w", &errcode.ErrorResponse{Method: "GET", StatusCode: 401}))
	if !strings.Contains(err.Error(), "refused access (HTTP 401): log in with 'docker login 127.0.0.1:5000'") {
		t.Errorf("401: %v", err)
	}
}

// Credentials come from the Docker config: a registry that wants basic
// auth is refused without them (with a hint) and served with them.
func TestDockerConfigCredentials(t *testing.T) {
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	data := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`)
	ref := mustRef(t, "oci://"+host+"/private/p:v1")
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	withConfig := Options{}
	if _, err := Push(context.Background(), ref, LayoutRuntime, []Layer{{Content: data}}, withConfig); err == nil || !strings.Contains(err.Error(), "wants a login and the Docker config has none for "+host) {
		t.Fatalf("no credentials: %v", err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	cfg := `{"auths":{"` + host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(context.Background(), ref, LayoutRuntime, []Layer{{Content: data}}, withConfig); err != nil {
		t.Fatal(err)
	}
	got, err := Pull(context.Background(), ref, nil, withConfig)
	if err != nil || !bytes.Equal(got.Content, data) {
		t.Fatalf("pull with credentials: %v", err)
	}
	if _, err := Pull(context.Background(), ref, nil, testOpts); err == nil || !strings.Contains(err.Error(), "wants a login") {
		t.Errorf("NoDockerConfig still sent credentials: %v", err)
	}
}

// LayoutSPO writes what spoc push writes: one manifest, the OCI empty
// config, the unknown-config artifactType, a SeccompProfile YAML layer per
// platform named and bound to it; pull reads each platform's back.
func TestPushSPOLayout(t *testing.T) {
	host := newRegistry(t, nil)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	arches := []catalog.Arch{catalog.AArch64, catalog.X86_64}
	var layers []Layer
	for _, a := range arches {
		y, _, err := export.Export(p, envFor(a), export.FormatK8s, export.ExportOptions{Name: "docker-default"})
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, Layer{Platform: mustPlatform(t, a), Content: y})
	}
	ref := mustRef(t, "oci://"+host+"/spo/pushed:v1")
	pushed, err := Push(context.Background(), ref, LayoutSPO, layers, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ct, raw := rawGet(t, host, "spo/pushed", "v1")
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil || ct != ocispec.MediaTypeImageManifest || pushed.MediaType != ct {
		t.Fatalf("manifest: %v %s", err, ct)
	}
	if m.ArtifactType != "application/vnd.unknown.config.v1+json" || m.Config.MediaType != "application/vnd.oci.empty.v1+json" || len(m.Layers) != 2 {
		t.Errorf("manifest: %s", raw)
	}
	// In name order: amd64 before arm64, whatever order they were given.
	for i, want := range []string{"profile-linux-amd64.yaml", "profile-linux-arm64.yaml"} {
		l := m.Layers[i]
		if l.MediaType != "application/vnd.oci.image.layer.v1.tar" || l.Annotations[ocispec.AnnotationTitle] != want ||
			l.Platform == nil || "profile-linux-"+l.Platform.Architecture+".yaml" != want {
			t.Errorf("layer %d: %+v, want %s", i, l, want)
		}
	}
	for i, a := range arches {
		got, err := Pull(context.Background(), ref, mustPlatform(t, a), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != KindSeccompProfile || !bytes.Equal(got.Content, layers[i].Content) {
			t.Errorf("%s: pulled %s, same as pushed: %v", a, got.Kind, bytes.Equal(got.Content, layers[i].Content))
		}
	}
	// A single platform-independent profile is profile.yaml.
	if _, err := Push(context.Background(), mustRef(t, "oci://"+host+"/spo/one:v1"), LayoutSPO, []Layer{{Content: layers[0].Content}}, testOpts); err != nil {
		t.Fatal(err)
	}
	_, raw = rawGet(t, host, "spo/one", "v1")
	if !strings.Contains(string(raw), `"org.opencontainers.image.title":"profile.yaml"`) {
		t.Errorf("single layer: %s", raw)
	}
	// What is not a SeccompProfile is not pushed in this layout.
	_, err = Push(context.Background(), mustRef(t, "oci://"+host+"/spo/bad:v1"), LayoutSPO, []Layer{{Content: []byte(`{"defaultAction":"SCMP_ACT_ERRNO"}`)}}, testOpts)
	if err == nil || !strings.Contains(err.Error(), "not a security-profiles-operator SeccompProfile: refused") {
		t.Errorf("JSON in the SPO layout: %v", err)
	}
	_, err = Push(context.Background(), mustRef(t, "oci://"+host+"/spo/x@sha256:"+zeros), LayoutSPO, layers, testOpts)
	if err == nil || !strings.Contains(err.Error(), "a push needs a tag") {
		t.Errorf("push to a digest: %v", err)
	}
}
