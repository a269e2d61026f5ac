@preconcurrency import Crypto  // its SHA256 is a plain value type, not yet marked Sendable
import Foundation

/// SHA-256, incremental: feed bytes with `update`, read the digest with `finalize()`. Used for
/// cache keys and weight hashes, where a collision would silently mix up two caches. The
/// hashing itself is swift-crypto's (BoringSSL on Linux, CryptoKit on Apple platforms); this
/// type keeps the project's small API (`hex`, hashing a file in pieces) in one place.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update("abc")
/// print(hasher.finalize().hex)   // ba7816bf…f20015ad
/// ```
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// Adds `data` to the message.
    public mutating func update(_ data: Data) { hasher.update(data: data) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    /// The digest of everything added so far.
    public func finalize() -> SHA256Digest { SHA256Digest(bytes: Array(hasher.finalize())) }

    /// Copies the first `buffer.count` (at most 32) bytes of the digest into `buffer`, without
    /// allocating: for digests computed per row of a cache file.
    public func finalize(truncatedInto buffer: UnsafeMutableRawBufferPointer) {
        hasher.finalize().withUnsafeBytes { digest in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: digest.prefix(min(buffer.count, digest.count))))
        }
    }

    /// Digest of `data` in one call.
    public static func hash(_ data: Data) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// Digest of a file's bytes, read in 1 MiB pieces (for checkpoints of any size).
    public static func hash(fileAt url: URL) throws -> SHA256Digest {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(piece) }
        return hasher.finalize()
    }
}

/// A SHA-256 digest: 32 bytes, shown as 64 lowercase hex digits.
public struct SHA256Digest: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Lowercase hex, 64 digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
