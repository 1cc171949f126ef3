import Foundation
import Testing
import TestSupport

private let models = testsDirectory.appendingPathComponent("SiftTests/Fixtures/models")

/// Text that customers (or attackers) type: every line gets an answer in bounded time, and
/// the stream goes on.
@Suite struct HostileInputTests {
    static let cases: [(String, [UInt8])] = [
        ("10 MB line", Array(String(repeating: "refund my order now ", count: 10_000_000 / 20).utf8)),
        ("only combining marks", Array(String(repeating: "\u{0301}\u{0308}\u{0327}", count: 20_000).utf8)),
        ("NUL bytes", [0x61, 0x00, 0x62, 0x00, 0x00, 0x63]),
        ("100,000 emoji", Array(String(repeating: "👩‍👩‍👧‍👦", count: 100_000).utf8)),
        ("special-token text", Array(String(repeating: "[CLS][SEP]<s></s><|im_start|>[PAD][UNK]", count: 5_000).utf8)),
        ("one 1 MB word", Array(String(repeating: "a", count: 1_000_000).utf8)),
    ]

    @Test(arguments: ["bert-cls", "llama-cls", "xlm-roberta-cls"])
    func everyHostileLineIsAnsweredAndTheStreamGoesOn(model: String) throws {
        var input: [UInt8] = []
        for (_, bytes) in Self.cases { input += bytes + [0x0A] }
        input += [0xC3, 0x28, 0x0A]  // invalid UTF-8
        input += Array("a normal ticket at the end\n".utf8)
        let start = Date()
        let r = try runSift(["classify", "-m", models.appendingPathComponent(model).path], stdinBytes: input)
        let seconds = Date().timeIntervalSince(start)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == Self.cases.count + 2, "one answer per line")
        for (i, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if i < Self.cases.count {
                // A result (truncated where long) or an error record, never silence.
                #expect(object["label"] != nil || object["error"] != nil, "\(Self.cases[i].0)")
            }
            if i == 0 { #expect(object["truncated"] as? Bool == true, "the 10 MB line is truncated") }
        }
        #expect((try JSONSerialization.jsonObject(with: Data(lines[Self.cases.count].utf8)) as? [String: Any])?["error"] != nil)
        #expect((try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])?["label"] != nil)
        #expect(seconds < 60, "hostile input took \(seconds) s")
    }
}
