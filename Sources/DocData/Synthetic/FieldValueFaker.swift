import Foundation
import TensorCore

/// A field's value as printed, with every gold answer that names it: `golds[0]` is the
/// printed form, the others are the same value in the other usual formats
/// (`$1,234.00` → `1,234.00`; `03/14/2021` → `March 14, 2021`).
public struct FieldValue: Sendable, Equatable {
    public var display: String
    public var golds: [String]

    init(_ display: String, alternatives: [String] = []) {
        self.display = display
        var golds = [display]
        for alt in alternatives where !golds.contains(alt) { golds.append(alt) }
        self.golds = golds
    }
}

/// Draws field values of every `FieldKind`. People, cities and emails are drawn without
/// repetition inside one document (a value must not appear on two pages), so one faker
/// serves one document.
struct FieldValueFaker {
    private var usedNames = Set<String>()
    private var usedCities = Set<Int>()
    let companyDomain: String

    init(companyDomain: String) { self.companyDomain = companyDomain }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    mutating func value(for key: FieldKey, rng: inout SeededRNG) -> FieldValue {
        switch key.kind {
        case .date: return Self.date(&rng)
        case .amount: return Self.amount(&rng)
        case .identifier: return Self.identifier(prefix: key.format, &rng)
        case .code: return FieldValue(Self.pattern(key.format, &rng))
        case .phone: return Self.phone(&rng)
        case .person: return person(&rng).value
        case .city: return city(&rng)
        case .percent: return Self.percent(&rng)
        case .weight: return Self.weight(&rng)
        case .time: return Self.time(&rng)
        case .email:
            let p = person(&rng)
            return FieldValue("\(p.first.prefix(1).lowercased())\(p.last.lowercased())@\(companyDomain)")
        }
    }

    // MARK: - kinds

