package profile

import "testing"

func TestParseErrno(t *testing.T) {
	for in, want := range map[string]uint{
		"EPERM": 1, "eacces": 13, " ENOSYS ": 38, "13": 13, "0x26": 38,
		// A leading zero is not octal, as everywhere else numbers are read.
		"010": 10, "4095": 4095, "EHWPOISON": 133,
	} {
		if got, err := ParseErrno(in); err != nil || got != want {
			t.Errorf("ParseErrno(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "4096", "EWHAT", "", "-1"} {
		if got, err := ParseErrno(in); err == nil {
			t.Errorf("ParseErrno(%q) = %d, want an error", in, got)
		}
	}
}
