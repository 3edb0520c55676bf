"""One-off composer for bench/data/quality_labelled.jsonl from hand-written, hand-labelled fragments.

Run once (``python bench/data/compose_quality_labelled.py``) before any rule existed; kept so the labels can be read
with their fragments. Re-running rewrites the same file (fixed seed)."""

# ruff: noqa: E501
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

R = random.Random(20261205)
# (kind, content, address, department, category)
CONTENTS = [
    (
        "投诉",
        "梅江区江北锦发花园旁边工地每天晚上十一点后还在打桩，噪音很大影响休息",
        "梅江区江北锦发花园",
        "hjj",
        "环境保护",
    ),
    (
        "投诉",
        "金山街道嘉应路菜市场门口占道经营，摊贩把路都堵了，电动车都过不去",
        "金山街道嘉应路菜市场",
        "cgj",
        "城乡建设",
    ),
    ("咨询", "想咨询一下灵活就业人员怎么参加职工养老保险，每月要交多少钱", "", "rsj", "劳动和社会保障"),
    ("求助", "西郊街道月梅村的路灯坏了一排，晚上出行很不安全", "西郊街道月梅村", "cgj", "城乡建设"),
    ("投诉", "江南新中路某餐馆油烟直排，楼上住户窗户都不敢开", "江南新中路", "hjj", "环境保护"),
    ("举报", "三角镇有一家药店无证销售处方药，不用处方就卖抗生素", "三角镇东升路", "scj", "市场监管"),
    ("咨询", "孩子今年上小学一年级，积分入学需要准备什么材料", "", "jyj", "教育文体"),
    ("投诉", "小区物业擅自提高停车费，从每月150元涨到300元，没有公示", "梅江区彬芳大道某小区", "zjj", "城乡建设"),
    ("建议", "建议在东山中学门口增设人行横道和减速带，上下学时段车速太快", "东山中学门口", "jtj", "交通运输"),
    ("求助", "老人八十多岁行动不便，想申请居家养老上门服务", "长沙镇", "mzj", "劳动和社会保障"),
    ("投诉", "在超市买到过期牛奶，商家只愿意退款不愿意按规定赔偿", "梅江区某超市", "scj", "市场监管"),
    ("咨询", "公租房申请需要满足什么条件，收入标准是多少", "", "zjj", "城乡建设"),
    ("投诉", "公交5路车经常不按站点停靠，司机态度恶劣", "梅江区", "jtj", "交通运输"),
    ("求助", "家里停水两天了，供水公司电话一直打不通", "江北金燕大道", "swj", "城乡建设"),
    ("咨询", "企业招用退役军人能享受哪些税收优惠", "", "swuj", "商贸旅游"),
    ("举报", "河边有人私设排污管往梅江里排黑水，气味很臭", "梅江河西岸", "hjj", "环境保护"),
    ("投诉", "医保报销申请提交两个月了还没有到账，打电话说在审核", "", "ybj", "卫生计生"),
    ("表扬", "感谢城管局的工作人员，我反映的占道问题第二天就处理好了", "金山街道", "cgj", "城乡建设"),
    ("咨询", "残疾证到期了需要重新评定吗，到哪里办理", "", "cl", "劳动和社会保障"),
    ("投诉", "学校周边小卖部向学生出售辣条等三无食品", "城北镇中心小学旁", "scj", "市场监管"),
    ("求助", "楼道里的消防栓被人拆走了，存在安全隐患", "梅江区华南大道某小区", "yjj", "城乡建设"),
    ("投诉", "出租车拒载，说去的地方太近不愿意去", "梅州火车站", "jtj", "交通运输"),
]
# (reply text, has_result, has_basis, has_contact, forbidden) — judged by reading, per the team's reading of
# "names the result, the basis (a regulation, a policy or the facts found on site) and a contact".
REPLIES = [
    (
        "经现场核查，该工地夜间施工未办理夜间施工许可，我局已责令其停止夜间作业并立案处理。依据《中华人民共和国噪声污染防治法》第四十三条。如有疑问请致电 0753-2183456。",
        1,
        1,
        1,
        0,
    ),
    (
        "您反映的问题已处理。根据《城市市容和环境卫生管理条例》，我局已清理占道摊位。联系电话：0753-2256789。",
        1,
        1,
        1,
        0,
    ),
    (
        "您好，灵活就业人员可在户籍地或居住地参保，缴费基数在全省上年度社平工资60%至300%之间自选，依据《广东省社会养老保险实施细则》。详询区社保局窗口电话 0753-2331234。",
        1,
        1,
        1,
        0,
    ),
    ("已安排维修人员更换路灯，目前已恢复照明。", 1, 0, 0, 0),
    (
        "经查，该餐馆未安装油烟净化设施，我局已依据《大气污染防治法》第八十一条责令限期整改，整改期间停止营业。",
        1,
        1,
        0,
        0,
    ),
    (
        "我局已派员现场检查，该药店确有无处方销售处方药行为，已依据《药品管理法》立案查处。联系人：李科长，电话13802345678。",
        1,
        1,
        1,
        0,
    ),
    ("积分入学材料请见区教育局官网通知。", 0, 0, 0, 0),
    (
        "经核实，该物业调价未按《广东省物业服务收费管理办法》规定公示，我局已责令其恢复原收费标准。咨询电话 0753-2245566。",
        1,
        1,
        1,
        0,
    ),
    ("感谢您的建议，我局将研究。", 0, 0, 0, 0),
    (
        "已为老人登记居家养老上门服务，街道社工将于三个工作日内上门评估。依据《梅州市居家养老服务补贴办法》。如有疑问可拨打长沙镇民政办电话 0753-2801122。",
        1,
        1,
        1,
        0,
    ),
    ("经调解，商家已按《食品安全法》第一百四十八条规定向您支付十倍赔偿。", 1, 1, 0, 0),
    (
        "公租房申请条件：本市户籍、家庭人均收入低于规定标准、无自有住房。详见《梅州市公共租赁住房管理办法》，咨询电话 0753-2267890。",
        1,
        1,
        1,
        0,
    ),
    ("这个事情不归我们管，请您找公交公司。", 0, 0, 0, 1),
    ("已联系供水公司抢修，今天下午六点前恢复供水。抢修电话：0753-96889。", 1, 0, 1, 0),
    ("企业招用退役士兵，可按每人每年6000元依次扣减增值税等，依据财税〔2023〕14号。详询 12366。", 1, 1, 1, 0),
    (
        "经现场排查，该排污口系附近养殖场私设，已依法拆除并立案。依据《水污染防治法》第八十四条。联系电话 0753-2183456。",
        1,
        1,
        1,
        0,
    ),
    (
        "您的医保报销已于5月20日拨付到账，请查收。延迟原因是材料补正，依据《医疗保障基金使用监督管理条例》需完成审核。如有疑问请拨打 0753-2339876。",
        1,
        1,
        1,
        0,
    ),
    ("收到，谢谢您的肯定，我们会继续努力！", 1, 0, 0, 0),
    (
        "残疾证有效期满需重新评定，可到区残联窗口办理，依据《中华人民共和国残疾人证管理办法》。电话 0753-2212345。",
        1,
        1,
        1,
        0,
    ),
    ("我也没办法，你自己去找学校。", 0, 0, 0, 1),
    ("已通知物业恢复消防栓，消防救援大队将复查。", 1, 0, 0, 0),
    (
        "经调查，该司机拒载属实，已依据《巡游出租汽车经营服务管理规定》扣减其服务质量信誉考核分并停运培训三天。投诉电话 0753-12328。",
        1,
        1,
        1,
        0,
    ),
    ("按照有关规定已经处理了，有问题再打12345。", 1, 1, 1, 0),
    ("经核查，您反映的情况基本属实，已督促整改完毕。如有疑问请联系金山街道办，电话 0753-2190000。", 1, 1, 1, 0),
    (
        "您反映的“打电话都说不归我们管”的情况我局高度重视，经核查已明确由我局负责，已安排清理。依据《城市道路管理条例》，联系电话 0753-2256789。",
        1,
        1,
        1,
        0,
    ),
    ("不知道您说的是哪个小区，无法处理。", 0, 0, 0, 1),
    ("已转交相关部门。", 0, 0, 0, 0),
    (
        "经查，该情况不属实，现场未发现夜间施工。依据现场检查记录及周边住户走访情况。联系人王工 13922223333。",
        1,
        1,
        1,
        0,
    ),
    ("不清楚，你去问别人吧。", 0, 0, 0, 1),
    ("已办结。", 1, 0, 0, 0),
    (
        "您好，经与商家协商，商家同意退货退款并赔礼道歉，您表示认可。依据《消费者权益保护法》第二十四条。市场监管局投诉电话 12315。",
        1,
        1,
        1,
        0,
    ),
    ("老人上门服务已安排，请留意社区通知，有事找社区网格员。", 1, 0, 1, 0),
    ("你这是无理取闹，已经按程序处理过了。", 1, 0, 0, 1),
    (
        "经现场查看，路灯线路老化，已于5月8日完成更换。依据《城市照明管理规定》由我局负责维护。报修电话 0753-2256700。",
        1,
        1,
        1,
        0,
    ),
    ("我局高度重视，将进一步加强监管。", 0, 0, 0, 0),
    (
        "根据《义务教育法》及我区积分入学细则，需提交户口簿、居住证、社保缴费证明等。请于6月1日前到区教育局招生办（电话0753-2225566）提交。",
        1,
        1,
        1,
        0,
    ),
    ("已对该小卖部进行检查，下架三无食品12包，依据《食品安全法》第一百二十四条给予警告。", 1, 1, 0, 0),
    ("这不是我们的事，别再打了。", 0, 0, 0, 1),
    (
        "经核实，该停车费调整已于3月公示，符合《梅州市物业服务收费管理办法》规定，收费合理。如对公示有异议可致电 0753-2245566。",
        1,
        1,
        1,
        0,
    ),
    ("您好，已经处理，依据相关规定，谢谢。", 1, 1, 0, 0),
    (
        "经与公交公司核实，5路车司机确有甩站行为，已依据《城市公共汽电车客运管理办法》对其停岗培训。联系电话 0753-2267700。",
        1,
        1,
        1,
        0,
    ),
    ("抱歉，我们不知道该怎么办，建议您自己想办法。", 0, 0, 0, 1),
    (
        "经现场核查，消防栓已由物业重新安装，消防救援大队复查合格。依据《消防法》第十六条。如有问题请拨打 0753-2119119。",
        1,
        1,
        1,
        0,
    ),
    (
        "感谢您的建议。经交通、教育部门现场勘查，已于东山中学门口增设人行横道一处、减速带两条。依据《道路交通安全法》第三十四条。联系电话 0753-2261122。",
        1,
        1,
        1,
        0,
    ),
    ("已协调处理，欢迎监督。电话：0753-2266666", 1, 0, 1, 0),
    ("你反映的问题我们早就知道了，少废话。", 0, 0, 0, 1),
    ("请你自己去找物业，跟我没关系。", 0, 0, 0, 1),
    (
        "经核查，该问题属于供电部门职责，已转供电局处理，供电局将于3个工作日内答复。依据《12345热线工作规范》转办。供电服务热线 95598。",
        1,
        1,
        1,
        0,
    ),
]


