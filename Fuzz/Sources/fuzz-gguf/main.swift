import Foundation
import FuzzDriver
import Sift

/// Any bytes as a GGUF file: parse the header, read every tensor's data and metadata
/// array, build the tokenizer and the model it describes. Errors are fine; crashes,
/// traps and sanitizer reports are bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = MappedFile(copying: UnsafeBufferPointer(start: data, count: size))
    guard let gguf = try? GGUFFile(file: file) else { return 0 }
    for info in gguf.tensors {
        let bytes = gguf.data(of: info)
        var sum: UInt8 = 0
        for b in bytes.prefix(64) { sum &+= b }
        _ = sum
        _ = try? gguf.tensor(info.name)?.floats()
    }
    _ = try? gguf.vocabulary()
    _ = try? gguf.tokenizer().encode("fuzzing a GGUF vocabulary 123 ünïcode")
    // The model it describes, through the public loader (hostile hyper-parameters must be
    // refused before anything is allocated).
    if gguf.architecture != nil {
        FileManager.default.createFile(atPath: modelPath, contents: Data(bytes: data, count: size))
        if let classifier = try? Classifier(contentsOf: URL(fileURLWithPath: modelPath), options: .init(threads: 1, maxTokens: 16)) {
            _ = try? classifier.classify("a short ticket")
        }
    }
    return 0
}

let modelPath = FileManager.default.temporaryDirectory.appendingPathComponent("sift-fuzz-\(getpid()).gguf").path

runFuzzer { data, size in fuzzGGUF(data ?? UnsafePointer(bitPattern: 1)!, size) }
