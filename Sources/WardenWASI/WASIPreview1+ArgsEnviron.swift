extension WASIPreview1 {
    public func argsSizesGet(_ memory: GuestMemory, count: UInt32, bufferSize: UInt32) throws(WASIErrno) {
        try storeSizes(configuration.arguments, memory, count, bufferSize)
    }

    public func argsGet(_ memory: GuestMemory, pointers: UInt32, buffer: UInt32) throws(WASIErrno) {
        try storeStrings(configuration.arguments, memory, pointers, buffer)
    }

    public func environSizesGet(_ memory: GuestMemory, count: UInt32, bufferSize: UInt32) throws(WASIErrno) {
        try storeSizes(configuration.environment, memory, count, bufferSize)
    }

    public func environGet(_ memory: GuestMemory, pointers: UInt32, buffer: UInt32) throws(WASIErrno) {
        try storeStrings(configuration.environment, memory, pointers, buffer)
        if observer != nil { environmentRead = true }
    }

    private func storeSizes(_ strings: [String], _ memory: GuestMemory, _ count: UInt32, _ bufferSize: UInt32) throws(WASIErrno) {
        try memory.store(UInt32(strings.count), at: count)
        try memory.store(UInt32(strings.reduce(0) { $0 + $1.utf8.count + 1 }), at: bufferSize)
    }

    /// Writes each string NUL-terminated into `buffer` and its address into `pointers[i]`.
    private func storeStrings(_ strings: [String], _ memory: GuestMemory, _ pointers: UInt32, _ buffer: UInt32) throws(WASIErrno) {
        var cursor = buffer
        for (index, string) in strings.enumerated() {
            let (slot, overflow) = pointers.addingReportingOverflow(UInt32(index * 4))
            guard !overflow else { throw .fault }
            try memory.store(cursor, at: slot)
            var bytes = Array(string.utf8)
            bytes.append(0)
            try memory.copy(bytes, to: cursor)
            let (next, wrapped) = cursor.addingReportingOverflow(UInt32(bytes.count))
            guard !wrapped else { throw .fault }
            cursor = next
        }
    }
}
