"""Emergencies first: does one message report a life-and-safety emergency happening now?

Fire, a medical emergency, violence or crime in progress, a gas leak, a traffic accident with
injuries, drowning, a person trapped: the hotline must hand these to 110/119/120/122 at once
(the State Council's 12345–110 linkage rules, 2022), never answer them from the knowledge base
or turn them into an ordinary ticket.

Two parts, combined in :class:`EmergencyClassifier`:

1. **Rules** (this module): weighted cue patterns per kind of hazard, in Mandarin, Cantonese and
   Hakka wording, plus urgency cues (救命, 快来, 而家, 还在 …) that raise the score and contexts that
   lower it: procedures (怎么办理, 报名, 理赔), the past (去年, 上次), the media (新闻, 电影),
   hypotheses (如果, 假设), prevention and drills (预防, 演练), explicit "nobody hurt" and
   hyperbole (笑死, 热到快晕). Homophone typos of the cue words (着伙, 车获, 电悌) are repaired
   first by toneless pinyin (pypinyin's character table), so a typo reads like the word it stands for.
2. **A model** (:mod:`nlu.emergency_model`): logistic regression over character n-grams, trained
   in well under a second from the shipped ``nlu/data/emergency_train.jsonl``; it weighs the
   wording the rules do not list.

The decision: rule score + model weight × (model probability − ½) ≥ threshold. Thresholds and
weights were chosen on the training/dev set only (``bench/emergency_bench.py --tune``); the frozen
evaluation set ``bench/data/emergency_eval.jsonl`` gives the reported figures.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge_base.homophones import HomophoneRepair
from knowledge_base.normalize import to_simplified

if TYPE_CHECKING:
    from nlu.emergency_model import EmergencyModel

# --- the kinds and whom to call -----------------------------------------------------------------

# The number(s) to call per kind, most important first (the wording is in integrations/emergency.py).
NUMBERS: dict[str, tuple[str, ...]] = {
    "fire": ("119",),
    "medical": ("120",),
    "crime": ("110",),
    "gas": ("119",),
    "traffic": ("122", "120"),  # a traffic accident with injuries
    "drowning": ("110", "119", "120"),
    "trapped": ("119",),  # lift, collapsed building, flood
}
KINDS = tuple(NUMBERS)

# When several hazards are named, the reply leads with the most specific one
# (a traffic accident with injuries is "traffic": 122 and 120; a burning flat with someone inside is "fire").
PRIORITY = ("gas", "fire", "traffic", "drowning", "trapped", "crime", "medical")

# --- normalisation and typo repair --------------------------------------------------------------

_STRIP = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Width, simplified characters, lower case, no spaces; punctuation stays (it ends clauses)."""
    text = unicodedata.normalize("NFKC", text)
    return _STRIP.sub("", to_simplified(text).lower())


# Cue words whose homophone typos are repaired: a span of the same length sharing at least one
# character with the word, whose other characters sound the same without tones (着伙 → 着火).
REPAIRABLE = (
    "着火 失火 起火 火势 火灾 鱼塘 昏迷 晕倒 呼吸 救护车 心脏病 心脏 农药 鼠药 安眠药 "
    "抢劫 打劫 砍人 拿刀 持刀 绑架 打架 "
    "燃气 煤气 泄漏 漏气 车祸 相撞 撞车 受伤 溺水 落水 掉进 电梯 被困 倒塌 楼塌 救命 流血 出血"
).split()


repair = HomophoneRepair(REPAIRABLE)
"""Replace homophone typos of cue words by the words (at most one wrong character per word)."""


# --- the rules ------------------------------------------------------------------------------------

Cue = tuple[re.Pattern[str], float]


def _cues(*pairs: tuple[str, float]) -> tuple[Cue, ...]:
    # Patterns go through the same normalisation as messages (OpenCC turns 𨋢 into 䢂, ！ becomes !).
    return tuple((re.compile(normalise(p)), w) for p, w in pairs)


