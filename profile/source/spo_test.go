package source

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// TestSPORoundTrip exports each profile as a SeccompProfile in every API
// version the export writes and opens it again: the same meaning.
func TestSPORoundTrip(t *testing.T) {
	for name, src := range roundTripProfiles {
		for _, api := range export.SpoAPIs() {
			t.Run(name+"/"+api, func(t *testing.T) {
				p := mustOpen(t, src)
				path, _ := exportTo(t, p, export.FormatK8s, export.ExportOptions{K8sAPI: api, Name: "wb"})
				o := mustImport(t, path)
				if o.Format != FormatSPO || o.Name != "wb" {
					t.Fatalf("format %s, name %q", o.Format, o.Name)
				}
				sameMeaning(t, p, o.Profile)
			})
		}
	}
}

const spoTwo = `# two profiles and something else
apiVersion: v1
kind: Namespace
metadata:
  name: apps
---
apiVersion: security-profiles-operator.x-k8s.io/v1beta1
kind: SeccompProfile
metadata:
  name: web
spec:
  defaultAction: SCMP_ACT_ERRNO
  architectures: [SCMP_ARCH_X86_64]
  syscalls:
  - action: SCMP_ACT_ALLOW
    names: [read, write, exit_group]
---
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata:
  name: db
spec:
  defaultAction: SCMP_ACT_ALLOW
  syscalls:
  - action: SCMP_ACT_ERRNO
    errnoRet: 13
    names: [mount]
  - action: SCMP_ACT_ERRNO
    names: [personality]
    args:
    - index: 0
      op: SCMP_CMP_NE
      value: 0
---
`

func TestSPOSelect(t *testing.T) {
	path := writeFile(t, "profiles.yaml", spoTwo)
	_, err := Open(path)
	wantErr(t, err, path+" holds 2 SeccompProfiles (web, db): pick one with "+path+"#NAME")
	_, err = Open(path + "#nope")
	wantErr(t, err, path+"#nope: no SeccompProfile named \"nope\": the file has web, db")

	o := mustImport(t, path+"#db")
	if o.Name != "db" || o.Path != path {
		t.Fatalf("opened %q from %q", o.Name, o.Path)
	}
	want, err := profile.Parse("want", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "op": "SCMP_CMP_NE", "value": 0}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	sameMeaning(t, want, o.Profile)
	o = mustImport(t, path+"#web")
	if got := o.Profile.Syscalls[0].Names; strings.Join(got, ",") != "read,write,exit_group" {
		t.Errorf("web's names: %v", got)
	}
}

// TestSPOHashInFileName: a file whose name contains '#' is opened as
// that file; FILE#NAME selects only when FILE#NAME is not a file.
func TestSPOHashInFileName(t *testing.T) {
	dir := t.TempDir()
	hashed := dir + "/p#db"
	if err := writeFileAt(hashed, `{"defaultAction": "SCMP_ACT_LOG", "syscalls": []}`); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAt(dir+"/p", spoTwo); err != nil {
		t.Fatal(err)
	}
	o := mustImport(t, hashed)
	if o.Format != FormatDocker || o.Profile.DefaultAction != profile.ActLog {
		t.Fatalf("%s opened as %s with default %s; want the file named so", hashed, o.Format, o.Profile.DefaultAction)
	}
	o = mustImport(t, dir+"/p#web")
	if o.Format != FormatSPO || o.Name != "web" {
		t.Fatalf("p#web opened as %s %q", o.Format, o.Name)
	}
}

func TestSPOJSONAndList(t *testing.T) {
	js := writeFile(t, "sp.json", `{
	"apiVersion": "security-profiles-operator.x-k8s.io/v1",
	"kind": "SeccompProfile",
	"metadata": {"name": "one"},
	"spec": {
		"defaultAction": "SCMP_ACT_ERRNO",
		"architectures": ["SCMP_ARCH_NATIVE"],
		"syscalls": [{"action": "SCMP_ACT_ALLOW", "names": ["read"]}],
		"seccompProfileExtra": true
	},
	"status": {"status": "Installed"}
}`)
	o := mustImport(t, js)
	if o.Format != FormatSPO || o.Profile.Architectures[0] != profile.NativeArch().Docker() {
		t.Fatalf("format %s, arches %v", o.Format, o.Profile.Architectures)
	}
	wantWarning(t, o, "SCMP_ARCH_NATIVE")
	wantWarning(t, o, js+":9:3: spec.seccompProfileExtra is not a SeccompProfile field")

	list := writeFile(t, "list.yaml", `apiVersion: v1
kind: List
items:
- apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
  kind: SeccompProfile
  metadata: {name: old}
  spec:
    defaultAction: SCMP_ACT_ALLOW
    syscalls:
    - {action: SCMP_ACT_ERRNO, errnoRet: "38", names: [mount]}
`)
	o = mustImport(t, list)
	r := o.Profile.Syscalls[0]
	if o.Name != "old" || r.ErrnoRet == nil || *r.ErrnoRet != 38 {
		t.Fatalf("v1alpha1 errnoRet string: %+v", r)
	}
	if len(o.Warnings) != 0 {
		t.Errorf("warnings for a clean v1alpha1 profile: %q", o.Warnings)
	}
}

