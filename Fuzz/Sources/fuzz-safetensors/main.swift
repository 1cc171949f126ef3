import Foundation
import FuzzDriver
import Sift

/// Any bytes as a safetensors file: parse the header and read every tensor as floats.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = MappedFile(copying: UnsafeBufferPointer(start: data, count: size))
    guard let st = try? SafetensorsFile(file: file) else { return 0 }
    for name in st.tensorNames { _ = try? st.tensor(name)?.floats() }
    return 0
}

runFuzzer { data, size in fuzzSafetensors(data ?? UnsafePointer(bitPattern: 1)!, size) }
