#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file mapped read-only into memory. Tensor views point into `bytes`; they stay valid
/// while the mapping is alive, so every view keeps a reference to its `MappedFile`.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    /// The whole file. Empty for a zero-length file.
    public let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int
    private let allocation: UnsafeMutableRawPointer?

    /// Maps `url` read-only. Throws `FileError` when the file cannot be opened or mapped.
    public init(url: URL) throws(FileError) {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw FileError.cannotOpen(url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FileError.cannotOpen(url.path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError.notAFile(url.path) }
        let size = Int(info.st_size)
        allocation = nil
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mappedLength = 0
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw FileError.cannotMap(url.path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: size)
        mappedLength = size
    }

    /// An in-memory copy of `data`, read through the same code as a mapped file (tests and
    /// fuzzing use it). Aligned to 64 bytes like a mapping's start.
    public init(copying data: some Collection<UInt8>, url: URL = URL(fileURLWithPath: "<memory>")) {
        self.url = url
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        buffer.copyBytes(from: data)
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0 ..< data.count])
        mappedLength = 0
        allocation = buffer.baseAddress
    }

    /// Drops the resident pages of `range` (a part of `bytes`) once its contents have been
    /// copied elsewhere, such as weights repacked at load: the file stays mapped and
    /// unchanged, a later read pages it back in, and resident memory no longer counts the
    /// file twice. Only for file mappings; memory copies are left alone.
    public func releasePages(_ range: UnsafeRawBufferPointer) {
        #if os(Linux) || canImport(Darwin)
        guard mappedLength > 0, allocation == nil, let base = bytes.baseAddress, let start = range.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lower = max(Int(bitPattern: start), Int(bitPattern: base))
        let upper = min(Int(bitPattern: start) + range.count, Int(bitPattern: base) + mappedLength)
        // Whole pages strictly inside the range: a page shared with a neighbour stays.
        let first = (lower + page - 1) / page * page, last = upper / page * page
        guard last > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        madvise(p, last - first, Int32(MADV_DONTNEED))
        #endif
    }

    deinit {
        if let allocation {
            allocation.deallocate()
            return
        }
        if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }
}

/// Failures to reach a file at all (as opposed to a file whose contents are malformed).
public enum FileError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(String, reason: String)
    case notAFile(String)
    case cannotMap(String, reason: String)
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .notAFile(let path): return "\(path) is not a regular file"
        case .cannotMap(let path, let reason): return "cannot map \(path) into memory: \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