def ts(d):
    return d.strftime("%Y-%m-%dT%H:%M")


BASE = datetime(2026, 5, 4, 9, 0)


def ticket_case(i):
    kind, content, addr, dept, cat = R.choice(CONTENTS)
    reply, res, basis, contact, forbidden = R.choice(REPLIES)
    labels = set()
    if kind != "表扬" and not (res and basis and contact):
        labels.add("reply_elements")
    if forbidden:
        labels.add("forbidden_phrase")
    anonymous = R.random() < 0.15
    phone = "" if anonymous else f"13800138{R.randrange(1000):03d}"
    address = addr
    fields_case = R.random()
    if fields_case < 0.1 and kind in ("投诉", "举报", "求助") and addr:
        address = ""
        labels.add("required_fields")
    elif fields_case < 0.18 and not anonymous:
        phone = ""
        labels.add("required_fields")
    created = BASE + timedelta(days=R.randrange(25), hours=R.randrange(8))
    dispatched = created + timedelta(minutes=R.randrange(10, 120))
    signed = dispatched + timedelta(hours=R.randrange(1, 30))
    deadline = created + timedelta(days=5 if kind != "咨询" else 1)
    overdue = R.random() < 0.2
    answered = (
        deadline + timedelta(hours=R.randrange(2, 72)) if overdue else deadline - timedelta(hours=R.randrange(1, 20))
    )
    if overdue:
        labels.add("overdue_answer")
    rating = None
    callback_due = callback_at = None
    roll = R.random()
    now = datetime(2026, 6, 10, 9, 0)
    if roll < 0.25:
        level = R.choice([1, 2])
        rated = answered + timedelta(days=1)
        rating = {"level": level, "at": ts(rated)}
        callback_due = rated + timedelta(days=1)
        sub = R.random()
        if sub < 0.45:
            callback_at = rated + timedelta(hours=R.randrange(1, 20))
        elif sub < 0.6:
            callback_at = rated + timedelta(days=3)  # called back, but late
            labels.add("bad_rating_no_callback")
        else:
            labels.add("bad_rating_no_callback")
    elif roll < 0.7:
        rating = {"level": R.choice([4, 5, 3]), "at": ts(answered + timedelta(days=1))}
    t = {
        "kind": kind,
        "content": content,
        "address": address,
        "phone": phone,
        "anonymous": anonymous,
        "category": cat,
        "department": dept,
        "result": reply,
        "created": ts(created),
        "dispatched": ts(dispatched),
        "signed": ts(signed),
        "deadline": ts(deadline),
        "answered": ts(answered),
        "rating": rating,
        "callback_due": ts(callback_due) if callback_due else None,
        "callback_at": ts(callback_at) if callback_at else None,
    }
    return {"id": f"qt-{i:03d}", "type": "ticket", "now": ts(now), "ticket": t, "must_fix": sorted(labels)}


