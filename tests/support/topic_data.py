"""Team-written ticket texts by theme and place, for the 未诉先办 tests and benchmarks.

``history`` makes a steady background (each theme at its own weekly rate, at random places) and
``surge`` adds a burst of one theme at one place; rows are ticket dicts for a bulk insert.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from tests.support.tickets_data import ticket_rows

PLACES = [
    "梅江区金山街道江南社区",
    "梅江区金山街道新中社区",
    "梅江区西郊街道东山社区",
    "梅江区西郊街道乐育社区",
    "梅江区江南街道鸿都社区",
    "梅江区江南街道五洲社区",
    "梅江区城北镇扎上村",
    "梅江区城北镇玉水村",
    "梅江区长沙镇长沙村",
    "梅江区三角镇湾下村",
    "梅江区西阳镇白宫村",
    "梅江区金山街道金燕社区",
]

# theme → phrasings; "{p}" is a landmark, "{n}" a number
THEMES: dict[str, list[str]] = {
    "噪音": [
        "{p}附近工地晚上十一点还在施工，噪音太大睡不着",
        "{p}那边工地夜间施工打桩，吵得小孩没法休息，请管一管",
        "投诉{p}工地半夜施工噪音扰民，已经持续{n}天了",
        "{p}建筑工地凌晨还在作业，机器声音很大影响居民休息",
        "晚上{p}工地施工太吵，希望相关部门查处夜间违规施工",
    ],
    "垃圾": [
        "{p}的垃圾桶满了{n}天没人清运，臭味很大",
        "{p}门口垃圾堆积没人收，招来很多苍蝇老鼠",
        "反映{p}生活垃圾清运不及时，垃圾满地",
        "{p}附近垃圾站好几天没清理，味道很难闻",
        "{p}路边垃圾没人清扫，希望环卫尽快处理",
    ],
    "路灯": [
        "{p}的路灯坏了{n}天，晚上一片漆黑走路不安全",
        "{p}附近路灯不亮，夜里出行很危险",
        "反映{p}一排路灯晚上都不亮，请维修",
        "{p}路口的路灯一直闪，后来干脆不亮了",
    ],
    "停水": [
        "{p}今天突然停水，也没有提前通知，什么时候恢复供水",
        "{p}已经停水{n}个小时了，家里老人做饭都没水",
        "{p}自来水水压很低，楼上根本没有水",
        "请问{p}停水是什么原因，什么时候来水",
    ],
    "停车": [
        "{p}门口乱停车堵住消防通道，车子进不去",
        "{p}路边车辆乱停乱放，早上上班堵得走不动",
        "{p}小区门口长期有车违停，请交警来处理",
        "反映{p}附近占道停车严重，行人只能走机动车道",
    ],
    "流浪狗": [
        "{p}有好几条流浪狗，晚上追着人咬，很吓人",
        "{p}附近流浪狗越来越多，小孩上学不敢走",
        "{p}有狗咬伤了路人，请有关部门抓捕流浪犬",
    ],
    "社保": [
        "社保卡丢了怎么补办，要带什么材料",
        "请问灵活就业人员社保怎么缴费，在哪里办理",
        "我的养老保险缴费记录少了{n}个月，请帮忙核查",
        "社保卡激活不了，去银行说要找人社局",
    ],
    "入学": [
        "孩子今年上小学，户口在{p}，应该去哪个学校报名",
        "请问随迁子女入学需要准备哪些材料",
        "{p}的学位不够，孩子被分到很远的学校，希望调整",
    ],
    "占道经营": [
        "{p}路边摆摊占道经营，油烟大还堵路",
        "{p}门口流动摊贩占用人行道，晚上很乱",
        "反映{p}夜市摊档占道，垃圾也没人收拾",
    ],
    "漏水": [
        "{p}楼上住户漏水到我家天花板，协商不了",
        "{p}地下水管爆了，水一直往外冒",
        "{p}的公共水管漏水好几天了，浪费很多水",
    ],
    "油烟": [
        "{p}楼下餐馆油烟直排，家里窗户都不敢开",
        "{p}饭店排油烟没有净化，整栋楼都是油烟味",
        "投诉{p}烧烤店油烟扰民，晚上烟雾很大",
    ],
    "公交": [
        "{p}到市区的公交车班次太少，等了一个多小时",
        "建议增加{p}经过的公交线路，老人看病不方便",
        "{p}公交站的站牌信息不对，车都不在这里停",
    ],
}
LANDMARKS = ["3栋", "菜市场", "小学", "幼儿园", "十字路口", "新楼盘", "老街", "农贸市场", "公园", "河堤"]

# weekly tickets per theme over the whole district (a steady background)
RATES = {
    "噪音": 8,
    "垃圾": 10,
    "路灯": 5,
    "停水": 4,
    "停车": 8,
    "流浪狗": 3,
    "社保": 10,
    "入学": 3,
    "占道经营": 5,
    "漏水": 5,
    "油烟": 4,
    "公交": 4,
}


def text_of(theme: str, rng: random.Random, place: str) -> str:
    t = rng.choice(THEMES[theme])
    return t.format(p=place.removeprefix("梅江区") + rng.choice(LANDMARKS), n=rng.randint(2, 9))


def _rows(specs: list[tuple[str, str, datetime]], rng: random.Random, start: int) -> list[dict[str, Any]]:
    rows, _ = ticket_rows(len(specs), rng)
    for i, (row, (theme, place, at)) in enumerate(zip(rows, specs, strict=True)):
        row.update(
            code=f"GT{start + i:013d}",
            content=text_of(theme, rng, place),
            address=place + rng.choice(["", "3号", "12栋", "附近"]),
            created_at=at,
            updated_at=at,
            phone=f"137{start + i:08d}",
            sender=f"c{start + i}",
        )
    return rows


def history(
    end: datetime, weeks: int, rng: random.Random, *, start_index: int = 0, scale: float = 1.0
) -> list[dict[str, Any]]:
    """A flat history: each theme at its weekly rate (× ``scale``) in each of the ``weeks`` before ``end``."""
    specs = []
    for w in range(weeks):
        for theme, rate in RATES.items():
            for _ in range(round(rate * scale)):
                at = end - timedelta(weeks=w) - timedelta(seconds=rng.uniform(60, 7 * 86400 - 60))
                specs.append((theme, rng.choice(PLACES), at))
    return _rows(specs, rng, start_index)


def surge(
    end: datetime, theme: str, place: str, count: int, rng: random.Random, *, start_index: int, days: int = 7
) -> list[dict[str, Any]]:
    specs = [(theme, place, end - timedelta(seconds=rng.uniform(60, days * 86400 - 60))) for _ in range(count)]
    return _rows(specs, rng, start_index)