# Hazard cues per kind. 1.0 = the words alone say "emergency now"; 0.5 = a hazard that needs an urgency cue.
HAZARDS: dict[str, tuple[Cue, ...]] = {
    "fire": _cues(
        (
            r"(?<![不唔])着火|失火|起火|火烛|着咗火|火烧屋|烧起来|烧起嚟|烧咗起|烧着(了|咗)|火烧起|起大火|着大火|自燃|纵火|发生火灾",
            1.0,
        ),
        (r"火势|火苗|火很大|火好大|火很猛|火好猛|火越烧|烧得好大|烧过来|烧到|火窜|冒火|火灾[!！]|在烧", 0.8),
        (r"浓烟|黑烟|冒烟|都是烟|系烟|全是烟|好大烟|烟很大|烟好大|烟大到|烧焦|烧紧|火灾|火警|山火|爆炸", 0.6),
    ),
    "medical": _cues(
        (r"没有?呼吸|冇(晒)?气|冇心跳|心跳停|心脏骤停|没有?心跳|停止呼吸", 1.0),
        (r"昏迷|晕倒|晕咗|晕低|晕过去|昏过去|不省人事|唔知人事|人事不醒|叫不醒|喊唔醒|叫唔醒|唔醒|叫不应|唔应", 1.0),
        (r"没反应|冇(晒)?反应|倒地不起|一动不动|不动了|唔郁|唔会郁|唔识郁|快不行了", 0.9),
        (r"心脏病(发|犯)|心脏病发作|中风|脑溢血|嘴歪|抽搐|抽筋|口吐白|白泡|翻白|反白", 0.9),
        (r"大出血|血流不止|止不住|止唔到|流唔停|血一直|流(了)?(好|很)多血|割腕|血喷", 1.0),
        (r"好多血|很多血|出血|流血", 0.7),
        (
            r"喘不[上过]气|抖唔到气|出唔到气|呼吸(很|好)?困难|噎住|噎着|鲠到|哽(住|亲|到)|卡住喉咙|嘴唇发紫|脸都紫|憋红",
            0.9,
        ),
        (r"(喝|食|吃|误服|误喝|吞)(了|咗)?.{0,4}(农药|鼠药|安眠药|洗洁精|消毒水|一整瓶药|药丸)|毒蛇咬|烧炭了", 1.0),
        (r"农药|鼠药|老鼠药|安眠药|洗洁精|一整瓶药|药丸|食错嘢|中毒|烧炭|毒蛇|野生蘑菇|上吐下泻", 0.7),
        (r"羊水破|要生了|就快生|快要生|就嚟生|马上要生|要生孩子", 0.9),
        (r"(叫|派|打|call)(救护车|白车|120)", 1.0),
        (r"救护车|白车", 0.5),
        (r"触电|烫伤|胸口剧痛|心口(好)?痛|心肝头痛|胸口(很)?闷", 0.6),
        (r"从楼上掉下|摔下来|跌倒|跌低|跌亲|摔倒|倒在地上|倒地", 0.6),
        (r"扎穿|刺穿|插穿|夹断|断了手|断咗|骨头露出|开放性骨折", 0.9),
    ),
    "crime": _cues(
        (r"抢劫|打劫|劫嘢|抢钱|抢包|抢手机|抢咗|抢东西|抢我|持枪|行凶|绑架|挟持|爆格", 1.0),
        (r"砍人|斩人|拿(着)?刀|提着刀|举着刀|挥刀|持刀|拎刀|拎住把?刀|刀伤人|乱砍|砍刀|要斩|杀了我|杀我|要杀", 1.0),
        (r"(正在|在|又在|还在|仲喺度|喺度)(打|家暴)|打紧|围着打|追着.{0,2}砍|被人打.{0,6}(追|还在)", 1.0),
        (r"家暴|打我|打𠊎|打女人|打妈妈|打群架|打架|打交|打起来|打人|打到|追我|追住|追着", 0.8),
        (r"撬门|撬我|撬.{0,3}门|闯进|入屋|有贼|贼牯|有陌生人在我家|跟踪|砸门|拉上.{0,4}车|抱走|塞进车|传销窝点", 0.8),
        (r"偷.{0,4}(还在|仲喺)|还在屋|仲喺我屋", 0.6),
    ),
    "gas": _cues(
        (r"(煤气|燃气|天然气|液化气|石油气).{0,3}(泄漏|漏|喷)|漏气|煤气喉爆|燃气管.{0,3}(爆|破|断)", 1.0),
        (r"(煤气|燃气|天然气|石油气|液化气)味|臭鸡蛋味|气管被挖断|挖(破|断)了?.{0,2}(燃气|煤气|天然气)", 0.9),
        (r"气味|满屋|整层|成层|成间屋|好大(阵|股)?味|(很|好)浓|味道(很|好)(大|冲)", 0.5),
    ),
    "traffic": _cues(
        (r"撞倒|撞伤|撞飞|被车撞|俾车撞|畀车撞|车撞(到|咗|了)?(人|行人)|撞(咗|了|到)(人|行人)|碾压|碾了|压到人", 1.0),
        (r"车祸|撞车|相撞|撞咗|翻车|侧翻|追尾|撞上|撞了|交通事故", 0.7),
    ),
    "drowning": _cues(
        (
            r"溺水|遇溺|落水(?![渠管口道沟])|跌咗?落(河|海|塘|水(?![渠管口道沟]))|跳江|跳河|沉下去|沉咗|浮不起|浮唔起|冇再浮|没浮上",
            1.0,
        ),
        (r"掉进(了)?.{0,2}(河|水里|水中|塘|海|水库|江|池)|跌落(河|塘|海)|被浪卷走|俾浪卷走|卷走|冲走", 1.0),
        (r"(河|水库|江|海|塘|池)边?.{0,6}(掉下去|跌落去|跌咗落去|掉进去|跌咗落去)", 0.9),
        (r"(河|水|海|江)里.{0,4}(挣扎|救命)|挣扎|浸紧|冲到深水|冲出去|不见了|冇看到人|看不见人", 0.6),
    ),
    "trapped": _cues(
        (r"被困|困在|困咗|困住|困人|困电梯|卡在两层|卡在防盗网|压在|压住|压咗|被埋|埋了|被压", 1.0),
        (r"(房子|房屋|楼|屋|墙|间屋).{0,2}(塌|倒了)|塌方|滑坡|塌咗|楼塌|倒塌", 0.8),
        (r"电梯.{0,6}(停了|卡|掉下|困)|𨋢.{0,4}(困|跌|门打唔开)|出不来|出唔去|出唔到去|出不去|下不去|落唔到|反锁", 0.7),
        (r"水浸|洪水|大水|淹|进水|山洪", 0.5),
    ),
}

