# Writes the SentencePiece (Unigram) tokenizer fixtures that UnigramTokenizerTests checks against:
#   tokenizer.json          - a T5-layout tokenizer.json: a SentencePiece unigram model (2,000 pieces,
#                             nmt_nfkc rules, so a real Precompiled charsmap) trained on train_corpus.txt,
#                             converted by transformers' T5Converter and put in the T5 hub layout
#                             (normalizer Sequence[Precompiled], Sequence[WhitespaceSplit, Metaspace],
#                             TemplateProcessing appending </s>, Metaspace decoder, <extra_id_0..99>);
#   tokenizer_variant.json  - the same model in today's converter layout (Metaspace alone) with
#                             prepend_scheme "first", split false, the older decoder spelling
#                             ("add_prefix_space": true) and two added tokens with normalized: true;
#   tokenizer_bytes.json    - a 600-piece model trained with byte_fallback (<0x00>..<0xFF> pieces);
#   train_corpus.txt        - the training text (synthetic OCR-like lines);
#   expected.json           - {file: [{text, ids, ids_with_special, pieces, decoded, decoded_with_special}]}
#                             from Python `tokenizers` (ids without and with the post-processor), and
#                             under "tokenizer.json, prepend_scheme first" those of tokenizer.json with
#                             "prepend_scheme":"always" replaced by "first" in its text.
# Regenerate (deterministic: fixed seeds, no downloads):
#   pip install tokenizers sentencepiece protobuf transformers
#   cd Tests/DocDataTests/Fixtures/unigram && python3 make_fixture.py
# Written with tokenizers 0.23.3, sentencepiece 0.2.3, transformers 5.25.0.
import json
import os
import random
import tempfile

import sentencepiece as spm
from tokenizers import Tokenizer
from transformers.convert_slow_tokenizer import T5Converter

rng = random.Random(26)
HERE = os.path.dirname(os.path.abspath(__file__))

words = ("invoice total amount due date number account customer order ship bill tax subtotal phone fax "
         "reference page payment balance description quantity unit price item code address city state "
         "zip country company inc corp ltd llc department report summary year month day week receipt "
         "signature approved received paid net gross discount shipping handling terms conditions "
         "the of and to in for on with by from at as is are was be this that please remit within days").split()
names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell", "Müller",
         "García", "Dubois", "Zürich", "Kraków", "Montréal", "São Paulo", "Reykjavík"]
keys = ["Invoice No.", "Invoice Date", "Due Date", "Total", "Subtotal", "Tax", "Phone", "Fax", "Ref.",
        "Account Number", "Customer ID", "Order Date", "Ship To", "Bill To", "Amount Due", "P.O. Number"]


def amount():
    v = rng.randint(1, 999999) / 100
    return rng.choice(["${:,.2f}".format(v), "{:,.2f}".format(v), "USD {:.2f}".format(v), "{:.2f} €".format(v)])


def date():
    y, m, d = rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} March {y}", f"Jan. {d}, {y}"])


def ocr_line():
    """One OCR-like line: a key-value field, a table row, a sentence or a header, with OCR noise."""
    kind = rng.randrange(4)
    if kind == 0:
        line = f"{rng.choice(keys)}: {rng.choice([amount(), date(), str(rng.randint(100, 99999)), rng.choice(names)])}"
    elif kind == 1:
        line = "  ".join([rng.choice(words).title(), str(rng.randint(1, 40)), amount(), amount()])
    elif kind == 2:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14))).capitalize() + rng.choice([".", "", ";", "?"])
    else:
        line = f"{rng.choice(names)} {rng.choice(['Inc.', 'Corp.', 'Ltd', 'GmbH', 'S.A.'])} - {rng.choice(words).upper()} {rng.randint(1, 9)}/{rng.randint(1, 9)}"
    # OCR noise: dropped or doubled spaces, l/1 and O/0 swaps, a stray character.
    out = []
    for ch in line:
        r = rng.random()
        if ch == " " and r < 0.04:
            continue
        if ch == " " and r < 0.08:
            out.append("  ")
            continue
        if r < 0.01:
            out.append({"l": "1", "O": "0", "o": "0", "I": "l"}.get(ch, ch))
            continue
        out.append(ch)
        if r > 0.997:
            out.append(rng.choice("|.,'`~°"))
    return "".join(out)


