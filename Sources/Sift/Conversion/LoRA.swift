// PEFT LoRA adapters ("LoRA: Low-Rank Adaptation of Large Language Models", Hu et al.,
// 2021), merged into the base weights in fp32 before any quantization:
//
//   W' = W + s · B · A      A: [r, in], B: [out, r], s = lora_alpha / r (rsLoRA: / √r)
//
// An adapter folder holds adapter_config.json and adapter_model.safetensors, whose names
// are the base model's module names under "base_model.model.", with ".lora_A.weight" /
// ".lora_B.weight" for adapted modules and the module's own parameter names for
// modules_to_save (the classification head, usually), which replace the base's.
import Foundation

/// adapter_config.json, as PEFT writes it.
struct LoRAConfigFile: Decodable {
    var peft_type: String?
    var r: Int?
    var lora_alpha: Double?
    var use_rslora: Bool?
    var use_dora: Bool?
    var fan_in_fan_out: Bool?
    var bias: String?
    var rank_pattern: [String: Int]?
    var alpha_pattern: [String: Double]?
    var modules_to_save: [String]?
}

/// A LoRA adapter: per adapted weight its A, B and scale, and the replaced tensors.
struct LoRAAdapter {
    struct Delta {
        let a: TensorView
        let b: TensorView
        let scale: Float
    }

    /// Keyed by the base weight's name, e.g. "model.layers.0.self_attn.q_proj.weight".
    let deltas: [String: Delta]
    /// Tensors that replace the base's (modules_to_save), keyed by the base name.
    let replacements: [String: TensorView]
    let store: any TensorStore

    init(folder: URL) throws {
        let configURL = folder.appendingPathComponent("adapter_config.json")
        let weightsURL = folder.appendingPathComponent("adapter_model.safetensors")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw ModelLocationError.notAModelFolder(folder.path, missing: "adapter_config.json (a PEFT adapter folder)")
        }
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelLocationError.notAModelFolder(folder.path, missing: "adapter_model.safetensors")
        }
        let config: LoRAConfigFile
        do { config = try JSONDecoder().decode(LoRAConfigFile.self, from: Data(contentsOf: configURL)) } catch {
            throw ModelError.invalidValue(key: "adapter_config.json", value: "unreadable", expected: "a PEFT LoRA config (\(error))")
        }
        if let type = config.peft_type, type != "LORA" {
            throw ModelError.invalidValue(key: "peft_type", value: type, expected: "LORA")
        }
        if config.use_dora == true { throw ModelError.invalidValue(key: "use_dora", value: "true", expected: "false (DoRA is not supported)") }
        if config.fan_in_fan_out == true {
            throw ModelError.invalidValue(key: "fan_in_fan_out", value: "true", expected: "false (GPT-2 Conv1D layers are not supported)")
        }
        if let bias = config.bias, bias != "none" {
            throw ModelError.invalidValue(key: "bias", value: bias, expected: "none")
        }
        guard let r = config.r, r > 0 else { throw ModelError.missingKey("r (adapter_config.json)") }
        let alpha = config.lora_alpha ?? Double(r)
        store = try SafetensorsFile(url: weightsURL)

        var deltas: [String: Delta] = [:], replacements: [String: TensorView] = [:]
        let prefix = "base_model.model."
        for name in store.tensorNames {
            guard let t = store.tensor(name) else { continue }
            let base = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
            if base.hasSuffix(".lora_B.weight") { continue }
            if base.hasSuffix(".lora_A.weight") {
                let module = String(base.dropLast(".lora_A.weight".count))
                guard let b = store.tensor(prefix + module + ".lora_B.weight") ?? store.tensor(module + ".lora_B.weight") else {
                    throw ModelError.missingTensor(name.replacingOccurrences(of: "lora_A", with: "lora_B"))
                }
                // rank_pattern / alpha_pattern override r and alpha for modules whose name
                // ends with the pattern key.
                let rank = config.rank_pattern?.first { module.hasSuffix($0.key) }?.value ?? r
                let a = config.alpha_pattern?.first { module.hasSuffix($0.key) }?.value ?? alpha
                guard t.shape.count == 2, b.shape.count == 2, t.shape[0] == rank, b.shape[1] == rank else {
                    throw ModelError.shapeMismatch(tensor: name, expected: "A [\(rank), in] and B [out, \(rank)]", found: t.shape + b.shape)
                }
                let s = config.use_rslora == true ? a / Double(rank).squareRoot() : a / Double(rank)
                deltas[module + ".weight"] = Delta(a: t, b: b, scale: Float(s))
            } else {
                // modules_to_save: PEFT saves the trained copy under the module's own name.
                let plain = base.replacingOccurrences(of: ".modules_to_save.default.", with: ".")
                    .replacingOccurrences(of: ".modules_to_save.", with: ".")
                replacements[plain] = t
            }
        }
        guard !deltas.isEmpty || !replacements.isEmpty else {
            throw ModelError.invalidValue(key: "adapter_model.safetensors", value: "no LoRA tensors", expected: "lora_A/lora_B pairs")
        }
        self.deltas = deltas
        self.replacements = replacements
    }
}

/// The base model's tensors with an adapter merged in: adapted weights become fp32
/// W + s·B·A (computed once, here), saved modules replace the base's.
final class LoRAMergedStore: TensorStore, @unchecked Sendable {
    let base: any TensorStore
    private let overrides: [String: TensorView]

    init(base: any TensorStore, adapter: LoRAAdapter) throws {
        self.base = base
        var overrides: [String: TensorView] = [:]
        for (name, delta) in adapter.deltas.sorted(by: { $0.key < $1.key }) {
            guard let w = base.tensor(name) else {
                throw ModelError.missingTensor("\(name) (the LoRA adapter targets it, but the base model has no such weight)")
            }
            overrides[name] = try LoRAMergedStore.merge(w, delta)
        }
        for (name, t) in adapter.replacements {
            guard base.tensor(name) != nil else {
                throw ModelError.missingTensor("\(name) (saved by the LoRA adapter, but the base model has no such tensor)")
            }
            overrides[name] = t
        }
        self.overrides = overrides
    }

    var tensorNames: [String] { base.tensorNames }

    func tensor(_ name: String) -> TensorView? { overrides[name] ?? base.tensor(name) }

    /// W + s·B·A in fp32.
    static func merge(_ w: TensorView, _ d: LoRAAdapter.Delta) throws -> TensorView {
        guard w.shape.count == 2, d.b.shape[0] == w.shape[0], d.a.shape[1] == w.shape[1] else {
            throw ModelError.shapeMismatch(tensor: w.name, expected: "LoRA B [\(d.b.shape[0]), r] · A [r, \(d.a.shape[1])]", found: w.shape)
        }
        let out = w.shape[0], inputs = w.shape[1], r = d.a.shape[0]
        let owned = OwnedFloats(try w.floats())
        let a = try d.a.floats(), b = try d.b.floats()
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                BLAS.sgemm(m: out, n: inputs, k: r, alpha: d.scale, a: bp.baseAddress!, lda: r, b: ap.baseAddress!, ldb: inputs,
                           beta: 1, c: owned.pointer, ldc: inputs)
            }
        }
        return TensorView(name: w.name, shape: w.shape, dtype: .f32,
                          data: UnsafeRawBufferPointer(start: owned.pointer, count: owned.count * 4), owner: owned)
    }
}
