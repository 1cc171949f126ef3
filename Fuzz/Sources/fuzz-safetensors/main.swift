import Foundation
import Sift

/// Any bytes as a safetensors file: parse the header and read every tensor as floats.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = MappedFile(copying: UnsafeBufferPointer(start: data, count: size))
    guard let st = try? SafetensorsFile(file: file) else { return 0 }
    for name in st.tensorNames { _ = try? st.tensor(name)?.floats() }
    return 0
}

// libFuzzer's driver, called from this executable's own entry point (SwiftPM renames an
// executable's main, so libFuzzer's main cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzSafetensors(data ?? UnsafePointer(bitPattern: 1)!, size) })
