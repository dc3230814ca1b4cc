"""Two reward functions that run offline, for `--set ppo.reward=...` (and GRPO's reward): each takes the prompts and the
completions (lists of strings) and returns one float per completion.

    rlhf run --stage ppo --set "ppo.reward=0.5*reward + example_inputs/rlhf/rewards.py:concise"
"""
import re

_VADER = []


def vader_sentiment(prompts: list[str], completions: list[str]) -> list[float]:
    "VADER's compound sentiment score of each completion, in [-1, 1] (needs `pip install vaderSentiment`)."
    if not _VADER:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        _VADER.append(SentimentIntensityAnalyzer())
    return [float(_VADER[0].polarity_scores(c)['compound']) for c in completions]


def concise(prompts: list[str], completions: list[str], target_words: int = 40) -> list[float]:
    """A format and length rule: 1 for a non-empty answer of at most `target_words` words that ends a sentence and repeats no
    sentence, less a penalty per word beyond the target, per repeated sentence, and for an unfinished last sentence."""
    out = []
    for c in completions:
        words = c.split()
        if not words: out.append(-1.0); continue
        sentences = [s.strip().lower() for s in re.split(r'(?<=[.!?])\s+', c.strip()) if s.strip()]
        score = 1.0 - 0.02 * max(0, len(words) - target_words) - 0.5 * (len(sentences) - len(set(sentences)))
        out.append(score - (0.0 if c.rstrip()[-1:] in '.!?' else 0.3))
    return out
