"""How fast hazreg starts and answers on a large register, against two floors.

    .venv/bin/python benchmarks/bench_cli.py [--hazards 100000] [--units 5000] [--runs 11]

1. Builds (or reuses) a register of realistic Chinese data through hazreg's own
   register code, so the schema, the search index and the history are the real ones.
   The built file is cached under --dir with its parameters; the timed commands run on
   a fresh copy of it, so `hazreg add` never changes the cached register.
2. Times each command as a subprocess (output captured, not a terminal), as the
   wall-clock median of --runs interleaved rounds after one warm-up round.
3. Prints a Markdown table and whether the aims are met. Exits 0 either way: this is
   a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BARE_TYPER = HERE / "bare_typer.py"
# Bump when the generated data changes, so an older cached register is not reused.
GENERATOR_VERSION = 3
DEFAULT_DIR = Path("/tmp/hazreg-bench")
SEARCH_WORD = "灭火器"
ADD_DESCRIPTION = "二楼仓库灭火器压力不足，疏散通道内堆放纸箱等可燃物"

# The aims, as ratios of medians.
AIM_ADD = 1.3  # hazreg add, against the bare Typer command
AIM_LIST = 1.5  # hazreg list, against the bare Typer command
AIM_SEARCH = 1.1  # list --search, against the default list ("about as fast")

# -- realistic data ------------------------------------------------------------------------

# Pools of words and phrases: whitespace-separated, since none contains a space.
CITY = "临江市"
LOCALITIES = "临江街道 滨湖街道 江口街道 青山镇 白沙镇 桃源镇 经济开发区管委会".split()
ROADS = """解放路 人民路 湖滨路 健康路 东湖路 纬三路 车站路 文化路 青山大道 滨江路 建设路
    工业大道 桃源路 白沙路 学院路 迎宾大道 环城北路 经二路""".split()
BRANDS = """宏达 恒泰 鑫源 华美 永盛 顺达 众兴 鲜达 惠民 金桥 庆丰 锦绣 江海 星光 长运 新世纪
    东方 天成 万通 瑞丰 福源 兴业 广源 明珠 金鼎 华泰 正大 振华 德隆 利民 富康 恒达 嘉禾 安泰
    中联 宏远 永安 盛达 金辉 联创 博远 亿丰 润发 和顺 绿源 宝华 天宇 海川 同心 协力 志成 立信
    恒丰 双龙 三友 百川 金马 银河 红日 泰和 昌盛 旺达 远洋 鼎盛 信达 美佳 新丰 鸿运 金源 丰收
    龙腾 凯旋 康宁 吉祥 鑫达 荣华 汇通 佳美 通达 致远 青禾 晨光 四季 南湖""".split()
# industry -> (weight, unit-name patterns): {c} city, {b} brand, {l} locality, {r} road, {n} 1-9
UNIT_KINDS: dict[str, tuple[int, list[str]]] = {
    "fire": (
        24,
        """{c}{b}大酒店 {c}{b}商务宾馆 {c}{b}购物中心 {b}超市{l}店
        {c}{b}娱乐有限公司（{b}KTV） {b}网吧 {c}{b}影城 {l}{b}足浴店 {c}{b}培训学校
        {c}第{n}人民医院 {l}{b}幼儿园 {b}家居广场 {c}{b}酒店管理有限公司 {b}大厦物业管理处
        {l}{b}商贸城""".split(),
    ),
    "road_traffic": (
        8,
        """{c}{b}物流运输有限公司 {c}{b}客运有限公司 {c}{b}驾驶员培训学校
        {c}{b}汽车租赁有限公司 {c}{b}货运代理有限公司 {c}长运客运有限公司{l}客运站
        {c}{b}危险货物运输有限公司""".split(),
    ),
    "construction": (
        12,
        """中建{n}局第{n}建设有限公司{c}{b}花园项目部
        {c}建工集团有限公司{b}安置房{n}期项目部 {c}城建集团{r}改造工程项目部
        浙江{b}建设集团有限公司{b}府项目部 {c}{b}建筑工程有限公司{l}项目部
        {c}{b}市政工程有限公司{r}管网工程项目部 {b}装饰工程有限公司{b}广场装修项目部""".split(),
    ),
    "hazardous_chemicals": (
        8,
        """{c}{b}化工有限公司 {c}{b}新材料科技有限公司
        中国石化销售股份有限公司浙江临江{b}加油站 {c}{b}气体有限公司 {c}{b}涂料有限公司
        {c}{b}医药化工有限公司 {l}{b}加油站""".split(),
    ),
    "fireworks": (3, "{l}{b}烟花爆竹批发部 {c}{b}烟花爆竹有限公司 {l}{b}烟花爆竹零售点".split()),
    "special_equipment": (
        7,
        """{c}{b}物业服务有限公司 {c}{b}热力有限公司 {c}{b}电梯工程有限公司
        {c}{b}港务有限公司 {c}{b}游乐园管理有限公司 {c}{b}锅炉安装有限公司
        {b}华庭小区物业服务中心""".split(),
    ),
    "industry_trade": (
        25,
        """{c}{b}机械制造有限公司 {c}{b}家具有限公司 {c}{b}纺织有限公司
        {l}{b}五金加工厂 {c}{b}冷链物流有限公司 {c}{b}食品有限公司 {c}{b}印染有限公司
        {c}{b}金属制品有限公司 {l}{b}塑料制品厂 {c}{b}包装材料有限公司 {c}{b}木业有限公司
        {c}{b}铝业有限公司 {c}{b}服装有限公司 {c}{b}粮油有限公司 {c}{b}汽车零部件有限公司""".split(),
    ),
    "gas": (
        5,
        """{l}{b}液化气供应站 {c}{b}燃气有限公司 {l}{b}土菜馆 {l}{b}小吃店
        {c}{b}餐饮管理有限公司 {c}{b}城市燃气发展有限公司{l}营业所""".split(),
    ),
    "other": (
        8,
        """{c}{b}农贸市场管理有限公司 {c}江北区{l}中心敬老院 {l}{b}小区{n}幢群租房
        {c}{l}中心小学 {l}{b}文化礼堂 {c}{b}仓储服务有限公司 {l}{b}村集体厂房""".split(),
    ),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN = """伟 芳 娜 敏 静 强 磊 军 洋 勇 艳 杰 涛 明 超 秀兰 霞 平 刚 建国 建华 国平 海波 晓东
    志刚 立群 文斌 海涛 永刚 国华 志强 建军 庆林 立新 红梅 德胜 美华 志远 惠民 桂英 晓燕 丽
    斌 亮 俊 峰 辉 鹏飞 海燕 国庆""".split()
INSPECTORS = "区应急管理局 区消防救援大队 区住建局 区交通运输局 区市场监管局 {l}安监站".split()
ROLES = "车间主任 安全员 设备科 后勤部 仓储主管 生产主管 项目安全总监 保卫科 工程部".split()

# Where in a unit of each industry a hazard is found (prefixed to some descriptions).
PLACES: dict[str, list[str]] = {
    industry: places.split()
    for industry, places in {
        "fire": "一楼大厅 二楼仓库 三楼客房走廊 地下车库 后厨 配电房 楼梯间 包厢区 营业厅 屋顶平台",
        "road_traffic": "停车场 调度室 维修车间 站房 候车厅",
        "construction": "施工现场 基坑周边 6#楼 2#楼 钢筋加工区 生活区 木工加工棚",
        "hazardous_chemicals": "储罐区 装卸区 甲类车间 精馏工段 成品仓库",
        "fireworks": "1#仓库 2#仓库 零售店面 库区",
        "special_equipment": "锅炉房 电梯机房 码头前沿 游乐区 换热站",
        "industry_trade": "1#车间 2#车间 冲压车间 喷漆房 冷库 机修间 砂光车间 成品仓库",
        "gas": "钢瓶库房 后厨 营业所 调压站",
        "other": "二楼 摊位区 老年人居室 员工宿舍 厂房一楼",
    }.items()
}
# Problems, one per line; {n} becomes a small number. None has 灭火器 in it (those are
# EXTINGUISHER_PHRASES, mixed in at EXTINGUISHER_SHARE); many mention 消防 or 疏散通道.
FIRE_PHRASES = """
    疏散通道堆放杂物，安全出口指示灯损坏{n}处
    疏散通道内堆放纸箱等可燃物
    疏散通道被货架占用，净宽度不足
    安全出口被上锁封闭，疏散通道不畅通
    消防通道被车辆占用
    消防水泵控制柜处于手动状态，火灾时不能自动启动
    消防控制室值班人员仅1人且未持证上岗
    室内消火栓被遮挡，{n}处消火栓无水
    消防设施维保合同过期，未按期检测
    应急照明灯具{n}处不亮，蓄电池失效
    疏散指示标志被装饰物遮挡
    常闭式防火门处于常开状态，闭门器损坏
    使用易燃材料装修，未进行阻燃处理
    电动自行车在楼道内停放并飞线充电
    私拉乱接电线，插座超负荷使用
    自动喷水灭火系统末端试水装置压力不足
    火灾自动报警系统{n}个探测器故障未修复
    消防水池水位不足
    员工未开展消防安全培训，不会使用消防器材
    半年内未开展消防疏散演练
    防火分隔被破坏，管道穿墙孔洞未封堵
    厨房排油烟管道油垢积聚，超过{n}个月未清洗
    生产、储存、住宿三合一，未进行防火分隔
