import Foundation

/// The folder holding the built products (the `sift` executable beside the test bundle).
public var productsDirectory: URL {
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    #endif
    return Bundle.main.bundleURL
}

public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs the built `sift` with `arguments`, feeding `stdin`, and collects its output.
public func runSift(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> CommandResult {
    try runSift(arguments, stdinBytes: Array(stdin.utf8), environment: environment)
}

/// Runs the built `sift` with `arguments`, feeding raw bytes (invalid UTF-8 included).
public func runSift(_ arguments: [String], stdinBytes: [UInt8], environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("sift")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let input = Pipe(), output = Pipe(), error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read both pipes concurrently with the write so that neither fills up and blocks.
    nonisolated(unsafe) var out = Data(), err = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { out = output.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { err = error.fileHandleForReading.readDataToEndOfFile() }
    input.fileHandleForWriting.write(Data(stdinBytes))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    group.wait()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: out, as: UTF8.self),
                         stderr: String(decoding: err, as: UTF8.self))
}