# Operator lines, with "forbidden" judged by reading.
OPERATOR = [
    ("您好，我是12345人工客服小陈，请问有什么可以帮您？", 0),
    ("好的，我帮您登记，请提供一下具体地址。", 0),
    ("这个不归我们管，你打别的电话吧。", 1),
    ("请您稍等，我帮您查询一下办理进度。", 0),
    ("已为您查到，您的申请目前在审核中，预计3个工作日内有结果。", 0),
    ("你听不懂吗？我已经说了三遍了。", 1),
    ("非常抱歉给您带来不便，我们会督促相关部门尽快处理。", 0),
    ("您说的“不归我们管”这个答复确实不妥，我这边帮您重新转办。", 0),
    ("我也不知道，你自己去问吧。", 1),
    ("不知道您还有其他问题吗？", 0),
    ("好的，已经帮您转给城管局，他们会在5个工作日内回复您。", 0),
    ("爱找谁找谁，别在这里闹。", 1),
    ("感谢您的来电，祝您生活愉快。", 0),
    ("没办法，政策就是这样规定的，根据《社会保险法》第十条，灵活就业人员可以自愿参保。", 0),
]
CITIZEN = [
    "我家楼下的路灯坏了好几天了",
    "请问社保怎么补缴",
    "我要投诉工地噪音",
    "怎么还没有人处理",
    "我的医保报销还没到账",
    "物业乱收费谁管",
    "好的谢谢",
    "你们到底管不管",
    "转人工",
    "我想问公租房的事",
]