""".split()
EXTINGUISHER_PHRASES = """
    灭火器压力不足，{n}具已过期未更换
    现场未配置灭火器
    灭火器数量不足，配置点被杂物遮挡
    灭火器未按月检查，检查记录缺失
    车载灭火器过期
    动火作业现场未配置灭火器、无专人监护
    {n}具灭火器被挪作他用，灭火器箱损坏
""".split()
INDUSTRY_PHRASES: dict[str, list[str]] = {
    "fire": FIRE_PHRASES,
    "road_traffic": """
        {n}辆营运车辆安全锤缺失
        动态监控平台疲劳驾驶报警处置不及时
        {n}辆重型货车北斗卫星定位装置不在线
        新招聘驾驶员{n}人未开展岗前安全培训
        行包安检仪故障，旅客行包未实行安检
        出站检查记录不完整
        未对驾驶员进行酒精检测
        车辆二级维护超期{n}个月
        危险货物运输车辆未悬挂标志灯
    """.split(),
    "construction": """
        外脚手架第{n}层连墙件缺失，未按专项施工方案设置
        塔吊下方防护棚搭设不规范
        临边防护栏杆缺失约{n}米
        作业人员高处作业未系挂安全带
        基坑周边1米范围内堆放钢管和土方
        塔式起重机力矩限制器失效
        沟槽开挖深度约{n}米，未按方案放坡且无支护
        施工用电未做到一机一闸一漏
        模板支撑体系未经验收即浇筑混凝土
        夜间施工路段警示灯、锥形桶设置不足
        施工现场临时消防给水未接通
        电焊作业点下方可燃物未清理，无看火人
    """.split(),
    "hazardous_chemicals": """
        可燃气体泄漏区域未设置检测报警装置
        照明灯具、开关非防爆型
        动火作业未办理特殊作业票证
        空桶与实桶混放，通道宽度不足
        安全阀校验过期{n}个月
        静电接地报警器故障
        卸油作业时无人监护
        储罐区防火堤排水阀处于常开状态
        危化品仓库未设置储存品种及数量标识牌
        重大危险源监测数据未接入监管平台
    """.split(),
    "fireworks": """
        仓库超量储存，实际储存量超核定量{n}成
        1.3级与1.1级产品混存
        零售店面存放烟花爆竹超过规定限量
        仓库防雷装置检测报告过期
        仓库保管员未取得特种作业操作证
        库区防火隔离带内杂草枯枝未清除
    """.split(),
    "special_equipment": """
        {n}号电梯维保记录缺失，检验合格标志过期
        燃气锅炉安全阀未按期校验
        压力表超过检定周期
        可燃气体泄漏报警装置未与紧急切断阀联锁
        司炉工{n}人未持证上岗
        起重机起升高度限位器失效
        叉车未办理使用登记
        大型游乐设施日常检查记录缺失
    """.split(),
    "industry_trade": """
        {n}台冲床双手操作按钮被短接，光电保护装置被拆除
        防爆灯具损坏，漆渣桶未及时清运
        配电箱未上锁，箱门破损
        干式除尘系统未采取泄爆、隔爆措施
        粉尘清扫制度未落实，设备表面积尘明显
        氨气浓度报警装置未与事故排风机联锁
        液氨储罐区未配备正压式空气呼吸器
        除尘管道内积尘严重
        有限空间作业未执行先通风、再检测、后作业
        机械设备传动部位防护罩缺失
        员工未佩戴劳动防护用品
    """.split(),
    "gas": """
        中压燃气管道上方违章搭建，占压管道
        配送超期未检钢瓶{n}只
        钢瓶库房未设置可燃气体报警装置
        实瓶与空瓶未分区存放
        燃气软管老化开裂，未安装燃气泄漏报警装置
        液化石油气钢瓶无防倾倒措施
        燃气管道穿越卧室
        用气场所与住人区域未分隔
    """.split(),
    "other": """
        电动三轮车违规充电，摊位私拉乱接电线
        老年人居室使用大功率电器，未安装独立式感烟火灾探测报警器
        夜间值班人员仅1人
        房间采用木板等可燃材料分隔
        楼道及疏散通道内停放电动自行车并飞线充电
        厂房违规住人
        屋顶彩钢瓦破损，存在坍塌风险
    """.split(),
}
BASES = [
    "《中华人民共和国消防法》第十六条",
    "GB 50016-2014《建筑设计防火规范》",
    "GB 50140-2005《建筑灭火器配置设计规范》",
    "JGJ 130-2011《建筑施工扣件式钢管脚手架安全技术规范》",
    "《工贸企业粉尘防爆安全规定》第十二条",
    "GB 30871-2022《危险化学品企业特殊作业安全规范》",
    "《中华人民共和国特种设备安全法》第四十条",
    "《城镇燃气管理条例》第三十三条",
    "《道路运输车辆动态监督管理办法》第二十八条",
    "《烟花爆竹安全管理条例》",
    "《重大火灾隐患判定方法》GB 35181-2017",
]
MEASURES = [
    "立即停止相关作业，制定专项整改方案，落实专人负责",
    "更换不合格设备设施，整改完成前设置警戒区并专人值守",
    "委托有资质单位检测维修，整改期间加强巡查",
    "清理现场，重新设置防护设施并组织验收",
]
CONTINGENCIES = [
    "制定专项应急预案，现场配备应急物资，整改期间每日巡查",
    "划定警戒区域，疏散无关人员，保持应急通道畅通",
    "落实24小时值守，发现异常立即停止作业并上报",
]
VOID_REASONS = ["重复录入", "录入错误，单位选错", "经复核不构成隐患", "单位已关停，场所已拆除"]
VERIFY_NOTES = ["复查合格，同意销号", "现场复查已整改到位", None, None]
DEADLINE_DAYS = [7, 10, 15, 15, 30, 30, 30, 45, 60, 90]
MAJOR_DEADLINE_DAYS = [60, 90, 90, 120, 180]
SOURCES = (
    ["inspection"] * 45
    + ["self_check"] * 30
    + ["leader_check"] * 5
    + ["report"] * 8
    + ["other"] * 12
)
# Status shares: about 40% active (open, rectifying, rectified).
STATUSES = ["open"] * 18 + ["rectifying"] * 14 + ["rectified"] * 8 + ["closed"] * 55 + ["void"] * 5
RISKS = ["red"] * 3 + ["orange"] * 15 + ["yellow"] * 40 + ["blue"] * 35 + [None] * 7
EXTINGUISHER_SHARE = 0.035
MAJOR_SHARE = 0.05
OVERDUE_SHARE = 0.25  # of open and rectifying hazards


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def fill(pattern: str, rng: random.Random, locality: str) -> str:
    return pattern.format(
        c=CITY, b=rng.choice(BRANDS), l=locality, r=rng.choice(ROADS), n=rng.randint(1, 9)
    )


def credit_code(rng: random.Random, taken: set[str]) -> str:
    """A valid unified social credit code (both check characters right), not yet used."""
    from hazreg.creditcode import CHARSET, check_character

    while True:
        body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
        values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]  # GB 11714: A = 10
        check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        org = body + {10: "X", 11: "0"}.get(check, str(check))
        first17 = "91" + rng.choice(["330182", "330183", "330100"]) + org
        if any(c not in CHARSET for c in first17):
            continue
        code = first17 + check_character(first17)
        if code not in taken:
            taken.add(code)
            return code


def make_units(n: int, rng: random.Random) -> list[dict[str, Any]]:
    industries = list(UNIT_KINDS)
    weights = [UNIT_KINDS[i][0] for i in industries]
    names: set[str] = set()
    codes: set[str] = set()
    units = []
    for _ in range(n):
        industry = rng.choices(industries, weights)[0]
        locality = rng.choice(LOCALITIES)
        for attempt in range(50):
            name = fill(rng.choice(UNIT_KINDS[industry][1]), rng, locality)
            if attempt >= 20:
                name += f"（{rng.choice(ROADS)}{rng.randint(1, 300)}号）"
            if name not in names:
                break
        names.add(name)
        phone = (
            f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
            if rng.random() < 0.6
            else f"0571-8{rng.randint(0, 9999999):07d}"
        )
        units.append(
            {
                "name": name,
                "credit_code": None
                if industry == "construction" or rng.random() < 0.1
                else credit_code(rng, codes),
                "industry": industry,
                "locality": locality,
                "address": f"{CITY}江北区{locality}{rng.choice(ROADS)}{rng.randint(1, 400)}号",
                "contact": person(rng),
                "phone": phone,
                "risk": rng.choice(RISKS),
            }
        )
    return units


def describe(industry: str, rng: random.Random) -> str:
    """A hazard description: a place, a problem of the unit's industry, maybe a second problem."""
    pool = INDUSTRY_PHRASES[industry]
    parts = [rng.choice(pool if rng.random() < 0.7 else FIRE_PHRASES)]
    if rng.random() < EXTINGUISHER_SHARE:
        parts.insert(rng.randint(0, 1), rng.choice(EXTINGUISHER_PHRASES))
    elif rng.random() < 0.3:
        parts.append(rng.choice(pool))
    text = "，".join(p.format(n=rng.randint(2, 9)) for p in dict.fromkeys(parts))
    if rng.random() < 0.6:
        text = rng.choice(PLACES[industry]) + text
    return text


