#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// C streams over file descriptors 0 and 1, made once. (Swift 6 refuses the `stdin` and
// `stdout` globals as shared mutable state; these are only used from the main thread.)
nonisolated(unsafe) let standardInputStream: UnsafeMutablePointer<FILE> = fdopen(STDIN_FILENO, "r")
nonisolated(unsafe) let standardOutputStream: UnsafeMutablePointer<FILE> = fdopen(STDOUT_FILENO, "w")

/// Lines of standard input as raw bytes (without the trailing "\n" or "\r\n"), read as they
/// arrive so that the tool works interactively as well as in pipes.
struct LineReader: Sequence, IteratorProtocol {
    private let file: UnsafeMutablePointer<FILE>

    static func standardInput() -> LineReader { LineReader(file: standardInputStream) }

    mutating func next() -> [UInt8]? {
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        let n = getline(&buffer, &capacity, file)
        defer { free(buffer) }
        guard n >= 0, let buffer else { return nil }
        var bytes = Array(UnsafeRawBufferPointer(start: buffer, count: n))
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}

/// Writes one line at a time to standard output and flushes it. Reports a closed pipe as
/// `false` so that the tool can stop quietly.
struct LineWriter {
    init() {
        // A closed pipe must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    mutating func write(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        let ok = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, standardOutputStream) == $0.count }
        return ok && fflush(standardOutputStream) == 0
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where c.value < 0x20 || c.value == 0x7F:
            out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
