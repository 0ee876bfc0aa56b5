package catalog

import "sort"

// Some ABIs reach the socket and System V IPC calls through two
// multiplexers as well as (on newer kernels) directly: socketcall(call,
// args) and ipc(call, first, second, third, ptr, fifth). The operation is
// the first argument; the operation's own arguments sit behind a pointer
// (socketcall) or in the remaining registers (ipc).
//
// libseccomp 2.5 rewrites a rule for any of these calls on such an ABI
// into two: one on the direct call, if the ABI has it, and one on the
// multiplexer with argument 0 equal to the operation (its other
// conditions kept as they are, now on the multiplexer's arguments). It
// does so on x86, mips o32 (big and little endian), ppc, ppc64, ppc64le,
// s390 and s390x (the ABIs whose arch_def has sys_socketcall).

// Multiplexer names.
const (
	SocketCall = "socketcall"
	IPC        = "ipc"
)

// muxOps are the operation numbers: SYS_* of linux/net.h for socketcall,
// the call numbers of linux/ipc.h for ipc. Sorted by name.
var muxOps = []struct {
	name, mux string
	op        uint32
}{
	{"accept", SocketCall, 5}, {"accept4", SocketCall, 18}, {"bind", SocketCall, 2},
	{"connect", SocketCall, 3}, {"getpeername", SocketCall, 7}, {"getsockname", SocketCall, 6},
	{"getsockopt", SocketCall, 15}, {"listen", SocketCall, 4}, {"msgctl", IPC, 14},
	{"msgget", IPC, 13}, {"msgrcv", IPC, 12}, {"msgsnd", IPC, 11},
	{"recv", SocketCall, 10}, {"recvfrom", SocketCall, 12}, {"recvmmsg", SocketCall, 19},
	{"recvmsg", SocketCall, 17}, {"semctl", IPC, 3}, {"semget", IPC, 2},
	{"semop", IPC, 1}, {"semtimedop", IPC, 4}, {"send", SocketCall, 9},
	{"sendmmsg", SocketCall, 20}, {"sendmsg", SocketCall, 16}, {"sendto", SocketCall, 11},
	{"setsockopt", SocketCall, 14}, {"shmat", IPC, 21}, {"shmctl", IPC, 24},
	{"shmdt", IPC, 22}, {"shmget", IPC, 23}, {"shutdown", SocketCall, 13},
	{"socket", SocketCall, 1}, {"socketpair", SocketCall, 8},
}

// MaxSocketCallOp is SYS_SENDMMSG, the highest socketcall operation; the
// kernel answers EINVAL above it.
const MaxSocketCallOp = 20

// IPCVersionShift: ipc's call number carries a version in its upper 16
// bits, which the kernel strips before it looks at the operation.
const IPCVersionShift = 16

// MuxOp says which multiplexer carries name and as which operation; ok is
// false for a call no multiplexer carries.
func MuxOp(name string) (mux string, op uint32, ok bool) {
	i := sort.Search(len(muxOps), func(i int) bool { return muxOps[i].name >= name })
	if i < len(muxOps) && muxOps[i].name == name {
		return muxOps[i].mux, muxOps[i].op, true
	}
	return "", 0, false
}

// MuxOps lists the operations of one multiplexer by number.
func MuxOps(mux string) map[uint32]string {
	out := map[uint32]string{}
	for _, m := range muxOps {
		if m.mux == mux {
			out[m.op] = m.name
		}
	}
	return out
}

// muxABIs are the ABIs on which libseccomp 2.5 maps the calls onto the
// multiplexers.
var muxABIs = []Arch{X86, S390X, PPC64LE, S390, PPC, PPC64, MIPS, MIPSEL}

// Multiplexes reports whether libseccomp maps socket and IPC calls onto
// socketcall and ipc on a.
func (a Arch) Multiplexes() bool {
	for _, m := range muxABIs {
		if m == a {
			return true
		}
	}
	return false
}