def make_hazard(
    unit_index: int, unit: dict[str, Any], today: date, rng: random.Random
) -> dict[str, Any]:
    """One hazard as reg.hazards.add takes it (but `unit` is an index into the generated units),
    with its status's dates; `_moves` are the lifecycle steps that led to its status."""
    status = rng.choice(STATUSES)
    major = rng.random() < MAJOR_SHARE
    duration = rng.choice(MAJOR_DEADLINE_DAYS if major else DEADLINE_DAYS)
    if status in ("open", "rectifying"):
        if rng.random() < OVERDUE_SHARE:
            deadline = today - timedelta(days=rng.randint(1, 150))
            found = max(deadline - timedelta(days=duration), today - timedelta(days=730))
        else:
            found = today - timedelta(days=rng.randint(0, 120))
            deadline = found + timedelta(days=duration)
            if deadline < today:  # the deadline was extended
                deadline = today + timedelta(days=rng.randint(0, 60))
    else:
        found = today - timedelta(
            days=rng.randint(
                3 if status == "rectified" else 0, 200 if status == "rectified" else 730
            )
        )
        deadline = found + timedelta(days=duration)
    inspector = rng.choice(INSPECTORS).format(l=unit["locality"])
    h: dict[str, Any] = {
        "unit": unit_index,
        "description": describe(unit["industry"], rng),
        "level": "major" if major else "general",
        "status": status,
        "source": rng.choice(SOURCES),
        "found_on": found,
        "found_by": f"{inspector} {person(rng)}、{person(rng)}" if rng.random() < 0.8 else None,
        "basis": rng.choice(BASES) if rng.random() < 0.5 else None,
        "deadline": None if not major and status == "open" and rng.random() < 0.05 else deadline,
    }
    if rng.random() < 0.6 or major:
        h["owner"] = person(rng) if rng.random() < 0.6 else f"{rng.choice(ROLES)} {person(rng)}"
    if major and (status == "closed" or rng.random() < 0.7):
        h["owner"] = h.get("owner") or person(rng)
        h["deadline"] = deadline
        h["measures"] = rng.choice(MEASURES)
        h["funds"] = Decimal(rng.randint(50, 2000) * 100)
        h["contingency"] = rng.choice(CONTINGENCIES)
    moves: list[tuple[str, date]] = []
    age = (today - found).days
    started = found + timedelta(days=rng.randint(0, min(age, 3)))
    if status in ("rectifying", "rectified", "closed"):
        moves.append(("start", started))
    if status in ("rectified", "closed"):
        done = found + timedelta(days=rng.randint(1, max(1, min(age, duration + 10))))
        done = min(max(done, started), today)
        h["rectified_on"] = done
        moves.append(("done", done))
    if status == "closed":
        closed = min(today, h["rectified_on"] + timedelta(days=rng.randint(0, 7)))
        h["verified_on"] = h["closed_on"] = closed
        h["verified_by"] = person(rng)
        h["verify_note"] = rng.choice(VERIFY_NOTES)
        moves.append(("verify", closed))
    if status == "void":
        h["void_reason"] = rng.choice(VOID_REASONS)
        moves.append(("void", found + timedelta(days=rng.randint(0, min(age, 30)))))
    h["_moves"] = moves
    return h


