/// Reads a NUL-terminated C `char name[N]` field, which Swift imports as a tuple of `CChar`.
func stringFromCCharTuple<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