# Hostile Unicode: each entry is a pool of characters or short sequences.
HOSTILE = {
    "fullwidth": [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"],
    "combining": [chr(c) for c in range(0x0300, 0x0370)] + ["\u20DD", "\u0489"],
    "zero_width": ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u180E"],
    "spaces": ["\u00A0", "\u202F", "\u2007", "\u2009", "\u200A", "\u2002", "\u3000", "\t", "\n", "\r\n", "\u0085",
               "\u2028", "\u000B", "\u000C", "  ", "   "],
    "emoji": ["😀", "👍", "👍🏽", "👨‍👩‍👧‍👦", "🇩🇪", "🇺🇸", "1️⃣", "❤️", "🏳️‍🌈", "✅", "🎉", "🧾", "™", "©", "®"],
    "compat": ["ﬁ", "ﬂ", "½", "¼", "²", "³", "⁶", "₂", "Ⅻ", "ⅷ", "㎏", "㍻", "ℌ", "ℕ", "…", "‥", "Å", "Ω", "µ", "ſ", "ǅ", "ｶﾞ", "ﾊﾟ"],
    "scripts": list("漢字請求書合計金額発票号码") + list("한국어") + ["\u1100\u1161\u11A8"] + list("العربيةفاتورة")
               + list("עברית") + list("ไทย") + list("देवनागरी") + list("Ελληνικά") + list("Кириллица"),
    "controls": ["\u0000", "\u0001", "\u001F", "\u007F", "\u0080", "\u009F", "\uFFFD", "\U0001D400", "\U0010FFFD", "\uE000"],
    "accented": list("éèêëàâäçñöüßøåæœÉÀÇÑÖÜ") + ["e\u0301", "a\u0308", "o\u0303\u0323", "n\u0303"],
    "specials": ["<extra_id_0>", "<extra_id_17>", "<extra_id_99>", "</s>", "<pad>", "<unk>", "<extra_id_100>", "<extra_id_",
                 "[PAGE_0]", "▁", "▁▁", "_"],
}


def hostile_string():
    pools = rng.sample(sorted(HOSTILE), rng.randint(1, 3))
    parts = []
    for _ in range(rng.randint(1, 12)):
        r = rng.random()
        if r < 0.45:
            parts.append(rng.choice(HOSTILE[rng.choice(pools)]))
        elif r < 0.75:
            parts.append(rng.choice(words))
        elif r < 0.9:
            parts.append(" ")
        else:
            parts.append(str(rng.randint(0, 9999)))
    return "".join(parts)


def fixed_strings():
    base = ["", " ", "  ", "     ", "\t", "\n", " \n\t ", "\u00A0", "\u3000\u3000", "\u200B", "\u200B\u200B\u200B",
            "a", "A", "Total", " Total", "Total ", "  Total  due  ", "Total\u00A0due", "Ｔｏｔａｌ：１２３",
            "e\u0301", "\u0301", "\u0301\u0301e", "👨‍👩‍👧‍👦", "👍🏽👍🏽", "🇩🇪🇺🇸", "ﬁnal ﬂow", "㍻12年", "½ + ¼",
            "<extra_id_0>", "<extra_id_0><extra_id_1>", "a<extra_id_5>b", " <extra_id_5> ", "</s>", "hello</s>",
            "<pad>hello", "<unk>", "▁", "▁hello", "hello▁world", "x" * 300, "漢" * 40, "e\u0301" * 30,
            "A\uFF21\u0301", "\uFF21\u0301\u0301", "ℌello", "\u0000", "a\u0000b", "Invoice No.: 12345",
            "Amount Due: $1,234.00", "TOTAL  DUE :  1.234,56 €"]
    return base


def main():
    corpus = [ocr_line() for _ in range(3000)]
    with open(os.path.join(HERE, "train_corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(corpus) + "\n")

    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        def train(prefix, vocab, rule="nmt_nfkc", **extra):
            spm.SentencePieceTrainer.train(
                input=os.path.join(HERE, "train_corpus.txt"), model_prefix=os.path.join(tmp, prefix),
                vocab_size=vocab, model_type="unigram", normalization_rule_name=rule,
                character_coverage=1.0, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, seed_sentencepiece_size=100000,
                num_threads=1, minloglevel=2, **extra)
            return os.path.join(tmp, prefix + ".model")

        class Original:  # what T5Converter reads from a slow T5Tokenizer
            def __init__(self, path, extra_ids):
                self.vocab_file, self._extra_ids, self.legacy = path, extra_ids, True
                self.add_prefix_space = True

            def convert_tokens_to_ids(self, token):
                return {"<pad>": 0, "</s>": 1, "<unk>": 2}[token]

        def convert(path, extra_ids):
            tok = T5Converter(Original(path, extra_ids)).converted()
            # The slow tokenizer's special tokens become added tokens (as save_pretrained writes them).
            from tokenizers import AddedToken
            specials = ["<pad>", "</s>", "<unk>"] + [f"<extra_id_{i}>" for i in range(extra_ids - 1, -1, -1)]
            tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
            return json.loads(tok.to_str())

        converted = convert(train("main", 2000), 100)
        # The T5 / Flan-T5 hub layout (older converters): Sequence[Precompiled] and
        # Sequence[WhitespaceSplit, Metaspace].
        main_json = json.loads(json.dumps(converted))
        main_json["normalizer"] = {"type": "Sequence", "normalizers": [converted["normalizer"]["normalizers"][0]]}
        main_json["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"},
            {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}]}
        files["tokenizer.json"] = main_json

        # Today's converter layout (Sequence[Precompiled, Strip, Replace], Metaspace alone), with
        # prepend_scheme "first", split false, the pre-0.19 decoder spelling, and two added tokens
        # matched after normalisation (normalized: true), as Hi-VT5's page tokens may be added.
        variant = json.loads(json.dumps(converted))
        variant["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
        variant["decoder"] = {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True}
        n = len(variant["model"]["vocab"])
        for k, content in enumerate(["[PAGE_0]", "\uff30\uff41\uff47\uff45"]):
            variant["added_tokens"].append({"id": n + k, "content": content, "single_word": False, "lstrip": False,
                                            "rstrip": False, "normalized": True, "special": False})
        files["tokenizer_variant.json"] = variant

        # Identity rules (no charsmap: the normalizer is Sequence[Strip, Replace]); T5Converter does
        # not carry byte_fallback over, so it is set here as Llama-style files have it.
        files["tokenizer_bytes.json"] = convert(train("bytes", 600, byte_fallback=True, rule="identity"), 4)
        files["tokenizer_bytes.json"]["model"]["byte_fallback"] = True

    for name, content in files.items():
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False, indent=1, separators=(",", ":"))
            f.write("\n")

    texts = fixed_strings()
    texts += [ocr_line() for _ in range(1200)]
    texts += [hostile_string() for _ in range(1200)]
    expected = {}
    for name in files:
        tok = Tokenizer.from_file(os.path.join(HERE, name))
        rows = []
        chosen = texts if name == "tokenizer.json" else texts[:len(fixed_strings())] + texts[-400:]
        for text in chosen:
            plain = tok.encode(text, add_special_tokens=False)
            full = tok.encode(text)
            rows.append({"text": text, "ids": plain.ids, "ids_with_special": full.ids, "pieces": plain.tokens,
                         "decoded": tok.decode(full.ids), "decoded_with_special": tok.decode(full.ids, skip_special_tokens=False)})
        expected[name] = rows
        print(name, len(rows), "strings,", sum(len(r["ids"]) for r in rows), "ids,",
              sum(2 in r["ids"] for r in rows), "with <unk>")
    # Metaspace prepend_scheme "first" behind WhitespaceSplit: tokenizer.json with every
    # "prepend_scheme":"always" (pre-tokenizer and decoder) replaced by "first" in the file text;
    # texts led by a space, a zero-width space, an added token and an NBSP.
    with open(os.path.join(HERE, "tokenizer.json"), encoding="utf-8") as f:
        first = Tokenizer.from_str(f.read().replace('"prepend_scheme":"always"', '"prepend_scheme":"first"'))
    rows = []
    for text in texts[:len(fixed_strings())] + texts[-100:]:
        for lead in ["", " ", "\u200b", "<extra_id_1>", "\u00a0"]:
            plain, full = first.encode(lead + text, add_special_tokens=False), first.encode(lead + text)
            rows.append({"text": lead + text, "ids": plain.ids, "ids_with_special": full.ids, "pieces": plain.tokens,
                         "decoded": first.decode(full.ids), "decoded_with_special": first.decode(full.ids, skip_special_tokens=False)})
    expected["tokenizer.json, prepend_scheme first"] = rows
    print("tokenizer.json, prepend_scheme first", len(rows), "strings")
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write("{\n")
        for k, (name, rows) in enumerate(expected.items()):
            f.write(json.dumps(name) + ": [\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
            f.write("\n]" + (",\n" if k + 1 < len(expected) else "\n"))
        f.write("}\n")


if __name__ == "__main__":
    main()
