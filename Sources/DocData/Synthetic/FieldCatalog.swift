/// What kind of value a key–value field holds; decides how values and their gold variants
/// are generated and which question templates apply. Fields of the same kind are each
/// other's distractors.
public enum FieldKind: String, Sendable, CaseIterable, Codable {
    case date, amount, identifier, code, phone, person, city, percent, weight, time, email
}

/// One key of the synthetic business documents, e.g. the invoice number:
/// printed as one of `labels` (`Invoice No.:`), asked about with one of `phrases`
/// (`What is the invoice number?`).
public struct FieldKey: Sendable, Equatable {
    /// Canonical name, e.g. `invoice_number`.
    public let name: String
    public let kind: FieldKind
    /// Printed label variants; a document uses one of them.
    public let labels: [String]
    /// Noun phrases used in questions (`invoice number`, `invoice no.`).
    public let phrases: [String]
    /// Identifier prefix (`INV` → `INV-482133`) or code pattern (`A` letter, `9` digit,
    /// `X` letter or digit, anything else literal).
    public let format: String

    init(_ name: String, _ kind: FieldKind, labels: [String], phrases: [String], format: String = "") {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.phrases = phrases
        self.format = format
    }
}

/// All keys the generator draws from. No label is a word sequence inside another key's label
/// (a key must be absent from every page but its own; tests check this).
public enum FieldCatalog {
    public static let keys: [FieldKey] = [
        // Dates.
        FieldKey("invoice_date", .date, labels: ["Invoice Date"], phrases: ["invoice date", "date of the invoice"]),
        FieldKey("due_date", .date, labels: ["Due Date", "Payment Due"], phrases: ["due date", "payment due date"]),
        FieldKey("order_date", .date, labels: ["Order Date", "Date Ordered"], phrases: ["order date", "date of the order"]),
        FieldKey("ship_date", .date, labels: ["Ship Date", "Shipping Date"], phrases: ["ship date", "shipping date"]),
        FieldKey("delivery_date", .date, labels: ["Delivery Date"], phrases: ["delivery date", "date of delivery"]),
        FieldKey("issue_date", .date, labels: ["Issue Date", "Date of Issue"], phrases: ["issue date", "date of issue"]),
        FieldKey("expiry_date", .date, labels: ["Expiry Date", "Expiration Date"], phrases: ["expiry date", "expiration date"]),
        FieldKey("start_date", .date, labels: ["Start Date", "Effective Date"], phrases: ["start date", "effective date"]),
        FieldKey("end_date", .date, labels: ["End Date", "Termination Date"], phrases: ["end date", "termination date"]),
        FieldKey("payment_date", .date, labels: ["Payment Date", "Date Paid"], phrases: ["payment date", "date of payment"]),
        FieldKey("signature_date", .date, labels: ["Date Signed"], phrases: ["signing date", "date of signature"]),
        // Amounts.
        FieldKey("total_amount", .amount, labels: ["Total Amount", "Grand Total"], phrases: ["total amount", "grand total"]),
        FieldKey("subtotal", .amount, labels: ["Subtotal", "Sub-Total"], phrases: ["subtotal"]),
        FieldKey("tax_amount", .amount, labels: ["Tax Amount", "Sales Tax"], phrases: ["tax amount", "sales tax"]),
        FieldKey("balance_due", .amount, labels: ["Balance Due", "Amount Due"], phrases: ["balance due", "amount due"]),
        FieldKey("amount_paid", .amount, labels: ["Amount Paid", "Payment Received"], phrases: ["amount paid", "payment received"]),
        FieldKey("deposit", .amount, labels: ["Deposit", "Advance Payment"], phrases: ["deposit", "advance payment"]),
        FieldKey("discount_amount", .amount, labels: ["Discount Amount", "Discount Given"], phrases: ["discount amount", "discount given"]),
        FieldKey("shipping_cost", .amount, labels: ["Shipping Cost", "Freight Charges"], phrases: ["shipping cost", "freight charges"]),
        FieldKey("credit_limit", .amount, labels: ["Credit Limit"], phrases: ["credit limit"]),
        FieldKey("monthly_fee", .amount, labels: ["Monthly Fee", "Monthly Charge"], phrases: ["monthly fee", "monthly charge"]),
        FieldKey("late_fee", .amount, labels: ["Late Fee", "Late Charge"], phrases: ["late fee", "late charge"]),
        FieldKey("budget", .amount, labels: ["Approved Budget", "Project Budget"], phrases: ["approved budget", "project budget"]),
        FieldKey("coverage_amount", .amount, labels: ["Coverage Amount", "Sum Insured"], phrases: ["coverage amount", "sum insured"]),
        // Identifiers: prefix + digits (gold variants with and without the prefix).
        FieldKey("invoice_number", .identifier, labels: ["Invoice No.", "Invoice Number", "Invoice #"], phrases: ["invoice number", "invoice no."], format: "INV"),
        FieldKey("order_number", .identifier, labels: ["Order No.", "Order Number"], phrases: ["order number"], format: "SO"),
        FieldKey("po_number", .identifier, labels: ["P.O. Number", "PO No."], phrases: ["purchase order number", "PO number"], format: "PO"),
        FieldKey("account_number", .identifier, labels: ["Account No.", "Account Number"], phrases: ["account number"]),
        FieldKey("customer_id", .identifier, labels: ["Customer ID", "Customer No."], phrases: ["customer ID", "customer number"], format: "C"),
        FieldKey("contract_number", .identifier, labels: ["Contract No.", "Contract Number"], phrases: ["contract number"], format: "CT"),
        FieldKey("policy_number", .identifier, labels: ["Policy No.", "Policy Number"], phrases: ["policy number"], format: "POL"),
        FieldKey("claim_number", .identifier, labels: ["Claim No.", "Claim Number"], phrases: ["claim number"], format: "CLM"),
        FieldKey("lot_number", .identifier, labels: ["Lot No.", "Batch No."], phrases: ["lot number", "batch number"], format: "LOT"),
        FieldKey("employee_id", .identifier, labels: ["Employee ID", "Staff No."], phrases: ["employee ID", "staff number"], format: "E"),
        FieldKey("vendor_id", .identifier, labels: ["Vendor ID", "Supplier No."], phrases: ["vendor ID", "supplier number"], format: "V"),
        FieldKey("serial_number", .identifier, labels: ["Serial No.", "Serial Number"], phrases: ["serial number"], format: "SN"),
        FieldKey("ticket_number", .identifier, labels: ["Ticket No.", "Case Number"], phrases: ["ticket number", "case number"], format: "TK"),
        // Codes: fixed patterns.
        FieldKey("reference_code", .code, labels: ["Reference Code", "Ref. Code"], phrases: ["reference code"], format: "AA99-XXXX"),
        FieldKey("project_code", .code, labels: ["Project Code"], phrases: ["project code"], format: "PRJ-99AA"),
        FieldKey("cost_center", .code, labels: ["Cost Center"], phrases: ["cost center"], format: "CC-9999"),
        FieldKey("tax_id", .code, labels: ["Tax ID", "EIN"], phrases: ["tax ID", "employer identification number"], format: "99-9999999"),
        FieldKey("routing_number", .code, labels: ["Routing No.", "ABA Routing"], phrases: ["routing number"], format: "999999999"),
        FieldKey("tracking_number", .code, labels: ["Tracking No.", "Tracking Number"], phrases: ["tracking number"], format: "1Z9999AA99999999"),
        FieldKey("booking_code", .code, labels: ["Booking Code", "Confirmation Code"], phrases: ["booking code", "confirmation code"], format: "AAXXXX"),
        // Phone numbers.
        FieldKey("phone", .phone, labels: ["Telephone", "Phone No."], phrases: ["telephone number", "phone number"]),
        FieldKey("fax", .phone, labels: ["Fax", "Fax No."], phrases: ["fax number"]),
        FieldKey("mobile", .phone, labels: ["Mobile", "Cell Phone"], phrases: ["mobile number", "cell phone number"]),
        FieldKey("support_line", .phone, labels: ["Support Line", "Help Desk"], phrases: ["support line", "help desk number"]),
        FieldKey("emergency_phone", .phone, labels: ["Emergency Phone", "After-Hours Line"], phrases: ["emergency phone number", "after-hours number"]),
        // People.
        FieldKey("contact_person", .person, labels: ["Contact Person", "Attention"], phrases: ["contact person"]),
        FieldKey("prepared_by", .person, labels: ["Prepared By"], phrases: ["preparer", "person who prepared the document"]),
        FieldKey("approved_by", .person, labels: ["Approved By", "Authorized By"], phrases: ["approver", "person who approved the document"]),
        FieldKey("sales_rep", .person, labels: ["Sales Rep", "Sales Representative"], phrases: ["sales representative"]),
        FieldKey("account_manager", .person, labels: ["Account Manager"], phrases: ["account manager"]),
        FieldKey("signed_by", .person, labels: ["Signed By", "Signatory"], phrases: ["signatory", "person who signed"]),
        FieldKey("received_by", .person, labels: ["Received By"], phrases: ["receiver", "person who received the goods"]),
        FieldKey("inspector", .person, labels: ["Inspector", "Inspected By"], phrases: ["inspector"]),
        FieldKey("driver", .person, labels: ["Driver", "Carrier Agent"], phrases: ["driver", "carrier agent"]),
        // Cities.
        FieldKey("origin_city", .city, labels: ["Origin", "Ship From"], phrases: ["origin city", "city of origin"]),
        FieldKey("destination_city", .city, labels: ["Destination", "Ship To City"], phrases: ["destination city", "destination"]),
        FieldKey("branch_office", .city, labels: ["Branch Office"], phrases: ["branch office"]),
        FieldKey("place_of_issue", .city, labels: ["Place of Issue"], phrases: ["place of issue"]),
        FieldKey("warehouse", .city, labels: ["Warehouse Location"], phrases: ["warehouse location"]),
        FieldKey("billing_city", .city, labels: ["Billing City"], phrases: ["billing city"]),
        FieldKey("port_of_loading", .city, labels: ["Port of Loading"], phrases: ["port of loading"]),
        // Percentages.
        FieldKey("tax_rate", .percent, labels: ["Tax Rate", "VAT Rate"], phrases: ["tax rate"]),
        FieldKey("discount_rate", .percent, labels: ["Discount Rate"], phrases: ["discount rate"]),
        FieldKey("interest_rate", .percent, labels: ["Interest Rate", "Annual Rate"], phrases: ["interest rate"]),
        FieldKey("commission_rate", .percent, labels: ["Commission Rate", "Commission"], phrases: ["commission rate"]),
        // Weights.
        FieldKey("gross_weight", .weight, labels: ["Gross Weight"], phrases: ["gross weight"]),
        FieldKey("net_weight", .weight, labels: ["Net Weight"], phrases: ["net weight"]),
        FieldKey("tare_weight", .weight, labels: ["Tare Weight"], phrases: ["tare weight"]),
        // Times of day.
        FieldKey("delivery_time", .time, labels: ["Delivery Time", "Delivery Window"], phrases: ["delivery time"]),
        FieldKey("pickup_time", .time, labels: ["Pickup Time", "Collection Time"], phrases: ["pickup time", "collection time"]),
        FieldKey("meeting_time", .time, labels: ["Meeting Time", "Appointment"], phrases: ["meeting time", "appointment time"]),
        // Email addresses.
        FieldKey("contact_email", .email, labels: ["Contact Email", "E-mail Address"], phrases: ["contact email", "email address"]),
        FieldKey("billing_email", .email, labels: ["Billing Email", "Accounts Email"], phrases: ["billing email", "accounts email address"]),
    ]

    /// Keys grouped by kind, in catalog order.
    public static let keysByKind: [FieldKind: [Int]] = {
        var groups: [FieldKind: [Int]] = [:]
        for (i, key) in keys.enumerated() { groups[key.kind, default: []].append(i) }
        return groups
    }()

    /// The key with canonical name `name`, if any.
    public static func key(named name: String) -> FieldKey? { keys.first { $0.name == name } }
}
