/// A model that cannot be loaded, naming the tensor or key at fault and what to do.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingTensor(String)
    case unexpectedTensors([String])
    case shapeMismatch(tensor: String, expected: String, found: [Int])
    case unsupportedTensorType(tensor: String, type: String)
    case missingKey(String)
    case invalidValue(key: String, value: String, expected: String)
    case unsupportedArchitecture(String, supported: [String])
    case configMismatch(String)

    public var description: String {
        switch self {
        case .missingTensor(let name): return "tensor \(name) is missing from the weights"
        case .unexpectedTensors(let names):
            let shown = names.prefix(5).joined(separator: ", ")
            return "unexpected tensors in the weights: \(shown)\(names.count > 5 ? " and \(names.count - 5) more" : "") (is the architecture right?)"
        case .shapeMismatch(let name, let expected, let found):
            return "tensor \(name) has shape \(found), expected \(expected)"
        case .unsupportedTensorType(let name, let type):
            return "tensor \(name) is stored as \(type), which Sift cannot convert"
        case .missingKey(let key): return "the model configuration has no \(key)"
        case .invalidValue(let key, let value, let expected): return "\(key) = \(value) is invalid: expected \(expected)"
        case .unsupportedArchitecture(let name, let supported):
            return "unsupported architecture \(name); Sift supports \(supported.joined(separator: ", "))"
        case .configMismatch(let why): return "the configuration and the weights disagree: \(why)"
        }
    }
}

/// A required config value, or an error naming its key.
func need(_ value: Int?, _ key: String) throws -> Int {
    guard let value else { throw ModelError.missingKey(key) }
    return value
}

/// A config value within the sizes Sift accepts, or an error naming the key: a hostile or
/// corrupt config is refused before anything is allocated from it.
func bounded(_ value: Int, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
    guard range.contains(value) else { throw ModelError.invalidValue(key: key, value: "\(value)", expected: "\(range)") }
    return value
}