# Signs of "now, here, help": they turn a hazard word into an emergency.
URGENCY = _cues(
    (r"救命|救救|求救|快来|快点来|快滴|快啲|快叫|快派|快救|快来人|来人啊|快来救", 0.6),
    (r"现在|正在|而家|仲喺|还在|刚刚|刚才|突然|马上|就在|喺度|紧[,，。!！]|紧$", 0.4),
    (r"[!！]|啊|呀|啦|喇|了[,，。!！]|了$|咗", 0.2),
    (r"受伤|伤到|伤咗|伤者|伤得|伤的|人倒了|躺在地上|卡在车里|害怕", 0.4),
    (r"我家|我屋|屋企|屋下|𠊎|我爸|我妈|阿爸|阿妈|老公|老婆|孩子|小孩|细路|细人子|有人|有个", 0.2),
)

# Contexts that make a hazard word something other than an emergency now.
DAMPENERS = _cues(
    (
        r"怎么办理|怎样办理|如何办理|办理|怎么申请|申请|报名|培训|课程|讲座|宣传|演练|演习|预防|防范|防溺水|防遇溺|预案|方案|制度",
        1.2,
    ),
    (r"经常|总是|成日|老是|每天|日日|天天", 0.6),
    (
        r"理赔|索偿|保险|报销|补贴|补助|赔钱|赔偿|谁赔|怎么赔|点样赔|费|开户|报装|过户|年检|维保|安检|检查|验收|许可|证[明书]?",
        1.0,
    ),
    (
        r"怎么办证|办证|什么材料|材料|流程|手续|地址在哪|在哪里|去哪里|去哪|哪里|边度|几点|几时|电话是多少|多少钱|几多钱",
        0.8,
    ),
    (r"投诉|举报|反映|建议|调解|报案|鉴定|追回", 0.8),
    (r"以前|去年|上个月|上个礼拜|上只月|上周|上次|之前|昨天|昨晚|前几天|好几天|那次|之后|以后|后的|后保险", 1.0),
    (r"新闻|电影|电视|视频|段子|节目|小说|游戏|听说", 1.2),
    (r"如果|假设|万一|要是|假如|的话|应该怎么|应该打", 1.0),
    (r"没有?人受伤|冇人(受)?伤|没人伤|无人受伤|没有人伤", 1.6),
    (r"(电话|手机|相机|钱包|银包|锁匙|钥匙|东西|嘢|袋).{0,3}(跌|掉)(咗|了)?(落|进|入)", 1.5),
    (r"笑死|笑到|热死|热到|急死|气死|吓死|累得|累死|困了|好困|太困|想睡", 1.2),
    (r"[?？]|吗$|吗[,，。]|冇$|点样|怎么弄|是真的", 0.4),
)


