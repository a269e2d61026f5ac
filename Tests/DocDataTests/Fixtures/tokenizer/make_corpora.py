# Writes the tokenizer fixture corpora (run once; the outputs are committed):
#   train_corpus.txt  - training texts, one per line: business-document questions, answers and OCR
#                       lines, plus some multilingual lines and contractions;
#   test_corpus.json  - a JSON list of hard strings for the encoder (mixed case, digits, punctuation,
#                       accents, emoji, non-Latin scripts, multiple spaces, tabs, newlines, special tokens).
# Regenerate: python3 make_corpora.py   (deterministic: fixed seed, no external data)
import json
import random

rng = random.Random(20240611)
first = ["John", "Maria", "Ana", "Jürgen", "François", "Zoë", "Li", "Olga", "Ahmed", "Sofía", "Peter", "Grace"]
last = ["Smith", "García", "Müller", "Dubois", "Nakamura", "Ivanova", "O'Brien", "Rossi", "Chen", "Kowalski"]
cities = ["New York", "São Paulo", "Zürich", "Kraków", "Montréal", "Köln", "Reykjavík", "Málaga", "Tokyo", "Cairo"]
companies = ["Acme Corp.", "Globex Inc.", "Initech LLC", "Umbrella Ltd", "Stark Industries", "Wayne Enterprises",
             "Hooli", "Vandelay Imports", "Soylent Co.", "Tyrell Corporation"]
keys = ["Invoice No.", "Invoice Date", "Due Date", "Total", "Subtotal", "Tax", "Phone", "Fax", "Reference",
        "Account Number", "Customer ID", "Order Date", "Ship To", "Bill To", "Amount Due", "P.O. Number"]
fillers = [
    "Thank you for your business.", "Please remit payment within 30 days.",
    "All amounts are in US dollars.", "This document is confidential and intended for the recipient only.",
    "Goods remain the property of the seller until paid in full.", "Questions? Call our office.",
    "We'll process your order as soon as we've received payment.", "It's the customer's responsibility to check the delivery.",
    "They're shipping the remaining items next week; I'm sure they'd confirm by e-mail.",
    "Don't hesitate to contact us: we're open Monday–Friday, 9:00–17:00.",
]
multilingual = [
    "Facture n° 2021-0457 — montant dû : 1 234,56 €", "Rechnungsnummer: 88-1932, Fälligkeitsdatum 15.03.2021",
    "Número de factura: 0042; importe total: 3.200,00 €", "Καλημέρα, ο λογαριασμός σας είναι έτοιμος.",
    "Счёт № 145 от 12 марта 2021 г., сумма 15 000 руб.", "请在三十天内付款。发票号码：２０２１－０１",
    "ご請求書を送付いたします。合計金額は５万円です。", "فاتورة رقم ١٢٣ بتاريخ ٢٠٢١", "Paid ✅ — thanks! 👍 🎉",
    "naïve café façade coöperate résumé piñata", "ÆØÅ æøå ß ẞ ı İ ĳ Ŀ ŉ", "½ ¼ ¾ x² y³ 10⁶ H₂O",
]

def amount():
    v = rng.randint(1, 999999) / 100
    return rng.choice(["${:,.2f}".format(v), "{:,.2f}".format(v), "USD {:.2f}".format(v), "{:.2f} €".format(v)])

def date():
    y, m, d = rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} March {y}", f"Jan. {d}, {y}"])

def value(key):
    if "Date" in key:
        return date()
    if key in ("Total", "Subtotal", "Tax", "Amount Due"):
        return amount()
    if key in ("Phone", "Fax"):
        return f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    if key in ("Ship To", "Bill To"):
        return f"{rng.choice(first)} {rng.choice(last)}, {rng.choice(cities)}"
    return f"{rng.choice('ABCDEFGHJK')}{rng.choice('XYZQ')}-{rng.randint(1000, 99999)}"

lines = []
for _ in range(420):
    kind = rng.random()
    key = rng.choice(keys)
    if kind < 0.3:
        lines.append(f"What is the {key.lower()} on the {rng.choice(['invoice', 'receipt', 'statement', 'letter'])}?")
        lines.append(value(key))
    elif kind < 0.7:
        company = rng.choice(companies)
        lines.append(f"{company.upper()} {key}: {value(key)} {key.upper()} {value(key)} {rng.choice(fillers)}")
    elif kind < 0.9:
        lines.append(rng.choice(fillers) + "  " + rng.choice(fillers))
    else:
        lines.append(rng.choice(multilingual))
with open("train_corpus.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")

test = [
    "What is the invoice total?",
    "Hello World! HELLO world. hElLo WoRlD?",
    "  two leading spaces, three trailing   ",
    "multiple   spaces\tand\ttabs\t\tand   \t mixed",
    "new\nlines\n\n\nand\r\nCRLF line\rends\n",
    "Digits 1234567890 and 3.14159, $1,234.00, (555) 010-0199, 2021-03-15, 007",
    "Accents: café naïve façade Ærøskøbing São Paulo Zürich Kraków",
    "Greek: Καλημέρα κόσμε; Russian: Привет, мир!",
    "Chinese: 你好，世界。Japanese: こんにちは世界 ５万円",
    "Arabic: مرحبا بالعالم ١٢٣ ; Hindi: नमस्ते दुनिया १२३",
    "Emoji: 👍🏽 🎉 ❤️ 👨‍👩‍👧 ✅",
    "Contractions: don't it's we'll they're I've she'd I'm 'quoted' ''double'' 'S 'RE",
    "Special: <question> what is it? <ocr> INVOICE <page_0><page_1><page_12> </s><pad>",
    "Almost special: <page_ <pag <questio> </s <ocr>> <<pad>>",
    "unicode spaces: a\u00a0b\u2003c\u3000d\u2028e\u0085f",
    "superscripts x² ½ ³ and fullwidth ３ digits, roman Ⅻ",
    "punctuation!!! ??? ... --- (parens) [brackets] {braces} @user #tag 50% a&b ~/path_to/file.txt",
    "",
    " ",
    "\n",
    "a",
    "ñ",
    "Newer than Unicode 16: \u088f and \U00011de0\U00011de1 digits",
    "   \n   leading mixed whitespace then text",
    "trailing newline then spaces\n   ",
    "URL https://example.com/a?b=1&c=2 e-mail billing@acme-corp.com",
]
with open("test_corpus.json", "w", encoding="utf-8") as f:
    json.dump(test, f, ensure_ascii=False, indent=1)
    f.write("\n")
