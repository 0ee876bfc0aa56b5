package dialogs

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// CompletedMsg carries a path completion back to the prompt that asked:
// For is the text it completed, Value the completed text and Options the
// names that still fit (when more than one does).
type CompletedMsg struct {
	ID      string
	For     string
	Value   string
	Options []string
}

// completeCmd completes the last path of value from the file system: the
// longest common prefix of the names in its directory that start with
// what was typed, a / added after a single directory. It reads the
// directory, so it runs as a command.
func completeCmd(id, value string) tea.Cmd {
	return func() tea.Msg {
		msg := CompletedMsg{ID: id, For: value, Value: value}
		typed := value
		if typed == "~" || strings.HasPrefix(typed, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				typed = home + strings.TrimPrefix(typed, "~")
			}
		}
		dir, base := filepath.Split(typed)
		readDir := dir
		if readDir == "" {
			readDir = "."
		}
		entries, err := os.ReadDir(readDir)
		if err != nil {
			return msg
		}
		var names []string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), base) && (base != "" || !strings.HasPrefix(e.Name(), ".")) {
				n := e.Name()
				if e.IsDir() {
					n += "/"
				}
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return msg
		}
		sort.Strings(names)
		common := names[0]
		for _, n := range names[1:] {
			for !strings.HasPrefix(n, common) {
				common = common[:len(common)-1]
			}
		}
		msg.Value = value[:len(value)-len(base)] + common
		if len(names) > 1 {
			msg.Options = names
		}
		return msg
	}
}
