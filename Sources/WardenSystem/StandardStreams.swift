import Glibc

/// Descriptors 0, 1 and 2 of this process.
public enum StandardStreams {
    /// Opens /dev/null into whichever of 0, 1 and 2 is closed. A closed standard descriptor
    /// would be taken by the next open (an audit log, a module image) and handed to a module
    /// as a standard stream.
    public static func fillClosed() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 {
            _ = Glibc.open("/dev/null", O_RDWR)
        }
    }
}
