/// What goes on one synthetic page, before layout: the header, key–value fields, an optional
/// table and filler sentences, in a block order. `PageComposer` turns it into positioned words.
struct PagePlan: Sendable {
    enum FieldStyle: Sendable { case aligned, inline, twoColumns }
    enum Block: Sendable, Equatable {
        /// Fields `range` of `fields`.
        case fields(Range<Int>)
        case table
        case paragraph
    }
    struct Field: Sendable {
        var keyIndex: Int
        var label: String
        var value: FieldValue
    }
    struct TableRow: Sendable {
        var item: String, quantity: String, unitPrice: String, amount: String
    }

    var companyName: String
    var documentType: String
    /// `Page i of n`, `Page i`, or nothing.
    var footer: String?
    var fields: [Field] = []
    var fieldStyle = FieldStyle.aligned
    var tableHeader: [String] = []
    var tableRows: [TableRow] = []
    var sentences: [String] = []
    var blocks: [Block] = []
}
