"""The emergency classifier (nlu/emergency.py): rules plus a model, in Mandarin, Cantonese and Hakka.

These sentences are the tests' own: neither the frozen evaluation set (bench/data/emergency_eval.jsonl)
nor the shipped training file is read here.
"""

from __future__ import annotations

import pytest

from nlu.emergency import NUMBERS, EmergencyClassifier, default_classifier, normalise, repair

EMERGENCIES = [
    # (text, kind)
    ("救命！我家楼下的铺子着火了", "fire"),
    ("厂里失火了，火势很大", "fire"),
    ("火烛呀，隔篱屋着咗火", "fire"),  # Cantonese
    ("𠊎屋下着火了，快来", "fire"),  # Hakka
    ("火烧屋了，阿婆还在里肚", "fire"),  # Hakka
    ("我家着伙了", "fire"),  # typo
    ("我爷爷昏迷了，叫不醒", "medical"),
    ("路边有人晕倒，没有呼吸了", "medical"),
    ("阿爸晕咗，冇反应", "medical"),  # Cantonese
    ("佢唔郁喇，快啲叫白车", "medical"),  # Cantonese
    ("佢冇气了", "medical"),  # Hakka
    ("我妈心脏病发作，快叫救护车", "medical"),
    ("孩子喝了农药", "medical"),
    ("我老婆要生了，羊水破了", "medical"),
    ("有人抢劫，快来", "crime"),
    ("有人拿刀砍人", "crime"),
    ("有人打交，仲斩人", "crime"),  # Cantonese
    ("有人劫嘢呀", "crime"),  # Cantonese
    ("我老公正在打我，救命", "crime"),
    ("家里煤气泄漏了，味道很大", "gas"),
    ("屋企煤气漏呀", "gas"),  # Cantonese
    ("石油气漏气，好大味", "gas"),  # Cantonese
    ("燃气管爆了在漏气", "gas"),
    ("出车祸了，有人受伤流血", "traffic"),
    ("撞车呀，有人伤咗", "traffic"),  # Cantonese
    ("有人被车撞倒了，躺在地上不动", "traffic"),
    ("有人溺水了，快来救", "drowning"),
    ("有个细路跌落水", "drowning"),  # Cantonese
    ("细人子跌落河了", "drowning"),  # Hakka
    ("我困咗喺𨋢入面", "trapped"),  # Cantonese
    ("电梯困人了，出不来", "trapped"),
    ("房子塌了，有人被压住", "trapped"),
]

LOOKALIKES = [
    "消防证怎么办",
    "120急救培训报名",
    "火灾保险理赔",
    "燃气开户",
    "车祸后的保险理赔流程",
    "投诉邻居装修吵",
    "消防通道被占用怎么投诉",
    "小孩发烧去哪个医院",
    "电梯年检",
    "溺水预防宣传",
    "消防证点样办",  # Cantonese
    "煤气费点交",  # Cantonese
    "𠊎想问燃气开户爱脉个材料",  # Hakka
    "去年着火的房子能申请补助吗",
    "如果家里着火应该怎么逃生",
    "新闻里说有人溺水",
    "我好困，想早点下班",
    "笑到我冇气",  # Cantonese hyperbole
    "车被刮了一下，没有人受伤",
    "请问居住证办理要带什么材料",
    "你好",
    "/帮助",
]


@pytest.fixture(scope="module")
def clf() -> EmergencyClassifier:
    return default_classifier()


@pytest.mark.parametrize(("text", "kind"), EMERGENCIES)
def test_emergencies_are_recognised_with_their_kind(clf, text, kind):
    v = clf.classify(text)
    assert v.emergency, (text, v)
    assert v.kind == kind, (text, v)
    assert v.numbers == NUMBERS[kind]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_are_not_emergencies(clf, text):
    v = clf.classify(text)
    assert not v.emergency, (text, v)
    assert v.kind is None


@pytest.mark.parametrize("text", ["算了", "好的", "取消", "不用了", "是的", "冇嘢了", "不登记了", "唔登记了", "唔要了"])
def test_short_everyday_replies_are_never_emergencies(clf, text):
    """A two-character reply describes no hazard, whatever the character model thinks of it."""
    assert not clf.classify(text).emergency


# Everyday talk to the bot that is neither an emergency nor a look-alike of one. Before the model learnt the
# NLU's everyday examples as "not an emergency", the first two were told to call 110 and the third 120.
EVERYDAY = [
    "有咩要我批嘅",  # a civil servant asking what awaits approval (was: crime)
    "有冇在线人工啊",  # asking for a person (was: crime)
    "今晚个会我迟啲到",  # late for a meeting (was: medical)
    "喂，有冇人喺度",  # is anyone there
    "我嘅诉求有冇人受理",  # following a ticket
    "冇其他事啦，拜拜",  # goodbye
    "帮我睇下有冇单要派",  # a dispatcher's queue
    "𠊎明朝个会去唔得",  # Hakka: can't come to tomorrow's meeting
    "𠊎屋下门口条路烂撇了，车都过毋得",  # Hakka: the road is broken, cars cannot pass (was: traffic, model alone)
    "我屋企楼上漏水漏到我屋企，点算",  # Cantonese: water leaking from upstairs (was: medical, model alone)
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_talk_is_not_an_emergency(clf, text):
    assert not clf.classify(text).emergency, (text, clf.classify(text))


def test_numbers_per_kind():
    assert NUMBERS == {
        "fire": ("119",),
        "medical": ("120",),
        "crime": ("110",),
        "gas": ("119",),
        "traffic": ("122", "120"),
        "drowning": ("110", "119", "120"),
        "trapped": ("119",),
    }


def test_homophone_typos_are_repaired_but_function_words_are_not():
    assert repair(normalise("煤汽漏了")) == "煤气漏了"
    assert repair(normalise("出车获了")) == "出车祸了"
    assert repair(normalise("电悌坏了")) == "电梯坏了"
    assert repair(normalise("电动车和汽车")) == "电动车和汽车"  # 和 is never a typo of 祸
    assert repair(normalise("持刀伤人")) == "持刀伤人"  # 受 also reads dao in the table, but only as a rare reading


def test_traditional_characters_and_full_width_are_normalised(clf):
    assert clf.classify("火燭呀！樓下著火").emergency
    assert clf.classify("ＳＯＳ，有人溺水").emergency


def test_rules_alone_still_work_without_the_model():
    rules_only = EmergencyClassifier(None)
    assert rules_only.classify("救命，着火了").kind == "fire"
    assert not rules_only.classify("消防证怎么办").emergency
