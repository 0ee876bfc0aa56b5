package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The YAML reader also reads JSON (YAML's flow style is a superset), so
// the SeccompProfile and Firecracker readers walk yaml.Nodes for both and
// every error carries the node's line and column.

// pos is FILE:LINE:COL of a node.
func pos(name string, n *yaml.Node) string {
	return fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column)
}

// nodeErr is an error at a node: FILE:LINE:COL: what.
func nodeErr(name string, n *yaml.Node, format string, a ...any) error {
	return fmt.Errorf("%s: %s", pos(name, n), fmt.Sprintf(format, a...))
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlDocs reads every document of a YAML stream (or one JSON value).
func yamlDocs(name string, data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			msg := err.Error()
			if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
				return nil, fmt.Errorf("%s:%s: invalid YAML: %s", name, m[1], m[2])
			}
			return nil, fmt.Errorf("%s: invalid YAML: %s", name, strings.TrimPrefix(msg, "yaml: "))
		}
		if a := firstAlias(&n); a != nil {
			// An alias can stand for a list of lists, and a few lines
			// for billions of entries; manifests do not need them.
			return nil, nodeErr(name, a, "YAML aliases (*%s) are not read: write the values out", a.Value)
		}
		if len(n.Content) > 0 && !(n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			// An empty document (a trailing "---") is skipped.
			docs = append(docs, n.Content[0])
		}
	}
}

// pairs lists a mapping's keys and values in order; an error when n is
// not a mapping.
func pairs(name string, n *yaml.Node, what string) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, nodeErr(name, n, "%s must be a mapping (key: value lines, or a JSON object)", what)
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out, nil
}

// get is the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// items are a sequence's entries; an error when n is not a sequence.
func items(name string, n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, nodeErr(name, n, "%s must be a list", what)
	}
	return n.Content, nil
}

// str is a scalar's text; an error for a list, a mapping or null.
func str(name string, n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", nodeErr(name, n, "%s must be a string", what)
	}
	return n.Value, nil
}

func strs(name string, n *yaml.Node, what string) ([]string, error) {
	its, err := items(name, n, what)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(its))
	for _, it := range its {
		s, err := str(name, it, what+" entry")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// uintOf reads a non-negative integer (decimal, 0x hex, 0o octal). YAML's
// own reader refuses integers above 2^63-1, which argument values need.
func uintOf(name string, n *yaml.Node, what string, quotedOK bool) (uint64, error) {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && !(quotedOK && n.Tag == "!!str")) {
		return 0, nodeErr(name, n, "%s must be a non-negative integer", what)
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		return 0, nodeErr(name, n, "%s: %q is not a non-negative 64-bit integer", what, n.Value)
	}
	return v, nil
}

// nodeAt walks keys and indexes from n; nil when the path leaves the tree.
func nodeAt(n *yaml.Node, path []any) *yaml.Node {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			n = get(n, k)
		case int:
			if n == nil || n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return nil
			}
			n = n.Content[k]
		}
		if n == nil {
			return nil
		}
	}
	return n
}

// firstAlias is the first alias node under n, or nil.
func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}
