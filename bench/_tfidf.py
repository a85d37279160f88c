"""The TF-IDF (word 1-2 + char 2-5 n-grams) + LinearSVC intent baseline."""

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

# \w+ keeps one-letter syllables and chat words ("ở", "k", "j"), which the default pattern drops.
WORD_PATTERN = r"(?u)\b\w+\b"


def build_classifier() -> Pipeline:
    """An untrained TF-IDF + LinearSVC pipeline."""
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=WORD_PATTERN, sublinear_tf=True
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    return make_pipeline(make_union(words, chars), LinearSVC(C=1.0))


def train(texts: list[str], intents: list[str]) -> Pipeline:
    """Fit the baseline on texts and their intents."""
    return build_classifier().fit(texts, intents)
