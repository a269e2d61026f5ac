# Independent reference for TokenizerTests.testScalarClassesMatchHuggingFaceForEveryCodePoint:
# the class that Hugging Face `tokenizers` gives every Unicode scalar in the GPT-2 split pattern
# of its ByteLevel pre-tokenizer, and whether its Digits pre-tokenizer isolates it, found by
# asking the real pre-tokenizers (not from a Unicode table):
#   L: "a"+c is one piece (\p{L});  N: "1"+c is one piece (\p{N});  P: "!"+c is one piece
#   (neither \s, \p{L} nor \p{N});  W: otherwise (\s);  suffix d: Digits(individual) splits "a"+c.
# Output: unicode_classes.json, a list of [first, last, class] ranges.
# Regenerate: python3 unicode_classes.py   (about 30 s)
import json

from tokenizers import pre_tokenizers

byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
digits = pre_tokenizers.Digits(individual_digits=True)


def pattern_class(c):
    if len(byte_level.pre_tokenize_str("a" + c)) == 1:
        return "L"
    if len(byte_level.pre_tokenize_str("1" + c)) == 1:
        return "N"
    if len(byte_level.pre_tokenize_str("!" + c)) == 1:
        return "P"
    return "W"


ranges = []
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    name = pattern_class(c) + ("d" if len(digits.pre_tokenize_str("a" + c)) == 2 else "")
    if ranges and ranges[-1][2] == name and ranges[-1][1] == cp - 1:
        ranges[-1][1] = cp
    else:
        ranges.append([cp, cp, name])

with open("unicode_classes.json", "w") as f:
    f.write("[\n" + ",\n".join(json.dumps(r) for r in ranges) + "\n]\n")
print(len(ranges), "ranges")
