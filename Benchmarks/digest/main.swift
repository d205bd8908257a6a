// Hashes a file ROUNDS times with the SHA256 compiled beside this file and prints the median
// throughput. Built by run.sh, once with warden's libcrypto wrapper and, for a before/after
// figure, once with an earlier revision's own Swift implementation.
import Glibc

let arguments = CommandLine.arguments
guard arguments.count == 3, let rounds = Int(arguments[2]), rounds > 0 else {
    print("usage: sha256-bench FILE ROUNDS"); exit(64)
}
let fd = open(arguments[1], O_RDONLY)
guard fd >= 0 else { print("cannot open \(arguments[1])"); exit(1) }
var bytes = [UInt8]()
var chunk = [UInt8](repeating: 0, count: 1 << 20)
while true {
    let count = read(fd, &chunk, chunk.count)
    if count <= 0 { break }
    bytes += chunk[0..<count]
}
close(fd)

// CPU time of this process, not wall time: the figure holds on a busy machine (the build
// machines here share two cores), where wall time measures the neighbours as much as the hash.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
var seconds: [Double] = []
var digest = ""
for _ in 0..<rounds {
    let start = now()
    digest = SHA256.hex(of: bytes)
    seconds.append(now() - start)
}
seconds.sort()
let median = seconds[seconds.count / 2]
print("\(digest)  median \(Int(median * 1000)) ms CPU  \(Int(Double(bytes.count) / median / 1_048_576)) MiB/s")