func TestSPOBase(t *testing.T) {
	path := writeFile(t, "based.yaml", `apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: app}
spec:
  defaultAction: SCMP_ACT_ERRNO
  baseProfileName: runc-v1.2.0
  syscalls:
  - {action: SCMP_ACT_ALLOW, names: [read]}
`)
	o := mustImport(t, path)
	wantWarning(t, o, "spec.baseProfileName runc-v1.2.0: the operator unions that profile's syscalls into this one, and it is not in this file")

	both := writeFile(t, "both.yaml", `apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: app}
spec:
  defaultAction: SCMP_ACT_ERRNO
  baseProfileName: base
  syscalls:
  - {action: SCMP_ACT_ALLOW, names: [read]}
  - {action: SCMP_ACT_LOG, names: [write]}
---
apiVersion: security-profiles-operator.x-k8s.io/v1
kind: SeccompProfile
metadata: {name: base}
spec:
  defaultAction: SCMP_ACT_ERRNO
  syscalls:
  - {action: SCMP_ACT_ALLOW, names: [write, exit_group]}
`)
	o = mustImport(t, both+"#app")
	want, _ := profile.Parse("want", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["write"], "action": "SCMP_ACT_LOG"},
		{"names": ["exit_group"], "action": "SCMP_ACT_ALLOW"}]}`))
	sameMeaning(t, want, o.Profile)
	wantWarning(t, o, "write: log in this profile and allow in its base base")
}

func TestSPOErrors(t *testing.T) {
	head := "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: x}\n"
	cases := map[string]struct{ body, want string }{
		"bad op": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read]\n    args:\n    - {index: 0, op: SCMP_CMP_EQUALS, value: 1}\n",
			":10:22: unknown comparison operator \"SCMP_CMP_EQUALS\""},
		"bad action": {head + "spec:\n  defaultAction: SCMP_ACT_NOPE\n", ":5:18: unknown action \"SCMP_ACT_NOPE\""},
		"no default": {head + "spec:\n  syscalls: []\n", ":5:3: \"defaultAction\" is missing"},
		"value type": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read]\n    args:\n    - {index: 0, op: SCMP_CMP_EQ, value: one}\n",
			":10:42: spec.syscalls[0].args[0].value must be a non-negative integer"},
		"no index": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read]\n    args:\n    - {op: SCMP_CMP_EQ, value: 1}\n",
			":10:7: spec.syscalls[0].args[0] has no index"},
		"index range": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read]\n    args:\n    - {index: 6, op: SCMP_CMP_EQ}\n",
			":10:15: spec.syscalls[0].args[0].index is 6"},
		"names not a list": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: read\n",
			":8:12: spec.syscalls[0].names must be a list"},
		"api": {"apiVersion: security-profiles-operator.x-k8s.io/v2\nkind: SeccompProfile\nspec: {defaultAction: SCMP_ACT_LOG}\n",
			":1:13: apiVersion \"security-profiles-operator.x-k8s.io/v2\" is not the security-profiles-operator's"},
		"no spec":  {head, ":1:1: SeccompProfile x has no spec"},
		"bad yaml": {head + "spec:\n  defaultAction: [\n", ":5: invalid YAML"},
		"alias": {head + "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: &n [read]\n  - action: SCMP_ACT_LOG\n    names: *n\n",
			":10:12: YAML aliases (*n) are not read"},
		"other kinds only": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			": no SeccompProfile in the file (it has ConfigMap)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "sp.yaml", c.body)
			_, err := Open(path)
			wantErr(t, err, path+c.want)
		})
	}
}
