/// Problems found while reading one file, in the order they were found.
final class ProblemLog {
    private(set) var problems: [DataError] = []
    /// Offsets of non-UTF-8 bytes already reported against a record and field.
    private(set) var reportedUTF8Offsets: Set<Int> = []

    func report(_ problem: DataError) { problems.append(problem) }

    func reportInvalidUTF8(file: String, record: String, field: String, offset: Int) {
        guard reportedUTF8Offsets.insert(offset).inserted else { return }
        report(DataError(file: file, record: record, field: field, "invalid UTF-8 at byte offset \(offset)"))
    }

    /// Reports the non-UTF-8 strings no field reader looked at (keys, ignored fields), once each.
    func reportRemainingInvalidUTF8(_ document: JSONDocument, file: String) {
        for offset in document.invalidUTF8Offsets where !reportedUTF8Offsets.contains(offset) {
            reportInvalidUTF8(file: file, record: "", field: "", offset: offset)
        }
    }
}

/// Typed access to the fields of one JSON object that reports every missing field and
/// wrong type as a `DataError` naming the file, the record and the field (with its path
/// for nested objects, e.g. `Geometry.BoundingBox.Left`), and returns nil for it.
struct JSONRecordReader {
    let fields: [String: JSONValue]
    let file: String
    let record: String
    /// Path of this object inside the record ("" at the record's top level).
    let path: String
    let log: ProblemLog

    init(_ fields: [String: JSONValue], file: String, record: String, path: String = "", log: ProblemLog) {
        self.fields = fields
        self.file = file
        self.record = record
        self.path = path
        self.log = log
    }

    func fieldName(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func report(_ key: String, _ message: String) {
        log.report(DataError(file: file, record: record, field: fieldName(key), message))
    }

    /// The raw value; a missing key is reported (as needing `expected`) only when `required`.
    func value(_ key: String, expected: String, required: Bool) -> JSONValue? {
        guard let v = fields[key] else {
            if required { report(key, "missing; expected \(expected)") }
            return nil
        }
        return v
    }

    func string(_ key: String, required: Bool = true) -> String? {
        guard let v = value(key, expected: "a string", required: required) else { return nil }
        return asString(v, field: fieldName(key))
    }

    func integer(_ key: String, required: Bool = true) -> Int? {
        guard let v = value(key, expected: "an integer", required: required) else { return nil }
        guard case .number(_, let integer?) = v else {
            report(key, "expected an integer, found \(v.found)")
            return nil
        }
        return integer
    }

    /// A finite number (integer or not).
    func number(_ key: String, required: Bool = true) -> Double? {
        guard let v = value(key, expected: "a number", required: required) else { return nil }
        return asNumber(v, field: fieldName(key))
    }

    func array(_ key: String, required: Bool = true) -> [JSONValue]? {
        guard let v = value(key, expected: "an array", required: required) else { return nil }
        guard case .array(let items) = v else {
            report(key, "expected an array, found \(v.found)")
            return nil
        }
        return items
    }

    func object(_ key: String, required: Bool = true) -> JSONRecordReader? {
        guard let v = value(key, expected: "an object", required: required) else { return nil }
        guard case .object(let members) = v else {
            report(key, "expected an object, found \(v.found)")
            return nil
        }
        return JSONRecordReader(members, file: file, record: record, path: fieldName(key), log: log)
    }

    /// An array of strings; each element of the wrong type is reported as `key[i]`.
    func stringArray(_ key: String, required: Bool = true) -> [String]? {
        guard let items = array(key, required: required) else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = asString(item, field: "\(fieldName(key))[\(i)]") { out.append(s) } else { ok = false }
        }
        return ok ? out : nil
    }

    /// `v` as a string, reporting a wrong type or bytes that are not UTF-8 against `field`.
    func asString(_ v: JSONValue, field: String) -> String? {
        guard case .string(let s, let invalidOffset) = v else {
            log.report(DataError(file: file, record: record, field: field, "expected a string, found \(v.found)"))
            return nil
        }
        if let invalidOffset {
            log.reportInvalidUTF8(file: file, record: record, field: field, offset: invalidOffset)
            return nil
        }
        return s
    }

    /// `v` as a finite number, reporting a wrong type against `field`.
    func asNumber(_ v: JSONValue, field: String) -> Double? {
        guard case .number(let d, _) = v else {
            log.report(DataError(file: file, record: record, field: field, "expected a number, found \(v.found)"))
            return nil
        }
        guard d.isFinite else {
            log.report(DataError(file: file, record: record, field: field, "expected a finite number, found \(d)"))
            return nil
        }
        return d
    }
}
