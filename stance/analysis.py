"""One article, analysed end to end, with no database: the stages in order.

extract claims -> drop reports nested in others -> split coordinated reports -> give carried-on
accounts their voice -> tag parties -> group into issues
-> compare the parties.
The CLI's `analyze` and the service both call `analyze`, so every interface
returns the same document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stance.attribution import extract_claims
from stance.clauses import renumbered, split_claims
from stance.document import Analysis, Article
from stance.parties import Registry, tag_claims
from stance.voices import assign_voices, outermost

if TYPE_CHECKING:
    from stance.relations import StanceModel


def analyze(article: Article, registry: Registry, model: StanceModel | None = None) -> Analysis:
    """The analysis document of one article (issues and comparisons need a model)."""
    claims = outermost(extract_claims(article.text))
    # cutting a report at an attribution it overran can leave it inside another report
    claims = renumbered(outermost(split_claims(claims, article.text)))
    claims = assign_voices(claims, article.text)
    tag_claims(claims, registry, article.text)
    analysis = Analysis(article=article, claims=claims)
    if model is not None:
        from stance.issues import compare, group_claims

        context = {
            c.id: article.text[c.sentence_span[0] : c.sentence_span[1]] for c in claims if c.sentence_span
        }
        analysis.issues = group_claims(claims, model, context)
        analysis.comparisons = compare(claims, analysis.issues, model)
        analysis.model = model.info()
    return analysis