def instant(day: date, rng: random.Random) -> datetime:
    """Some moment in office hours (Shanghai, UTC+8) on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC) + timedelta(
        seconds=rng.randint(0, 8 * 3600)
    )


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


_PREVIOUS = {"start": "open", "done": "rectifying", "verify": "rectified"}
_NEXT = {"start": "rectifying", "done": "rectified", "verify": "closed", "void": "void"}


_LIFECYCLE = ("status", "rectified_on", "verified_by", "verified_on", "closed_on", "verify_note", "void_reason")


def build(path: Path, n_hazards: int, n_units: int, seed: int, now: datetime) -> dict[str, Any]:
    """A register at `path`, built in one transaction through hazreg's register code."""
    from hazreg.dates import DEFAULT_TIMEZONE, zone
    from hazreg.register import open_register

    rng = random.Random(seed)
    today = now.astimezone(zone(DEFAULT_TIMEZONE)).date()  # a new register's time zone
    units = make_units(n_units, rng)
    unit_of_hazard = [rng.randrange(n_units) for _ in range(n_hazards)]
    hazards = [make_hazard(i, units[i], today, rng) for i in unit_of_hazard]
    # Ids follow time, as in a register filled day by day.
    hazards.sort(key=lambda h: h["found_on"])
    for path_ in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        path_.unlink(missing_ok=True)

    # HAZREG_NOW is hazreg's own clock hook: each record is created at a plausible moment.
    saved_now = os.environ.get("HAZREG_NOW")
    started = time.perf_counter()
    reg = open_register(path, write=True, operator="bench")
    try:
        with reg.store.transaction():
            os.environ["HAZREG_NOW"] = stamp(now - timedelta(days=760))
            unit_ids = [
                reg.units.add({k: v for k, v in u.items() if v is not None})["id"] for u in units
            ]
            for h in hazards:
                moves = h.pop("_moves")
                created = min(instant(h["found_on"], rng), now)
                os.environ["HAZREG_NOW"] = stamp(created)
                # Recorded open, as an officer would on the day it was found (a date of something
                # that happened is never in the future); its later state is written with its moves.
                final = {k: h.pop(k) for k in _LIFECYCLE if k in h}
                hazard_id = reg.hazards.add({**h, "status": "open", "unit": unit_ids[h["unit"]]})["id"]
                if final["status"] != "open":
                    reg.store.update_hazard(hazard_id, final, now.date())
                for move, day in moves:
                    at = min(max(instant(day, rng), created + timedelta(minutes=10)), now)
                    after = {"status": _NEXT[move]}
                    if move == "done":
                        after["rectified_on"] = day.isoformat()
                    elif move == "verify":
                        after.update(
                            verified_by=final["verified_by"],
                            verified_on=day.isoformat(),
                            closed_on=day.isoformat(),
                            verify_note=final["verify_note"],
                        )
                    elif move == "void":
                        after["void_reason"] = final["void_reason"]
                    before = dict.fromkeys(after)
                    before["status"] = _PREVIOUS.get(move, "open")
                    reg.store.add_history(
                        {
                            "at": stamp(at),
                            "operator": "bench",
                            "record_type": "hazard",
                            "record_id": hazard_id,
                            "action": move,
                            "before": before,
                            "after": after,
                            "note": final.get("void_reason") if move == "void" else None,
                        }
                    )
    finally:
        if saved_now is None:
            os.environ.pop("HAZREG_NOW", None)
        else:
            os.environ["HAZREG_NOW"] = saved_now
        reg.store.close()  # the last connection: SQLite checkpoints and removes the WAL
    return {"build_seconds": round(time.perf_counter() - started, 1)}