def conversation_case(i):
    labels = set()
    created = BASE + timedelta(days=R.randrange(25), hours=R.randrange(10), minutes=R.randrange(60))
    msgs = [{"author": "citizen", "text": R.choice(CITIZEN), "at": ts(created)}]
    roll = R.random()
    if roll < 0.12:  # never taken
        waited = R.choice([1, 2, 8, 15])
        ended = created + timedelta(minutes=waited)
        if waited > 3:
            labels.add("handoff_wait")
        return {
            "id": f"qc-{i:03d}",
            "type": "conversation",
            "conversation": {
                "created": ts(created),
                "taken": None,
                "ended": ts(ended),
                "operator": "",
                "messages": msgs,
            },
            "must_fix": sorted(labels),
        }
    wait = R.choice([0, 1, 1, 2, 2, 3, 5, 7, 12])
    if wait > 3:
        labels.add("handoff_wait")
    taken = created + timedelta(minutes=wait, seconds=R.randrange(0, 50) if wait < 3 else 0)
    at = taken
    for _ in range(R.randrange(1, 4)):
        text, bad = R.choice(OPERATOR)
        at += timedelta(seconds=R.randrange(20, 110))
        msgs.append({"author": "operator", "text": text, "at": ts(at) + f":{R.randrange(60):02d}"})
        if bad:
            labels.add("forbidden_phrase")
        at += timedelta(minutes=R.randrange(1, 3))
        msgs.append({"author": "citizen", "text": R.choice(CITIZEN), "at": ts(at)})
        delay = R.choice([1, 1, 2, 2, 5])
        if delay > 3:
            labels.add("slow_reply")
        at += timedelta(minutes=delay)
        text, bad = R.choice(OPERATOR)
        msgs.append({"author": "operator", "text": text, "at": ts(at)})
        if bad:
            labels.add("forbidden_phrase")
    ended = at + timedelta(minutes=1)
    return {
        "id": f"qc-{i:03d}",
        "type": "conversation",
        "conversation": {
            "created": ts(created),
            "taken": ts(taken),
            "ended": ts(ended),
            "operator": R.choice(["陈晓", "李敏", "黄海"]),
            "messages": msgs,
        },
        "must_fix": sorted(labels),
    }


cases = [ticket_case(i) for i in range(1, 171)] + [conversation_case(i) for i in range(1, 61)]
for c in cases:
    c["split"] = "dev" if R.random() < 0.3 else "test"
with open(Path(__file__).with_name("quality_labelled.jsonl"), "w", encoding="utf-8") as fh:
    for c in cases:
        fh.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases))
