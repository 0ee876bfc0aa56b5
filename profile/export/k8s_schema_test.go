package export

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
)

// spoSchemaFile holds the security-profiles-operator CRD's
// openAPIV3Schema (descriptions and status left out), as the operator
// ships it.
const spoSchemaFile = "../../testdata/export/spo-seccompprofile-schema.json"

// spoSchema compiles the CRD's schema with what the API server enforces
// beyond plain JSON Schema made explicit: an int32/int64 format bounds
// the value, x-kubernetes-list-type: set forbids repeats, and a
// structural schema prunes (here: rejects) fields it does not declare.
func spoSchema(t *testing.T) (*jsonschema.Schema, []string) {
	t.Helper()
	data, err := os.ReadFile(spoSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Versions []string       `json:"versions"`
		Schema   map[string]any `json:"openAPIV3Schema"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch n := v.(type) {
		case map[string]any:
			switch n["format"] {
			case "int64":
				n["maximum"] = json.Number("9223372036854775807")
			case "int32":
				n["maximum"] = json.Number("2147483647")
			}
			if n["x-kubernetes-list-type"] == "set" {
				n["uniqueItems"] = true
			}
			if props, ok := n["properties"].(map[string]any); ok && n["type"] == "object" {
				if _, isMeta := props["name"]; !isMeta {
					n["additionalProperties"] = false
				}
			}
			for _, c := range n {
				walk(c)
			}
		case []any:
			for _, c := range n {
				walk(c)
			}
		}
	}
	walk(doc.Schema)
	c := jsonschema.NewCompiler()
	if err := c.AddResource("spo.json", doc.Schema); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("spo.json")
	if err != nil {
		t.Fatal(err)
	}
	return s, doc.Versions
}

// validateSPO checks the YAML against the CRD as the API server would.
func validateSPO(t *testing.T, s *jsonschema.Schema, versions []string, out []byte) error {
	t.Helper()
	js, err := yaml.YAMLToJSON(out)
	if err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	obj := v.(map[string]any)
	api, _ := obj["apiVersion"].(string)
	group, ver, _ := strings.Cut(api, "/")
	if group != spoGroup || obj["kind"] != spoKind || !strings.Contains(" "+strings.Join(versions, " ")+" ", " "+ver+" ") {
		t.Errorf("apiVersion %q kind %v: not a version the CRD serves (%v)", api, obj["kind"], versions)
	}
	if md, _ := obj["metadata"].(map[string]any); md["namespace"] != nil {
		t.Error("metadata.namespace on a cluster-scoped resource")
	}
	return s.Validate(v)
}

func TestK8sExportMatchesCRD(t *testing.T) {
	s, versions := spoSchema(t)
	for _, src := range []string{"preset:docker-default", "preset:strict-baseline", "preset:no-network", "preset:read-only-fs",
		"../../testdata/profiles/podman-default.json", "../../testdata/export/small.json"} {
		for _, api := range []string{"", "v1beta1"} {
			out, _, err := Export(mustOpen(t, src), x86Env(), FormatK8s, ExportOptions{Source: src, K8sAPI: api})
			if err != nil {
				t.Errorf("%s: %v", src, err)
				continue
			}
			want := "apiVersion: security-profiles-operator.x-k8s.io/v1\n"
			if api != "" {
				want = "apiVersion: security-profiles-operator.x-k8s.io/" + api + "\n"
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("%s --api %q: no %q", src, api, want)
			}
			if err := validateSPO(t, s, versions, out); err != nil {
				t.Errorf("%s: the CRD rejects the export: %v\n%s", src, err, out)
			}
		}
	}
}

// What the CRD rejects is refused, or rewritten with a note; either way
// no export the API server would reject is written.
func TestK8sExportCRDLimits(t *testing.T) {
	s, versions := spoSchema(t)
	const base = `"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"]`
	const allow = `{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}`
	for _, c := range []struct {
		name, profile string
		err, note     string // a refusal, or a note on a rewritten field
		yaml          string
	}{
		{"listenerPath elsewhere", `{` + base + `, "listenerPath": "/run/my-agent/agent.sock", "syscalls": [` + allow + `, {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}`,
			"", "listenerPath /run/my-agent/agent.sock is outside /var/run/security-profiles-operator/", "listenerPath: /var/run/security-profiles-operator/agent.sock\n"},
		{"listenerPath in a subdirectory", `{` + base + `, "listenerPath": "/var/run/security-profiles-operator/a/b.sock", "syscalls": [` + allow + `]}`,
			"", "written as /var/run/security-profiles-operator/b.sock", "listenerPath: /var/run/security-profiles-operator/b.sock\n"},
		{"listenerPath that fits", `{` + base + `, "listenerPath": "/var/run/security-profiles-operator/agent.sock", "syscalls": [` + allow + `]}`,
			"", "", "listenerPath: /var/run/security-profiles-operator/agent.sock\n"},
		{"listenerPath with a space", `{` + base + `, "listenerPath": "/run/my agent.sock", "syscalls": [` + allow + `]}`,
			`listenerPath "/run/my agent.sock": the SeccompProfile CRD accepts only a socket directly in /var/run/security-profiles-operator/`, "", ""},
		{"value above int64", `{` + base + `, "syscalls": [` + allow + `, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}]}`,
			"syscalls[1] (personality): argument value 0xffffffffffffffff is above 2^63-1", "", ""},
		{"value at int64's top", `{` + base + `, "syscalls": [` + allow + `, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 9223372036854775807, "op": "SCMP_CMP_EQ"}]}]}`,
			"", "", "value: 9223372036854775807\n"},
		{"a name twice", `{` + base + `, "syscalls": [{"names": ["read", "write", "read", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}]}`,
			"", "syscalls[0] names read twice", ""},
		{"defaultErrnoRet", `{` + base + `, "defaultErrnoRet": 38, "syscalls": [` + allow + `]}`,
			"", "no defaultErrnoRet", ""},
		{"a flag twice", `{` + base + `, "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_LOG"], "syscalls": [` + allow + `]}`,
			"", "flag SECCOMP_FILTER_FLAG_LOG is listed twice", "  flags:\n  - SECCOMP_FILTER_FLAG_LOG\n  syscalls:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := profile.Parse("t.json", []byte(c.profile))
			if err != nil {
				t.Fatal(err)
			}
			out, notes, err := Export(p, x86Env(), FormatK8s, ExportOptions{})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if all := strings.Join(notes, "\n"); c.note != "" && !strings.Contains(all, c.note) {
				t.Errorf("notes lack %q:\n%s", c.note, all)
			}
			if !strings.Contains(string(out), c.yaml) {
				t.Errorf("YAML lacks %q:\n%s", c.yaml, out)
			}
			if err := validateSPO(t, s, versions, out); err != nil {
				t.Errorf("the CRD rejects it: %v\n%s", err, out)
			}
		})
	}
	if _, _, err := Export(mustOpen(t, "preset:docker-default"), x86Env(), FormatK8s, ExportOptions{K8sAPI: "v1alpha1"}); err == nil || !strings.Contains(err.Error(), `API version "v1alpha1": the operator serves v1 and v1beta1`) {
		t.Errorf("--api v1alpha1: %v", err)
	}
}

// The schema checks are not vacuous: what the CRD forbids fails them.
func TestSPOSchemaRejects(t *testing.T) {
	s, versions := spoSchema(t)
	good, _, err := Export(mustOpen(t, "../../testdata/export/small.json"), profile.Env{Host: catalog.X86_64, Caps: profile.DockerDefaultCaps()}, FormatK8s, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := validateSPO(t, s, versions, good); err != nil {
		t.Fatalf("good export rejected: %v", err)
	}
	for _, c := range []struct{ from, to string }{
		{"defaultAction: SCMP_ACT_ERRNO", "defaultAction: SCMP_ACT_NOPE"},
		{"spec:\n", "spec:\n  defaultErrnoRet: 38\n"},
		{"spec:\n", "spec:\n  listenerPath: /run/agent.sock\n"},
		{"  - SCMP_ARCH_X86_64\n", "  - SCMP_ARCH_LOONGARCH64\n"},
		{"  - SCMP_ARCH_X86_64\n", "  - SCMP_ARCH_X86_64\n  - SCMP_ARCH_X86_64\n"},
		{"    names:\n", "    names:\n    - read\n    - read\n"},
		{"    names:\n", "    args:\n    - index: 0\n      op: SCMP_CMP_EQ\n      value: 9223372036854775808\n    names:\n"},
	} {
		bad := strings.Replace(string(good), c.from, c.to, 1)
		if bad == string(good) {
			t.Fatalf("%q not in the export:\n%s", c.from, good)
		}
		if err := validateSPO(t, s, versions, []byte(bad)); err == nil {
			t.Errorf("schema accepts %q", c.to)
		}
	}
}

// A kubelet localhost file is read as plain OCI by containerd and
// resolved by CRI-O; the export leaves neither anything to resolve, and
// means exactly the effective profile whatever the node's capabilities
// or kernel.
func TestLocalhostExportReadsTheSameEverywhere(t *testing.T) {
	for _, src := range []string{"preset:docker-default", "../../testdata/profiles/podman-default.json", "../../testdata/export/denylist.json"} {
		p := mustOpen(t, src)
		for _, env := range []profile.Env{x86Env(), {Host: catalog.AArch64, Kernel: profile.Kernel{Major: 5, Minor: 4}, Caps: profile.AllCaps()}} {
			e := p.Effective(env)
			out, notes, err := Export(p, env, FormatK8sLocalhost, ExportOptions{})
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			if !strings.Contains(strings.Join(notes, "\n"), "place it only on nodes of that arch") {
				t.Errorf("%s: no note on where the file may go: %v", src, notes)
			}
			// containerd: the runtime-spec struct, nothing else; the only
			// other key is the comment, which both runtimes ignore.
			var raw any
			if err := json.Unmarshal(out, &raw); err != nil {
				t.Fatal(err)
			}
			var keys func(v any, path string)
			keys = func(v any, path string) {
				switch n := v.(type) {
				case map[string]any:
					for k, c := range n {
						switch k {
						case "archMap", "includes", "excludes", "name", "minKernel", "defaultErrno", "errno":
							t.Errorf("%s: %s%s is left to the runtime to resolve", src, path, k)
						}
						keys(c, path+k+".")
					}
				case []any:
					for _, c := range n {
						keys(c, path)
					}
				}
			}
			keys(raw, "")
			// Read back, under another host's capabilities and kernel, it
			// means what the effective profile means.
			back, err := profile.Parse("localhost.json", out)
			if err != nil {
				t.Fatal(err)
			}
			other := env
			other.Caps, other.Kernel = nil, profile.Kernel{Major: 3, Minor: 10}
			if cs := diff.Diff(e, back.Effective(other)); len(cs) != 0 {
				t.Errorf("%s for %s: the file means something else: %v", src, env, cs[0])
			}
			if len(back.Architectures) == 0 || len(back.ArchMap) != 0 {
				t.Errorf("%s: architectures %v, archMap %v", src, back.Architectures, back.ArchMap)
			}
		}
	}
}
