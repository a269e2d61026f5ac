/// Word lists the synthetic documents are built from: company names, document types, people,
/// cities, table items and boilerplate sentences. None of them contains a `FieldCatalog`
/// label (tests check this), so a key can only appear where the generator puts its field.
public enum SyntheticVocabulary {
    public static let companyFirst = [
        "Northwind", "Bluewater", "Summit", "Harbor", "Granite", "Pioneer", "Cedar", "Silverline",
        "Redwood", "Evergreen", "Atlas", "Beacon", "Crescent", "Frontier", "Keystone", "Liberty",
        "Meridian", "Oakridge", "Pinnacle", "Riverside", "Sterling", "Trident", "Vanguard", "Westbrook",
        "Horizon", "Ironwood", "Lakeshore", "Maple", "Orion", "Prairie", "Falcon", "Juniper",
    ]
    public static let companySecond = [
        "Supply", "Logistics", "Industries", "Trading", "Foods", "Chemicals", "Electric", "Freight",
        "Paper", "Textiles", "Pharma", "Packaging", "Services", "Holdings", "Systems", "Tools",
        "Metals", "Motors", "Labs", "Farms",
    ]
    public static let companySuffix = ["Co.", "Inc.", "LLC", "Ltd.", "Group", "Corp."]

    /// Printed in capitals under the company name.
    public static let documentTypes = [
        "INVOICE", "PURCHASE ORDER", "STATEMENT OF ACCOUNT", "DELIVERY NOTE", "SERVICE AGREEMENT",
        "QUOTATION", "CREDIT MEMO", "SHIPPING MANIFEST", "INSURANCE CLAIM", "EXPENSE REPORT",
        "WORK ORDER", "REMITTANCE ADVICE",
    ]

    public static let firstNames = [
        "James", "Maria", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "Daniel", "Nancy",
        "Thomas", "Laura", "Steven", "Emily", "Kevin", "Angela", "Brian", "Helen", "George", "Rachel",
        "Peter", "Sofia", "Hannah", "Victor", "Diana", "Oscar", "Irene", "Samuel", "Julia", "Martin",
        "Naomi", "Felix", "Grace", "Arthur", "Lucia", "Walter", "Priya", "Ahmed", "Chen", "Yuki",
    ]
    public static let lastNames = [
        "Smith", "Lopez", "Johnson", "Nguyen", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore",
        "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
        "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Patel", "Kim",
        "Schmidt", "Rossi", "Novak", "Dubois", "Sato", "Okafor", "Larsen", "Fischer", "Moreau", "Silva",
    ]

    /// Cities with a US state code (empty for cities outside the US).
    public static let cities: [(name: String, state: String)] = [
        ("Denver", "CO"), ("Houston", "TX"), ("Chicago", "IL"), ("Phoenix", "AZ"), ("Seattle", "WA"),
        ("Boston", "MA"), ("Atlanta", "GA"), ("Portland", "OR"), ("Nashville", "TN"), ("Columbus", "OH"),
        ("Memphis", "TN"), ("Baltimore", "MD"), ("Milwaukee", "WI"), ("Tucson", "AZ"), ("Fresno", "CA"),
        ("Sacramento", "CA"), ("Omaha", "NE"), ("Raleigh", "NC"), ("Cleveland", "OH"), ("Tampa", "FL"),
        ("Pittsburgh", "PA"), ("Cincinnati", "OH"), ("Orlando", "FL"), ("Richmond", "VA"), ("Spokane", "WA"),
        ("Boise", "ID"), ("Dallas", "TX"), ("Detroit", "MI"), ("Buffalo", "NY"), ("Madison", "WI"),
        ("San Diego", "CA"), ("San Jose", "CA"), ("Salt Lake City", "UT"), ("Kansas City", "MO"), ("New Orleans", "LA"),
        ("Las Vegas", "NV"), ("St. Louis", "MO"), ("Fort Worth", "TX"), ("Little Rock", "AR"), ("Des Moines", "IA"),
        ("Toronto", ""), ("Hamburg", ""), ("Rotterdam", ""), ("Antwerp", ""), ("Lyon", ""),
        ("Osaka", ""), ("Singapore", ""), ("Melbourne", ""), ("Dublin", ""), ("Vienna", ""),
        ("Monterrey", ""), ("Valencia", ""), ("Gothenburg", ""), ("Krakow", ""), ("Porto", ""),
    ]

    /// Table line items.
    public static let items = [
        "Copier paper A4", "Toner cartridge", "Steel bolts M8", "Office chair", "Desk lamp",
        "Packing tape", "Cable ties", "Safety gloves", "Printer ink", "Label rolls", "Hex nuts M6",
        "Storage bins", "Wooden pallets", "Shrink wrap", "Cleaning kit", "Hand trucks",
        "Filing cabinet", "Whiteboard markers", "LED panels", "Extension cords", "Work boots",
        "First aid kit", "Bubble mailers", "Stretch film", "Cardboard boxes", "Copper wire",
        "PVC pipe", "Drill bits", "Paint rollers", "Ear plugs", "Laptop stand", "USB cables",
        "Coffee beans", "Paper towels", "Hard hats", "Glass jars", "Rubber seals", "Wall brackets",
    ]

    /// Table header variants: description, quantity, unit price, line amount.
    public static let tableHeaders: [[String]] = [
        ["Description", "Qty", "Unit Price", "Amount"],
        ["Item", "Quantity", "Rate", "Total"],
        ["Product", "Units", "Price", "Line Total"],
    ]

    /// Boilerplate sentences for filler paragraphs.
    public static let sentences = [
        "Thank you for your business.",
        "Please retain this document for your records.",
        "All prices are quoted in US dollars unless stated otherwise.",
        "Goods remain the property of the seller until paid in full.",
        "Damaged goods must be reported within seven days of receipt.",
        "Please quote the numbers above on all correspondence.",
        "This document was generated electronically and is valid without a stamp.",
        "Returns are accepted only with prior written authorization.",
        "Questions about this statement should be directed to our accounts team.",
        "The terms and conditions printed overleaf apply to this transaction.",
        "Deliveries are made on weekdays during normal business hours.",
        "Please inspect all items upon arrival and report any discrepancies.",
        "Our standard warranty covers defects in materials and workmanship.",
        "Prices are subject to change without prior notice.",
        "Partial shipments may be made at the discretion of the supplier.",
        "Please ensure that bank details are entered correctly.",
        "We appreciate your continued cooperation and prompt response.",
        "This summary reflects all activity recorded during the period.",
        "Any changes to this order must be confirmed in writing.",
        "Copies of supporting documents are available on request.",
        "The information contained herein is confidential.",
        "Kindly sign and return one copy of this page.",
        "Storage costs may apply to goods not collected on time.",
        "Our office is closed on public holidays.",
        "Please allow five to seven working days for processing.",
        "Packaging materials should be recycled where possible.",
        "All measurements are approximate and for guidance only.",
        "The undersigned confirms that the details above are correct.",
        "Orders placed after noon are processed on the next working day.",
        "Unpaid balances may be referred to a collection agency.",
        "Insurance of goods in transit is the responsibility of the buyer.",
        "Please keep this page together with the rest of the file.",
    ]
}
