import Foundation

/// The checked-in fixture at `relative` under `Tests/SiftTests/Fixtures/`, e.g.
/// `fixtureURL("quant/q8_0.quant.bin")`.
///
/// Found through `#filePath` (this source file's location) rather than bundle resources,
/// so fixtures need no `resources:` entry in Package.swift and are read in place. Each
/// fixture folder has a README naming the script in `models/` that generated it.
func fixtureURL(_ relative: String) -> URL {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
        .appendingPathComponent(relative)
}
