import Foundation

/// SentencePiece's precompiled normalisation rules (`precompiled_charsmap`, the `Precompiled`
/// normalizer of a Hugging Face `tokenizer.json`): a Darts double-array trie over UTF-8 keys whose
/// values index a blob of NUL-terminated replacement strings.
///
/// Blob layout (little endian): `u32` trie size in bytes, the trie as `u32` units, then the
/// replacement strings. Lookup and the grapheme rule of ``normalize(_:into:)`` follow Hugging Face
/// `tokenizers` (`spm_precompiled`) exactly, including its quirks: a grapheme shorter than 6 bytes
/// is replaced whole by the value of the *shortest* key that prefixes it; otherwise, or when no key
/// prefixes it, each scalar is looked up on its own.
public struct PrecompiledCharsmap: Sendable {
    /// The double-array units.
    private let units: [UInt32]
    /// NUL-terminated replacement strings.
    private let strings: [UInt8]
    /// The blob as given (for writing the file back).
    public let blob: [UInt8]

    /// Parses a charsmap blob; nil when it is too short or its replacement strings are not UTF-8.
    public init?(blob: [UInt8]) {
        guard blob.count >= 4 else { return nil }
        let trieBytes = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        let unitCount = trieBytes / 4
        guard unitCount >= 1, 4 + 4 * unitCount <= blob.count else { return nil }
        var units = [UInt32](repeating: 0, count: unitCount)
        for k in 0..<unitCount {
            let p = 4 + 4 * k
            units[k] = UInt32(blob[p]) | UInt32(blob[p + 1]) << 8 | UInt32(blob[p + 2]) << 16 | UInt32(blob[p + 3]) << 24
        }
        let strings = Array(blob[(4 + 4 * unitCount)...])
        guard String(validating: strings, as: UTF8.self) != nil else { return nil }
        self.units = units
        self.strings = strings
        self.blob = blob
    }

    /// Parses the base64 text of a `tokenizer.json` field.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(blob: [UInt8](data))
    }

    // Darts unit fields (see darts.h: has_leaf, value, label, offset).
    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// The replacement of the shortest key that prefixes `key` (a NUL byte ends the key), as a
    /// range of ``strings``, or nil when no key prefixes it.
    @inline(__always)
    func lookup(_ key: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Range<Int>? {
        var node = Self.offset(units[0])
        var p = from
        while p < to {
            let c = key[p]
            if c == 0 { return nil }
            node ^= Int(c)
            guard node < units.count else { return nil }
            let unit = units[node]
            if Self.label(unit) != UInt32(c) { return nil }
            node ^= Self.offset(unit)
            guard node < units.count else { return nil }
            if Self.hasLeaf(unit) {
                let start = Self.value(units[node])
                guard start <= strings.count else { return nil }
                var end = start
                while end < strings.count && strings[end] != 0 { end += 1 }
                return start..<end
            }
            p += 1
        }
        return nil
    }

    /// Appends the normalised UTF-8 of `text` to `out`; returns whether any rule applied.
    @discardableResult
    public func normalize(_ text: String, into out: inout [UInt8]) -> Bool {
        var text = text
        var modified = false
        let graphemeStarts = text.indices.map { text.utf8.distance(from: text.utf8.startIndex, to: $0) } + [text.utf8.count]
        text.withUTF8 { utf8 in
            strings.withUnsafeBufferPointer { strings in
                for g in 0..<(graphemeStarts.count - 1) {
                    let start = graphemeStarts[g], end = graphemeStarts[g + 1]
                    if end - start < 6, let r = lookup(utf8, from: start, to: end) {
                        out.append(contentsOf: strings[r])
                        modified = true
                        continue
                    }
                    var p = start
                    while p < end {
                        let q = p + UTF8Scalars.length(leadByte: utf8[p])
                        if let r = lookup(utf8, from: p, to: q) {
                            out.append(contentsOf: strings[r])
                            modified = true
                        } else {
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[p..<q]))
                        }
                        p = q
                    }
                }
            }
        }
        return modified
    }
}

/// UTF-8 helpers over byte buffers.
enum UTF8Scalars {
    /// Bytes in the scalar that starts with `b` (1 for a stray continuation byte).
    @inline(__always)
    static func length(leadByte b: UInt8) -> Int {
        b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
    }
}
