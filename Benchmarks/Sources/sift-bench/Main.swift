import ArgumentParser

@main
struct SiftBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift-bench",
        abstract: "Sift's benchmarks: stable tables to compare across commits and with peers.",
        subcommands: [ModelBenchmark.self, GEMMBenchmark.self, TokenizerBenchmark.self, SoakBenchmark.self]
    )
}
