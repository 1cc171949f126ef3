// The regular expressions the Split pre-tokenizer recognises by their exact text and runs
// with hand-written matchers (see Split.swift).
// MARK: - Recognised patterns

/// Patterns found in real tokenizer.json files (and llama.cpp's GGUF pre-tokenizer table),
/// keyed by their exact text, each written out as alternatives.
enum SplitPatterns {
    private static let letters = CharClass.of(.letter)
    private static let numbers = CharClass.of(.number)
    private static let spaces = CharClass.of(.space)
    private static let space = CharClass.scalars(" ")
    private static let lineBreak = CharClass.scalars("\r\n")
    /// `[^\s\p{L}\p{N}]`
    private static let other = CharClass.not([.space, .letter, .number])
    /// `[^\r\n\p{L}\p{N}]`
    private static let leading = CharClass.not([.letter, .number], "\r\n")
    private static let whitespaceTail: [Alternative] = [.lineBreaks, .spacesNotBeforeText, .run(spaces)]

    /// GPT-2's, which the ByteLevel pre-tokenizer runs when `use_regex` is set.
    static let gpt2Alternatives: [Alternative] = [
        .contraction(ignoringCase: false), .run(letters, prefix: space), .run(numbers, prefix: space),
        .run(other, prefix: space), .spacesNotBeforeText, .run(spaces),
    ]

    /// cl100k's shape (Llama 3, Qwen2, …), differing in how many digits go together.
    private static func cl100k(digits: Int, contractions: Bool = true) -> [Alternative] {
        (contractions ? [.contraction(ignoringCase: true)] : [])
            + [.run(letters, prefix: leading), .run(numbers, max: digits), .run(other, prefix: space, trailing: lineBreak)]
            + whitespaceTail
    }

    /// o200k's shape (GPT-4o, Llama 4, Tekken), which splits words at case changes.
    private static func o200k(digits: Int, contractions: Bool) -> [Alternative] {
        [.casedWord(upperFirst: false, contraction: contractions), .casedWord(upperFirst: true, contraction: contractions),
         .run(numbers, max: digits), .run(other, prefix: space, trailing: .scalars("\r\n/"))]
            + whitespaceTail
    }

    private static let entries: [(String, [Alternative])] = [
        (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#, gpt2Alternatives),
        (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"#, gpt2Alternatives.dropLast()),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 3)),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 1)),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: .max)),
        (#"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, cl100k(digits: 1, contractions: false)),
        // Seed-Coder: the \r\n excluded from the symbol run are whitespace anyway.
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         [.contraction(ignoringCase: true), .run(letters, prefix: leading), .run(numbers, max: 1), .run(other, prefix: space)] + whitespaceTail),
        // Qwen3.5: marks join letters.
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         [.contraction(ignoringCase: true), .run(.of(RegexCategories.letter.union(.mark)), prefix: leading), .run(numbers, max: 1),
          .run(.not([.space, .letter, .mark, .number]), prefix: space, trailing: lineBreak)] + whitespaceTail),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 3, contractions: true)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 1, contractions: true)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 1, contractions: false)),
        (#"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
         o200k(digits: 3, contractions: false)),
        // Digit splits (StarCoder, SmolLM, Falcon, DeepSeek) and line splits (Gemma 4).
        (#"\p{N}"#, [.run(numbers, max: 1)]),
        (#"\p{N}{1}"#, [.run(numbers, max: 1)]),
        (#"\p{N}{1,3}"#, [.run(numbers, max: 3)]),
        (#"\p{N}+"#, [.run(numbers)]),
        (#"\d"#, [.run(.of(.digit), max: 1)]),
        (#"\d+"#, [.run(.of(.digit))]),
        (#"[0-9]"#, [.run(CharClass(ranges: [0x30 ... 0x39]), max: 1)]),
        (#"[0-9][0-9][0-9]"#, [.run(CharClass(ranges: [0x30 ... 0x39]), min: 3, max: 3)]),
        (#"[\r\n]"#, [.run(lineBreak, max: 1)]),
        (#"[^\n]+|[\n]+"#, [.run(.not([], "\n")), .run(.scalars("\n"))]),
        // BLOOM: `[` inside a bracket expression opens a nested set, so both spellings
        // exclude the same characters, parentheses and bar included.
        (#" ?[^(\s|[.,!?…。，、।۔،])]+"#, [.run(.not(.space, "(|.,!?…。，、।۔،)"), prefix: space)]),
        (#" ?[^(\s|.,!?…。，、।۔،)]+"#, [.run(.not(.space, "(|.,!?…。，、।۔،)"), prefix: space)]),
        (#"[\p{P}\$\+<=>\^~\|`]+"#, [.run(CharClass(categories: .punctuation, ranges: "$+<=>^~|`".unicodeScalars.map { $0.value ... $0.value }))]),
        (#"[\p{P}\$\+<=>\^~\|]+"#, [.run(CharClass(categories: .punctuation, ranges: "$+<=>^~|".unicodeScalars.map { $0.value ... $0.value }))]),
        // DeepSeek Coder and V3.
        (#"\s?\p{L}+"#, [.run(letters, prefix: spaces)]),
        (#"\s?\p{P}+"#, [.run(.of(.punctuation), prefix: spaces)]),
        ("[\u{4E00}-\u{9FA5}\u{0800}-\u{4E00}\u{AC00}-\u{D7FF}]+", [.run(CharClass(ranges: [0x4E00 ... 0x9FA5, 0x0800 ... 0x4E00, 0xAC00 ... 0xD7FF]))]),
        ("[\u{4E00}-\u{9FA5}\u{3040}-\u{309F}\u{30A0}-\u{30FF}]+", [.run(CharClass(ranges: [0x4E00 ... 0x9FA5, 0x3040 ... 0x309F, 0x30A0 ... 0x30FF]))]),
        (##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
         [.run(Alternative.Run(prefix: CharClass(ranges: [0x21 ... 0x2F, 0x3A ... 0x40, 0x5B ... 0x60, 0x7B ... 0x7E]), prefixRequired: true,
                               body: CharClass(ranges: [0x41 ... 0x5A, 0x61 ... 0x7A]))),
          .run(.of(RegexCategories.letter.union(.mark)), prefix: .not([.letter, .punctuation, .symbol], "\r\n")),
          .run(.of([.punctuation, .symbol]), prefix: space, trailing: lineBreak)] + whitespaceTail),
    ]

    /// Looked up by exact UTF-8 (a Swift String key would also match canonically
    /// equivalent spellings, which are different regexes).
    static func matcher(for pattern: String) -> HandMatcher? {
        entries.first { $0.0.utf8.elementsEqual(pattern.utf8) }.map { HandMatcher(alternatives: $0.1) }
    }
}
