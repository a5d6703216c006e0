"""Where a lost punctuation mark goes: context the word model cannot see (`context.py`)."""

from __future__ import annotations

from papernotes.notes.repair.codepages import damage
from papernotes.notes.repair.context import context_logp
from papernotes.notes.repair.mojibake_repair import repair_text


def at(text: str, mark: str) -> float:
    """The adjustment for `mark` put where `text` has `|`."""
    p = text.index("|")
    return context_logp(list(text.replace("|", "\x00")), p, mark)


def test_a_comma_does_not_end_a_line_or_a_bold_span():
    assert at("我们重新实现了代码|\n下一行", "，") < -4
    assert at("**核心思想|**\n", "，") < -4
    assert at("我们重新实现了代码|实验结果很好", "，") == 0.0


def test_a_bold_label_or_a_heading_takes_a_colon():
    assert at("**状态**| 正在读", "：") > 2
    assert at("**核心思想|**", "：") > 2
    assert at("# BYOL|不用负样本", "：") > 2
    assert at("我们重新实现了代码|实验结果很好", "：") == 0.0


def test_a_question_word_in_the_clause_asks_for_a_question_mark():
    assert at("这个调度对最终结果有多大影响|", "？") > 3
    assert at("如果把学习率调大，会不会更稳定|", "？") > 3
    assert 0 < at("能不能只用正样本，同时不坍塌|", "？") < 2  # the question is earlier
    assert at("这个调度对最终结果影响很大|", "？") == 0.0
    # a labelled question stays a question
    assert at("**解决什么问题|**", "：") == 0.0


def test_an_opener_whose_closer_is_unmatched_is_favoured():
    assert at("遮罩自編碼器|MAE）閱讀", "（") > at("（甲遮罩|MAE）閱讀", "（") > 0
    assert at("遮罩自編碼器|MAE 閱讀", "（") < 0


def test_lost_colons_and_question_marks_come_back_through_windows_1253():
    # 0x9A (：) and 0x9F (？) are undefined in Windows-1253: both are lost, and without
    # context every one of them would come back as the more frequent comma
    for text in ("**状态**：正在读\n", "**核心思想：**\n", "# 对比学习：从正负样本对学习\n",
                 "为什么投影头有用？\n", "这个方法是什么？\n\n**方法**：对比学习\n"):
        assert repair_text(damage(text, "cp1253")).text == text


def test_a_question_particle_ends_its_sentence():
    assert at("这样可以|？", "吗") == 0.0
    assert at("图像|，减少冗余", "吗") < -3
    assert at("可以|啡", "吗") == 0.0  # 吗啡 is a word


def test_month_alone_follows_a_numeral_or_makes_a_word():
    assert at("三|的", "月") == 0.0
    assert at("每|的", "月") == 0.0
    assert at("作者|对比学习", "月") < -3
    assert at("作者|份", "月") == 0.0  # 月份


def test_a_word_that_needs_a_complement_does_not_end_a_clause():
    assert at("在 ImageNet |，BYOL", "不") < -3
    assert at("保证队列|的特征", "与") < -3
    assert at("这是|的", "对") == 0.0  # 对的: right
    assert at("研究|，", "所") == 0.0  # ends 研究所
    assert at("佇列|的特徵", "與") < -3  # Traditional, folded
    assert at("摘要|核心问题", "与") == 0.0


def test_after_zai_a_localizer_closes_the_phrase():
    assert at("在很大的批量|训练", "上") > 1
    assert at("在很大的批量|训练", "与") == 0.0
    assert at("在下游任务上训练，批量|", "上") == 0.0  # another clause


def test_a_full_stop_ends_neither_a_heading_nor_an_item_of_an_enumeration():
    assert at("## 一|基本步骤", "、") > 2
    assert at("## 一|基本步骤", "。") < -3
    assert at("例如随机裁剪、水平翻转|旋转", "。") < -3
    assert at("我们重新实现了代码|实验结果很好", "。") == 0.0


def test_the_short_term_that_opens_a_list_item_takes_a_colon():
    assert at("- 动量更新|新参数等于旧参数", "：") > 2
    assert at("- 动量更新|新参数等于旧参数", "，") < 0
    assert at("- 另外|我们还试了", "：") == 0.0  # a connective takes a comma
    assert at("- 用一个队列存放键|让字典变大", "：") == 0.0  # a clause, not a term
