#!/usr/bin/env python3
"""Writes the hand-made MP-DocVQA-layout fixtures of DocDataTests (Dataset/OCR/Validation tests).

Regenerate (from the package root):
    python3 Tests/DocDataTests/Fixtures/dataset/make_fixtures.py

good/  a small dataset in the released layout: train/val/test question files (test without
       answers; extra fields the loader must ignore), JPEG pages (and one PNG), Textract OCR
       files and one DocVQA/Azure-form OCR page (docA_p3). Every word and box below is
       chosen by hand; the tests restate the expected values independently.
bad/   one instance of each bad input the validator must name (missing image, truncated JPEG, a .png that
       is not a PNG, OCR with wrong types, answer_page_idx out of range, empty page_ids,
       21 pages, duplicate questionId, invalid UTF-8, a page id with '../'), plus a missing
       OCR file, a wrong-typed and a missing field, and answers on the test split.
Needs Pillow. Output is deterministic.
"""
import io
import json
import os
import shutil

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))


def page_image(width, height, mode="L", seed=0):
    """A tiny page: white with a few dark bars where text would be."""
    img = Image.new(mode, (width, height), "white")
    d = ImageDraw.Draw(img)
    for k in range(4):
        y = 6 + k * 12 + seed % 3
        d.rectangle([4 + seed % 5, y, width - 6 - 3 * k, y + 4], fill="black" if mode == "L" else (20, 40, 90))
    return img


def write_jpeg(path, width=48, height=64, seed=0):
    page_image(width, height, seed=seed).save(path, "JPEG", quality=90)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def textract_word(text, left, top, width, height, block_id):
    return {
        "BlockType": "WORD", "Confidence": 99.1, "Text": text, "TextType": "PRINTED",
        "Geometry": {
            "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
            "Polygon": [{"X": left, "Y": top}, {"X": left + width, "Y": top},
                        {"X": left + width, "Y": top + height}, {"X": left, "Y": top + height}],
        },
        "Id": block_id,
    }


def textract_page(words, line_text=None):
    """A Textract response: a PAGE block, an optional LINE block, then the WORD blocks."""
    blocks = [{"BlockType": "PAGE", "Geometry": {"BoundingBox": {"Width": 1.0, "Height": 1.0, "Left": 0.0, "Top": 0.0}},
               "Id": "page-0"}]
    if line_text is not None:
        blocks.append({"BlockType": "LINE", "Confidence": 99.0, "Text": line_text,
                       "Geometry": {"BoundingBox": {"Width": 0.5, "Height": 0.05, "Left": 0.1, "Top": 0.05}},
                       "Id": "line-0"})
    blocks += [textract_word(*w, block_id="word-%d" % i) for i, w in enumerate(words)]
    return {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks}


def question_file(split, items):
    return {"dataset_name": "MP-DocVQA", "dataset_split": split, "dataset_version": "fixture", "data": items}


def make_good(root):
    os.makedirs(os.path.join(root, "images"))
    os.makedirs(os.path.join(root, "ocr"))
    for i, page in enumerate(["docA_p1", "docA_p2", "docA_p3", "docC_p1"]):
        write_jpeg(os.path.join(root, "images", page + ".jpg"), seed=i)
    page_image(40, 50, mode="RGB", seed=7).save(os.path.join(root, "images", "docB_p1.png"), "PNG")

    # Textract: (text, Left, Top, Width, Height); ratios of the page size.
    write_json(os.path.join(root, "ocr", "docA_p1.json"), textract_page([
        ("Invoice", 0.1, 0.05, 0.2, 0.04),
        ("No.", 0.32, 0.05, 0.08, 0.04),
        ("4711", 0.42, 0.05, 0.1, 0.04),
    ], line_text="Invoice No. 4711"))
    write_json(os.path.join(root, "ocr", "docA_p2.json"), textract_page([
        ("Café", 0.5, 0.5, 0.125, 0.0625),
        ("$1,234.00", 0.25, 0.75, 0.25, 0.05),
        ("Total", -0.004, 0.7, 0.2, 0.05),  # Textract overshoots the page edge a little: clamped to 0
    ]))
    write_json(os.path.join(root, "ocr", "docB_p1.json"), textract_page([]))  # a blank page: no words
    write_json(os.path.join(root, "ocr", "docC_p1.json"), textract_page([("Hello", 0.0, 0.0, 1.0, 1.0)], line_text="Hello"))
    # DocVQA/Azure form: 8-number pixel polygons, page 200 x 100 pixels.
    write_json(os.path.join(root, "ocr", "docA_p3.json"), {
        "status": "Succeeded",
        "recognitionResults": [{
            "page": 1, "clockwiseOrientation": 0.2, "width": 200, "height": 100, "unit": "pixel",
            "lines": [
                {"boundingBox": [20, 9, 91, 9, 91, 22, 20, 22], "text": "Due date",
                 "words": [{"boundingBox": [20, 10, 50, 10, 50, 20, 20, 20], "text": "Due"},
                           {"boundingBox": [54, 11, 90, 9, 91, 21, 55, 22], "text": "date", "confidence": "Low"}]},
                {"boundingBox": [100, 50, 180, 50, 180, 70, 100, 70], "text": "2020-01-31",
                 "words": [{"boundingBox": [100, 50, 180, 50, 180, 70, 100, 70], "text": "2020-01-31"}]},
            ],
        }],
    })

    docA = ["docA_p1", "docA_p2", "docA_p3"]
    write_json(os.path.join(root, "train.json"), question_file("train", [
        {"questionId": 101, "question": "What is the total?", "doc_id": "docA", "page_ids": docA,
         "answers": ["$1,234.00", "1,234.00"], "answer_page_idx": 1, "data_split": "train"},
        {"questionId": 102, "question": "What is the due date?", "doc_id": "docA", "page_ids": docA,
         "answers": ["2020-01-31"], "answer_page_idx": 2, "data_split": "train"},
        {"questionId": 103, "question": "Is the page blank?", "doc_id": "docB", "page_ids": ["docB_p1"],
         "answers": ["yes"], "answer_page_idx": 0, "data_split": "train",
         "answer_type": "yes/no", "extra": {"nested": [1, 2, None]}},  # unknown fields are ignored
    ]))
    write_json(os.path.join(root, "val.json"), question_file("val", [
        {"questionId": 201, "question": "What does it say?", "doc_id": "docC", "page_ids": ["docC_p1"],
         "answers": ["Hello"], "answer_page_idx": 0, "data_split": "val"},
        {"questionId": 202, "question": "What is the invoice number?", "doc_id": "docA",
         "page_ids": ["docA_p1", "docA_p2"], "answers": ["4711"], "answer_page_idx": 0, "data_split": "val"},
    ]))
    write_json(os.path.join(root, "test.json"), question_file("test", [
        {"questionId": 301, "question": "Which colour is the page?", "doc_id": "docB", "page_ids": ["docB_p1"],
         "data_split": "test"},
        {"questionId": 302, "question": "Who issued the invoice?", "doc_id": "docA", "page_ids": docA,
         "data_split": "test"},
    ]))


