// warden-oci: an OCI runtime with runc's command line. Wasm containers run in a hardened
// warden-worker through the launcher; all others are handed to the host's runc. See
// warden-oci(8) and docs/kubernetes.md.
// Glibc for _exit only: leave without running atexit handlers
import Glibc
import WardenOCI

// _exit: everything the runtime prints went out with write(2) already.
_exit(Runtime.main(Array(CommandLine.arguments.dropFirst())))