@dataclass(frozen=True)
class Verdict:
    emergency: bool
    kind: str | None  # a key of KINDS when emergency
    score: float  # the combined score compared with the threshold
    rule_score: float
    model_prob: float  # the model's probability of an emergency (0.5 when there is no model)
    cues: tuple[str, ...] = ()  # the hazard words that matched, for the log and the operators

    @property
    def numbers(self) -> tuple[str, ...]:
        return NUMBERS[self.kind] if self.kind else ()


@dataclass(frozen=True)
class RuleResult:
    score: float  # hazard + urgency − dampening
    hazard: float  # 0 when no hazard cue matched
    kind: str | None
    cues: tuple[str, ...]
    damp: float = 0.0  # the contrary contexts alone (a question, the past, a procedure …)


def rules(text: str) -> RuleResult:
    """The rule part alone, on normalised and repaired text."""
    per_kind: dict[str, float] = {}
    cues: list[str] = []
    for kind, patterns in HAZARDS.items():
        weights = []
        for pattern, weight in patterns:
            m = pattern.search(text)
            if m:
                weights.append(weight)
                cues.append(m.group(0))
        if weights:
            weights.sort(reverse=True)
            per_kind[kind] = weights[0] + 0.3 * sum(weights[1:3])
    damp = sum(w for p, w in DAMPENERS if p.search(text))
    if not per_kind:
        return RuleResult(0.0, 0.0, None, (), damp)
    hazard = max(per_kind.values()) + 0.2 * (len(per_kind) - 1)
    urgency = sum(w for p, w in URGENCY if p.search(text))
    kind = _pick_kind(per_kind)
    return RuleResult(hazard + urgency - damp, hazard, kind, tuple(cues), damp)


def _pick_kind(per_kind: dict[str, float]) -> str:
    best = max(per_kind.values())
    # A strong secondary hazard decides when it is the more specific one (a crash with injuries → traffic).
    strong = [k for k, v in per_kind.items() if v >= min(0.7, best)]
    return min(strong, key=PRIORITY.index)


@dataclass(frozen=True)
class Tuning:
    # Chosen by `bench.emergency_bench --tune` (cross-validation on the training file, everyday background in
    # every fold's training part): the best recall, then precision, of the grid.
    threshold: float = 0.9  # combined score at or above which a message is an emergency
    model_weight: float = 1.0  # how much the model's (p − ½) moves the rule score
    model_alone: float = 0.7  # with no hazard cue at all, the model alone must be this sure …
    model_alone_damp: float = 0.5  # … and the contrary contexts must stay below this
    # … and long enough to describe something: the shortest cue-less emergency in the training set has 6
    model_alone_chars: int = 6


def decide(
    r: RuleResult, prob: float, model_kind: str | None, t: Tuning, length: int = 99
) -> tuple[bool, str | None, float]:
    """Rules and model together: (emergency, kind, combined score)."""
    score = r.score + t.model_weight * (prob - 0.5)
    if r.hazard > 0:
        emergency, kind = score >= t.threshold, r.kind
    else:
        sure = prob >= t.model_alone and r.damp < t.model_alone_damp
        emergency, kind = sure and length >= t.model_alone_chars, model_kind
    if kind is None:
        emergency = False
    return emergency, kind if emergency else None, score


class EmergencyClassifier:
    """Rules plus an optional model; ``classify`` is pure and takes well under a millisecond."""

    def __init__(self, model: EmergencyModel | None = None, tuning: Tuning | None = None) -> None:
        self.model = model
        self.tuning = tuning or Tuning()

    def classify(self, text: str) -> Verdict:
        norm = repair(normalise(text))
        if not norm or norm.startswith("/"):
            return Verdict(False, None, 0.0, 0.0, 0.0)
        r = rules(norm)
        if self.model is not None:
            prob, model_kind = self.model.predict(norm)
        else:
            prob, model_kind = 0.5, None
        length = len(re.sub(r"[\W_]", "", norm))
        emergency, kind, score = decide(r, prob, model_kind, self.tuning, length)
        return Verdict(emergency, kind, round(score, 3), round(r.score, 3), prob, r.cues)


@functools.lru_cache(maxsize=1)
def default_classifier() -> EmergencyClassifier:
    """The product's classifier: the rules and the model trained from the shipped training file."""
    from nlu.emergency_model import EmergencyModel

    return EmergencyClassifier(EmergencyModel.train_default())
