package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
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
)

// testRegistry serves an in-memory registry on 127.0.0.1 and keeps the
// CLI away from the Docker config of whoever runs the tests.
func testRegistry(t *testing.T) string {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestPushPullCLI(t *testing.T) {
	host := testRegistry(t)
	ref := "oci://" + host + "/profiles/docker-default:v1"
	code, _, errs := runCLI(t, "push", "preset:docker-default", ref)
	if code != 0 || !strings.Contains(errs, "pushed preset:docker-default to "+ref+" (manifest sha256:") {
		t.Fatalf("push: exit %d: %s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "pulled.json")
	code, _, errs = runCLI(t, "pull", ref, "-o", out)
	if code != 0 || !strings.Contains(errs, "wrote runtime-spec JSON from "+ref) {
		t.Fatalf("pull: exit %d: %s", code, errs)
	}
	// Byte for byte what export --format oci writes for this host, and the
	// same meaning as the preset.
	_, want, _ := runCLI(t, "export", "preset:docker-default", "--format", "oci")
	got, err := os.ReadFile(out)
	if err != nil || string(got) != want {
		t.Errorf("pulled file differs from export --format oci (%v)", err)
	}
	code, stdout, errs := runCLI(t, "diff", "preset:docker-default", out)
	if code != 0 || !strings.Contains(stdout+errs, "no difference in meaning") {
		t.Errorf("diff preset pulled: exit %d\n%s%s", code, stdout, errs)
	}
	code, stdout, _ = runCLI(t, "pull", ref, "-o", "-")
	if code != 0 || stdout != want {
		t.Errorf("pull -o -: exit %d", code)
	}
}

func TestPushPullCLIPlatforms(t *testing.T) {
	host := testRegistry(t)
	ref := "oci://" + host + "/profiles/multi:v1"
	code, _, errs := runCLI(t, "push", "preset:docker-default", ref, "--platform", "x86_64,aarch64")
	if code != 0 || !strings.Contains(errs, "(index of 2 platforms sha256:") {
		t.Fatalf("push: exit %d: %s", code, errs)
	}
	for _, a := range []string{"x86_64", "aarch64"} {
		_, want, _ := runCLI(t, "export", "preset:docker-default", "--format", "oci", "--platform", a)
		code, got, errs := runCLI(t, "pull", ref, "--platform", a, "-o", "-")
		if code != 0 || got != want {
			t.Errorf("pull --platform %s: exit %d %s; same as export: %v", a, code, errs, got == want)
		}
	}
	code, _, errs = runCLI(t, "pull", ref, "--platform", "s390x", "-o", filepath.Join(t.TempDir(), "x.json"))
	if code != 1 || !strings.Contains(errs, "no profile for linux/s390x") {
		t.Errorf("pull for a platform the index lacks: exit %d: %s", code, errs)
	}
}

func TestPushPullCLISPOLayout(t *testing.T) {
	host := testRegistry(t)
	ref := "oci://" + host + "/profiles/web:v1"
	code, _, errs := runCLI(t, "push", "preset:docker-default", ref, "--layout", "spo", "--name", "web", "--platform", "x86_64", "--platform", "aarch64")
	if code != 0 || !strings.Contains(errs, "(SPO manifest of 2 platforms sha256:") {
		t.Fatalf("push: exit %d: %s", code, errs)
	}
	for _, a := range []string{"x86_64", "aarch64"} {
		_, want, _ := runCLI(t, "export", "preset:docker-default", "--format", "k8s", "--name", "web", "--platform", a)
		code, got, errs := runCLI(t, "pull", ref, "--platform", a, "-o", "-")
		if code != 0 || got != want || !strings.Contains(got, "kind: SeccompProfile\nmetadata:\n  name: web\n") {
			t.Errorf("pull --platform %s: exit %d %s; same as export: %v", a, code, errs, got == want)
		}
	}
}

// A refused pull leaves OUT as it was.
func TestPullCLIRefusesAndKeepsOut(t *testing.T) {
	host := testRegistry(t)
	repo, err := remote.NewRepository(host + "/other/image")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	ctx := context.Background()
	cfg := []byte(`{"architecture":"amd64","os":"linux"}`)
	layer := []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`)
	m := ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    content.NewDescriptorFromBytes(ocispec.MediaTypeImageConfig, cfg),
		Layers:    []ocispec.Descriptor{content.NewDescriptorFromBytes("application/json", layer)},
	}
	for _, b := range [][]byte{cfg, layer} {
		if err := repo.Blobs().Push(ctx, content.NewDescriptorFromBytes("", b), bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := json.Marshal(m)
	if err := repo.Manifests().PushReference(ctx, content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, raw), bytes.NewReader(raw), "v1"); err != nil {
		t.Fatal(err)
	}
	out := writeFile(t, "keep.json", "precious\n")
	for ref, want := range map[string]string{
		"oci://" + host + "/other/image:v1":      `artifact type "application/vnd.oci.image.config.v1+json" is not a seccomp profile`,
		"oci://" + host + "/other/image:missing": "not found in the registry",
	} {
		code, _, errs := runCLI(t, "pull", ref, "-o", out)
		if code != 1 || !strings.Contains(errorLine(errs), want) {
			t.Errorf("%s: exit %d: %q", ref, code, errs)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != "precious\n" {
		t.Errorf("OUT changed: %q", b)
	}
}

func TestPushPullCLIUsage(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	out := filepath.Join(t.TempDir(), "out.json")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"push", "preset:docker-default", "127.0.0.1:5000/a:v1"}, 2, "is not an OCI reference: use oci://REGISTRY/REPO:TAG"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a"}, 2, "has no tag"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a:v1", "--platform", "x32"}, 2, "x32 has no OCI platform"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a:v1", "--platform", "x86_64,amd64"}, 2, "given twice"},
		{[]string{"push", "preset:docker-default"}, 2, "usage: seccomp-workbench push"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a:v1", "--layout", "helm"}, 2, `--layout "helm": use runtime or spo`},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a:v1", "--name", "web"}, 2, "--name only applies to --layout spo"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a:v1", "--layout", "spo", "--name", "Web"}, 2, "--name:"},
		{[]string{"push", "preset:docker-default", "oci://127.0.0.1:5000/a@sha256:" + strings.Repeat("0", 64)}, 2, "names a digest: push to a tag"},
		{[]string{"pull", "oci://127.0.0.1:5000/a:v1"}, 2, "-o OUT is required"},
		{[]string{"pull", "oci://127.0.0.1:5000/a", "-o", out}, 2, "has no tag"},
		{[]string{"pull", "oci://" + closed + "/a:v1", "-o", out}, 1, "cannot reach the registry " + closed},
		{[]string{"push", "preset:docker-default", "oci://" + closed + "/a:v1"}, 1, "cannot reach the registry " + closed},
		{[]string{"push", "preset:no-such", "oci://" + closed + "/a:v1"}, 1, "no-such"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if line := errorLine(errs); code != c.code || !strings.Contains(line, c.want) {
			t.Errorf("%v: exit %d (want %d): %q, want %q", c.args, code, c.code, errs, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed pull created OUT: %v", err)
	}
}

// errorLine is the one line of stderr that carries the error ("" when
// there is none or more than one).
func errorLine(stderr string) string {
	var found []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "seccomp-workbench: ") {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}
