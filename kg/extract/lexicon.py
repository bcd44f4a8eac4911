"""Word lists that type a noun phrase by its head and keep generic phrases out.

A phrase is typed by the lemma of its last word ("diffusion *model*" → Model,
"knowledge *distillation*" → Method).  Heads that say nothing alone ("model",
"method", "task") need a specific modifier: "the model" and "a novel
framework" are dropped, "diffusion model" is kept.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

HEAD_TYPES: dict[str, str] = {}


def _add(type_: str, words: str) -> None:
    for word in words.split():
        HEAD_TYPES[word.replace("_", " ")] = type_


_add("Model", """model llm lm mllm vlm lmm slm network net transformer encoder decoder autoencoder
    gan vae cnn rnn lstm gnn mlp perceptron classifier regressor backbone architecture
    generator discriminator embedding_model bert gpt""")
_add("Method", """method algorithm approach technique framework strategy mechanism learning training
    fine-tuning finetuning tuning optimization optimisation distillation prompting regularization
    regularisation sampling decoding attention augmentation quantization quantisation pruning
    descent pretraining pre-training post-training alignment scheme procedure paradigm
    pipeline policy inference search encoding embedding normalization normalisation
    initialization dropout adaptation merging scaling steering unlearning watermarking
    tokenization tokenisation compression sparsification calibration filtering retrieval-augmentation
    reranking re-ranking planning solver sampler optimizer optimiser""")
_add("Dataset", """dataset data_set datasets benchmark corpus corpora treebank testbed test_set testset
    suite leaderboard collection database""")
_add("Task", """task classification detection recognition generation translation segmentation
    summarization summarisation answering reasoning estimation prediction parsing tracking
    captioning labeling labelling tagging extraction completion forecasting localization
    localisation understanding synthesis editing reconstruction matching retrieval
    recommendation grounding disambiguation resolution inpainting super-resolution
    transcription diarization verification navigation manipulation control""")
_add("Metric", """accuracy precision recall f1 f-score f-measure bleu rouge meteor perplexity auc auroc
    fid iou miou mrr ndcg divergence error_rate win_rate success_rate pass_rate score""")

# Heads that name a kind of thing rather than a thing: kept only with a specific modifier.
GENERIC_HEADS = frozenset("""model method approach technique framework strategy mechanism algorithm task
    dataset benchmark network architecture pipeline scheme procedure paradigm learning training
    score accuracy performance system tuning search inference policy generation prediction
    classification detection recognition reasoning understanding estimation analysis data
    attention retrieval encoding embedding suite collection database control matching
    alignment planning verification completion extraction solver sampler optimizer optimiser
    efficiency effectiveness robustness scalability quality usability flexibility generality reliability
    complexity computation error cost speed time application scenario setting problem issue metric
    measure measurement evaluation research purpose domain field community literature
    solution route rate memory divergence""".split())

# Modifiers that leave a generic head vague ("real-world applications", "NLP tasks", "evaluation
# metrics", "human evaluation") but, unlike GENERIC_MODIFIERS, are not trimmed off a noun phrase
# ("automatic speech recognition" keeps its first word).
VAGUE_MODIFIERS = frozenset("""real real-life nlp evaluation automatic automated human manual intrinsic
    extrinsic""".split())

# Modifiers that do not make a phrase specific ("a novel framework", "our method").
GENERIC_MODIFIERS = frozenset("""a an the this that these those our their its his her my your we they it
    novel new proposed existing various different several many multiple other such same simple
    effective efficient extensive comprehensive significant strong state-of-the-art sota
    previous prior current recent standard traditional conventional popular common typical actual
    first second third final key main general specific given particular certain whole entire
    overall original additional further more most less least better best good great high
    low large-scale small-scale robust powerful promising unified generic improved enhanced
    advanced modern naive vanilla baseline baselines underlying corresponding respective
    above following same own two three four five one some any each every all both few
    open-source publicly available public diverse wide broad various_kinds
    competitive superior remarkable impressive substantial considerable notable
    theoretical empirical practical real-world downstream upstream massive challenging crucial
    critical important fundamental key novel_ versatile flexible scalable practical
    successful excellent encouraging easy special valuable preliminary subsequent non-standard accurate
    reliable interesting useful
    provably highly very fully truly computationally theoretically empirically practically
    significantly extremely remarkably surprisingly inherently""".split())

# Verbs that open a title's clause ("Mastering Ultra-Long Text Generation", "Improving Diffusion
# Models"): never the first word of a name, whatever the tagger makes of a capitalised word.
# "Training", "Learning", "Scaling" and "Sampling" are left out: they also begin names
# ("Training Data", "Learning Rate", "Scaling Laws").
OPENING_VERBS = frozenset("""improving advancing navigating unlocking mastering measuring mitigating
    isolating estimating eliciting circumventing analyzing analysing exploring personalizing
    personalising jailbreaking deploying reprogramming discovering enhancing rethinking revisiting
    bridging unifying accelerating evaluating leveraging harnessing enabling democratizing taming
    unveiling demystifying understanding investigating towards toward maximizing maximising minimizing
    minimising""".split())

# Whole phrases that are never entities, whatever their head; the last two lines are hardware and
# number formats, which the NER takes for datasets and an acronym definition for a method.
STOP_PHRASES = frozenset(phrase.strip() for phrase in """state of the art|state-of-the-art|sota|state-of-the-art performance|extensive experiments|this paper
    |this work|our method|our approach|our model|our framework|the model|the method|future work
    |experimental results|empirical results
    |a100|h100|v100|bf16|fp16|fp32|fp8|int8|int4|tf32|graphics processing unit
    |central processing unit|tensor processing unit""".split("|"))
# Last words that make a phrase a machine, not a method: "NVIDIA A100 GPU", "TPUs".
HARDWARE_HEADS = frozenset({"gpu", "gpus", "cpu", "cpus", "tpu", "tpus"})

# Who made a thing is not the thing: companies, labs, universities and code hosts that abstracts
# name ("models from Google DeepMind", "released on Hugging Face"). Left out on purpose: names that
# also name a dataset or a method in papers ("Amazon" reviews, "arXiv" papers, "XAI").
ORGANISATIONS = frozenset(name.strip() for name in """google|google deepmind|deepmind|google research
    |google brain|openai|anthropic|meta|meta ai|facebook|facebook ai research|microsoft|microsoft research
    |nvidia|nvidia research|amd|intel|ibm|ibm research|apple|aws|amazon web services|alibaba|alibaba cloud
    |baidu|tencent|bytedance|huawei|samsung|mistral ai|hugging face|huggingface|github|gitlab|stability ai
    |cohere|allen institute for ai|ai2|eleutherai|salesforce|salesforce research|stanford
    |stanford university|mit|carnegie mellon university|uc berkeley|tsinghua university
    |peking university""".split("|"))
# A venue, with or without its year, is where a paper appeared: "ICALP 2018", "NeurIPS'23".
VENUES = frozenset("""neurips nips icml iclr acl emnlp naacl eacl coling cvpr iccv eccv aaai ijcai kdd sigir
    wsdm cikm icassp interspeech uai aistats colt stoc focs soda sosa icalp miccai tacl jmlr tpami""".split())
_VENUE = re.compile(r"(?:%s)(?:\s*'?\d{2}|\s*\d{4})?" % "|".join(sorted(VENUES)))
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Last words that make a phrase a point of view or a piece of writing, not a thing studied: "the
# Bayesian inference view", "mathematical foundations", "Technical Report". Not "perspective",
# "study" or "survey": SciERC annotates "statistical learning perspective" as a method and
# "feasibility study", "trend survey" as tasks.
VIEW_HEADS = frozenset("view views viewpoint viewpoints foundation foundations report reports overview overviews".split())


def is_stop_phrase(key: str) -> bool:
    """Never an entity: a stop phrase, an organisation, a venue, an address, or a phrase whose last
    word is a processor or a point of view."""
    if "://" in key or key.startswith("www.") or "@" in key and _EMAIL.fullmatch(key):
        return True  # a web address or an e-mail: where the code is, not what it is ("pass@1" stays)
    last = key.rsplit(" ", 1)[-1]
    return (key in STOP_PHRASES or key in ORGANISATIONS or _VENUE.fullmatch(key) is not None
            or last in HARDWARE_HEADS or last in VIEW_HEADS)


@lru_cache(maxsize=1)
def gazetteer() -> tuple[tuple[str, str], ...]:
    """``(name, type)`` pairs of well-known names shipped in ``gazetteer.tsv``."""
    text = resources.files("kg.extract").joinpath("gazetteer.tsv").read_text(encoding="utf-8")
    rows = []
    for row in csv.reader((line for line in text.splitlines() if line and not line.startswith("#")),
                          delimiter="\t"):
        if len(row) == 2:
            rows.append((row[0].strip(), row[1].strip()))
    return tuple(rows)


def head_type(word: str) -> str | None:
    """The type a head word (or its plural) gives its phrase, or None."""
    word = word.casefold()
    found = HEAD_TYPES.get(word)
    if found is None and word.endswith("s") and len(word) > 3:
        found = HEAD_TYPES.get(word[:-1]) or (HEAD_TYPES.get(word[:-2]) if word.endswith("es") else None)
    return found
