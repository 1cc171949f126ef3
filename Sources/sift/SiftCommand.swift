import ArgumentParser

@main
struct SiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sift",
        abstract: "Run small fine-tuned transformer classifiers on the CPU, privately.",
        discussion: """
            Sift loads a GGUF file or a Hugging Face model folder (config.json, safetensors, tokenizer.json) and never opens a network connection.
            """,
        subcommands: [Classify.self, Eval.self, Convert.self, Inspect.self, Tokenize.self]
    )
}