# -- a bigger register from a built one, in bulk ------------------------------------------

# The cities of the districts a copy stands for: a province's register combines districts.
CITIES = "临江市 江州市 青阳市 白河市 安平市 东陵市 南川市 西岭市 北固市 云溪市 宁远市 长兴市".split()
_UUID_MIX = 0x9E3779B97F4A7C15  # copy k's uids: the base's with their random low bits mixed by k


def _shifted_uid(uid: str, k: int) -> str:
    """Copy k's uid for a base record's `uid`: the same time prefix, version and variant, other
    random bits (the low 62 bits of a version 7 UUID are random)."""
    import uuid

    value = uuid.UUID(uid).int ^ ((k * _UUID_MIX) & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def _city(text: str | None, k: int, prefix: bool) -> str | None:
    """`text` moved to copy k's city (names without a city get it in front, when `prefix`)."""
    if text is None or k == 0:
        return text
    if CITY in text:
        return text.replace(CITY, CITIES[k % len(CITIES)])
    return CITIES[k % len(CITIES)] + text if prefix else text


def replicate(base: Path, path: Path, copies: int, seed: int) -> dict[str, Any]:
    """A register `copies` times the register at `base` (built through hazreg's code), in bulk SQL.

    Copy k (0 is the base itself) stands for another district: units and hazards get ids shifted
    past the base's, new uids, unit names and addresses in copy k's city and new valid credit
    codes; the search index is filled for the copies' hazards; the history is rewritten as one
    chain in which each base entry is followed by its copies (record ids, uids, names and codes
    of creation entries changed to match), every link and hash computed afresh in one streaming
    pass. Nothing else differs, so it passes `hazreg check` as the base does."""
    import json

    from hazreg.chain import FIELDS, GENESIS, entry_hash
    from hazreg.search import index_text

    started = time.perf_counter()
    for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        old.unlink(missing_ok=True)
    source = sqlite3.connect(base)
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.close()
    shutil.copyfile(base, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")  # a file being built: nothing to recover
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    units_n = conn.execute("SELECT max(id) FROM units").fetchone()[0]
    hazards_n = conn.execute("SELECT max(id) FROM hazards").fetchone()[0]
    rng = random.Random(seed)
    taken = {r[0] for r in conn.execute("SELECT credit_code FROM units WHERE credit_code IS NOT NULL")}
    has_code = [r[0] for r in conn.execute("SELECT id FROM units WHERE credit_code IS NOT NULL ORDER BY id")]
    codes = {(unit_id, k): credit_code(rng, taken) for k in range(1, copies) for unit_id in has_code}
    conn.create_function("shifted_uid", 2, _shifted_uid, deterministic=True)
    conn.create_function("city", 3, lambda t, k, p: _city(t, k, bool(p)), deterministic=True)
    conn.create_function("code_for", 2, lambda u, k: codes.get((u, k)), deterministic=True)
    conn.create_function("index_text", 2, index_text, deterministic=True)
    # Indexes are made again after the rows are in: one sort each instead of a million insertions.
    indexes = list(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('units', 'hazards', 'history')"))
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    unit_cols = [r[1] for r in conn.execute("PRAGMA table_info(units)")]
    hazard_cols = [r[1] for r in conn.execute("PRAGMA table_info(hazards)")]
    shifted_unit = {"id": "id + :k * :u", "uid": "shifted_uid(uid, :k)", "name": "city(name, :k, 1)",
                    "credit_code": "code_for(id, :k)", "address": "city(address, :k, 0)"}
    shifted_hazard = {"id": "id + :k * :h", "uid": "shifted_uid(uid, :k)", "unit_id": "unit_id + :k * :u"}
    for k in range(1, copies):
        params = {"k": k, "u": units_n, "h": hazards_n}
        conn.execute(f"INSERT INTO units ({', '.join(unit_cols)}) SELECT"
                     f" {', '.join(shifted_unit.get(c, c) for c in unit_cols)} FROM units WHERE id <= :u", params)
        conn.execute("INSERT INTO unit_industries (unit_id, industry, position)"
                     " SELECT unit_id + :k * :u, industry, position FROM unit_industries WHERE unit_id <= :u", params)
        conn.execute(f"INSERT INTO hazards ({', '.join(hazard_cols)}) SELECT"
                     f" {', '.join(shifted_hazard.get(c, c) for c in hazard_cols)} FROM hazards WHERE id <= :h", params)
    conn.execute("INSERT INTO hazard_search (rowid, text) SELECT h.id, index_text(h.description, u.name)"
                 " FROM hazards h JOIN units u ON u.id = h.unit_id WHERE h.id > ? ORDER BY h.id", (hazards_n,))
    # The history: read from the base file, written as one new chain.
    conn.execute("DELETE FROM history")
    conn.execute("ATTACH DATABASE ? AS base", (str(base),))
    columns = (*FIELDS, "effective_at")
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM base.history ORDER BY seq")
    unit_of = dict(conn.execute("SELECT id, credit_code FROM base.units"))
    insert = (f"INSERT INTO history ({', '.join(columns)}, prev, hash)"
              f" VALUES ({', '.join('?' for _ in columns)}, ?, ?)")
    seq, prev = 0, GENESIS
    pending = rows.fetchmany(5000)
    out: list[tuple[Any, ...]] = []
    while pending:
        for _seq, at, operator, record_type, record_id, action, before, after, note, effective in pending:
            for k in range(copies if record_type in ("unit", "hazard") else 1):
                new_after = after
                if k and before is None and after is not None:
                    data = json.loads(after)
                    data["uid"] = _shifted_uid(data["uid"], k)
                    if record_type == "unit":
                        data["name"] = _city(data["name"], k, True)
                        data["address"] = _city(data.get("address"), k, False)
                        if unit_of.get(record_id) is not None:
                            data["credit_code"] = codes[(record_id, k)]
                    else:
                        data["unit_id"] += k * units_n
                    new_after = json.dumps(data, ensure_ascii=False, sort_keys=True)
                seq += 1
                values = (seq, at, operator, record_type,
                          record_id + k * (units_n if record_type == "unit" else hazards_n), action,
                          before, new_after, note)
                digest = entry_hash(prev, values, effective)
                out.append((*values, effective, prev, digest))
                prev = digest
        pending = rows.fetchmany(5000)
        conn.executemany(insert, out)
        out.clear()
    conn.execute("UPDATE sqlite_sequence SET seq = (SELECT max(id) FROM units) WHERE name = 'units'")
    conn.execute("UPDATE sqlite_sequence SET seq = (SELECT max(id) FROM hazards) WHERE name = 'hazards'")
    conn.execute("UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM history) WHERE name = 'history'")
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE base")
    conn.execute("PRAGMA journal_mode = WAL")  # as hazreg keeps a register
    conn.close()
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def describe_register(path: Path, now: str) -> dict[str, Any]:
    """What is in the built register, to show the data is what it should be."""
    from hazreg.dates import DEFAULT_TIMEZONE, zone

    moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
    today = moment.astimezone(zone(DEFAULT_TIMEZONE)).date().isoformat()
    conn = sqlite3.connect(path)  # read-write, so that closing it removes the -wal and -shm

    def one(sql: str, *params: Any) -> Any:
        return conn.execute(sql, params).fetchone()[0]

    try:
        total = one("SELECT count(*) FROM hazards")

        def share(n: int) -> str:
            return f"{n} ({100 * n / max(total, 1):.1f}%)"

        return {
            "units": one("SELECT count(*) FROM units"),
            "localities": one("SELECT count(DISTINCT locality) FROM units"),
            "hazards": total,
            "by status": dict(
                conn.execute("SELECT status, count(*) FROM hazards GROUP BY status ORDER BY 2 DESC")
            ),
            "active": share(
                one(
                    "SELECT count(*) FROM hazards WHERE status IN ('open','rectifying','rectified')"
                )
            ),
            "major": share(one("SELECT count(*) FROM hazards WHERE level = 'major'")),
            "overdue (open or rectifying, past deadline)": share(
                one(
                    "SELECT count(*) FROM hazards WHERE status IN ('open','rectifying') AND deadline < ?",
                    today,
                )
            ),
            "found_on": f"{one('SELECT min(found_on) FROM hazards')} .. {one('SELECT max(found_on) FROM hazards')}",
            "with 灭火器": share(
                one("SELECT count(*) FROM hazards WHERE description LIKE '%灭火器%'")
            ),
            "with 消防": share(one("SELECT count(*) FROM hazards WHERE description LIKE '%消防%'")),
            "with 疏散通道": share(
                one("SELECT count(*) FROM hazards WHERE description LIKE '%疏散通道%'")
            ),
            "search index rows": one("SELECT count(*) FROM hazard_search"),
            "history entries": one("SELECT count(*) FROM history"),
            "file size": f"{path.stat().st_size / 1e6:.0f} MB",
        }
    finally:
        conn.close()


def cached_register(
    folder: Path, stem: str, params: dict[str, Any], rebuild: bool, label: str,
    build_into: Any, describe: Any, now: datetime | None = None,
) -> tuple[Path, dict[str, Any]]:
    """The register `stem` in `folder`, reused when built with the same `params`, else built
    by build_into(path, now) and described by describe(path, now) into its .json beside it
    (`now`: the clock its data was made for; by default the time it is built)."""
    folder.mkdir(parents=True, exist_ok=True)
    path, meta_path = folder / f"{stem}.db", folder / f"{stem}.json"
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("params") == params:
            print(
                f"Reusing {path} (built {meta['built_at']} in {meta['build_seconds']} s; --rebuild to redo)"
            )
            return path, meta
    meta_path.unlink(missing_ok=True)
    now = now or datetime.now(UTC).replace(microsecond=0)
    print(f"Building {path}: {label} …", flush=True)
    building = folder / f"{stem}.building.db"
    started = time.perf_counter()
    result = build_into(building, now)
    for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        old.unlink(missing_ok=True)
    building.replace(path)
    meta = {
        "params": params,
        "built_at": stamp(datetime.now(UTC).replace(microsecond=0)),
        "now": stamp(now),
        "build_seconds": result["build_seconds"],
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"Built in {meta['build_seconds']} s (the one transaction); "
        f"{meta['total_seconds']} s with data generation."
    )
    meta["contents"] = describe(path, meta["now"])
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return path, meta


def ensure_register(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached register for these parameters, built if missing or stale."""
    from hazreg.storage import SCHEMA_VERSION

    params = {"hazards": args.hazards, "units": args.units, "seed": args.seed,
              "generator": GENERATOR_VERSION, "schema": SCHEMA_VERSION}
    return cached_register(
        args.dir, f"register-h{args.hazards}-u{args.units}-s{args.seed}", params, args.rebuild,
        f"{args.hazards:,} hazards over {args.units:,} units",
        lambda path, now: build(path, args.hazards, args.units, args.seed, now), describe_register,
    )


# -- timing --------------------------------------------------------------------------------


def hazreg_command() -> list[str]:
    script = Path(sys.executable).parent / ("hazreg.exe" if os.name == "nt" else "hazreg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hazreg"]


def commands() -> list[tuple[str, list[str]]]:
    py, hz = sys.executable, hazreg_command()
    return [
        ('python -c "import sqlite3"', [py, "-c", "import sqlite3"]),
        ("python benchmarks/bare_typer.py hello", [py, str(BARE_TYPER), "hello"]),
        ("hazreg --help", [*hz, "--help"]),
        (
            'hazreg add "…" --unit U17 --deadline +7d',
            [*hz, "add", ADD_DESCRIPTION, "--unit", "U17", "--deadline", "+7d"],
        ),
        ("hazreg list", [*hz, "list"]),
        (f"hazreg list --search {SEARCH_WORD}", [*hz, "list", "--search", SEARCH_WORD]),
    ]


def run_once(
    cmd: list[str], env: dict[str, str], cwd: Path
) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(
            f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout ---\n{proc.stdout.decode(errors='replace')}\n"
            f"--- stderr ---\n{proc.stderr.decode(errors='replace')}"
        )
    return elapsed, proc


def measure(register: Path, meta: dict[str, Any], args: argparse.Namespace) -> None:
    work = args.dir / "work.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, to copy it
    conn.close()
    shutil.copyfile(register, work)  # `hazreg add` writes here, never to the cached register
    env = dict(os.environ)
    # An installed hazreg has its bytecode compiled (pip does it); with this variable set
    # (as in some sandboxes), every run of an editable install would recompile hazreg's
    # modules from source and time the compiler instead. The warm-up round writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HAZREG_DB=str(work), HAZREG_OPERATOR="bench", HAZREG_NOW=meta["now"])
    env.pop("NO_COLOR", None)
    cmds = commands()
    times: dict[str, list[float]] = {label: [] for label, _ in cmds}
    last: dict[str, subprocess.CompletedProcess[bytes]] = {}
    print(f"Timing {len(cmds)} commands: 1 warm-up round + {args.runs} rounds …", flush=True)
    for round_ in range(args.runs + 1):
        for label, cmd in cmds:
            elapsed, last[label] = run_once(cmd, env, args.dir)
            if round_:  # round 0 is the warm-up
                times[label].append(elapsed)

    med = {label: statistics.median(ts) * 1000 for label, ts in times.items()}
    bare, floor = med[cmds[1][0]], med[cmds[0][0]]
    print()
    print("| command | median ms | min ms | × bare Typer | × import sqlite3 |")
    print("|---|---:|---:|---:|---:|")
    for label, _ in cmds:
        print(
            f"| `{label}` | {med[label]:.1f} | {min(times[label]) * 1000:.1f} "
            f"| {med[label] / bare:.2f} | {med[label] / floor:.2f} |"
        )

    add, lst, search = med[cmds[3][0]], med[cmds[4][0]], med[cmds[5][0]]
    aims = [
        (f"`hazreg add` within {AIM_ADD}× the bare Typer command", add / bare, AIM_ADD),
        (f"`hazreg list` within {AIM_LIST}× the bare Typer command", lst / bare, AIM_LIST),
        (
            f"`list --search {SEARCH_WORD}` about as fast as `hazreg list` (within {AIM_SEARCH}×)",
            search / lst,
            AIM_SEARCH,
        ),
    ]
    print()
    print("| aim | measured | met? |")
    print("|---|---:|---|")
    for text, ratio, limit in aims:
        print(f"| {text} | {ratio:.2f}× | {'yes' if ratio <= limit else 'NO'} |")

    def lines(label: str) -> int:
        return len(last[label].stdout.decode(errors="replace").splitlines())

    added = last[cmds[3][0]].stdout.decode(errors="replace").strip().splitlines()
    print()
    print(
        f"Medians of {args.runs} interleaved rounds after 1 warm-up; output captured (not a terminal)."
    )
    print(
        f"Register: {meta['params']['hazards']:,} hazards, {meta['params']['units']:,} units "
        f"(a fresh copy at {work}); HAZREG_NOW={meta['now']} (the build's clock)."
    )
    print(
        f"Output of the last round: list {lines(cmds[4][0])} lines, --search {lines(cmds[5][0])} lines, "
        f"add: {added[0] if added else '(nothing)'}"
    )
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--hazards", type=int, default=100_000, help="hazards in the register (100000)"
    )
    parser.add_argument("--units", type=int, default=5_000, help="units in the register (5000)")
    parser.add_argument("--runs", type=int, default=11, help="timed rounds, after one warm-up (11)")
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"cache and scratch folder ({DEFAULT_DIR})"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data (1)")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the register even if one is cached"
    )
    args = parser.parse_args()
    if args.units < 17:
        parser.error("--units must be at least 17 (the benchmark adds a hazard to U17)")
    if args.hazards < 1 or args.runs < 1:
        parser.error("--hazards and --runs must be positive")
    register, meta = ensure_register(args)
    for key, value in meta.get("contents", {}).items():
        print(f"  {key}: {value}")
    print()
    measure(register, meta, args)


if __name__ == "__main__":
    main()
