"""What reaches the center: the calls, reports and referrals of the demo district, from a seed.

:class:`CallMaker` draws, one after another, everything the simulator files as a new incident —
which channel it came through, its category and priority, where, who reported it and in what
words. It uses only its own random stream, so the same seed gives the same sequence of incidents
however fast or slow the hub answers. Channels and priorities follow their shares closely even
over a few dozen calls (each draw picks the most under-represented choice, weighted by a random
nudge), so a short run still shows every channel.

When calls arrive is :func:`calls_per_hour`: a daily rhythm with a quiet night, a morning peak and
a long afternoon, as a citizen hotline sees it.

Cases the police 110 center diverts are not among the simulator's calls: the police hand them over
themselves, over ``/police`` (``main.py simulate-police``, :mod:`console.sim.police`), at
:data:`DIVERSIONS_PER_HOUR`. Only the demo's history draws them here
(``next(day, Source.POLICE)``), to write them as the police center would have sent them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from console.domain.model import Priority, Source
from console.domain.taxonomy import Category, Taxonomy

__all__ = ["DIVERSIONS_PER_HOUR", "SOURCE_SHARES", "Call", "CallMaker", "Place",
           "calls_per_hour"]

#: The share of each of the center's own channels among the calls the simulator files (hotline
#: 96966 first, then the grid). Police diversions come on top, from the police center.
SOURCE_SHARES: Mapping[Source, float] = {
    Source.HOTLINE: 0.54, Source.GRID: 0.22, Source.PUBLIC: 0.08, Source.VIDEO: 0.05,
    Source.SENSOR: 0.03, Source.DEPARTMENT: 0.04, Source.WALK_IN: 0.04,
}

#: Cases the police 110 center diverts to the demo district per world hour, steadily day and
#: night: 36 a day. The reported practice (``../shared/DISTRICT.md``) is about 1,100 non-police
#: cases diverted in one city's first month, some 37 a day for the whole city. The demo gives its
#: one district that whole figure — a district's share of it (one of about 16) would be two or
#: three a day, too few to see in a session — so diversions are about 1 % of the ~3,000 calls a
#: day, and a liaison's 5-minute sign clock runs about every 40 minutes.
DIVERSIONS_PER_HOUR = 1.5

#: Calls per hour of the (local) day, relative to the daily mean (these average 1.0).
_RHYTHM = (0.25, 0.15, 0.10, 0.08, 0.08, 0.15, 0.40, 0.90, 1.60, 1.95, 1.95, 1.70,
           1.25, 1.35, 1.70, 1.75, 1.60, 1.40, 1.15, 1.20, 1.15, 0.90, 0.60, 0.39)


def calls_per_hour(per_day: float, local_hour: float) -> float:
    """The arrival rate at a local hour of the day (fractions interpolate between hours)."""
    index = int(local_hour) % 24
    frac = local_hour - int(local_hour)
    level = _RHYTHM[index] * (1 - frac) + _RHYTHM[(index + 1) % 24] * frac
    return per_day / 24 * level


@dataclass(frozen=True)
class Place:
    """Somewhere in the district a call can be about (a gazetteer address)."""

    address: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Call:
    """One new incident as the simulator files it: the ``incident.create`` arguments, and
    whether the caller has called before (for caller history at intake)."""

    source: Source
    args: dict[str, Any]
    repeat_caller: bool


# Channels that report mostly certain kinds of things.
_SOURCE_GROUPS: Mapping[Source, tuple[str, ...]] = {
    Source.GRID: ("city", "environment", "safety", "community", "utility"),
    Source.VIDEO: ("city", "transport", "environment"),
    Source.SENSOR: ("utility", "safety", "environment"),
    Source.DEPARTMENT: ("city", "utility", "market", "safety", "housing"),
    Source.POLICE: ("community", "city", "environment", "utility", "market"),
}

# How often each category group comes up on the hotline (relative).
_GROUP_WEIGHTS: Mapping[str, float] = {
    "city": 18, "environment": 14, "community": 14, "utility": 9, "housing": 9, "social": 9,
    "market": 7, "consult": 8, "transport": 5, "safety": 5, "police": 2,
}

# Details per category: what the caller says, beyond the category's own name.
_DETAILS: Mapping[str, tuple[str, ...]] = {
    "city.illegal_parking": ("多辆私家车长期占用消防通道", "货车停在人行道上，行人只能走机动车道",
                             "小区门口车辆乱停，早晚高峰堵得出不去"),
    "city.street_vendor": ("夜市摊贩占道经营，油烟和垃圾很多", "流动摊贩在校门口占道卖烧烤"),
    "city.illegal_construction": ("顶楼住户正在违规加盖彩钢棚", "一楼住户私自扩建围墙占用公共绿地"),
    "city.garbage_collection": ("垃圾桶已满两天没人清运，气味很大", "生活垃圾堆在路边，苍蝇很多"),
    "city.construction_waste": ("夜里有车往空地上倾倒建筑垃圾", "装修垃圾堆在楼道口一周没人管"),
    "city.road_damage": ("路面出现大坑，已有电瓶车摔倒", "人行道地砖松动翘起，老人容易绊倒"),
    "city.manhole_cover": ("井盖缺失，只用一根树枝插着提醒", "井盖破损下陷，车辆经过很危险"),
    "city.streetlight": ("一整排路灯晚上都不亮", "路灯白天一直亮着，晚上反而熄灭"),
    "city.shared_bikes": ("共享单车堆满地铁站出口", "共享单车倒在盲道上"),
    "city.stray_animals": ("小区里有流浪狗追咬小孩", "路边有受伤的流浪猫需要救助"),
    "env.noise_construction": ("工地夜间施工噪声扰民，已经连续三天", "凌晨还在用打桩机施工"),
    "env.noise_commercial": ("楼下酒吧音乐声太大到凌晨两点", "商铺门口音箱整天循环播放广告"),
    "env.noise_residential": ("楼上住户深夜装修敲打", "邻居家里聚会喧哗到深夜"),
    "env.cooking_fumes": ("楼下餐馆油烟直排，家里窗户都不敢开", "烧烤店油烟熏到楼上住户"),
    "env.dust": ("工地没有覆盖防尘网，扬尘很大", "渣土车不加遮盖，沿路撒落"),
    "env.open_burning": ("有人在河边焚烧垃圾，烟很大", "绿化带里有人烧落叶"),
    "env.fallen_tree": ("大风把行道树刮倒，压住了半边车道", "树枝断裂挂在电线上"),
    "env.water_pollution": ("河道里漂浮大量白色泡沫，有异味", "有管道往河里排放污水"),
    "utility.water_outage": ("整栋楼停水一天了，没有接到通知", "水压很低，高层住户没有水"),
    "utility.water_main_burst": ("路边供水管爆裂，水漫到了路面", "地下水管破裂，路面在冒水"),
    "utility.power_outage": ("小区突然停电，电梯里可能有人", "整条街停电两个小时了"),
    "utility.power_line_down": ("电线垂到离地面很低的位置", "有电线被大风刮断掉在人行道上"),
    "utility.gas_outage": ("小区停气，做不了饭", "燃气灶打不着火，物业说是管道问题"),
    "utility.sewer_blockage": ("下水道堵塞，污水冒到路面", "楼下化粪池满溢，臭味很大"),
    "utility.waterlogging": ("下穿隧道积水很深，有车熄火", "路口积水没过脚踝"),
    "safety.gas_leak": ("楼道里有很浓的燃气味", "餐馆后厨疑似燃气泄漏"),
    "safety.fire_hazard": ("消防通道被杂物堵死", "小区消防栓没有水"),
    "safety.ebike_charging": ("有人从楼上拉飞线给电瓶车充电", "电动车停在楼道里充电"),
    "safety.fire": ("居民楼阳台冒烟起火", "垃圾站着火，火势不大"),
    "safety.lift_entrapment": ("电梯停在两层之间，里面困了两个人", "电梯突然下坠后停住，有人被困"),
    "safety.dangerous_building": ("老房子外墙开裂，有砖块掉落", "围墙倾斜，随时可能倒塌"),
    "neighbour.dispute": ("和邻居因为停车位发生争吵", "邻居占用公共走廊，协商不成"),
    "neighbour.water_leak": ("楼上漏水到我家天花板，楼上不处理", "卫生间渗水到楼下"),
    "neighbour.dog_nuisance": ("邻居遛狗不牵绳，还随地便溺", "狗整夜叫个不停"),
    "neighbour.square_dance": ("广场舞音响太大，晚上十点还在跳", "早上六点就开始放广场舞音乐"),
    "neighbour.corridor_clutter": ("楼道里堆满纸箱杂物", "有人在楼道里堆放旧家具"),
    "housing.property_service": ("物业不处理电梯故障", "物业乱收停车费"),
    "market.food_safety": ("在超市买到过期食品", "小餐馆后厨卫生很差"),
    "market.consumer_dispute": ("健身房关门跑路，会员卡无法退费", "网购商品质量问题商家拒绝退货"),
    "market.prepaid_card": ("理发店预付卡无法退款", "培训机构倒闭，预付学费退不了"),
    "social.wage_arrears": ("工地拖欠农民工工资三个月", "公司拖欠工资后老板联系不上"),
    "social.elderly_care": ("独居老人几天没出门，邻居担心", "高龄老人需要上门助餐服务"),
    "social.vagrant_aid": ("天桥下有流浪人员，天冷需要救助", "车站附近有走失的流浪老人"),
    "transport.traffic_signal": ("路口红绿灯不亮，交通混乱", "信号灯时间太短，行人过不了马路"),
    "transport.bus_service": ("公交车长时间不来，到站不停", "公交司机态度恶劣"),
}

# What the caller says about anything without its own details, by group.
_GENERIC: Mapping[str, tuple[str, ...]] = {
    "city": ("{name}问题一直没人管", "{name}，影响市容和出行"),
    "environment": ("{name}，影响周边居民生活", "{name}情况严重，希望尽快处理"),
    "utility": ("{name}，影响周边住户", "{name}，已经持续一段时间"),
    "safety": ("发现{name}，存在安全隐患", "{name}，担心出事"),
    "community": ("{name}，协商不成", "{name}，希望社区出面协调"),
    "housing": ("关于{name}的问题", "{name}迟迟得不到解决"),
    "market": ("反映{name}问题", "{name}，希望相关部门查处"),
    "social": ("咨询{name}相关事宜", "{name}方面遇到困难"),
    "transport": ("{name}问题", "反映{name}"),
    "consult": ("咨询{name}", "想了解{name}的办理流程"),
    "police": ("{name}，请警方处置", "发现{name}情况"),
}

_OPENINGS: Mapping[Source, tuple[str, ...]] = {
    Source.HOTLINE: ("市民来电反映：", "来电人称：", "市民来电："),
    Source.GRID: ("网格员巡查发现：", "网格员上报："),
    Source.POLICE: ("110转来：", "110指挥中心分流："),
    Source.PUBLIC: ("市民通过“天府市民云”反映：", "网上留言："),
    Source.VIDEO: ("视频巡查发现：", "监控画面显示："),
    Source.SENSOR: ("物联感知设备报警：", "智能传感器告警："),
    Source.DEPARTMENT: ("部门移交：", "相关部门通报："),
    Source.WALK_IN: ("群众来访反映：", "来访人称："),
}

_REQUESTS = ("请相关部门尽快处理。", "希望尽快解决。", "请派人到现场查看。",
             "已多次反映，请督促处理。", "希望给予答复。")

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
             "邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢")
_TITLES = ("先生", "女士", "阿姨", "大爷", "师傅")
_PHONE_PREFIXES = ("135", "136", "138", "139", "150", "151", "158", "177", "180", "186", "189",
                   "199")

_PRIORITY_SHARES: Mapping[str, Mapping[Priority, float]] = {
    "urgent": {Priority.P1: 0.30, Priority.P2: 0.45, Priority.P3: 0.20, Priority.P4: 0.05},
    "standard": {Priority.P1: 0.06, Priority.P2: 0.24, Priority.P3: 0.55, Priority.P4: 0.15},
    "routine": {Priority.P1: 0.01, Priority.P2: 0.09, Priority.P3: 0.50, Priority.P4: 0.40},
}


class _Quota:
    """Picks choices so their counts track their shares closely, with a seeded nudge."""

    def __init__(self, shares: Mapping[Any, float]) -> None:
        total = sum(shares.values())
        self.shares = {k: v / total for k, v in shares.items()}
        self.counts = dict.fromkeys(self.shares, 0)
        self.drawn = 0

    def pick(self, rng: random.Random) -> Any:
        self.drawn += 1
        # The choice furthest behind its share (with a little noise so the order is not rigid).
        choice = max(self.shares, key=lambda k: self.shares[k] * self.drawn - self.counts[k]
                     + rng.uniform(0, 0.6))
        self.counts[choice] += 1
        return choice


class CallMaker:
    """Makes the district's new incidents one after another, deterministically from a seed.

    Args:
        taxonomy: the categories calls are filed under.
        places: where in the district things happen (gazetteer addresses).
        seed: the same seed gives the same calls in the same order.
        shares: the channels and their shares.
    """

    def __init__(self, taxonomy: Taxonomy, places: Sequence[Place], seed: int | str,
                 shares: Mapping[Source, float] = SOURCE_SHARES) -> None:
        if not places:
            raise ValueError("The simulator needs at least one place to put calls at.")
        self.rng = random.Random(f"calls:{seed}")
        self.places = list(places)
        self.sources = _Quota(shares)
        self.priorities = {c: _Quota(s) for c, s in _PRIORITY_SHARES.items()}
        self.by_group: dict[str, list[Category]] = {}
        for category in taxonomy.classifiable:
            self.by_group.setdefault(category.group, []).append(category)
        self.groups = _Quota({g: w for g, w in _GROUP_WEIGHTS.items() if g in self.by_group})
        self.callers: list[tuple[str, str]] = []
        self.police_numbers = 0

    def next(self, day: str, source: Source | None = None) -> Call:
        """The next call, through ``source`` or (None) the channel its share says. ``day``
        (``YYYYMMDD``) goes into police case numbers."""
        rng = self.rng
        source = source or self.sources.pick(rng)
        category = self._category(source)
        priority: Priority = self.priorities[category.sla_class].pick(rng)
        place = rng.choice(self.places)
        lat = place.lat + rng.uniform(-0.0004, 0.0004)
        lon = place.lon + rng.uniform(-0.0004, 0.0004)
        repeat = bool(self.callers) and rng.random() < 0.12
        name, phone = rng.choice(self.callers) if repeat else self._caller()
        if not repeat:
            self.callers.append((name, phone))
        details = _DETAILS.get(category.code) or tuple(
            g.format(name=category.zh) for g in _GENERIC.get(category.group, ("{name}",)))
        description = (rng.choice(_OPENINGS[source]) + place.address + "，" + rng.choice(details)
                       + "，" + rng.choice(_REQUESTS))
        args: dict[str, Any] = {
            "source": source.value, "category": category.code, "priority": priority.value,
            "description": description,
            "location": {"lat": round(lat, 6), "lon": round(lon, 6), "address": place.address},
        }
        if source in (Source.HOTLINE, Source.PUBLIC, Source.WALK_IN, Source.POLICE):
            args["reporter"] = {"name": name, "phone": phone}
        if source is Source.POLICE:
            self.police_numbers += 1
            args["police_case_no"] = f"110-{day}-{self.police_numbers:05d}"
        return Call(source, args, repeat)

    def _category(self, source: Source) -> Category:
        rng = self.rng
        groups = _SOURCE_GROUPS.get(source)
        if groups:
            group = rng.choice([g for g in groups if g in self.by_group])
        else:
            group = self.groups.pick(rng)
        candidates = [c for c in self.by_group[group] if not c.police_matter] \
            if source is Source.POLICE else self.by_group[group]
        return rng.choice(candidates or self.by_group[group])

    def _caller(self) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(_SURNAMES) + rng.choice(_TITLES)
        phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        return name, phone
