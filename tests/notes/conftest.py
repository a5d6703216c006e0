"""A fully populated SimCLR note (real paper data), shared by the notes tests."""

from __future__ import annotations

import datetime as dt

import pytest

from papernotes.notes.model.ideas_model import IdeaLog, Patch, Point
from papernotes.notes.model.mermaid import MermaidDiagram, MermaidEdge, MermaidNode
from papernotes.notes.model.schema import Background, Metadata, Method, Note, ReadingStatus, RelatedWork, Result, Term


def simclr_note(lang: str = "zh") -> Note:
    zh = lang == "zh"
    nodes = [
        MermaidNode(id="X", label="image x", shape="stadium"),
        MermaidNode(id="A1", label="augmentation t", shape="rect"),
        MermaidNode(id="A2", label="augmentation t'", shape="rect"),
        MermaidNode(id="F", label="encoder f (ResNet-50)", shape="subroutine"),
        MermaidNode(id="G", label="projection head g (MLP)", shape="rect"),
        MermaidNode(id="L", label="NT-Xent loss", shape="hexagon"),
    ]
    edges = [
        MermaidEdge(src="X", dst="A1"), MermaidEdge(src="X", dst="A2"),
        MermaidEdge(src="A1", dst="F", label="x̃_i"), MermaidEdge(src="A2", dst="F", label="x̃_j"),
        MermaidEdge(src="F", dst="G", label="h"), MermaidEdge(src="G", dst="L", label="z", style="thick"),
    ]
    return Note(
        key="simclr",
        lang=lang,
        date=dt.date(2026, 11, 23),
        status=ReadingStatus.read_carefully,
        rating=5,
        aliases=["SimCLR"],
        meta=Metadata(
            title="A Simple Framework for Contrastive Learning of Visual Representations",
            authors=["Ting Chen", "Simon Kornblith", "Mohammad Norouzi", "Geoffrey Hinton"],
            institutions=["Google Research, Brain Team"],
            venue="ICML",
            year=2020,
            paper_url="https://arxiv.org/abs/2002.05709",
            arxiv="2002.05709",
            code_url="https://github.com/google-research/simclr",
            tags=["ssl/contrastive", "computer-vision"],
        ),
        abstract=("SimCLR：一个简单的视觉表征对比学习框架。线性分类器达到 76.5% top-1。\n\n"
                  "仅用 1% 标签微调即达到 85.8% top-5。") if zh else
        ("SimCLR: a simple framework for contrastive learning of visual representations; "
         "a linear classifier on it reaches 76.5% top-1.\n\nFine-tuned on 1% of the labels it "
         "reaches 85.8% top-5."),
        problem="理解是什么使得对比预测任务能够学习到有用的表征" if zh else
        "What makes contrastive prediction tasks learn useful representations?",
        contributions=(["数据增强的组合在定义有效的预测任务中起着关键作用",
                        "在表示和对比损失之间引入可学习的非线性变换，大大提高了表征质量",
                        "对比学习受益于更大的批量和更多的训练步骤"] if zh else
                       ["The composition of data augmentations is key to defining the task",
                        "A learnable nonlinear projection between representation and loss helps",
                        "Contrastive learning benefits from larger batches and longer training"]),
        background=Background(
            terms=[Term(term="NT-Xent", explanation="normalized temperature-scaled cross entropy"),
                   Term(term="linear eval", explanation="frozen encoder + a trained linear classifier")],
            related_work=[
                RelatedWork(name="[[moco]]", summary="a queue of negatives, momentum encoder",
                            limitation="needs a memory bank / queue"),
                RelatedWork(name="CPC", summary="predictive coding in latent space"),
            ],
            limitation="prior methods need special architectures or a memory bank",
        ),
        method=Method(
            core_idea="maximise agreement between two augmented views of one image in a latent space",
            diagram=MermaidDiagram(direction="LR", nodes=nodes, edges=edges),
            text="$$\\ell_{i,j} = -\\log \\frac{\\exp(\\mathrm{sim}(z_i,z_j)/\\tau)}"
                 "{\\sum_{k\\ne i} \\exp(\\mathrm{sim}(z_i,z_k)/\\tau)}$$\n\nbatch 4096, LARS, 100-800 epochs",
        ),
        results=[
            Result(dataset="ImageNet", protocol="linear eval", backbone="ResNet-50", metric="top-1",
                   value=69.3, source="Table 6"),
            Result(dataset="ImageNet", protocol="linear eval", backbone="ResNet-50 (4x)",
                   metric="top-1", value=76.5, source="Table 6"),
            Result(dataset="CIFAR-10", protocol="linear eval", backbone="ResNet-50", metric="top-1",
                   value=94.0, source="Appendix B.9"),
        ],
        strengths=["simple: no memory bank, no special architecture"],
        weaknesses=["needs very large batches (4096) and long training"],
        thoughts="投影头为什么有效？h 保留了被 z 丢掉的信息。" if zh else
        "Why does the projection head help? h keeps information z throws away.",
        ideas=IdeaLog(
            points=[Point(id=1, text="strong augmentation composition (crop + colour)"),
                    Point(id=2, text="nonlinear projection head")],
            patches=[Patch(id=1, point=1, kind="augmentation", text="add blur on CIFAR",
                           hypothesis="+1% linear top-1", cost="2 GPU-hours", status="planned",
                           repro="simclr", story="cheap SSL")],
        ),
        repro="simclr",
        related=["moco", "byol"],
    )


@pytest.fixture(params=["zh", "en"])
def lang(request) -> str:
    return request.param