def make_bad(root):
    os.makedirs(os.path.join(root, "images"))
    os.makedirs(os.path.join(root, "ocr"))
    for i, page in enumerate(["ok1", "ok2", "badocr", "noocr"]):
        write_jpeg(os.path.join(root, "images", page + ".jpg"), seed=i)
    buf = io.BytesIO()
    page_image(64, 64, seed=3).save(buf, "JPEG", quality=90)
    whole = buf.getvalue()
    with open(os.path.join(root, "images", "trunc.jpg"), "wb") as f:
        f.write(whole[: len(whole) * 6 // 10])  # cut inside the entropy-coded data
    with open(os.path.join(root, "images", "notpng.png"), "wb") as f:
        f.write(b"this is not a PNG file\n")
    for page in ["ok1", "ok2", "trunc", "notpng", "missingimg"]:
        write_json(os.path.join(root, "ocr", page + ".json"), textract_page([("word", 0.1, 0.1, 0.2, 0.05)]))
    bad_ocr = textract_page([("fine", 0.1, 0.1, 0.2, 0.05), ("x", 0.1, 0.2, 0.2, 0.05), ("y", 0.1, 0.3, 0.2, 0.05)])
    bad_ocr["Blocks"][2]["Geometry"]["BoundingBox"]["Left"] = "0.1"   # Blocks[2]: a string where a number belongs
    bad_ocr["Blocks"][3]["Text"] = 42                                 # Blocks[3]: a number where a string belongs
    write_json(os.path.join(root, "ocr", "badocr.json"), bad_ocr)

    def q(qid, pages, idx=0, **extra):
        item = {"questionId": qid, "question": "Question %s?" % qid, "doc_id": "doc%s" % qid, "page_ids": pages,
                "answers": ["a"], "answer_page_idx": idx, "data_split": "train"}
        item.update(extra)
        return item

    items = [
        q(1, ["ok1", "ok2"], 1),                       # data[0]  good
        q(2, ["ok1", "ok2"], 2),                       # data[1]  answer_page_idx out of range
        q(3, [], 0),                                   # data[2]  empty page_ids
        q(4, ["ok1", "ok2"] * 10 + ["ok1"], 0),        # data[3]  21 pages
        q(5, ["ok1"]),                                 # data[4]  good
        q(5, ["ok2"]),                                 # data[5]  duplicate questionId
        q(6, ["../escape"]),                           # data[6]  page id escaping the root
        q(7, ["missingimg"]),                          # data[7]  missing image
        q(8, ["trunc"]),                               # data[8]  truncated JPEG
        q(9, ["notpng"]),                              # data[9]  .png that is not a PNG
        q(10, ["badocr"]),                             # data[10] OCR with wrong types
        q(11, ["ok1"], question="INVALID_UTF8"),       # data[11] invalid UTF-8 in question
        q(12, ["noocr"]),                              # data[12] missing OCR file
        q("13", ["ok1"]),                              # data[13] questionId of the wrong type
        q(14, ["ok2"]),                                # data[14] missing question
    ]
    del items[14]["question"]
    text = json.dumps(question_file("train", items), indent=1, ensure_ascii=False).encode("utf-8")
    text = text.replace(b"INVALID_UTF8", b"What is the t\xffal?")  # 0xFF never occurs in UTF-8
    with open(os.path.join(root, "train.json"), "wb") as f:
        f.write(text + b"\n")
    write_json(os.path.join(root, "test.json"), question_file("test", [
        {"questionId": 901, "question": "Fine?", "doc_id": "doc901", "page_ids": ["ok1"], "data_split": "test"},
        {"questionId": 902, "question": "Answers on test?", "doc_id": "doc902", "page_ids": ["ok2"],
         "answers": ["leaked"], "data_split": "test"},
    ]))


if __name__ == "__main__":
    for name, make in [("good", make_good), ("bad", make_bad)]:
        root = os.path.join(HERE, name)
        shutil.rmtree(root, ignore_errors=True)
        make(root)
    print("wrote", os.path.join(HERE, "good"), "and", os.path.join(HERE, "bad"))
