# Independent reference for TokenizerTests: loads the tokenizer.json files that MPVQA's Swift
# trainer wrote (tokenizer.json: grouped digits; tokenizer_digits.json: individual digits) with
# Hugging Face `tokenizers` and records, for every string of test_corpus.json, the ids, the
# decoded text (with and without special tokens) and the pre-tokenizer's pieces.
#   Regenerate (after retraining the tokenizers):
#     mpvqa tokenizer train --text train_corpus.txt --vocab 800 --out tokenizer.json
#     mpvqa tokenizer train --text train_corpus.txt --vocab 800 --digits individual --out tokenizer_digits.json
#     python3 check_tokenizer.py          # writes expected_ids.json
import json

import tokenizers
from tokenizers import Tokenizer

with open("test_corpus.json", encoding="utf-8") as f:
    corpus = json.load(f)

expected = {"tokenizers_version": tokenizers.__version__}
for name in ["tokenizer.json", "tokenizer_digits.json"]:
    tok = Tokenizer.from_file(name)
    rows = []
    for text in corpus:
        ids = tok.encode(text, add_special_tokens=False).ids
        rows.append({
            "text": text,
            "ids": ids,
            "decoded": tok.decode(ids, skip_special_tokens=True),
            "decoded_with_special": tok.decode(ids, skip_special_tokens=False),
            "pieces": [p for p, _ in tok.pre_tokenizer.pre_tokenize_str(text)],
        })
    expected[name] = rows

with open("expected_ids.json", "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("wrote expected_ids.json:", {k: len(v) for k, v in expected.items() if k.endswith(".json")})