    static func date(_ rng: inout SeededRNG) -> FieldValue {
        let year = 2012 + rng.nextInt(below: 13), month = 1 + rng.nextInt(below: 12)
        let daysInMonth = [31, year % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        let day = 1 + rng.nextInt(below: daysInMonth)
        let numeric = "\(twoDigits(month))/\(twoDigits(day))/\(year)"
        let long = "\(monthNames[month - 1]) \(day), \(year)"
        let display: String
        switch rng.nextUniform() {
        case ..<0.35: display = numeric
        case ..<0.7: display = long
        case ..<0.85: display = "\(day) \(monthNames[month - 1].prefix(3)) \(year)"
        default: display = "\(year)-\(twoDigits(month))-\(twoDigits(day))"
        }
        return FieldValue(display, alternatives: [numeric, long])
    }

    static func amount(_ rng: inout SeededRNG) -> FieldValue {
        // Log-uniform between 5.00 and 250,000.00.
        let cents = Int((500.0 * pow(50_000.0, rng.nextUniform())).rounded())
        let plain = grouped(cents / 100) + "." + twoDigits(cents % 100)
        let dollars = "$" + plain
        switch rng.nextUniform() {
        case ..<0.6: return FieldValue(dollars, alternatives: [plain])
        case ..<0.9: return FieldValue(plain, alternatives: [dollars])
        default: return FieldValue("USD " + plain, alternatives: [dollars, plain])
        }
    }

    static func identifier(prefix: String, _ rng: inout SeededRNG) -> FieldValue {
        if prefix.isEmpty {  // account numbers: 8–10 digits, no prefix
            return FieldValue(digits(8 + rng.nextInt(below: 3), &rng))
        }
        let number = digits(5 + rng.nextInt(below: 3), &rng)
        return FieldValue("\(prefix)-\(number)", alternatives: [number])
    }

    static func phone(_ rng: inout SeededRNG) -> FieldValue {
        let area = 201 + rng.nextInt(below: 780), exchange = 200 + rng.nextInt(below: 800)
        let line = zeroPadded(rng.nextInt(below: 10_000), width: 4)
        let dashed = "\(area)-\(exchange)-\(line)", parens = "(\(area)) \(exchange)-\(line)"
        switch rng.nextUniform() {
        case ..<0.4: return FieldValue(parens, alternatives: [dashed])
        case ..<0.8: return FieldValue(dashed, alternatives: [parens])
        default: return FieldValue("\(area).\(exchange).\(line)", alternatives: [dashed, parens])
        }
    }

    mutating func person(_ rng: inout SeededRNG) -> (value: FieldValue, first: String, last: String) {
        var first = "", last = ""
        repeat {
            first = SyntheticVocabulary.firstNames[rng.nextInt(below: SyntheticVocabulary.firstNames.count)]
            last = SyntheticVocabulary.lastNames[rng.nextInt(below: SyntheticVocabulary.lastNames.count)]
        } while usedNames.contains(first + " " + last)
        usedNames.insert(first + " " + last)
        let full = "\(first) \(last)"
        if rng.nextUniform() < 0.3 {
            let initial = Character(Unicode.Scalar(UInt8(65 + rng.nextInt(below: 26))))
            return (FieldValue("\(first) \(initial). \(last)", alternatives: [full]), first, last)
        }
        return (FieldValue(full), first, last)
    }

    mutating func city(_ rng: inout SeededRNG) -> FieldValue {
        let cities = SyntheticVocabulary.cities
        var i = rng.nextInt(below: cities.count)
        while usedCities.contains(i) { i = rng.nextInt(below: cities.count) }
        usedCities.insert(i)
        let (name, state) = cities[i]
        if !state.isEmpty && rng.nextUniform() < 0.5 {
            return FieldValue("\(name), \(state)", alternatives: [name])
        }
        return FieldValue(name)
    }

    static func percent(_ rng: inout SeededRNG) -> FieldValue {
        let tenths = 5 + rng.nextInt(below: 246)  // 0.5 … 25.0
        let number = "\(tenths / 10).\(tenths % 10)"
        return FieldValue(number + "%", alternatives: [number])
    }

    static func weight(_ rng: inout SeededRNG) -> FieldValue {
        let amount = 50 + rng.nextInt(below: 19_951)
        let unit = rng.nextUniform() < 0.7 ? "kg" : "lbs"
        return FieldValue("\(grouped(amount)) \(unit)", alternatives: ["\(amount) \(unit)"])
    }

    static func time(_ rng: inout SeededRNG) -> FieldValue {
        let quarter = 28 + rng.nextInt(below: 48)  // 7:00 … 18:45
        let hour = quarter / 4, minute = twoDigits(quarter % 4 * 15)
        let h12 = hour > 12 ? hour - 12 : hour, meridiem = hour >= 12 ? "PM" : "AM"
        let twelve = "\(h12):\(minute) \(meridiem)", twentyFour = "\(twoDigits(hour)):\(minute)"
        if rng.nextUniform() < 0.7 { return FieldValue(twelve, alternatives: ["\(h12):\(minute)"]) }
        return FieldValue(twentyFour, alternatives: [twelve])
    }

    // MARK: - helpers

    /// Fills a pattern: `A` letter, `9` digit, `X` letter or digit, anything else literal.
    static func pattern(_ pattern: String, _ rng: inout SeededRNG) -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), digitChars = Array("0123456789")
        var out = ""
        for c in pattern {
            switch c {
            case "A": out.append(letters[rng.nextInt(below: letters.count)])
            case "9": out.append(digitChars[rng.nextInt(below: 10)])
            case "X": out.append(rng.nextInt(below: 2) == 0 ? letters[rng.nextInt(below: letters.count)] : digitChars[rng.nextInt(below: 10)])
            default: out.append(c)
            }
        }
        return out
    }

    static func digits(_ n: Int, _ rng: inout SeededRNG) -> String {
        var s = String(1 + rng.nextInt(below: 9))
        for _ in 1..<n { s += String(rng.nextInt(below: 10)) }
        return s
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    static func twoDigits(_ n: Int) -> String { zeroPadded(n, width: 2) }

    static func zeroPadded(_ n: Int, width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
