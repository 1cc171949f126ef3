#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

private let models = testsDirectory.appendingPathComponent("SiftTests/Fixtures/models")

private func objects(_ stdout: String) throws -> [[String: Any]] {
    try stdout.split(separator: "\n").map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
}

@Suite struct ClassifyCommandTests {
    /// One output line per input line, in order; bad lines become error records and the
    /// stream goes on; other JSON fields pass through; the exit status reports the failures.
    @Test func everyLineGetsOneAnswer() throws {
        let input = """
            my invoice is wrong
            {"id": 7, "text": "the app crashes", "source": {"kind": "mail"}}

            {"id": 8}
            {"text": ""}
            {broken
            still going

            """
        let r = try runSift(["classify", "-m", models.appendingPathComponent("bert-cls").path, "--top-k", "2"], stdin: input)
        #expect(r.status == 1, "a failed line makes the exit status 1")
        let lines = try objects(r.stdout)
        try #require(lines.count == 7)
        #expect(["billing", "bug", "account"].contains(lines[0]["label"] as? String ?? ""))
        #expect((lines[0]["top"] as? [[String: Any]])?.count == 2)
        #expect(lines[1]["id"] as? Int == 7)
        #expect((lines[1]["source"] as? [String: Any])?["kind"] as? String == "mail")
        #expect(lines[1]["label"] != nil)
        #expect(lines[2]["line"] as? Int == 3 && lines[2]["error"] != nil)
        #expect(lines[3]["id"] as? Int == 8 && lines[3]["error"] != nil)
        #expect(lines[4]["error"] != nil)
        #expect(lines[5]["line"] as? Int == 6 && (lines[5]["error"] as? String ?? "").contains("JSON"))
        #expect(lines[6]["label"] != nil)
    }

    @Test func invalidUTF8IsAnErrorRecord() throws {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("sift")
        process.arguments = ["classify", "-m", models.appendingPathComponent("bert-cls").path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data([0x66, 0xFF, 0xFE, 0x0A, 0x6F, 0x6B, 0x0A]))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = try objects(String(decoding: out, as: UTF8.self))
        #expect(lines.count == 2)
        #expect((lines.first?["error"] as? String ?? "").contains("UTF-8"))
        #expect(lines.last?["label"] != nil)
        #expect(process.terminationStatus == 1)
    }

    @Test func argumentsAreClassified() throws {
        let r = try runSift(["classify", "-m", models.appendingPathComponent("roberta-cls").path, "first text", "second"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try objects(r.stdout).count == 2)
    }

    @Test func thresholdMarksAbstentions() throws {
        let r = try runSift(["classify", "-m", models.appendingPathComponent("bert-cls").path, "--threshold", "0.99", "hello"])
        #expect(try objects(r.stdout).first?["abstained"] as? Bool == true)
    }

    @Test func zeroShotLabelsWithALanguageModel() throws {
        let r = try runSift(["classify", "-m", models.appendingPathComponent("llama-lm").path, "--labels", "billing, bug,account",
                             "the app crashes on login"])
        #expect(r.status == 0, "\(r.stderr)")
        let top = try #require(try objects(r.stdout).first?["top"] as? [[String: Any]])
        #expect(Set(top.compactMap { $0["label"] as? String }) == ["billing", "bug", "account"])
        let sum = top.compactMap { ($0["score"] as? NSNumber)?.doubleValue }.reduce(0, +)
        #expect(abs(sum - 1) < 1e-3)
    }

    /// `--activation-scales` reaches the int8 path: with Q8_0 weights the two rules give the
    /// same label and slightly different scores (the fixture's are deterministic); a value
    /// that is not a rule is refused with the choices.
    @Test func activationScalesOption() throws {
        let model = models.appendingPathComponent("bert-cls").path
        var scores: [String: [Double]] = [:]
        for rule in ["power-of-two", "exact"] {
            let r = try runSift(["classify", "-m", model, "--weights", "q8_0", "--activation-scales", rule, "--top-k", "3", "my invoice is wrong"])
            #expect(r.status == 0, "\(rule): \(r.stderr)")
            let top = try #require(try objects(r.stdout).first?["top"] as? [[String: Any]])
            scores[rule] = top.compactMap { ($0["score"] as? NSNumber)?.doubleValue }
        }
        let a = try #require(scores["power-of-two"]), b = try #require(scores["exact"])
        #expect(a.count == 3 && b.count == 3)
        #expect(a != b, "the rule changed nothing: is the option passed on?")
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 0.05 })
        let bad = try runSift(["classify", "-m", model, "--activation-scales", "fast", "text"])
        #expect(bad.status != 0 && bad.stderr.contains("power-of-two") && bad.stdout.isEmpty)
    }

    @Test func missingModelIsOneClearError() throws {
        let r = try runSift(["classify", "-m", "/nonexistent/model.gguf", "text"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/model.gguf"))
        #expect(r.stdout.isEmpty)
    }

    @Test func convertThenClassify() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sift-cli-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: out) }
        let lora = models.appendingPathComponent("llama-lora")
        let c = try runSift(["convert", lora.appendingPathComponent("base").path, "--lora", lora.appendingPathComponent("adapter").path,
                             "--type", "q8_0", "-o", out.path])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("labels:"))
        let r = try runSift(["classify", "-m", out.path, "a ticket"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try objects(r.stdout).first?["label"] != nil)
    }
}

@Suite struct EvalCommandTests {
    @Test func jsonReportAndBadDataLine() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sift-eval-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: data) }
        try Data("{\"text\":\"my bill is wrong\",\"label\":\"billing\"}\n{\"text\":\"it crashes\",\"label\":\"bug\"}\n".utf8).write(to: data)
        let model = models.appendingPathComponent("bert-cls").path
        let r = try runSift(["eval", "-m", model, data.path, "--json", "--reference", model])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["examples"] as? Int == 2)
        #expect((object["agreement"] as? NSNumber)?.doubleValue == 1)
        #expect(object["confusion"] != nil && object["macroF1"] != nil && object["latencyMilliseconds"] != nil)

        try Data("{\"text\":\"no label here\"}\n".utf8).write(to: data)
        let bad = try runSift(["eval", "-m", model, data.path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains(":1: no \"label\""))
    }
}

extension ClassifyCommandTests {
    /// A reader that stops early (`sift classify … | head -1`) ends the tool quietly: no
    /// SIGPIPE death, no error message.
    @Test func closingTheOutputEarlyEndsQuietly() throws {
        // This test's own writes to the tool's closed input must not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("sift")
        process.arguments = ["classify", "-m", models.appendingPathComponent("bert-cls").path]
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let lines = String(repeating: "a ticket about a refund\n", count: 20_000)
        DispatchQueue.global().async {
            try? input.fileHandleForWriting.write(contentsOf: Data(lines.utf8))
            try? input.fileHandleForWriting.close()
        }
        _ = output.fileHandleForReading.availableData  // the first answer(s)
        try output.fileHandleForReading.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "killed by a signal")
        #expect(process.terminationStatus == 0)
        #expect(error.fileHandleForReading.readDataToEndOfFile().isEmpty)
    }
}
