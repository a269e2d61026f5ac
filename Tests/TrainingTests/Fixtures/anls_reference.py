#!/usr/bin/env python3
"""Independent reference for AnswerMetrics (ANLS and exact match), following the official
DocVQA / RRC evaluation semantics stated in the README section "Metrics".

Regenerate:  python3 Tests/TrainingTests/Fixtures/anls_reference.py > Tests/TrainingTests/Fixtures/anls_reference.json
Writes 1,200 random (prediction, golds) pairs with their ANLS and exact-match values.
"""
import json
import random


def levenshtein(a, b):
    # Textbook O(len(a)·len(b)) dynamic programme over Python characters (Unicode scalars).
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def norm(s):
    return " ".join(s.strip().lower().split())


def anls(pred, golds, threshold=0.5):
    values = []
    for gold in golds:
        length = max(len(gold), len(pred))  # raw strings (the official script's quirk)
        values.append(0.0 if length == 0 else levenshtein(norm(gold), norm(pred)) / length)
    if not values:
        return 0.0
    score = 1 - min(values)
    return 0.0 if score < threshold else score


def exact(pred, golds):
    return 1.0 if any(norm(g) == norm(pred) for g in golds) else 0.0


ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$.,-/:#") + \
    [" ", " ", " ", "\t", "\n", "\u00a0", "\u3000", "é", "É", "ß", "ø", "Ж", "ж", "字", "日", "😀", "İ", "ﬁ"]


def random_string(rng, lo=0, hi=14):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))


def mutate(rng, s):
    chars = list(s)
    for _ in range(rng.randint(0, 4)):
        op = rng.randrange(5)
        if op == 0 and chars:
            del chars[rng.randrange(len(chars))]
        elif op == 1:
            chars.insert(rng.randint(0, len(chars)), rng.choice(ALPHABET))
        elif op == 2 and chars:
            chars[rng.randrange(len(chars))] = rng.choice(ALPHABET)
        elif op == 3:
            chars = [c.upper() if rng.random() < 0.5 else c for c in chars]
        else:
            chars.insert(rng.randint(0, len(chars)), " ")
    return "".join(chars)


def main():
    rng = random.Random(20261123)
    cases = []
    for _ in range(1200):
        golds = [random_string(rng) for _ in range(rng.randint(1, 3))]
        kind = rng.random()
        pred = mutate(rng, rng.choice(golds)) if kind < 0.8 else random_string(rng)
        cases.append({"prediction": pred, "golds": golds, "anls": anls(pred, golds), "exact": exact(pred, golds)})
    print(json.dumps(cases, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()
