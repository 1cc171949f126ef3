import Foundation
import Testing
import TestSupport

private let models = testsDirectory.appendingPathComponent("SiftTests/Fixtures/models")

/// Privacy is a reason to run a classifier locally: the tool must never open a socket.
/// A preloaded shim replaces socket(2) and connect(2) with versions that record the call
/// and fail; the tool then runs convert, classify (plain and zero-shot) and eval.
@Suite struct NoNetworkTests {
    static func compileShim() throws -> URL? {
        #if os(Linux)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sift-nonet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("nonet.c"), library = dir.appendingPathComponent("libnonet.so")
        try """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/socket.h>
            static void note(const char *what, int a) {
                const char *path = getenv("SIFT_SOCKET_LOG");
                FILE *f = path ? fopen(path, "a") : NULL;
                if (f) { fprintf(f, "%s %d\\n", what, a); fclose(f); }
            }
            int socket(int domain, int type, int protocol) { (void)type; (void)protocol; note("socket", domain); errno = EACCES; return -1; }
            int connect(int fd, const struct sockaddr *a, socklen_t n) { (void)a; (void)n; note("connect", fd); errno = EACCES; return -1; }
            """.write(to: source, atomically: true, encoding: .utf8)
        for compiler in ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"] where FileManager.default.isExecutableFile(atPath: compiler) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: compiler)
            p.arguments = ["-shared", "-fPIC", "-o", library.path, source.path]
            try p.run()
            p.waitUntilExit()
            if p.terminationStatus == 0 { return library }
        }
        #endif
        return nil
    }

    @Test func theToolOpensNoSocket() throws {
        guard let shim = try Self.compileShim() else {
            print("NoNetworkTests: no C compiler or not Linux; skipped")
            return
        }
        let log = shim.deletingLastPathComponent().appendingPathComponent("sockets.log")
        let env = ["LD_PRELOAD": shim.path, "SIFT_SOCKET_LOG": log.path]
        let out = shim.deletingLastPathComponent().appendingPathComponent("m.gguf")
        let data = shim.deletingLastPathComponent().appendingPathComponent("d.jsonl")
        try Data("{\"text\":\"refund please\",\"label\":\"billing\"}\n".utf8).write(to: data)
        let runs: [[String]] = [
            ["convert", models.appendingPathComponent("bert-cls").path, "-o", out.path],
            ["classify", "-m", out.path, "my card was charged twice"],
            ["classify", "-m", models.appendingPathComponent("llama-lm").path, "--labels", "billing,bug", "it crashes"],
            ["eval", "-m", out.path, data.path],
        ]
        for args in runs {
            let r = try runSift(args, stdin: "a ticket\n", environment: env)
            #expect(r.status == 0, "\(args.first!): \(r.stderr)")
        }
        let recorded = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(recorded.isEmpty, "socket calls: \(recorded)")

        // The control: the shim does see a program that opens a socket (bash's /dev/tcp).
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/9 || true"]
        bash.environment = env
        bash.standardError = Pipe()
        try bash.run()
        bash.waitUntilExit()
        let control = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(control.contains("socket"), "the shim did not intercept a socket call, so the check above proves nothing")
    }
}
