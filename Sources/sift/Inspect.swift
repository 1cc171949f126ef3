import ArgumentParser
import Foundation
import Sift

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a model file or folder contains.",
        discussion: """
            PATH is a GGUF file, a .safetensors file or a Hugging Face model folder. Prints the format, the architecture, the metadata (long arrays abbreviated; config.json for a folder) and a table of tensors with shape (outermost dimension first), type and size, then totals.
            """
    )

    @Argument(help: "A GGUF file, a .safetensors file or a Hugging Face model folder.")
    var path: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let inspection: Inspection
        do {
            inspection = try Inspection(path: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("\(path): \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inspection), as: UTF8.self))
        } else {
            print(render(inspection), terminator: "")
        }
    }

    func render(_ i: Inspection) -> String {
        var out = ""
        out += "file          \(i.path)\n"
        out += "format        \(i.format)\n"
        out += "architecture  \(i.architecture ?? "-")\n\n"
        out += "metadata (\(i.metadata.count) \(i.metadata.count == 1 ? "entry" : "entries"))\n"
        let keyWidth = min(i.metadata.map(\.key.count).max() ?? 0, 48)
        for e in i.metadata {
            let type = e.count.map { "\(e.type)×\($0)" } ?? e.type
            out += "  \(pad(e.key, keyWidth))  \(pad(type, 14))  \(clip(e.value, 120))\n"
        }
        out += "\ntensors (\(i.tensors.count))\n"
        let nameWidth = max(i.tensors.map(\.name.count).max() ?? 0, 4)
        let shapes = i.tensors.map { "[" + $0.shape.map(String.init).joined(separator: ", ") + "]" }
        let shapeWidth = max(shapes.map(\.count).max() ?? 0, 5)
        out += "  \(pad("name", nameWidth))  \(pad("shape", shapeWidth))  \(pad("type", 6))  \(leftPad("bytes", 12))\n"
        for (t, shape) in zip(i.tensors, shapes) {
            out += "  \(pad(t.name, nameWidth))  \(pad(shape, shapeWidth))  \(pad(t.type, 6))  \(leftPad(String(t.bytes), 12))\n"
        }
        var byType: [String: (count: Int, bytes: Int)] = [:]
        for t in i.tensors { byType[t.type, default: (0, 0)].count += 1; byType[t.type, default: (0, 0)].bytes += t.bytes }
        out += "\ntotal  \(i.tensors.count) tensors, \(i.parameterCount) parameters, \(i.tensorBytes) bytes (\(megabytes(i.tensorBytes)))\n"
        for (type, v) in byType.sorted(by: { $0.key < $1.key }) {
            out += "  \(pad(type, 6))  \(leftPad(String(v.count), 5)) tensors  \(leftPad(megabytes(v.bytes), 10))\n"
        }
        return out
    }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

func clip(_ s: String, _ width: Int) -> String {
    let flat = s.replacingOccurrences(of: "\n", with: "\\n")
    return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
}

func megabytes(_ bytes: Int) -> String {
    String(format: "%.1f MB", Double(bytes) / 1_000_000)
}

/// An error for the user: printed as one line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
